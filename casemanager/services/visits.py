"""Follow-up visits, and where an episode stands: visits so far, progress report due,
certification ending soon."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import (
    EpisodeOfCare,
    Evaluation,
    Goal,
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
    DataCategory,
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
    GoalTerm,
)
from casemanager.domain.errors import DomainError, NotFound, ValidationError
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor

CERTIFICATION_WARNING_DAYS = medicare.CERTIFICATION_ENDING_WARNING_DAYS


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


@dataclass(frozen=True)
class GoalInForce:
    """A goal of the episode's latest signed plan: what a progress report assesses."""

    id: int
    term: GoalTerm
    description: str
    target_date: date | None


@dataclass(frozen=True)
class EpisodeProgress:
    """What the chart warns about."""

    episode_id: int
    visits: int
    period: medicare.ReportingPeriod  # treatment days since the last progress report
    progress_report_due: bool
    certification_end: date | None
    certification_ends_soon: bool  # within 7 days, or already past while the episode is open
    last_visit: date | None
    certification: medicare.CertificationStatus | None = None
    certification_warning: str | None = None  # not certified by day 21 (s. 220.1.3)

    @property
    def treatment_days_since_report(self) -> int:
        return self.period.treatment_days

    @property
    def progress_report_text(self) -> str | None:
        return medicare.describe_progress_report(self.period) if self.progress_report_due else None


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
        row = session.execute(
            select(EpisodeOfCare, Patient.clinic_id)
            .join(Patient, Patient.id == EpisodeOfCare.patient_id)
            .where(EpisodeOfCare.id == episode_id)
        ).one_or_none()
        if row is None or row[1] != actor.clinic_id:
            raise NotFound("That episode of care is not in this clinic's records.")
        return row[0].patient_id, row[0]


def record_visit(
    db: Database,
    actor: Actor,
    episode_id: int,
    content: VisitContent,
    *,
    today: date | None = None,
) -> VisitRecord:
    patient_id, episode = find_episode(db, actor, episode_id)
    audit.authorize(
        db,
        actor,
        Permission.EDIT_CLINICAL,
        AuditAction.CREATE,
        DataCategory.CLINICAL,
        patient_id=patient_id,
    )
    if episode.status != EpisodeStatus.OPEN:
        raise DomainError("This episode is discharged. Start a new episode to record visits.")
    cleaned = _clean(content, episode, today or date.today())
    with db.session() as session:
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
        audit.record(
            session,
            actor,
            AuditAction.CREATE,
            DataCategory.CLINICAL,
            patient_id=patient_id,
            detail=f"visit {visit.id}",
        )
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


def goals_to_assess(db: Database, actor: Actor, episode_id: int) -> list[GoalInForce]:
    """What a progress report recorded at a visit must judge: the plan in force's goals."""
    patient_id, _episode = find_episode(db, actor, episode_id)
    audit.authorize(
        db,
        actor,
        Permission.VIEW_CLINICAL,
        AuditAction.READ,
        DataCategory.CLINICAL,
        patient_id=patient_id,
    )
    with db.session() as session:
        return goals_in_force(session, episode_id)


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
    patient_id, episode = find_episode(db, actor, episode_id)
    audit.authorize(
        db,
        actor,
        Permission.VIEW_CLINICAL,
        AuditAction.READ,
        DataCategory.CLINICAL,
        patient_id=patient_id,
    )
    today = today or date.today()
    with db.session() as session:
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


def summarize(
    episode_id: int,
    is_open: bool,
    dates: list[tuple[date, bool]],
    last_report: date | None,
    plans: list[medicare.SignedPlan],
    today: date,
    evaluation_day: date | None,
) -> EpisodeProgress:
    """Where an episode stands, from its visits (date, is progress report) in date order,
    the date of its last signed progress report or re-evaluation, its signed plans in date
    order and the date of its initial evaluation (the first treatment day)."""
    period = medicare.reporting_period(evaluation_day, dates, last_report)
    status = medicare.certification_in_force(plans)
    end = status.end if status else None
    ends_soon = (
        is_open and end is not None and end <= today + timedelta(days=CERTIFICATION_WARNING_DAYS)
    )
    warning = (
        medicare.certification_warning(
            status.plan_day, status.certification is not None, today, is_open
        )
        if status
        else None
    )
    return EpisodeProgress(
        episode_id=episode_id,
        visits=len(dates),
        period=period,
        progress_report_due=is_open and period.report_due,
        certification_end=end,
        certification_ends_soon=bool(ends_soon),
        last_visit=dates[-1][0] if dates else None,
        certification=status,
        certification_warning=warning,
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
