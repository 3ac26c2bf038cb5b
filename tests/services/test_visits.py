"""Visits after the evaluation: validation, the progress report by the 10th treatment day
(the evaluation day counted) with each goal assessed, and the certification warnings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import GoalAssessment as GoalAssessment_
from casemanager.domain.errors import DomainError, ValidationError
from casemanager.domain.medicare import GoalAssessment, GoalProgress
from casemanager.services import chart, evaluations, plans, visits
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY
from tests.services.test_plans import _plan, evaluation  # noqa: F401 - the fixture

TODAY = EVAL_DAY + timedelta(days=40)


@pytest.fixture
def episode_id(
    db: Database,
    staff: Staff,
    evaluation: evaluations.EvaluationRecord,  # noqa: F811 - the fixture imported above
) -> int:
    plans.save_plan(db, staff.therapist, evaluation.id, None, _plan(db))
    current = evaluations.get_evaluation(db, staff.therapist, evaluation.id)
    evaluations.sign(db, staff.therapist, evaluation.id, current.version)
    return current.episode_id


def _visit(day_offset: int, **kw: object) -> visits.VisitContent:
    return visits.VisitContent(EVAL_DAY + timedelta(days=day_offset), **kw)  # type: ignore[arg-type]


def _assessed(db: Database, staff: Staff, episode_id: int) -> tuple[GoalAssessment, ...]:
    goals = visits.goals_to_assess(db, staff.therapist, episode_id)
    return tuple(
        GoalAssessment(g.id, GoalProgress.PROGRESSING, f"Halfway: {g.description}") for g in goals
    )


def test_progress_report_due_by_the_tenth_treatment_day(
    db: Database, staff: Staff, episode_id: int
) -> None:
    """Medicare ch. 15 s. 220.3.D: the evaluation day is treatment day 1, so after 8 visits
    the next visit is the 10th treatment day and must carry the report."""
    for n in range(1, 8):
        visits.record_visit(
            db,
            staff.therapist,
            episode_id,
            _visit(n * 3, nprs=6, interventions=(("therapeutic_exercise", 23),)),
            today=TODAY,
        )
    state = visits.progress(db, staff.therapist, episode_id, today=TODAY)
    assert (state.visits, state.treatment_days_since_report, state.progress_report_due) == (
        7,
        8,
        False,
    )
    assert state.progress_report_text is None
    # A second visit on the same day is the same treatment day.
    visits.record_visit(db, staff.therapist, episode_id, _visit(21, nprs=5), today=TODAY)
    assert not visits.progress(db, staff.therapist, episode_id, today=TODAY).progress_report_due
    visits.record_visit(db, staff.therapist, episode_id, _visit(24, nprs=4), today=TODAY)
    state = visits.progress(db, staff.therapist, episode_id, today=TODAY)
    assert (state.visits, state.treatment_days_since_report, state.progress_report_due) == (
        9,
        9,
        True,
    )
    assert state.progress_report_text is not None
    assert "next visit is treatment day 10" in state.progress_report_text
    visits.record_visit(
        db,
        staff.therapist,
        episode_id,
        _visit(27, is_progress_report=True, goal_assessments=_assessed(db, staff, episode_id)),
        today=TODAY,
    )
    state = visits.progress(db, staff.therapist, episode_id, today=TODAY)
    assert (state.treatment_days_since_report, state.progress_report_due) == (0, False)
    assert state.last_visit == EVAL_DAY + timedelta(days=27)


def test_a_progress_report_visit_assesses_each_goal(
    db: Database, staff: Staff, episode_id: int
) -> None:
    goals = visits.goals_to_assess(db, staff.therapist, episode_id)
    assert [g.description for g in goals] == [
        "Sit 30 minutes at work",
        "Lift 10 kg floor to waist",
    ]
    with pytest.raises(ValidationError) as error:
        visits.record_visit(
            db, staff.therapist, episode_id, _visit(3, is_progress_report=True), today=TODAY
        )
    assert error.value.field == "goal_1"
    half = (
        GoalAssessment(goals[0].id, GoalProgress.MET, "Sits 35 minutes"),
        GoalAssessment(goals[1].id, GoalProgress.NOT_PROGRESSING, None),
    )
    with pytest.raises(ValidationError) as error:
        visits.record_visit(
            db,
            staff.therapist,
            episode_id,
            _visit(3, is_progress_report=True, goal_assessments=half),
            today=TODAY,
        )
    assert error.value.field == "goal_2"
    assert visits.progress(db, staff.therapist, episode_id, today=TODAY).visits == 0  # nothing kept
    full = (half[0], GoalAssessment(goals[1].id, GoalProgress.NOT_PROGRESSING, "Lifts 4 kg"))
    record = visits.record_visit(
        db,
        staff.therapist,
        episode_id,
        _visit(3, is_progress_report=True, goal_assessments=full),
        today=TODAY,
    )
    assert record.goal_assessments == full
    with db.session() as session:
        stored = session.execute(
            select(GoalAssessment_.goal_id, GoalAssessment_.progress, GoalAssessment_.note)
            .where(GoalAssessment_.visit_id == record.id)
            .order_by(GoalAssessment_.goal_id)
        ).all()
    assert [tuple(row) for row in stored] == [
        (goals[0].id, GoalProgress.MET, "Sits 35 minutes"),
        (goals[1].id, GoalProgress.NOT_PROGRESSING, "Lifts 4 kg"),
    ]
    patient_id = visits.find_episode(db, staff.therapist, episode_id)[0]
    shown = chart.open_chart(db, staff.therapist, patient_id, today=TODAY)
    entry = next(e for e in shown.episodes[0].timeline if e.what == "Visit (progress report)")
    assert entry.detail.endswith("goals: met 1, not progressing 1")


def test_certification_ending_soon(db: Database, staff: Staff, episode_id: int) -> None:
    end = EVAL_DAY + timedelta(days=60)  # from _plan
    assert not visits.progress(
        db, staff.therapist, episode_id, today=end - timedelta(days=8)
    ).certification_ends_soon
    assert visits.progress(
        db, staff.therapist, episode_id, today=end - timedelta(days=7)
    ).certification_ends_soon


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (_visit(41), "visit_date"),  # after "today"
        (_visit(-1), "visit_date"),  # before the episode began
        (_visit(2, nprs=11), "nprs"),
        (_visit(2, interventions=(("ultrasound_magic", 10),)), "intervention_1"),
        (_visit(2, interventions=(("manual_therapy", 0),)), "intervention_1"),
        (_visit(2, interventions=(("manual_therapy", 8), ("manual_therapy", 8))), "intervention_2"),
    ],
)
def test_visit_refusals_name_the_field(
    db: Database, staff: Staff, episode_id: int, content: visits.VisitContent, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        visits.record_visit(db, staff.therapist, episode_id, content, today=TODAY)
    assert error.value.field == field


def test_no_visits_before_the_evaluation_is_signed(
    db: Database,
    staff: Staff,
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    with pytest.raises(DomainError, match="Sign the initial evaluation"):
        visits.record_visit(db, staff.therapist, evaluation.episode_id, _visit(2), today=TODAY)
