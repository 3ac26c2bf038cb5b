"""The chart: header, episodes, and the timeline of each, read in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import event, select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Referral
from casemanager.domain import catalogs
from casemanager.domain.enums import (
    AuditAction,
    DataCategory,
    EpisodeStatus,
    EvaluationKind,
    RedFlagAction,
    RedFlagAnswer,
    ReferralStatus,
    Sex,
)
from casemanager.domain.evaluation import RedFlagEntry
from casemanager.services import chart, evaluations, follow_up, patients, plans, visits
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import _plan

TODAY = EVAL_DAY + timedelta(days=6)
FLAG = catalogs.red_flag("unexplained_weight_loss")  # urgent referral recommended


def one_urgent_flag() -> tuple[RedFlagEntry, ...]:
    """Every red flag answered: FLAG yes with an urgent referral, the rest no."""
    return tuple(
        RedFlagEntry(f.code, RedFlagAnswer.YES, RedFlagAction.URGENT)
        if f.code == FLAG.code
        else RedFlagEntry(f.code, RedFlagAnswer.NO)
        for f in catalogs.RED_FLAGS
    )


def _signed_patient(db: Database, staff: Staff, visit_count: int) -> tuple[int, int]:
    patient = patients.create_patient(
        db,
        staff.therapist,
        patients.PatientFields("Ἀθηνᾶ", "Παπαδοπούλου", date(1958, 1, 31), Sex.FEMALE),
    )
    draft = evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Low back spasm", EVAL_DAY
    )
    record = evaluations.save_draft(
        db, staff.therapist, draft.id, draft.version, _complete(red_flags=one_urgent_flag())
    )
    plans.save_plan(db, staff.therapist, record.id, None, _plan(db))
    evaluations.sign(db, staff.therapist, record.id, record.version)
    for n in range(visit_count):
        visits.record_visit(
            db,
            staff.therapist,
            record.episode_id,
            visits.VisitContent(
                EVAL_DAY + timedelta(days=1 + n % 5),
                nprs=5,
                interventions=(("manual_therapy", 15), ("therapeutic_exercise", 23)),
            ),
            today=TODAY,
        )
    return patient.id, record.episode_id


def test_chart_header_and_timeline(db: Database, staff: Staff) -> None:
    patient_id, episode_id = _signed_patient(db, staff, visit_count=2)
    report = follow_up.start_follow_up(
        db, staff.therapist, episode_id, EvaluationKind.PROGRESS_REPORT, TODAY, today=TODAY
    )
    found = chart.open_chart(db, staff.therapist, patient_id, today=TODAY)
    assert found.age == 68 and found.patient.fields.family_name == "Παπαδοπούλου"
    # The banner names the finding (never the question) and the referral still open.
    assert found.red_flags == (
        "Suspected cancer (malignancy). Findings: unexplained weight loss. Urgent referral to "
        "Primary care physician on 11/20/2026; not sent yet.",
    )
    assert [flag.text for flag in found.open_red_flags] == list(found.red_flags)
    (episode,) = found.episodes
    assert episode is found.open_episode and episode.has_signed_initial
    assert (episode.therapist_name, episode.draft_id) == ("Ana Rivera, PT", report.id)
    assert episode.progress.visits == 2 and not episode.progress.progress_report_due
    assert episode.next_appointment == _plan(db).next_appointment  # booked at the evaluation
    what = [(entry.day, entry.what) for entry in episode.timeline]
    assert what == [
        (TODAY, "Progress report (draft)"),
        (EVAL_DAY + timedelta(days=2), "Visit"),
        (EVAL_DAY + timedelta(days=1), "Visit"),
        (EVAL_DAY, "Referral: Medication review"),  # dated by the evaluation that made them
        (EVAL_DAY, "Referral: Red flag"),
        (EVAL_DAY, "Initial evaluation"),
    ]
    initial = episode.timeline[-1]
    assert initial.evaluation_id is not None and "signed by Ana Rivera, PT" in initial.detail
    assert "NPRS 7; Oswestry 53.3%; PSFS 3.5" in initial.detail
    visit = next(e for e in episode.timeline if e.what == "Visit")
    assert visit.detail == "NPRS 5; 38 min"  # the episode's own therapist goes unsaid


def test_discharged_episode_and_outcomes(db: Database, staff: Staff) -> None:
    patient_id, episode_id = _signed_patient(db, staff, visit_count=1)
    summary = follow_up.start_follow_up(
        db, staff.therapist, episode_id, EvaluationKind.DISCHARGE, TODAY, today=TODAY
    )
    from casemanager.domain.enums import DischargeReason

    content = replace(
        summary.content,
        nprs_now=2,
        assessment_note="Back to work.",
        discharge_reason=DischargeReason.GOALS_MET,
    )
    summary = evaluations.save_draft(db, staff.therapist, summary.id, summary.version, content)
    evaluations.sign(db, staff.therapist, summary.id, summary.version)
    found = chart.open_chart(db, staff.therapist, patient_id, today=TODAY)
    (episode,) = found.episodes
    assert episode.status == EpisodeStatus.DISCHARGED and found.open_episode is None
    # A closed episode's flags are history, except a referral nobody has closed yet.
    (still_open,) = found.red_flags
    assert still_open.startswith("Suspected cancer") and "not sent yet" in still_open
    with db.session() as session:
        for referral in session.scalars(select(Referral).where(Referral.episode_id == episode_id)):
            referral.status = ReferralStatus.CLOSED
    assert chart.open_chart(db, staff.therapist, patient_id, today=TODAY).red_flags == ()
    assert episode.timeline[0].what == "Discharged" and episode.timeline[0].detail == "Goals met"
    nprs = episode.outcomes[0].change
    assert nprs is not None and (nprs.change, nprs.meaningful) == (5.0, True)
    assert not episode.progress.progress_report_due


def test_the_chart_read_is_audited_and_an_administrator_sees_no_clinical_data(
    db: Database, staff: Staff
) -> None:
    patient_id, _episode = _signed_patient(db, staff, visit_count=0)
    chart.open_chart(db, staff.manager, patient_id, today=TODAY)
    admin_view = chart.open_chart(db, staff.admin, patient_id, today=TODAY)
    assert not admin_view.shows_clinical and admin_view.episodes == ()
    assert admin_view.red_flags == ()
    with db.session() as session:
        reads = session.execute(
            select(AuditEntry.actor, AuditEntry.data_category, AuditEntry.detail).where(
                AuditEntry.patient_id == patient_id, AuditEntry.action == AuditAction.READ
            )
        ).all()
    assert ("manager", DataCategory.CLINICAL, "chart: 1 episodes") in reads
    assert ("manager", DataCategory.DEMOGRAPHICS, None) in reads
    assert not [r for r in reads if r[0] == "admin" and r[1] == DataCategory.CLINICAL]


@contextmanager
def _counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_chart_takes_the_same_queries_for_a_long_history(db: Database, staff: Staff) -> None:
    short, _ = _signed_patient(db, staff, visit_count=1)
    long, _ = _signed_patient(db, staff, visit_count=25)
    with _counting(db) as few:
        chart.open_chart(db, staff.therapist, short, today=TODAY)
    with _counting(db) as many:
        found = chart.open_chart(db, staff.therapist, long, today=TODAY)
    assert found.episodes[0].progress.visits == 25
    assert len(many) == len(few)


def test_a_covering_colleagues_visit_names_them(db: Database, staff: Staff) -> None:
    patient_id, episode_id = _signed_patient(db, staff, visit_count=0)
    visits.record_visit(
        db, staff.therapist2, episode_id, visits.VisitContent(EVAL_DAY, nprs=6), today=TODAY
    )
    found = chart.open_chart(db, staff.therapist, patient_id, today=TODAY)
    visit = next(e for e in found.episodes[0].timeline if e.what == "Visit")
    assert visit.detail == f"NPRS 6; {staff.therapist2.display_name}"
