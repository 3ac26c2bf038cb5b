"""Follow-up visits, and where an episode stands: visits so far, progress report due,
certification ending soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.models import (
    EpisodeOfCare,
    Evaluation,
    Patient,
    TreatmentPlan,
    Visit,
    VisitIntervention,
)
from casemanager.domain import catalogs, scoring, validation
from casemanager.domain.enums import (
    AuditAction,
    DataCategory,
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
)
from casemanager.domain.errors import DomainError, NotFound, ValidationError
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor

CERTIFICATION_WARNING_DAYS = scoring.CERTIFICATION_WARNING_DAYS


@dataclass(frozen=True)
class VisitContent:
    visit_date: date
    nprs: int | None = None
    interventions: tuple[tuple[str, int], ...] = ()  # (catalog code, minutes)
    note: str | None = None
    is_progress_report: bool = False


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


@dataclass(frozen=True)
class EpisodeProgress:
    """What the chart warns about."""

    episode_id: int
    visits: int
    visits_since_progress_report: int
    progress_report_due: bool
    certification_end: date | None
    certification_ends_soon: bool  # within 7 days, or already past while the episode is open
    last_visit: date | None


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
    note = validation.optional_text("note", content.note, "Visit note", 10000)
    return VisitContent(
        content.visit_date, content.nprs, content.interventions, note, content.is_progress_report
    )


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
        )


def progress(
    db: Database, actor: Actor, episode_id: int, *, today: date | None = None
) -> EpisodeProgress:
    """Visit count, progress report due (every 10 visits), certification ending soon."""
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
        # The certification in force is the latest signed plan's (a re-evaluation renews it).
        certification_end = session.scalar(
            select(TreatmentPlan.certification_end)
            .join(Evaluation, Evaluation.id == TreatmentPlan.evaluation_id)
            .where(
                Evaluation.episode_id == episode_id,
                Evaluation.status == EvaluationStatus.SIGNED,
                TreatmentPlan.certification_end.is_not(None),
            )
            .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
            .limit(1)
        )
        # A signed progress report or re-evaluation is a progress report too: the visits
        # that count are those after it.
        last_report = session.scalar(
            select(func.max(Evaluation.evaluation_date)).where(
                Evaluation.episode_id == episode_id,
                Evaluation.status == EvaluationStatus.SIGNED,
                Evaluation.kind.in_([EvaluationKind.PROGRESS_REPORT, EvaluationKind.RE_EVALUATION]),
            )
        )
    return summarize(
        episode_id,
        episode.status == EpisodeStatus.OPEN,
        dates,
        last_report,
        certification_end,
        today,
    )


def summarize(
    episode_id: int,
    is_open: bool,
    dates: list[tuple[date, bool]],
    last_report: date | None,
    certification_end: date | None,
    today: date,
) -> EpisodeProgress:
    """Where an episode stands, from its visits (date, is progress report) in date order,
    the date of its last signed progress report or re-evaluation, and its certification."""
    since = 0
    for day, report in dates:
        if last_report is not None and day <= last_report:
            continue
        since = 0 if report else since + 1
    ends_soon = (
        is_open
        and certification_end is not None
        and certification_end <= today + timedelta(days=CERTIFICATION_WARNING_DAYS)
    )
    return EpisodeProgress(
        episode_id=episode_id,
        visits=len(dates),
        visits_since_progress_report=since,
        progress_report_due=is_open and scoring.progress_report_due(since),
        certification_end=certification_end,
        certification_ends_soon=bool(ends_soon),
        last_visit=dates[-1][0] if dates else None,
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
