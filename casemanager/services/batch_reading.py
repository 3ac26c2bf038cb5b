"""Reading many signed evaluations for the batch at once: a fixed number of queries per chunk of
patients, whatever its size, instead of a dozen per plan.

The snapshot is the same one `documents.snapshot` makes for a single evaluation (a test
compares the two on every evaluation of a clinic); only the reading is done for many rows
at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemanager.db.models import (
    EpisodeOfCare,
    Evaluation,
    Patient,
)
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import EvaluationStatus
from casemanager.reports.data import (
    EvaluationSnapshot,
)
from casemanager.services import document_data
from casemanager.services.context import Actor

NO_SIGNED_EVALUATION = "This patient has no signed evaluation yet: sign one, then print."


@dataclass(frozen=True)
class PatientToPrint:
    patient_id: int
    label: str  # "Given Family (MRN)", for the list of plans not made
    preferred_language: str
    evaluation_id: int | None  # the latest signed evaluation with a plan, if any


def patients_to_print(
    session: Session, actor: Actor, patient_ids: Sequence[int]
) -> dict[int, PatientToPrint]:
    """The chunk's patients of this clinic with the evaluation each plan is printed from (the
    newest signed one with a plan, as `documents.latest_signed_evaluation`): two queries."""
    people = session.execute(
        select(
            Patient.id,
            Patient.given_name,
            Patient.family_name,
            Patient.mrn,
            Patient.preferred_language,
        ).where(Patient.id.in_(patient_ids), Patient.clinic_id == actor.clinic_id)
    ).all()
    latest: dict[int, tuple[date, int]] = {}
    for patient_id, evaluation_date, evaluation_id in session.execute(
        select(EpisodeOfCare.patient_id, Evaluation.evaluation_date, Evaluation.id)
        .join(Evaluation, Evaluation.episode_id == EpisodeOfCare.id)
        .where(
            EpisodeOfCare.patient_id.in_(patient_ids),
            Evaluation.status == EvaluationStatus.SIGNED,
            Evaluation.kind.in_(rules.PLAN_KINDS),
        )
    ):
        key = (evaluation_date, evaluation_id)
        if patient_id not in latest or key > latest[patient_id]:
            latest[patient_id] = key
    return {
        pid: PatientToPrint(
            pid,
            f"{given} {family} ({mrn})",
            language,
            latest[pid][1] if pid in latest else None,
        )
        for pid, given, family, mrn, language in people
    }


def snapshots(
    session: Session, actor: Actor, evaluation_ids: Sequence[int], today: date
) -> dict[int, EvaluationSnapshot]:
    """The printable snapshot of each signed evaluation of this clinic among `evaluation_ids`;
    the same number of queries for 1 or 100."""
    return document_data.read_snapshots(session, actor.clinic_id, evaluation_ids, today)
