"""The caseload figures on a small clinic whose every fact is known, on both engines."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, EpisodeOfCare, Evaluation, Patient, Visit
from casemanager.domain import medicare, outcomes
from casemanager.domain.caseload import CaseloadFilter, Dashboard, WorkKind
from casemanager.domain.enums import (
    AuditAction,
    Cause,
    DischargeReason,
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
    GoalTerm,
    PatientStatus,
    Sex,
    TreatmentPathKind,
)
from casemanager.domain.errors import PermissionDenied, ValidationError
from casemanager.domain.plan import GoalContent, PathContent, PlanContent
from casemanager.services import (
    accounts,
    caseload,
    demo,
    evaluations,
    follow_up,
    patients,
    plans,
    visits,
)
from casemanager.services.context import Actor
from tests.conftest import Staff
from tests.services.test_chart import one_urgent_flag
from tests.services.test_evaluations import _complete

TODAY = date(2026, 11, 26)  # a Thursday: "this week" is Monday 23rd to today
PERIOD = CaseloadFilter(date(2026, 11, 1), TODAY)
START = TODAY - timedelta(days=89)
PT = PathContent(TreatmentPathKind.PT_PLAN, frequency_per_week=2, duration_weeks=6)
MEDICATION = PathContent(
    TreatmentPathKind.MEDICATION_REFERRAL, muscle_relaxant=True, reason="Spasm", refer_to="Dr. Cho"
)


def _episode(
    db: Database,
    therapist: Actor,
    name: str,
    day: date,
    *,
    cause: Cause | None,
    paths: tuple[PathContent, ...] = (PT,),
    certified_days: int = 60,
    visit_days: tuple[date, ...] = (),
    **content: object,
) -> tuple[int, int]:
    """A patient with an initial evaluation on `day` (left a draft when cause is None)."""
    patient = patients.create_patient(
        db, therapist, patients.PatientFields(name, "Caseload", date(1970, 5, 5), Sex.OTHER)
    )
    draft = evaluations.start_initial_evaluation(db, therapist, patient.id, "Low back pain", day)
    if cause is None:
        return patient.id, draft.episode_id
    record = evaluations.save_draft(
        db,
        therapist,
        draft.id,
        draft.version,
        _complete(primary_cause=cause, onset_date=day - timedelta(days=3), **content),
    )
    plan = PlanContent(
        paths=paths,
        goals=(GoalContent(GoalTerm.LONG, "Walk 30 minutes", day + timedelta(days=30)),),
        certification_start=day,
        certification_end=day + timedelta(days=certified_days),
    )
    plans.save_plan(db, therapist, record.id, None, plan)
    evaluations.sign(db, therapist, record.id, record.version)
    for visit_day in visit_days:
        visits.record_visit(
            db, therapist, draft.episode_id, visits.VisitContent(visit_day, nprs=4), today=TODAY
        )
    return patient.id, draft.episode_id


def _days(first: date, count: int, step: int = 2) -> tuple[date, ...]:
    return tuple(first + timedelta(days=step * n) for n in range(count))


@pytest.fixture
def clinic(db: Database, staff: Staff) -> dict[str, int]:
    """Five patients:

    - A (Rivera): heavy lifting, PT + medication, since 10/01, certified to 11/30, 12 visits in
      October and one on 11/24: a progress report is due and the certification ends soon.
    - B (Rivera): arthritis, since 11/03, visits 11/04 and 11/06: not seen for 14 days.
    - C (Nguyen): heavy lifting, since 10/15, visits 10/16, 10/20, 11/10, discharged 11/20
      with pain 7 -> 2 (Oswestry and PSFS unchanged).
    - D (Nguyen): initial evaluation left a draft on 11/25.
    - E (Rivera): tissue injury, an urgent red-flag referral, since 09/01, certified to 10/31,
      no visits, on hold while waiting for medical clearance.
    """
    rivera, nguyen = staff.therapist, staff.therapist2
    a, _ = _episode(
        db,
        rivera,
        "Ana",
        date(2026, 10, 1),
        cause=Cause.HEAVY_LIFTING,
        paths=(PT, MEDICATION),
        certified_days=60,
        visit_days=(*_days(date(2026, 10, 2), 12), date(2026, 11, 24)),
    )
    b, _ = _episode(
        db,
        rivera,
        "Bea",
        date(2026, 11, 3),
        cause=Cause.ARTHRITIS,
        visit_days=(date(2026, 11, 4), date(2026, 11, 6)),
    )
    c, c_episode = _episode(
        db,
        nguyen,
        "Cy",
        date(2026, 10, 15),
        cause=Cause.HEAVY_LIFTING,
        visit_days=(date(2026, 10, 16), date(2026, 10, 20), date(2026, 11, 10)),
    )
    summary = follow_up.start_follow_up(
        db, nguyen, c_episode, EvaluationKind.DISCHARGE, date(2026, 11, 20), today=TODAY
    )
    content = replace(
        summary.content,
        nprs_now=2,
        assessment_note="Back at work.",
        discharge_reason=DischargeReason.GOALS_MET,
    )
    summary = evaluations.save_draft(db, nguyen, summary.id, summary.version, content)
    evaluations.sign(db, nguyen, summary.id, summary.version)
    d, _ = _episode(db, nguyen, "Di", date(2026, 11, 25), cause=None)
    e, _ = _episode(
        db,
        rivera,
        "Ed",
        date(2026, 9, 1),
        cause=Cause.TISSUE_INJURY,
        paths=(PT, MEDICATION),
        certified_days=60,
        red_flags=one_urgent_flag(),
    )
    with db.session() as session:
        session.get_one(Patient, e).status = PatientStatus.ON_HOLD
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def _board(db: Database, actor: Actor, filt: CaseloadFilter = PERIOD) -> Dashboard:
    # The draft was created moments ago: look two days on so it counts as overdue.
    later = datetime.now(UTC) + timedelta(days=2)
    return caseload.dashboard(db, actor, filt, today=TODAY, now=later)


def test_every_figure_of_a_known_clinic(db: Database, staff: Staff, clinic: dict[str, int]) -> None:
    board = _board(db, staff.manager)
    t = board.totals
    assert (t.active_episodes, t.new_evaluations, t.discharges, t.visits) == (5, 2, 1, 4)
    assert t.visits_of_discharged == 3 and t.visits_per_discharged_episode == 3.0
    assert t.visits_per_active_episode == pytest.approx(0.8)

    rows = {r.name: r for r in board.therapists}
    rivera, nguyen = rows["Ana Rivera, PT"], rows["Minh Nguyễn, PT"]
    assert (
        rivera.active_cases,
        rivera.visits_this_week,
        rivera.unsigned_over_24h,
        rivera.progress_reports_due,
        rivera.certifications_ending,
        rivera.open_red_flag_referrals,
    ) == (3, 1, 0, 1, 2, 1)
    assert (
        nguyen.active_cases,
        nguyen.visits_this_week,
        nguyen.unsigned_over_24h,
        nguyen.progress_reports_due,
        nguyen.certifications_ending,
        nguyen.open_red_flag_referrals,
    ) == (1, 0, 1, 0, 0, 0)

    assert [(s.key, s.episodes) for s in board.causes] == [
        ("heavy_lifting", 2),
        ("arthritis", 1),
        ("tissue_injury", 1),
        ("", 1),  # D's evaluation is not signed: "Not recorded yet" comes last
    ]
    assert [(s.key, s.episodes) for s in board.paths] == [
        ("pt_plan", 4),
        ("medication_referral", 2),
    ]

    (by_therapist,) = board.outcomes_by_therapist
    (by_cause,) = board.outcomes_by_cause
    assert by_therapist.label == "Minh Nguyễn, PT" and by_cause.key == "heavy_lifting"
    for group in (by_therapist, by_cause):
        assert group.episodes == 1
        assert (group.nprs.measured, group.nprs.mean_change, group.nprs.meaningful) == (1, 5, 1)
        assert (group.odi.measured, group.odi.mean_change, group.odi.meaningful) == (1, 0, 0)
        assert (group.psfs.measured, group.psfs.mean_change, group.psfs.meaningful) == (1, 0, 0)
        assert group.nprs.share_meaningful == 1.0 and group.odi.share_meaningful == 0.0

    items = [(i.kind, i.patient_id) for i in board.worklist]
    assert items == [
        (WorkKind.URGENT_REFERRAL, clinic["E"]),
        (WorkKind.UNSIGNED, clinic["D"]),
        (WorkKind.CERTIFICATION, clinic["E"]),  # ended 10/31, sorted before A's 11/30
        (WorkKind.CERTIFICATION, clinic["A"]),
        # No physician has certified any plan yet: oldest evaluation first.
        (WorkKind.UNCERTIFIED, clinic["E"]),
        (WorkKind.UNCERTIFIED, clinic["A"]),
        (WorkKind.UNCERTIFIED, clinic["B"]),
        (WorkKind.PROGRESS_REPORT, clinic["A"]),
        (WorkKind.NOT_SEEN, clinic["B"]),
        (WorkKind.ON_HOLD, clinic["E"]),
    ]
    report = next(i for i in board.worklist if i.kind == WorkKind.PROGRESS_REPORT)
    # The evaluation day and 13 visit days.
    assert report.detail == "14 treatment days since the evaluation or the last report (overdue)"
    assert report.therapist == "Ana Rivera, PT" and report.mrn
    ended = board.worklist[2]
    assert ended.detail == "Plan of care ended 10/31/2026"
    uncertified = {i.patient_id: i for i in board.worklist if i.kind == WorkKind.UNCERTIFIED}
    assert uncertified[clinic["A"]].since == date(2026, 10, 1)
    assert uncertified[clinic["A"]].detail == (
        "Plan of care of 10/01/2026 not certified by a physician: "
        f"{(TODAY - date(2026, 10, 31)).days} days past the 30-day limit"
    )
    assert uncertified[clinic["B"]].detail.endswith("due by 12/03/2026")
    assert board.worklist[8].detail == "Last seen 11/06/2026"


def test_a_recorded_certification_leaves_the_worklist(
    db: Database, staff: Staff, clinic: dict[str, int]
) -> None:
    with db.session() as session:
        evaluation_id = session.scalars(
            select(Evaluation.id)
            .join(EpisodeOfCare, EpisodeOfCare.id == Evaluation.episode_id)
            .where(EpisodeOfCare.patient_id == clinic["B"])
        ).one()
    plans.record_certification(
        db,
        staff.therapist,
        evaluation_id,
        medicare.Certification("Dr. Helen Brooks", date(2026, 11, 20)),
        today=TODAY,
    )
    board = _board(db, staff.manager)
    assert {i.patient_id for i in board.worklist if i.kind == WorkKind.UNCERTIFIED} == {
        clinic["A"],
        clinic["E"],
    }


def test_filters_narrow_every_figure(db: Database, staff: Staff, clinic: dict[str, int]) -> None:
    def totals(**chosen: object) -> tuple[int, ...]:
        t = _board(db, staff.manager, replace(PERIOD, **chosen)).totals  # type: ignore[arg-type]
        return (t.active_episodes, t.new_evaluations, t.discharges, t.visits)

    assert totals(therapist_id=staff.therapist2.user_id) == (2, 1, 1, 1)
    assert totals(cause=Cause.HEAVY_LIFTING) == (2, 0, 1, 2)
    assert totals(path=TreatmentPathKind.MEDICATION_REFERRAL) == (2, 0, 0, 1)
    assert totals(status=PatientStatus.ON_HOLD) == (1, 0, 0, 0)
    # Before B, D and the visits of November: only the episodes begun by October 10.
    assert totals(start=date(2026, 10, 1), end=date(2026, 10, 10)) == (2, 1, 0, 5)
    on_hold = _board(db, staff.manager, replace(PERIOD, status=PatientStatus.ON_HOLD))
    assert {i.patient_id for i in on_hold.worklist} == {clinic["E"]}
    assert [r.name for r in on_hold.therapists] == ["Ana Rivera, PT", "Minh Nguyễn, PT"]


def test_a_therapist_sees_only_their_own_caseload(
    db: Database, staff: Staff, clinic: dict[str, int]
) -> None:
    board = _board(db, staff.therapist2, PERIOD)  # asks for the whole clinic
    assert board.filter.therapist_id == staff.therapist2.user_id
    assert [r.name for r in board.therapists] == ["Minh Nguyễn, PT"]
    assert board.totals.active_episodes == 2
    assert {i.patient_id for i in board.worklist} == {clinic["D"]}


def test_an_administrator_sees_figures_but_no_patient_names(
    db: Database, staff: Staff, clinic: dict[str, int]
) -> None:
    board = _board(db, staff.admin)
    assert board.totals.active_episodes == 5 and board.worklist == ()


def test_the_dashboard_read_is_audited_without_patient_data(
    db: Database, staff: Staff, clinic: dict[str, int]
) -> None:
    _board(db, staff.manager)
    with db.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.actor == "manager").order_by(AuditEntry.id.desc())
        ).first()
    assert entry is not None and entry.action == AuditAction.READ
    assert entry.detail == "caseload dashboard, worklist of 10" and entry.patient_id is None


def test_a_backwards_period_is_refused_with_what_to_do(db: Database, staff: Staff) -> None:
    with pytest.raises(ValidationError, match="Swap the dates"):
        caseload.dashboard(db, staff.manager, CaseloadFilter(TODAY, date(2026, 1, 1)))


def test_exports_need_the_export_permission_and_are_audited(
    db: Database, staff: Staff, clinic: dict[str, int]
) -> None:
    data = caseload.export_csv(db, staff.manager, "Worklist", ["Patient", "Note"], [["Ed", "=1+1"]])
    assert data.startswith("\ufeff".encode()) and b"'=1+1" in data
    with pytest.raises(PermissionDenied):
        caseload.export_csv(db, staff.therapist, "Worklist", ["Patient"], [["Ed"]])
    pdf = caseload.export_report(db, staff.manager, _board(db, staff.manager))
    assert pdf.startswith(b"%PDF")
    with db.session() as session:
        details = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == AuditAction.EXPORT)
        ).all()
    assert "caseload CSV: Worklist, 1 rows" in details and "caseload report PDF" in details


def test_sql_figures_agree_with_the_charts_rules_on_a_demo_clinic(db: Database) -> None:
    """A generated clinic, with some progress-report ticks removed so reports fall due: each
    SQL figure must match what the chart's own per-episode rules say."""
    demo.generate_demo_clinic(db, patients=160, seed=7, today=TODAY)
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    with db.session() as session:
        flagged = session.scalars(select(Visit).where(Visit.is_progress_report.is_(True))).all()
        for visit in flagged[::2]:
            visit.is_progress_report = False
        episodes = session.scalars(select(EpisodeOfCare)).all()
        open_ids = [(e.id, e.therapist_id) for e in episodes if e.status == EpisodeStatus.OPEN]
        active = [
            e.id for e in episodes if e.start_date <= TODAY and (e.end_date or TODAY) >= START
        ]
    board = caseload.dashboard(db, manager, CaseloadFilter(START, TODAY), today=TODAY)

    due: dict[int, int] = {}
    ending: dict[int, int] = {}
    uncertified = 0
    for episode_id, therapist_id in open_ids:
        state = visits.progress(db, manager, episode_id, today=TODAY)
        due[therapist_id] = due.get(therapist_id, 0) + state.progress_report_due
        ending[therapist_id] = ending.get(therapist_id, 0) + state.certification_ends_soon
        uncertified += state.certification is not None and state.certification.certification is None
    assert sum(due.values()) > 0  # the removed ticks made some reports due
    # The demo clinic records most certifications; the worklist lists the rest, as the chart.
    listed = [i for i in board.worklist if i.kind == WorkKind.UNCERTIFIED]
    assert 0 < len(listed) == uncertified < len(open_ids) / 2
    for row in board.therapists:
        assert row.progress_reports_due == due.get(row.therapist_id, 0), row.name
        assert row.certifications_ending == ending.get(row.therapist_id, 0), row.name
    assert board.totals.active_episodes == len(active)

    measured = meaningful = 0
    change = 0.0
    with db.session() as session:
        for episode_id in active:
            signed = session.scalars(
                select(Evaluation)
                .where(
                    Evaluation.episode_id == episode_id,
                    Evaluation.status == EvaluationStatus.SIGNED,
                    Evaluation.evaluation_date <= TODAY,
                )
                .order_by(Evaluation.evaluation_date, Evaluation.id)
            ).all()
            intake = next((e for e in signed if e.kind == EvaluationKind.INITIAL), None)
            later = [e for e in signed if e.kind != EvaluationKind.INITIAL]
            if intake is None or not later:
                continue
            before, after = evaluations.measures_of(intake), evaluations.measures_of(later[-1])
            odi = outcomes.compare(before, after)[1]
            if odi.change is not None:
                measured += 1
                meaningful += odi.change.meaningful
                change += odi.change.change
    sql = [g.odi for g in board.outcomes_by_cause]
    assert measured > 20 and sum(m.measured for m in sql) == measured
    assert sum(m.meaningful for m in sql) == meaningful
    assert sum((m.mean_change or 0) * m.measured for m in sql) == pytest.approx(change)


def test_figures_and_worklist_apart_are_the_dashboard(
    db: Database, staff: Staff, clinic: dict[str, int]
) -> None:
    """The screen may show the figures first and the worklist after: the two calls give
    exactly what the one call gives, each audited, and the worklist keeps its order."""
    from casemanager.domain.caseload import sort_worklist

    later = datetime.now(UTC) + timedelta(days=2)
    shown: dict[str, int] = {}
    for actor in (staff.manager, staff.therapist, staff.admin):
        board = caseload.dashboard(db, actor, PERIOD, today=TODAY, now=later)
        shown[actor.username] = len(board.worklist)
        figures = caseload.figures(db, actor, PERIOD, today=TODAY, now=later)
        items = caseload.worklist(db, actor, PERIOD, today=TODAY, now=later)
        assert figures == replace(board, worklist=())
        assert items == board.worklist == tuple(sort_worklist(list(items)))
    assert caseload.worklist(db, staff.admin, PERIOD, today=TODAY) == ()
    with db.session() as session:
        details = session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.actor == "manager", AuditEntry.action == AuditAction.READ)
            .order_by(AuditEntry.id)
        ).all()
    assert shown["manager"] > 0
    assert details[-3:] == [
        f"caseload dashboard, worklist of {shown['manager']}",
        "caseload figures",
        f"caseload worklist of {shown['manager']}",
    ]


def test_the_worklist_keeps_its_order_on_a_demo_clinic(db: Database) -> None:
    from casemanager.domain.caseload import sort_worklist

    demo.generate_demo_clinic(db, patients=120, seed=3, today=TODAY)
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    items = caseload.worklist(db, manager, CaseloadFilter(START, TODAY), today=TODAY)
    assert len(items) > 10 and len({i.kind for i in items}) >= 3
    assert list(items) == sort_worklist(list(items))
