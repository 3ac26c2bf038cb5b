"""A new episode of care with its initial evaluation as a draft, in the caller's transaction:
started from the chart (evaluations), or made when a patient's intake is confirmed and no
draft waits for it (intake)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemanager.db.models import EpisodeOfCare, Evaluation, Patient
from casemanager.domain.enums import EpisodeStatus, EvaluationKind, EvaluationStatus, PatientStatus
from casemanager.domain.errors import DomainError, NotFound
from casemanager.services import clashes
from casemanager.services.context import Actor

# For a second open episode (the database refuses it): another workstation opened one between
# our check and our insert.
STARTED_ELSEWHERE = clashes.STARTED_ELSEWHERE


def open_initial_draft(
    session: Session,
    actor: Actor,
    patient_id: int,
    complaint: str,
    day: date,
    chief_complaint: str | None,
) -> tuple[Evaluation, str]:
    """Open an episode for the (checked) complaint and its initial evaluation as the actor's
    draft; a discharged or inactive patient is active again. Returns the draft, flushed, and
    what its audit row says."""
    patient = session.get(Patient, patient_id)
    if patient is None or patient.clinic_id != actor.clinic_id:
        raise NotFound("That patient is not in this clinic's records.")
    open_since = session.scalar(
        select(EpisodeOfCare.start_date).where(
            EpisodeOfCare.patient_id == patient_id,
            EpisodeOfCare.status == EpisodeStatus.OPEN,
        )
    )
    if open_since is not None:
        raise DomainError(
            f"This patient already has an open episode of care (since "
            f"{open_since:%m/%d/%Y}). Write a re-evaluation for a change in their "
            "condition, or discharge that episode before starting a new one."
        )
    assert actor.user_id is not None
    was = patient.status
    patient.status = PatientStatus.ACTIVE  # back in care, whatever they were before
    episode = EpisodeOfCare(
        patient_id=patient_id,
        therapist_id=actor.user_id,
        complaint=complaint,
        start_date=day,
        status=EpisodeStatus.OPEN,
    )
    evaluation = Evaluation(
        episode=episode,
        therapist_id=actor.user_id,
        kind=EvaluationKind.INITIAL,
        evaluation_date=day,
        status=EvaluationStatus.DRAFT,
        chief_complaint=chief_complaint,
    )
    session.add_all([episode, evaluation])
    session.flush()
    detail = f"evaluation {evaluation.id}; episode {episode.id}" + (
        "" if was == PatientStatus.ACTIVE else f"; patient {was.value} -> active"
    )
    return evaluation, detail
