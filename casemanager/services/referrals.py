"""How a referral ended: who saw the patient, when, and whether therapy may go on.

Recording it closes the referral: a red flag leaves the chart's banner for the timeline, and
every document printed afterwards states the outcome instead of "therapy on hold".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import EpisodeOfCare, Evaluation, Referral
from casemanager.domain import field_limits as limits
from casemanager.domain import validation
from casemanager.domain.enums import (
    AuditAction,
    DataCategory,
    PatientStatus,
    ReferralKind,
    ReferralStatus,
    Urgency,
)
from casemanager.domain.errors import DomainError, NotFound, ValidationError
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor
from casemanager.services.use_case import use_case


@dataclass(frozen=True)
class ReferralOutcome:
    seen_by: str  # the clinician who assessed the patient, e.g. "Dr. Helen Brooks"
    seen_on: date
    cleared_for_therapy: bool
    note: str | None = None


def _patient_of(session: Session, referral_id: int) -> int | None:
    return session.scalar(
        select(EpisodeOfCare.patient_id)
        .join(Referral, Referral.episode_id == EpisodeOfCare.id)
        .where(Referral.id == referral_id)
    )


def record_outcome(
    db: Database,
    actor: Actor,
    referral_id: int,
    outcome: ReferralOutcome,
    *,
    today: date | None = None,
) -> None:
    """Close an open referral with its outcome. A patient put on hold for an emergency or
    urgent red flag is active again once cleared, if no other such referral is open."""
    with use_case(
        db,
        actor,
        Permission.EDIT_CLINICAL,
        AuditAction.UPDATE,
        DataCategory.CLINICAL,
        find_patient=lambda session: _patient_of(session, referral_id),
    ) as case:
        seen_by = validation.require_text(
            "seen_by", outcome.seen_by, "Seen by", limits.CONTACT_NAME
        )
        note = validation.optional_text(
            "outcome_note", outcome.note, "Outcome note", limits.LONG_NOTE
        )
        today = today or date.today()
        if outcome.seen_on > today:
            raise ValidationError(
                "seen_on",
                f"The date seen, {validation.format_date(outcome.seen_on)}, is in the future. "
                "Check the date.",
            )
        session = case.session
        referral = session.get(Referral, referral_id)
        if referral is None:
            raise NotFound("That referral is not in this clinic's records.")
        episode = session.get(EpisodeOfCare, referral.episode_id)
        assert episode is not None
        if episode.patient.clinic_id != actor.clinic_id:
            raise NotFound("That referral is not in this clinic's records.")
        if referral.status == ReferralStatus.CLOSED:
            raise DomainError(
                f"This referral was closed on {validation.format_date(referral.closed_on)}"
                if referral.closed_on
                else "This referral is already closed."
            )
        made = (
            session.scalar(
                select(Evaluation.evaluation_date).where(Evaluation.id == referral.evaluation_id)
            )
            or referral.created_at.date()
        )
        if outcome.seen_on < made:
            raise ValidationError(
                "seen_on",
                f"The date seen is before the referral was made "
                f"({validation.format_date(made)}). Check the date.",
            )
        referral.status = ReferralStatus.CLOSED
        referral.closed_on = outcome.seen_on
        referral.seen_by = seen_by
        referral.cleared_for_therapy = outcome.cleared_for_therapy
        referral.outcome_note = note
        referral.closed_by_id = actor.user_id
        session.flush()
        detail = f"referral {referral_id} closed: " + (
            "cleared for therapy" if outcome.cleared_for_therapy else "not cleared"
        )
        patient = episode.patient
        if (
            outcome.cleared_for_therapy
            and patient.status == PatientStatus.ON_HOLD
            and not _holding_referral_open(session, patient.id)
        ):
            patient.status = PatientStatus.ACTIVE
            detail += "; patient on_hold -> active"
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            DataCategory.CLINICAL,
            patient_id=patient.id,
            detail=detail,
        )


def _holding_referral_open(session: Session, patient_id: int) -> bool:
    found = session.scalar(
        select(Referral.id)
        .join(EpisodeOfCare, EpisodeOfCare.id == Referral.episode_id)
        .where(
            EpisodeOfCare.patient_id == patient_id,
            Referral.kind == ReferralKind.RED_FLAG,
            Referral.status != ReferralStatus.CLOSED,
            Referral.urgency.in_([Urgency.EMERGENCY, Urgency.URGENT]),
        )
        .limit(1)
    )
    return found is not None
