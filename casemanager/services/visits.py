"""Follow-up visits, and where an episode stands: visits so far, progress report due,
certification ending soon."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import (
    EpisodeOfCare,
    Evaluation,
    GoalAssessment,
    Patient,
    TreatmentPlan,
    Visit,
    VisitIntervention,
)
from casemanager.domain import catalogs, medicare, validation
from casemanager.domain import field_limits as limits
from casemanager.domain.enums import (
    AuditAction,
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
)
from casemanager.domain.episode_progress import (
    CERTIFICATION_WARNING_DAYS as CERTIFICATION_WARNING_DAYS,
)
from casemanager.domain.episode_progress import EpisodeProgress, summarize
from casemanager.domain.errors import DomainError, ValidationError
from casemanager.domain.permissions import Permission
from casemanager.services.context import Actor
from casemanager.services.goal_mappers import GoalInForce, goals_in_force
from casemanager.services.use_case import episode_case, load_episode


@dataclass(frozen=True)
class VisitContent:
    visit_date: date
    nprs: int | None = None
    interventions: tuple[tuple[str, int], ...] = ()  # (catalog code, minutes)
    note: str | None = None
    is_progress_report: bool = False
    # A progress report judges each goal of the plan in force (Medicare ch. 15 s. 220.3.D).
    goal_assessments: tuple[medicare.GoalAssessment, ...] = ()


@dataclass(frozen=True)
class VisitRecord:
    id: int
    episode_id: int
    visit_date: date
    therapist_id: int
    nprs: int | None
    interventions: tuple[tuple[str, int], ...]
    note: str | None
    is_progress_report: bool
    goal_assessments: tuple[medicare.GoalAssessment, ...] = ()


def _clean(content: VisitContent, episode: EpisodeOfCare, today: date) -> VisitContent:
    if content.visit_date > today:
        raise ValidationError("visit_date", "A visit cannot be recorded for a future date.")
    if content.visit_date < episode.start_date:
        raise ValidationError(
            "visit_date",
            f"The visit is dated before this episode began "
            f"({validation.format_date(episode.start_date)}). Check the date.",
        )
    validation.validate_nprs("nprs", content.nprs)
    seen = set()
    for index, (code, minutes) in enumerate(content.interventions, start=1):
        field = f"intervention_{index}"
        try:
            catalogs.intervention(code)
        except KeyError:
            raise ValidationError(field, f"Unknown intervention: {code}.") from None
        if code in seen:
            raise ValidationError(field, "Each intervention once per visit: add up the minutes.")
        seen.add(code)
        if not 1 <= minutes <= 240:
            raise ValidationError(field, "Minutes must be between 1 and 240.")
    note = validation.optional_text("note", content.note, "Visit note", limits.FULL_NOTE)
    return replace(content, note=note)


def find_episode(db: Database, actor: Actor, episode_id: int) -> tuple[int, EpisodeOfCare]:
    """(patient id, episode), refusing an episode of another clinic."""
    with db.session() as session:
        episode = load_episode(session, actor, episode_id)
        return episode.patient_id, episode


def record_visit(
    db: Database,
    actor: Actor,
    episode_id: int,
    content: VisitContent,
    *,
    today: date | None = None,
) -> VisitRecord:
    with episode_case(db, actor, episode_id, Permission.EDIT_CLINICAL, AuditAction.CREATE) as case:
        session = case.session
        episode = load_episode(session, actor, episode_id)
        if episode.status != EpisodeStatus.OPEN:
            raise DomainError("This episode is discharged. Start a new episode to record visits.")
        cleaned = _clean(content, episode, today or date.today())
        signed = session.scalar(
            select(func.count()).where(
                Evaluation.episode_id == episode_id,
                Evaluation.status == EvaluationStatus.SIGNED,
                Evaluation.kind == EvaluationKind.INITIAL,
            )
        )
        if not signed:
            raise DomainError("Sign the initial evaluation before recording treatment visits.")
        assessments: tuple[medicare.GoalAssessment, ...] = ()
        if cleaned.is_progress_report:
            goal_ids = [g.id for g in goals_in_force(session, episode_id)]
            assessments = medicare.check_goal_assessments(goal_ids, cleaned.goal_assessments)
        elif cleaned.goal_assessments:
            raise ValueError("goal assessments belong to a progress report")  # a caller's bug
        assert actor.user_id is not None
        visit = Visit(
            episode_id=episode_id,
            therapist_id=actor.user_id,
            visit_date=cleaned.visit_date,
            nprs=cleaned.nprs,
            note=cleaned.note,
            is_progress_report=cleaned.is_progress_report,
            interventions=[
                VisitIntervention(intervention=code, minutes=minutes)
                for code, minutes in cleaned.interventions
            ],
        )
        session.add(visit)
        session.flush()
        for assessment in assessments:
            assert assessment.progress is not None and assessment.note is not None
            session.add(
                GoalAssessment(
                    visit_id=visit.id,
                    goal_id=assessment.goal_id,
                    progress=assessment.progress,
                    note=assessment.note,
                )
            )
        case.record(f"visit {visit.id}")
        return VisitRecord(
            visit.id,
            episode_id,
            visit.visit_date,
            visit.therapist_id,
            visit.nprs,
            cleaned.interventions,
            visit.note,
            visit.is_progress_report,
            assessments,
        )


def goals_to_assess(db: Database, actor: Actor, episode_id: int) -> list[GoalInForce]:
    """What a progress report recorded at a visit must judge: the plan in force's goals."""
    with episode_case(db, actor, episode_id, Permission.VIEW_CLINICAL, AuditAction.READ) as case:
        return goals_in_force(case.session, episode_id)


def signed_plans(session: Session, episode_ids: list[int]) -> dict[int, list[medicare.SignedPlan]]:
    """Each episode's signed plans in date order, as the certification rules read them."""
    plans: dict[int, list[medicare.SignedPlan]] = {}
    rows = session.execute(
        select(Evaluation.episode_id, Evaluation.evaluation_date, TreatmentPlan)
        .join(TreatmentPlan, TreatmentPlan.evaluation_id == Evaluation.id)
        .where(
            Evaluation.episode_id.in_(episode_ids or [0]),
            Evaluation.status == EvaluationStatus.SIGNED,
        )
        .order_by(Evaluation.evaluation_date, Evaluation.id)
    )
    for episode_id, day, plan in rows:
        certification = (
            medicare.Certification(
                plan.certified_by or "", plan.certified_on, plan.certification_delay_reason
            )
            if plan.certified_on is not None
            else None
        )
        plans.setdefault(episode_id, []).append(
            medicare.SignedPlan(
                day, plan.certification_start, plan.certification_end, certification
            )
        )
    return plans


def progress(
    db: Database, actor: Actor, episode_id: int, *, today: date | None = None
) -> EpisodeProgress:
    """Visit count, progress report due (every 10 treatment days), certification state."""
    today = today or date.today()
    with episode_case(db, actor, episode_id, Permission.VIEW_CLINICAL, AuditAction.READ) as case:
        session = case.session
        episode = load_episode(session, actor, episode_id)
        dates = [
            (row[0], row[1])
            for row in session.execute(
                select(Visit.visit_date, Visit.is_progress_report)
                .where(Visit.episode_id == episode_id)
                .order_by(Visit.visit_date, Visit.id)
            )
        ]
        plans = signed_plans(session, [episode_id]).get(episode_id, [])
        # A signed progress report or re-evaluation is a progress report too: the visits
        # that count are those after it.
        last_report = session.scalar(
            select(func.max(Evaluation.evaluation_date)).where(
                Evaluation.episode_id == episode_id,
                Evaluation.status == EvaluationStatus.SIGNED,
                Evaluation.kind.in_([EvaluationKind.PROGRESS_REPORT, EvaluationKind.RE_EVALUATION]),
            )
        )
        evaluation_day = session.scalar(
            select(func.min(Evaluation.evaluation_date)).where(
                Evaluation.episode_id == episode_id, Evaluation.kind == EvaluationKind.INITIAL
            )
        )
    return summarize(
        episode_id,
        episode.status == EpisodeStatus.OPEN,
        dates,
        last_report,
        plans,
        today,
        evaluation_day,
    )


def current_episode(db: Database, actor: Actor, patient_id: int) -> int | None:
    """The patient's open episode of care (the newest, if ever more than one)."""
    with db.session() as session:
        return session.scalar(
            select(EpisodeOfCare.id)
            .join(Patient, Patient.id == EpisodeOfCare.patient_id)
            .where(
                EpisodeOfCare.patient_id == patient_id,
                EpisodeOfCare.status == EpisodeStatus.OPEN,
                Patient.clinic_id == actor.clinic_id,
            )
            .order_by(EpisodeOfCare.start_date.desc(), EpisodeOfCare.id.desc())
            .limit(1)
        )
