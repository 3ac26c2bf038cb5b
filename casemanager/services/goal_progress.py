"""A progress report or re-evaluation written as an evaluation judges each goal of the plan in
force, as a progress report recorded at a visit does (Medicare ch. 15 s. 220.3.D): a verdict
and a note per goal, kept in the same goal_assessment table and checked by the same rule."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete

from casemanager.db.engine import Database
from casemanager.db.models import GoalAssessment
from casemanager.domain import field_limits as limits
from casemanager.domain import medicare, validation
from casemanager.domain.enums import AuditAction
from casemanager.domain.permissions import Permission
from casemanager.services.context import Actor
from casemanager.services.goal_mappers import ASSESSING_KINDS as ASSESSING_KINDS
from casemanager.services.goal_mappers import FIELD_PREFIX as FIELD_PREFIX
from casemanager.services.goal_mappers import AssessedGoal as AssessedGoal
from casemanager.services.goal_mappers import GoalInForce, goals_judged_by, saved_judgements
from casemanager.services.goal_mappers import assessed_goals as assessed_goals
from casemanager.services.goal_mappers import missing_for_signing as missing_for_signing
from casemanager.services.use_case import draft_case, evaluation_case, load_evaluation


@dataclass(frozen=True)
class GoalsToJudge:
    """The goals an evaluation judges and what is saved of its judgement so far (a draft's
    verdicts and notes may still be empty)."""

    evaluation_id: int
    goals: tuple[GoalInForce, ...]
    assessments: tuple[medicare.GoalAssessment, ...]


def goals_to_judge(db: Database, actor: Actor, evaluation_id: int) -> GoalsToJudge:
    with evaluation_case(
        db, actor, evaluation_id, Permission.VIEW_CLINICAL, AuditAction.READ
    ) as case:
        session = case.session
        evaluation = load_evaluation(session, actor, evaluation_id)
        case.record(f"goal assessments of evaluation {evaluation_id}")
        return GoalsToJudge(
            evaluation_id,
            goals_judged_by(session, evaluation),
            saved_judgements(session, evaluation_id),
        )


def save_goal_assessments(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    assessments: tuple[medicare.GoalAssessment, ...],
) -> GoalsToJudge:
    """Save what is on screen, complete or not (signing checks completeness)."""
    with draft_case(db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE) as case:
        evaluation = case.draft
        session = case.session
        goals = goals_judged_by(session, evaluation)
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
        case.record(f"goal assessments of evaluation {evaluation_id}")
        session.flush()
        return GoalsToJudge(evaluation_id, goals, saved_judgements(session, evaluation_id))
