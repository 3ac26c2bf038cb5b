"""The plan of care of an evaluation: read it, save it while the evaluation is a draft."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casemanager.db.engine import Database
from casemanager.db.models import (
    Evaluation,
    Exercise,
    Goal,
    HomeExercise,
    TreatmentPath,
    TreatmentPlan,
)
from casemanager.db.types import utcnow
from casemanager.domain import medicare
from casemanager.domain import plan as rules
from casemanager.domain.enums import (
    AuditAction,
    DataCategory,
    EvaluationKind,
    EvaluationStatus,
    Urgency,
)
from casemanager.domain.errors import DomainError, NotFound, ValidationError
from casemanager.domain.evaluation import FULL_KINDS, Guidance
from casemanager.domain.evaluation_defaults import with_default_certification
from casemanager.domain.permissions import Permission
from casemanager.domain.plan import GoalContent, HomeExerciseContent, PathContent, PlanContent
from casemanager.services import audit
from casemanager.services.context import Actor
from casemanager.services.evaluations import (
    authorize_evaluation,
    content_of,
    load_draft,
    load_evaluation,
)


@dataclass(frozen=True)
class PlanRecord:
    evaluation_id: int
    version: int
    content: PlanContent
    guidance: tuple[Guidance, ...]
    # The physician's certification as recorded on this plan (None: not recorded here).
    certification: medicare.Certification | None = None


def read_plan(plan: TreatmentPlan) -> PlanContent:
    return PlanContent(
        paths=tuple(
            PathContent(
                kind=p.kind,
                anti_inflammatory=p.anti_inflammatory,
                muscle_relaxant=p.muscle_relaxant,
                frequency_per_week=p.frequency_per_week,
                duration_weeks=p.duration_weeks,
                interventions=tuple(c for c in (p.interventions or "").split(",") if c),
                heat_ice=p.heat_ice,
                heat_ice_minutes=p.heat_ice_minutes,
                heat_ice_times_per_day=p.heat_ice_times_per_day,
                injection_level=p.injection_level,
                injection_side=p.injection_side,
                reason=p.reason,
                refer_to=p.refer_to,
                urgency=p.urgency or Urgency.ROUTINE,
            )
            for p in sorted(plan.paths, key=lambda p: p.id)
        ),
        goals=tuple(
            GoalContent(g.term, g.description, g.target_date, g.status)
            for g in sorted(plan.goals, key=lambda g: g.id)
        ),
        home_exercises=tuple(
            HomeExerciseContent(
                h.exercise_id, h.sets, h.reps, h.hold_seconds, h.times_per_day, h.note
            )
            for h in plan.home_exercises
        ),
        certification_start=plan.certification_start,
        certification_end=plan.certification_end,
        next_appointment=plan.next_appointment,
        note=plan.note,
    )


def certification_of(plan: TreatmentPlan) -> medicare.Certification | None:
    if plan.certified_on is None:
        return None
    return medicare.Certification(
        plan.certified_by or "", plan.certified_on, plan.certification_delay_reason
    )


def _record(evaluation: Evaluation, plan: TreatmentPlan) -> PlanRecord:
    content = read_plan(plan)
    notes = rules.guidance(content, content_of(evaluation), evaluation.evaluation_date)
    return PlanRecord(evaluation.id, plan.version, content, tuple(notes), certification_of(plan))


plan_record = _record  # the plan as services that fill it (templates, intake) return it


def get_plan(db: Database, actor: Actor, evaluation_id: int) -> PlanRecord | None:
    patient_id = authorize_evaluation(
        db, actor, evaluation_id, Permission.VIEW_CLINICAL, AuditAction.READ
    )
    with db.session() as session:
        evaluation = load_evaluation(session, actor, evaluation_id)
        if evaluation.plan is None:
            return None
        audit.record(
            session,
            actor,
            AuditAction.READ,
            DataCategory.CLINICAL,
            patient_id=patient_id,
            detail=f"plan of evaluation {evaluation_id}",
        )
        return _record(evaluation, evaluation.plan)


def write_plan(session: Session, actor: Actor, plan: TreatmentPlan, content: PlanContent) -> None:
    plan.certification_start = content.certification_start
    plan.certification_end = content.certification_end
    plan.next_appointment = content.next_appointment
    plan.note = content.note
    existing = {p.kind: p for p in plan.paths}
    paths = []
    for path in content.paths:
        row = existing.get(path.kind) or TreatmentPath(kind=path.kind)
        row.anti_inflammatory = path.anti_inflammatory
        row.muscle_relaxant = path.muscle_relaxant
        row.frequency_per_week = path.frequency_per_week
        row.duration_weeks = path.duration_weeks
        row.interventions = ",".join(path.interventions) or None
        row.heat_ice = path.heat_ice
        row.heat_ice_minutes = path.heat_ice_minutes
        row.heat_ice_times_per_day = path.heat_ice_times_per_day
        row.injection_level = path.injection_level
        row.injection_side = path.injection_side
        row.reason = path.reason
        row.refer_to = path.refer_to
        row.urgency = path.urgency if path.kind in rules.REFERRAL_FOR_PATH else None
        paths.append(row)
    plan.paths = paths
    plan.goals = [
        Goal(term=g.term, description=g.description, target_date=g.target_date, status=g.status)
        for g in content.goals
    ]
    known = set(
        session.scalars(
            select(Exercise.id).where(
                Exercise.clinic_id == actor.clinic_id,
                Exercise.id.in_([h.exercise_id for h in content.home_exercises] or [0]),
            )
        )
    )
    for index, exercise in enumerate(content.home_exercises, start=1):
        if exercise.exercise_id not in known:
            raise ValidationError(f"exercise_{index}", "That exercise is not in the library.")
    plan.home_exercises = [
        HomeExercise(
            exercise_id=h.exercise_id,
            position=i,
            sets=h.sets,
            reps=h.reps,
            hold_seconds=h.hold_seconds,
            times_per_day=h.times_per_day,
            note=h.note,
        )
        for i, h in enumerate(content.home_exercises)
    ]


def save_plan(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    expected_version: int | None,
    content: PlanContent,
) -> PlanRecord:
    """Create (expected_version None) or update the plan of a draft evaluation."""
    patient_id = authorize_evaluation(
        db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE
    )
    try:
        with db.session() as session:
            evaluation = load_draft(
                session,
                actor,
                evaluation_id,
                "The plan of a signed evaluation is locked. Add an addendum.",
            )
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
            audit.record(
                session,
                actor,
                AuditAction.UPDATE,
                DataCategory.CLINICAL,
                patient_id=patient_id,
                detail=f"plan of evaluation {evaluation_id}",
            )
            session.flush()
            session.refresh(plan)
            return _record(evaluation, plan)
    except StaleDataError:
        with db.session() as session:
            evaluation = load_evaluation(session, actor, evaluation_id)
            raise audit.conflict(
                session,
                evaluation.episode.patient_id,
                DataCategory.CLINICAL,
                "This plan of care",
                evaluation.updated_at,
            ) from None


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
    patient_id = authorize_evaluation(
        db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE
    )
    with db.session() as session:
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
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            DataCategory.CLINICAL,
            patient_id=patient_id,
            detail=f"certification of plan of evaluation {evaluation_id}"
            + (" corrected" if corrected else ""),
        )
        return _record(evaluation, plan)


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
