"""A progress report or re-evaluation written as an evaluation judges each goal of the plan in
force, as a progress report recorded at a visit does (Medicare ch. 15 s. 220.3.D): a verdict
and a note per goal, kept in the same goal_assessment table and checked by the same rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import Evaluation, Goal, GoalAssessment
from casemanager.domain import field_limits as limits
from casemanager.domain import medicare, validation
from casemanager.domain.enums import AuditAction, DataCategory, EvaluationStatus
from casemanager.domain.evaluation import GOAL_REPORT_KINDS, Missing
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor
from casemanager.services.evaluations import authorize_evaluation, load_draft, load_evaluation
from casemanager.services.visits import GoalInForce, goals_in_force

ASSESSING_KINDS = GOAL_REPORT_KINDS
FIELD_PREFIX = "assessed_"  # "assessed_goal_1": apart from the plan's own "goal_1" fields


@dataclass(frozen=True)
class GoalsToJudge:
    """The goals an evaluation judges and what is saved of its judgement so far (a draft's
    verdicts and notes may still be empty)."""

    evaluation_id: int
    goals: tuple[GoalInForce, ...]
    assessments: tuple[medicare.GoalAssessment, ...]


@dataclass(frozen=True)
class AssessedGoal:
    """One goal as a signed report judged it: for the chart and the printed plan of care."""

    goal: GoalInForce
    progress: medicare.GoalProgress
    note: str


def _saved(session: Session, evaluation_id: int) -> tuple[medicare.GoalAssessment, ...]:
    return tuple(
        medicare.GoalAssessment(row.goal_id, row.progress, row.note)
        for row in session.scalars(
            select(GoalAssessment)
            .where(GoalAssessment.evaluation_id == evaluation_id)
            .order_by(GoalAssessment.goal_id)
        )
    )


def _goals_of(session: Session, evaluation: Evaluation) -> tuple[GoalInForce, ...]:
    """A draft judges the goals in force now; a signed report, those it judged then."""
    if evaluation.kind not in ASSESSING_KINDS:
        return ()
    if evaluation.status == EvaluationStatus.DRAFT:
        return tuple(goals_in_force(session, evaluation.episode_id))
    return tuple(
        GoalInForce(g.id, g.term, g.description, g.target_date)
        for g in session.scalars(
            select(Goal)
            .join(GoalAssessment, GoalAssessment.goal_id == Goal.id)
            .where(GoalAssessment.evaluation_id == evaluation.id)
            .order_by(Goal.id)
        )
    )


def goals_to_judge(db: Database, actor: Actor, evaluation_id: int) -> GoalsToJudge:
    patient_id = authorize_evaluation(
        db, actor, evaluation_id, Permission.VIEW_CLINICAL, AuditAction.READ
    )
    with db.session() as session:
        evaluation = load_evaluation(session, actor, evaluation_id)
        audit.record(
            session,
            actor,
            AuditAction.READ,
            DataCategory.CLINICAL,
            patient_id=patient_id,
            detail=f"goal assessments of evaluation {evaluation_id}",
        )
        return GoalsToJudge(
            evaluation_id, _goals_of(session, evaluation), _saved(session, evaluation_id)
        )


def save_goal_assessments(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    assessments: tuple[medicare.GoalAssessment, ...],
) -> GoalsToJudge:
    """Save what is on screen, complete or not (signing checks completeness)."""
    patient_id = authorize_evaluation(
        db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE
    )
    with db.session() as session:
        evaluation = load_draft(
            session,
            actor,
            evaluation_id,
            "This evaluation is signed and locked. Add an addendum to correct it.",
        )
        goals = _goals_of(session, evaluation)
        goal_ids = [g.id for g in goals]
        if any(a.goal_id not in goal_ids for a in assessments) or len(
            {a.goal_id for a in assessments}
        ) != len(assessments):
            raise ValueError("goal assessments do not match the plan's goals")  # a caller's bug
        session.execute(delete(GoalAssessment).where(GoalAssessment.evaluation_id == evaluation_id))
        for assessment in assessments:
            number = goal_ids.index(assessment.goal_id) + 1
            note = validation.optional_text(
                f"goal_{number}", assessment.note, f"Goal {number} note", limits.NOTE
            )
            if assessment.progress is None and note is None:
                continue  # nothing given for this goal yet
            session.add(
                GoalAssessment(
                    evaluation_id=evaluation_id,
                    goal_id=assessment.goal_id,
                    progress=assessment.progress,
                    note=note,
                )
            )
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            DataCategory.CLINICAL,
            patient_id=patient_id,
            detail=f"goal assessments of evaluation {evaluation_id}",
        )
        session.flush()
        return GoalsToJudge(evaluation_id, goals, _saved(session, evaluation_id))


def missing_for_signing(session: Session, evaluation: Evaluation) -> list[Missing]:
    """Each goal of the plan in force still without a verdict or a note, named."""
    goals = _goals_of(session, evaluation)
    if not goals:
        return []
    _cleaned, gaps = medicare.goal_assessment_gaps(
        [g.id for g in goals], _saved(session, evaluation.id), [g.description for g in goals]
    )
    return [Missing(FIELD_PREFIX + gap.field, str(gap)) for gap in gaps]


def assessed_goals(session: Session, evaluation_ids: list[int]) -> dict[int, list[AssessedGoal]]:
    """The signed judgements of these evaluations, per evaluation, in the plan's goal order."""
    found: dict[int, list[AssessedGoal]] = defaultdict(list)
    for row, goal in session.execute(
        select(GoalAssessment, Goal)
        .join(Goal, Goal.id == GoalAssessment.goal_id)
        .where(GoalAssessment.evaluation_id.in_(evaluation_ids or [0]))
        .order_by(GoalAssessment.evaluation_id, Goal.id)
    ):
        assert row.evaluation_id is not None
        if row.progress is None or row.note is None:
            continue  # a draft's unfinished judgement: not a verdict yet
        found[row.evaluation_id].append(
            AssessedGoal(
                GoalInForce(goal.id, goal.term, goal.description, goal.target_date),
                row.progress,
                row.note,
            )
        )
    return found
