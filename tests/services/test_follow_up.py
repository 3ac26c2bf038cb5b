"""Progress reports, re-evaluations and the discharge summary: carried-forward values, what
signing each needs, the progress-report counter, the change from intake against the MCIC,
and discharge closing the episode."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import EpisodeOfCare, Patient, Referral
from casemanager.domain.enums import (
    DischargeReason,
    EpisodeStatus,
    EvaluationKind,
    GoalStatus,
    PatientStatus,
)
from casemanager.domain.errors import DomainError, PermissionDenied
from casemanager.domain.evaluation import PsfsEntry
from casemanager.services import evaluations, follow_up, plans, visits
from casemanager.services.evaluations import IncompleteEvaluation
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY
from tests.services.test_goal_progress import judge_every_goal
from tests.services.test_plans import evaluation  # noqa: F401 - the fixture
from tests.services.test_visits import episode_id  # noqa: F401 - the fixture

LATER = EVAL_DAY + timedelta(days=3)


def _start(
    db: Database, staff: Staff, episode: int, kind: EvaluationKind
) -> evaluations.EvaluationRecord:
    return follow_up.start_follow_up(db, staff.therapist, episode, kind, LATER)


def _sign(db: Database, staff: Staff, record: evaluations.EvaluationRecord) -> None:
    current = evaluations.get_evaluation(db, staff.therapist, record.id)
    evaluations.sign(db, staff.therapist, record.id, current.version)


def test_progress_report_carries_forward_the_last_values(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    intake = evaluations.list_evaluations(db, staff.therapist, _patient(db, episode_id))[0]
    signed = evaluations.get_evaluation(db, staff.therapist, intake.id)
    report = _start(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    assert (report.kind, report.is_signed, report.evaluation_date) == (
        EvaluationKind.PROGRESS_REPORT,
        False,
        LATER,
    )
    # STarT Back is a first-contact screen: a progress report does not carry it.
    expected = replace(
        signed.content, complexity=None, assessment_note=None, start_back=(None,) * 9
    )
    assert report.content == expected
    plan = plans.get_plan(db, staff.therapist, report.id)
    original = plans.get_plan(db, staff.therapist, intake.id)
    assert plan is not None and original is not None
    # Everything but the booked appointment comes along, certification included.
    assert plan.content == replace(original.content, next_appointment=None)
    # Before anything changes, every measure shows no change against intake.
    assert [o.change.change for o in report.outcomes if o.change] == [0.0, 0.0, 0.0]


def test_follow_up_signing_needs_the_summary_and_fresh_ratings(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    report = _start(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    rated = replace(report.content, psfs=(PsfsEntry("Lifting groceries", None),))
    report = evaluations.save_draft(db, staff.therapist, report.id, report.version, rated)
    with pytest.raises(IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, report.id, report.version)
    # The carried red-flag answers are asked again first (issue 13: re-screen each report).
    assert [m.field for m in refused.value.missing] == [
        "red_flags_rechecked",
        "psfs",
        "assessment_note",
        "assessed_goal_1",  # each goal in force judged (see test_goal_progress)
        "assessed_goal_2",
    ]
    judge_every_goal(db, staff.therapist, report.id)
    done = replace(
        rated,
        red_flags_rechecked=True,
        psfs=(PsfsEntry("Lifting groceries", 8),),
        assessment_note="Sitting tolerance doubled; lifting still guarded.",
    )
    report = evaluations.save_draft(db, staff.therapist, report.id, report.version, done)
    signed = evaluations.sign(db, staff.therapist, report.id, report.version)
    assert signed.is_signed
    # The medication path carried into the report is not referred a second time.
    with db.session() as session:
        kinds = session.scalars(select(Referral.kind).where(Referral.episode_id == episode_id))
        assert sorted(k.value for k in kinds) == ["medication"]


def test_signed_progress_report_restarts_the_visit_count(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    today = EVAL_DAY + timedelta(days=40)
    for n in range(1, 10):
        visits.record_visit(
            db,
            staff.therapist,
            episode_id,
            visits.VisitContent(EVAL_DAY + timedelta(days=n), nprs=5),
            today=today,
        )
    assert visits.progress(db, staff.therapist, episode_id, today=today).progress_report_due
    report = follow_up.start_follow_up(
        db,
        staff.therapist,
        episode_id,
        EvaluationKind.PROGRESS_REPORT,
        EVAL_DAY + timedelta(10),
        today=today,
    )
    assert report.content.nprs_now == 5  # the latest visit's rating, newer than the intake's 7
    content = replace(report.content, assessment_note="Steady progress.", red_flags_rechecked=True)
    report = evaluations.save_draft(db, staff.therapist, report.id, report.version, content)
    # A draft does not count: the report is due until it is signed.
    assert visits.progress(db, staff.therapist, episode_id, today=today).progress_report_due
    judge_every_goal(db, staff.therapist, report.id)
    evaluations.sign(db, staff.therapist, report.id, report.version)
    state = visits.progress(db, staff.therapist, episode_id, today=today)
    assert (state.visits, state.treatment_days_since_report, state.progress_report_due) == (
        9,
        0,
        False,
    )


def test_discharge_marks_each_change_against_its_mcic_and_closes_the_episode(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    summary = _start(db, staff, episode_id, EvaluationKind.DISCHARGE)
    # Intake: NPRS 7, Oswestry 24/45 = 53.3 %, PSFS mean 3.5 (tests.services.test_evaluations)
    content = replace(
        summary.content,
        nprs_now=6,  # 1 point better: below the 2-point MCIC
        odi_sections=(1, 1, 1, 1, 1, 1, 1, None, 1, 1),  # 9/45 = 20 %: far past
        psfs=(PsfsEntry("Lifting groceries", 5), PsfsEntry("Sitting at work", 6)),  # 5.5: +2
        assessment_note="Independent with the home program.",
        discharge_reason=DischargeReason.GOALS_MET,
    )
    summary = evaluations.save_draft(db, staff.therapist, summary.id, summary.version, content)
    by_measure = {o.measure: o for o in summary.outcomes}
    nprs = by_measure["Pain (NPRS 0-10)"].change
    odi = by_measure["Oswestry disability %"].change
    psfs = by_measure["PSFS mean (0-10)"].change
    assert nprs is not None and odi is not None and psfs is not None
    assert (nprs.baseline, nprs.latest, nprs.change, nprs.meaningful) == (7, 6, 1, False)
    assert (odi.baseline, odi.latest, odi.meaningful) == (53.3, 20.0, True)
    assert (psfs.baseline, psfs.latest, psfs.change, psfs.meaningful) == (3.5, 5.5, 2.0, True)
    assert by_measure["Pain (NPRS 0-10)"].describe() == (
        "Pain (NPRS 0-10): 7 → 6, improved by 1, less than the MCIC of 2 points"
    )
    assert by_measure["PSFS mean (0-10)"].describe() == (
        "PSFS mean (0-10): 3.5 → 5.5, improved by 2: a meaningful change (MCIC 2 points)"
    )

    goals = plans.get_plan(db, staff.therapist, summary.id)
    assert goals is not None
    met = replace(
        goals.content,
        goals=tuple(replace(g, status=GoalStatus.MET) for g in goals.content.goals),
    )
    plans.save_plan(db, staff.therapist, summary.id, goals.version, met)
    _sign(db, staff, summary)
    with db.session() as session:
        episode = session.get(EpisodeOfCare, episode_id)
        assert episode is not None
        assert (episode.status, episode.end_date, episode.discharge_reason) == (
            EpisodeStatus.DISCHARGED,
            LATER,
            "Goals met",
        )
        assert session.get(Patient, episode.patient_id).status == PatientStatus.DISCHARGED  # type: ignore[union-attr]
    with pytest.raises(DomainError, match="discharged"):
        _start(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    with pytest.raises(DomainError, match="discharged"):
        visits.record_visit(db, staff.therapist, episode_id, visits.VisitContent(LATER))


def test_discharge_needs_a_reason(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    summary = _start(db, staff, episode_id, EvaluationKind.DISCHARGE)
    content = replace(summary.content, assessment_note="Moving away.")
    summary = evaluations.save_draft(db, staff.therapist, summary.id, summary.version, content)
    with pytest.raises(IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, summary.id, summary.version)
    assert [m.field for m in refused.value.missing] == ["discharge_reason"]


def test_re_evaluation_needs_a_new_certification(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    re_evaluation = _start(db, staff, episode_id, EvaluationKind.RE_EVALUATION)
    plan = plans.get_plan(db, staff.therapist, re_evaluation.id)
    assert plan is not None
    assert plan.content.certification_start is None and plan.content.certification_end is None
    with pytest.raises(IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, re_evaluation.id, re_evaluation.version)
    assert "certification_start" in {m.field for m in refused.value.missing}
    assert "complexity" not in {m.field for m in refused.value.missing}  # billed as 97164


def test_one_draft_at_a_time_and_not_before_the_initial_is_signed(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    _start(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    with pytest.raises(DomainError, match="unsigned progress report"):
        _start(db, staff, episode_id, EvaluationKind.DISCHARGE)


def test_an_office_manager_cannot_start_one(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    with pytest.raises(PermissionDenied):
        follow_up.start_follow_up(
            db, staff.manager, episode_id, EvaluationKind.PROGRESS_REPORT, LATER
        )


def _patient(db: Database, episode: int) -> int:
    with db.session() as session:
        found = session.get(EpisodeOfCare, episode)
        assert found is not None
        return found.patient_id


def test_a_draft_started_by_mistake_is_discarded_by_its_author(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    summary = _start(db, staff, episode_id, EvaluationKind.DISCHARGE)
    with pytest.raises(PermissionDenied, match="Only the evaluating therapist"):
        evaluations.discard_draft(db, staff.therapist2, summary.id)
    evaluations.discard_draft(db, staff.therapist, summary.id)
    report = _start(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)  # no longer blocked
    assert report.kind == EvaluationKind.PROGRESS_REPORT
    patient = _patient(db, episode_id)
    kinds = [e.kind for e in evaluations.list_evaluations(db, staff.therapist, patient)]
    assert kinds == [EvaluationKind.PROGRESS_REPORT, EvaluationKind.INITIAL]
    signed = kinds and evaluations.list_evaluations(db, staff.therapist, patient)[-1]
    with pytest.raises(DomainError, match="addendum"):
        evaluations.discard_draft(db, staff.therapist, signed.id)


def test_discarding_an_initial_draft_removes_its_empty_episode(db: Database, staff: Staff) -> None:
    from casemanager.domain.enums import Sex
    from casemanager.services import patients

    patient = patients.create_patient(
        db,
        staff.therapist,
        patients.PatientFields("Olu", "Bello", EVAL_DAY.replace(1990), Sex.MALE),
    )
    draft = evaluations.start_initial_evaluation(db, staff.therapist, patient.id, "Back spasm")
    plans.save_plan(db, staff.therapist, draft.id, None, plans.PlanContent())
    evaluations.discard_draft(db, staff.therapist, draft.id)
    with db.session() as session:
        assert (
            session.scalar(select(EpisodeOfCare.id).where(EpisodeOfCare.patient_id == patient.id))
            is None
        )
    # The patient can start afresh.
    again = evaluations.start_initial_evaluation(db, staff.therapist, patient.id, "Back spasm")
    assert again.kind == EvaluationKind.INITIAL


def test_follow_up_dates_keep_their_order(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    visits.record_visit(db, staff.therapist, episode_id, visits.VisitContent(LATER), today=LATER)
    with pytest.raises(DomainError, match="before the last visit"):
        follow_up.start_follow_up(
            db,
            staff.therapist,
            episode_id,
            EvaluationKind.DISCHARGE,
            LATER - timedelta(1),
            today=LATER,
        )
    report = _start(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    content = replace(report.content, assessment_note="Better.", red_flags_rechecked=True)
    report = evaluations.save_draft(db, staff.therapist, report.id, report.version, content)
    judge_every_goal(db, staff.therapist, report.id)
    evaluations.sign(db, staff.therapist, report.id, report.version)
    with pytest.raises(DomainError, match="before the last evaluation"):
        follow_up.start_follow_up(
            db,
            staff.therapist,
            episode_id,
            EvaluationKind.RE_EVALUATION,
            LATER - timedelta(1),
            today=LATER,
        )


def test_a_new_referral_path_in_a_progress_report_is_referred_once(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    from casemanager.domain.enums import TreatmentPathKind
    from casemanager.domain.plan import PathContent

    report = _start(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    plan = plans.get_plan(db, staff.therapist, report.id)
    assert plan is not None
    surgery = PathContent(
        TreatmentPathKind.LUMBAR_SURGERY_REFERRAL, reason="Progressive weakness despite care"
    )
    plans.save_plan(
        db,
        staff.therapist,
        report.id,
        plan.version,
        replace(plan.content, paths=(*plan.content.paths, surgery)),
    )
    content = replace(
        report.content, assessment_note="Weakness progressing.", red_flags_rechecked=True
    )
    report = evaluations.save_draft(db, staff.therapist, report.id, report.version, content)
    judge_every_goal(db, staff.therapist, report.id)
    evaluations.sign(db, staff.therapist, report.id, report.version)
    with db.session() as session:
        kinds = sorted(
            k.value
            for k in session.scalars(select(Referral.kind).where(Referral.episode_id == episode_id))
        )
    # The carried medication path is not referred again; the new surgery path is.
    assert kinds == ["lumbar_surgery", "medication"]


def test_a_latest_visit_rated_zero_is_carried_forward(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    visits.record_visit(
        db, staff.therapist, episode_id, visits.VisitContent(LATER, nprs=0), today=LATER
    )
    report = _start(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    assert report.content.nprs_now == 0
    assert report.content.start_back == (None,) * 9  # not repeated on a progress report


def test_signing_a_discharge_refuses_visits_after_its_date(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    summary = _start(db, staff, episode_id, EvaluationKind.DISCHARGE)
    content = replace(
        summary.content, assessment_note="Done.", discharge_reason=DischargeReason.GOALS_MET
    )
    summary = evaluations.save_draft(db, staff.therapist, summary.id, summary.version, content)
    after = LATER + timedelta(days=1)
    visits.record_visit(db, staff.therapist, episode_id, visits.VisitContent(after), today=after)
    with pytest.raises(DomainError, match="comes after this discharge"):
        evaluations.sign(db, staff.therapist, summary.id, summary.version)


def test_a_re_evaluation_keeps_goals_whose_targets_have_passed(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    day = EVAL_DAY + timedelta(days=20)  # the first goal's target (day 14) is behind us
    re_evaluation = follow_up.start_follow_up(
        db, staff.therapist, episode_id, EvaluationKind.RE_EVALUATION, day, today=day
    )
    plan = plans.get_plan(db, staff.therapist, re_evaluation.id)
    assert plan is not None
    renewed = replace(
        plan.content,
        certification_start=day,
        certification_end=day + timedelta(days=42),
        goals=(replace(plan.content.goals[0], status=GoalStatus.MET), *plan.content.goals[1:]),
    )
    saved = plans.save_plan(db, staff.therapist, re_evaluation.id, plan.version, renewed)
    assert saved.content.goals[0].status == GoalStatus.MET
