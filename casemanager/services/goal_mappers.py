"""The goals of a plan of care and the judgements of them, read from their rows: the goals in
force that a progress report judges, a report's saved verdicts, and the signed ones the chart
and the printed plan of care show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemanager.db.models import Evaluation, Goal, GoalAssessment, TreatmentPlan
from casemanager.domain import medicare
from casemanager.domain.enums import EvaluationStatus, GoalTerm
from casemanager.domain.evaluation import GOAL_REPORT_KINDS, Missing

ASSESSING_KINDS = GOAL_REPORT_KINDS
FIELD_PREFIX = "assessed_"  # "assessed_goal_1": apart from the plan's own "goal_1" fields


@dataclass(frozen=True)
class GoalInForce:
    """A goal of the episode's latest signed plan: what a progress report assesses."""

    id: int
    term: GoalTerm
    description: str
    target_date: date | None


def goals_in_force(session: Session, episode_id: int) -> list[GoalInForce]:
    """The goals of the episode's latest signed plan, in the plan's order."""
    plan_id = session.scalar(
        select(TreatmentPlan.id)
        .join(Evaluation, Evaluation.id == TreatmentPlan.evaluation_id)
        .where(Evaluation.episode_id == episode_id, Evaluation.status == EvaluationStatus.SIGNED)
        .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
        .limit(1)
    )
    if plan_id is None:
        return []
    return [
        GoalInForce(g.id, g.term, g.description, g.target_date)
        for g in session.scalars(select(Goal).where(Goal.plan_id == plan_id).order_by(Goal.id))
    ]


@dataclass(frozen=True)
class AssessedGoal:
    """One goal as a signed report judged it: for the chart and the printed plan of care."""

    goal: GoalInForce
    progress: medicare.GoalProgress
    note: str


def saved_judgements(session: Session, evaluation_id: int) -> tuple[medicare.GoalAssessment, ...]:
    return tuple(
        medicare.GoalAssessment(row.goal_id, row.progress, row.note)
        for row in session.scalars(
            select(GoalAssessment)
            .where(GoalAssessment.evaluation_id == evaluation_id)
            .order_by(GoalAssessment.goal_id)
        )
    )


def goals_judged_by(session: Session, evaluation: Evaluation) -> tuple[GoalInForce, ...]:
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


def missing_for_signing(session: Session, evaluation: Evaluation) -> list[Missing]:
    """Each goal of the plan in force still without a verdict or a note, named."""
    goals = goals_judged_by(session, evaluation)
    if not goals:
        return []
    _cleaned, gaps = medicare.goal_assessment_gaps(
        [g.id for g in goals],
        saved_judgements(session, evaluation.id),
        [g.description for g in goals],
    )
    return [Missing(FIELD_PREFIX + gap.field, str(gap)) for gap in gaps]


def assessed_goals(session: Session, evaluation_ids: list[int]) -> dict[int, list[AssessedGoal]]:
    """The signed judgements of these evaluations, per evaluation, in the plan's goal order."""
    found: dict[int, list[AssessedGoal]] = defaultdict(list)
    for evaluation_id, progress, note, goal_id, term, description, target_date in session.execute(
        select(
            GoalAssessment.evaluation_id,
            GoalAssessment.progress,
            GoalAssessment.note,
            Goal.id,
            Goal.term,
            Goal.description,
            Goal.target_date,
        )
        .join(Goal, Goal.id == GoalAssessment.goal_id)
        .where(GoalAssessment.evaluation_id.in_(evaluation_ids or [0]))
        .order_by(GoalAssessment.evaluation_id, Goal.id)
    ):
        assert evaluation_id is not None
        if progress is None or note is None:
            continue  # a draft's unfinished judgement: not a verdict yet
        found[evaluation_id].append(
            AssessedGoal(GoalInForce(goal_id, term, description, target_date), progress, note)
        )
    return found
