"""The plan of care of an evaluation: read it, save it while the evaluation is a draft."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import Evaluation, Exercise, TreatmentPlan
from casemanager.db.types import utcnow
from casemanager.domain import medicare
from casemanager.domain import plan as rules
from casemanager.domain.enums import AuditAction, DataCategory, EvaluationKind, EvaluationStatus
from casemanager.domain.errors import DomainError, NotFound
from casemanager.domain.evaluation import FULL_KINDS
from casemanager.domain.evaluation_defaults import with_default_certification
from casemanager.domain.permissions import Permission
from casemanager.domain.plan import PlanContent
from casemanager.services import audit
from casemanager.services.content_mappers import (
    PlanRecord,
    plan_record,
    read_plan,
    write_plan,
)
from casemanager.services.context import Actor
from casemanager.services.use_case import draft_case, evaluation_case, load_evaluation


def get_plan(db: Database, actor: Actor, evaluation_id: int) -> PlanRecord | None:
    with evaluation_case(
        db, actor, evaluation_id, Permission.VIEW_CLINICAL, AuditAction.READ
    ) as case:
        evaluation = load_evaluation(case.session, actor, evaluation_id)
        if evaluation.plan is None:
            return None
        case.record(f"plan of evaluation {evaluation_id}")
        return plan_record(evaluation, evaluation.plan)


def save_plan(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    expected_version: int | None,
    content: PlanContent,
) -> PlanRecord:
    """Create (expected_version None) or update the plan of a draft evaluation."""
    with draft_case(
        db,
        actor,
        evaluation_id,
        Permission.EDIT_CLINICAL,
        AuditAction.UPDATE,
        locked="The plan of a signed evaluation is locked. Add an addendum.",
    ) as case:
        evaluation = case.draft
        session = case.session
        follow_up = evaluation.kind != EvaluationKind.INITIAL
        if evaluation.kind in FULL_KINDS:
            # A period not typed follows the PT plan's weeks (evaluation_defaults).
            content = with_default_certification(
                content,
                evaluation.evaluation_date,
                read_plan(evaluation.plan) if evaluation.plan is not None else None,
            )
        cleaned = rules.clean(
            content,
            evaluation.evaluation_date,
            evaluation.episode.start_date if follow_up else None,
        )
        plan = evaluation.plan
        if plan is None:
            if expected_version is not None:
                raise NotFound("That plan no longer exists; reopen the evaluation.")
            plan = TreatmentPlan(evaluation=evaluation)
            session.add(plan)
        elif plan.version != expected_version:
            raise audit.conflict(
                session,
                evaluation.episode.patient_id,
                DataCategory.CLINICAL,
                "This plan of care",
                plan.updated_at,
            )
        write_plan(session, actor, plan, cleaned)
        plan.updated_at = utcnow()  # a change to the paths, goals or exercises alone counts
        case.record(f"plan of evaluation {evaluation_id}")
        session.flush()
        session.refresh(plan)
        return plan_record(evaluation, plan)


def _plan_day(session: Session, evaluation: Evaluation, plan: TreatmentPlan) -> date:
    """The evaluation that set this plan's certification period: the first signed plan of the
    episode with the same period (a progress report carries it; medicare.certification_in_force
    reads it the same way)."""
    first = session.scalar(
        select(func.min(Evaluation.evaluation_date))
        .join(TreatmentPlan, TreatmentPlan.evaluation_id == Evaluation.id)
        .where(
            Evaluation.episode_id == evaluation.episode_id,
            Evaluation.status == EvaluationStatus.SIGNED,
            TreatmentPlan.certification_start == plan.certification_start,
            TreatmentPlan.certification_end == plan.certification_end,
        )
    )
    return first or evaluation.evaluation_date


def record_certification(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    certification: medicare.Certification,
    *,
    today: date | None = None,
) -> PlanRecord:
    """Record who certified a signed plan of care and when (Medicare ch. 15 s. 220.1.3),
    with the reason for the delay when it came after day 30. A later entry corrects it."""
    with evaluation_case(
        db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE
    ) as case:
        session = case.session
        evaluation = load_evaluation(session, actor, evaluation_id)
        plan = evaluation.plan
        if evaluation.status != EvaluationStatus.SIGNED:
            raise DomainError(
                "Sign the evaluation first: the physician certifies the signed plan of care."
            )
        if plan is None or plan.certification_start is None:
            raise DomainError(
                "This plan of care has no certification period, so there is nothing to certify."
            )
        cleaned = medicare.check_certification(
            certification, _plan_day(session, evaluation, plan), today or date.today()
        )
        corrected = plan.certified_on is not None
        plan.certified_by = cleaned.physician
        plan.certified_on = cleaned.certified_on
        plan.certification_delay_reason = cleaned.delay_reason
        session.flush()
        case.record(
            f"certification of plan of evaluation {evaluation_id}"
            + (" corrected" if corrected else "")
        )
        return plan_record(evaluation, plan)


@dataclass(frozen=True)
class ExerciseInfo:
    id: int
    name: str
    sets: int | None
    reps: int | None
    hold_seconds: int | None
    times_per_day: int | None


def list_exercises(db: Database, actor: Actor, keep: tuple[int, ...] = ()) -> list[ExerciseInfo]:
    """The clinic's active exercise library by name, for the home program picker, plus any
    retired exercise the plan being edited still holds (`keep`), so it is not dropped."""
    with db.session() as session:
        rows = session.scalars(
            select(Exercise)
            .where(
                Exercise.clinic_id == actor.clinic_id,
                or_(Exercise.active.is_(True), Exercise.id.in_(keep or (0,))),
            )
            .order_by(Exercise.name)
        )
        return [
            ExerciseInfo(e.id, e.name, e.sets, e.reps, e.hold_seconds, e.times_per_day)
            for e in rows
        ]
