"""A progress report or re-evaluation written as an evaluation judges each goal of the plan
in force (Medicare ch. 15 s. 220.3.D), as a progress report recorded at a visit does: a
verdict and a note per goal, refused at signing until given, stored in goal_assessment."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casemanager.db.engine import Database
from casemanager.db.models import GoalAssessment as GoalAssessmentRow
from casemanager.domain.enums import EvaluationKind, GoalTerm
from casemanager.domain.errors import DomainError, PermissionDenied
from casemanager.domain.medicare import GoalAssessment, GoalProgress
from casemanager.reports.data import GoalVerdict
from casemanager.services import (
    batch_reading,
    chart,
    documents,
    evaluations,
    follow_up,
    goal_progress,
    plans,
    visits,
)
from casemanager.services.context import Actor
from casemanager.services.evaluations import IncompleteEvaluation
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY
from tests.services.test_plans import evaluation  # noqa: F401 - the fixture
from tests.services.test_visits import episode_id  # noqa: F401 - the fixture

LATER = EVAL_DAY + timedelta(days=3)


def judge_every_goal(
    db: Database, actor: Actor, evaluation_id: int, progress: GoalProgress = GoalProgress.MET
) -> goal_progress.GoalsToJudge:
    """Give every goal in force a verdict and a note, as a therapist does before signing."""
    goals = goal_progress.goals_to_judge(db, actor, evaluation_id).goals
    return goal_progress.save_goal_assessments(
        db,
        actor,
        evaluation_id,
        tuple(GoalAssessment(g.id, progress, f"Measured: {g.description}") for g in goals),
    )


def _ready(
    db: Database, staff: Staff, episode: int, kind: EvaluationKind
) -> evaluations.EvaluationRecord:
    """A follow-up complete in everything but its judgement of the goals."""
    draft = follow_up.start_follow_up(db, staff.therapist, episode, kind, LATER)
    content = replace(draft.content, assessment_note="Better.", red_flags_rechecked=True)
    record = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, content)
    if kind == EvaluationKind.RE_EVALUATION:  # a new plan is certified again
        plan = plans.get_plan(db, staff.therapist, record.id)
        assert plan is not None
        plans.save_plan(
            db,
            staff.therapist,
            record.id,
            plan.version,
            replace(
                plan.content,
                certification_start=LATER,
                certification_end=LATER + timedelta(days=60),
            ),
        )
    return record


def test_a_progress_report_is_refused_until_each_goal_is_judged(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    report = _ready(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    judging = goal_progress.goals_to_judge(db, staff.therapist, report.id)
    # The intake plan's goals, nothing pre-filled: no verdict to sign through unread.
    assert [g.description for g in judging.goals] == [
        "Sit 30 minutes at work",
        "Lift 10 kg floor to waist",
    ]
    assert judging.assessments == ()
    with pytest.raises(IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, report.id, report.version)
    assert [(m.field, m.message) for m in refused.value.missing] == [
        (
            "assessed_goal_1",
            "Goal 1 (Sit 30 minutes at work): choose met, progressing or not progressing.",
        ),
        (
            "assessed_goal_2",
            "Goal 2 (Lift 10 kg floor to waist): choose met, progressing or not progressing.",
        ),
    ]
    first, second = judging.goals
    # Half done is kept as typed (a verdict without its note), and still refused.
    half = (
        GoalAssessment(first.id, GoalProgress.MET, "Sits 35 minutes"),
        GoalAssessment(second.id, GoalProgress.NOT_PROGRESSING, "  "),
    )
    goal_progress.save_goal_assessments(db, staff.therapist, report.id, half)
    reopened = goal_progress.goals_to_judge(db, staff.therapist, report.id)
    assert reopened.assessments == (
        GoalAssessment(first.id, GoalProgress.MET, "Sits 35 minutes"),
        GoalAssessment(second.id, GoalProgress.NOT_PROGRESSING, None),
    )
    with pytest.raises(IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, report.id, report.version)
    assert [m.message for m in refused.value.missing] == [
        "Goal 2 (Lift 10 kg floor to waist): write what you measured (for example, walks 20 "
        "minutes)."
    ]
    goal_progress.save_goal_assessments(
        db,
        staff.therapist,
        report.id,
        (half[0], GoalAssessment(second.id, GoalProgress.NOT_PROGRESSING, "Lifts 4 kg")),
    )
    assert evaluations.sign(db, staff.therapist, report.id, report.version).is_signed
    with db.session() as session:
        rows = session.execute(
            select(
                GoalAssessmentRow.visit_id,
                GoalAssessmentRow.goal_id,
                GoalAssessmentRow.progress,
                GoalAssessmentRow.note,
            )
            .where(GoalAssessmentRow.evaluation_id == report.id)
            .order_by(GoalAssessmentRow.goal_id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (None, first.id, GoalProgress.MET, "Sits 35 minutes"),
        (None, second.id, GoalProgress.NOT_PROGRESSING, "Lifts 4 kg"),
    ]
    # Signed: locked, and read back as judged.
    with pytest.raises(DomainError, match="signed and locked"):
        goal_progress.save_goal_assessments(db, staff.therapist, report.id, half)
    signed = goal_progress.goals_to_judge(db, staff.therapist, report.id)
    assert [g.id for g in signed.goals] == [first.id, second.id]
    # The chart's timeline gives the verdicts, as it does for a visit's progress report.
    episode = chart.open_chart(db, staff.therapist, _patient(db, report.id)).episodes[0]
    entry = next(e for e in episode.timeline if e.evaluation_id == report.id)
    assert entry.what == "Progress report"
    assert "goals: met 1, not progressing 1" in entry.detail


def test_a_re_evaluation_judges_the_old_plans_goals(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    intake_goals = visits.goals_to_assess(db, staff.therapist, episode_id)
    record = _ready(db, staff, episode_id, EvaluationKind.RE_EVALUATION)
    judging = goal_progress.goals_to_judge(db, staff.therapist, record.id)
    # Its own plan holds fresh copies of the goals; it judges those in force, the intake's.
    assert [g.id for g in judging.goals] == [g.id for g in intake_goals]
    with pytest.raises(IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, record.id, record.version)
    assert [m.field for m in refused.value.missing] == ["assessed_goal_1", "assessed_goal_2"]
    judge_every_goal(db, staff.therapist, record.id, GoalProgress.PROGRESSING)
    assert evaluations.sign(db, staff.therapist, record.id, record.version).is_signed
    # The next progress report judges the re-evaluation's plan, not the intake's.
    report = _ready(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    later = goal_progress.goals_to_judge(db, staff.therapist, report.id).goals
    assert [g.description for g in later] == [g.description for g in intake_goals]
    assert not {g.id for g in later} & {g.id for g in intake_goals}


def test_a_discharge_does_not_ask_and_a_discarded_draft_takes_its_judgements(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    summary = follow_up.start_follow_up(
        db, staff.therapist, episode_id, EvaluationKind.DISCHARGE, LATER
    )
    assert goal_progress.goals_to_judge(db, staff.therapist, summary.id).goals == ()
    with pytest.raises(ValueError, match="do not match"):
        goal_progress.save_goal_assessments(
            db,
            staff.therapist,
            summary.id,
            (GoalAssessment(1, GoalProgress.MET, "Walks"),),
        )
    evaluations.discard_draft(db, staff.therapist, summary.id)
    report = _ready(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    judge_every_goal(db, staff.therapist, report.id)
    evaluations.discard_draft(db, staff.therapist, report.id)
    with db.session() as session:
        left = session.scalar(
            select(func.count()).where(GoalAssessmentRow.evaluation_id.is_not(None))
        )
    assert left == 0


def test_only_the_clinical_staff_judge_goals(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    report = _ready(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    with pytest.raises(PermissionDenied):
        goal_progress.save_goal_assessments(db, staff.manager, report.id, ())


def test_the_printed_plan_of_care_carries_the_verdicts(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    """The single print and the batch read the same verdicts (one assembly for both)."""
    report = _ready(db, staff, episode_id, EvaluationKind.PROGRESS_REPORT)
    judge_every_goal(db, staff.therapist, report.id, GoalProgress.PROGRESSING)
    evaluations.sign(db, staff.therapist, report.id, report.version)
    single = documents.snapshot(db, staff.therapist, report.id)
    expected = (
        GoalVerdict(
            GoalTerm.SHORT,
            "Sit 30 minutes at work",
            GoalProgress.PROGRESSING,
            "Measured: Sit 30 minutes at work",
        ),
        GoalVerdict(
            GoalTerm.LONG,
            "Lift 10 kg floor to waist",
            GoalProgress.PROGRESSING,
            "Measured: Lift 10 kg floor to waist",
        ),
    )
    assert single.goal_verdicts == expected
    with db.session() as session:
        batch = batch_reading.snapshots(session, staff.therapist, [report.id], LATER)
    assert batch[report.id].goal_verdicts == expected
    intake = evaluations.list_evaluations(db, staff.therapist, _patient(db, report.id))[-1]
    assert documents.snapshot(db, staff.therapist, intake.id).goal_verdicts == ()


def test_an_assessment_belongs_to_one_report(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    goal_id = visits.goals_to_assess(db, staff.therapist, episode_id)[0].id
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(GoalAssessmentRow(goal_id=goal_id, progress=GoalProgress.MET, note="x"))
        session.flush()


def _patient(db: Database, evaluation_id: int) -> int:
    found = evaluations.patient_of(db, evaluation_id)
    assert found is not None
    return found
