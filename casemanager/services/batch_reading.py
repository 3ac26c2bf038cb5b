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
from sqlalchemy.orm import Session, joinedload, selectinload, undefer

from casemanager.db.models import (
    Clinic,
    EpisodeOfCare,
    Evaluation,
    Exercise,
    Patient,
    Referral,
    TreatmentPlan,
    User,
)
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import EvaluationStatus
from casemanager.reports.data import (
    ClinicHeader,
    EvaluationSnapshot,
)
from casemanager.services import document_data, goal_mappers
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
    evaluations = session.scalars(
        select(Evaluation)
        .where(Evaluation.id.in_(evaluation_ids), Evaluation.status == EvaluationStatus.SIGNED)
        .options(
            joinedload(Evaluation.episode).joinedload(EpisodeOfCare.patient),
            selectinload(Evaluation.red_flags),
            selectinload(Evaluation.psfs_activities),
            selectinload(Evaluation.contributing_causes),
            selectinload(Evaluation.diagnosis_codes),
            selectinload(Evaluation.plan).options(
                selectinload(TreatmentPlan.paths),
                selectinload(TreatmentPlan.goals),
                selectinload(TreatmentPlan.home_exercises),
            ),
        )
    ).all()
    mine = [e for e in evaluations if e.episode.patient.clinic_id == actor.clinic_id]
    clinic = session.get(Clinic, actor.clinic_id)
    assert clinic is not None
    therapists = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_({e.therapist_id for e in mine})))
    }
    exercise_ids = {h.exercise_id for e in mine if e.plan for h in e.plan.home_exercises}
    library = {
        x.id: x
        for x in session.scalars(
            select(Exercise).options(undefer(Exercise.image)).where(Exercise.id.in_(exercise_ids))
        )
    }
    episode_ids = {e.episode_id for e in mine}
    made_on = {
        evaluation_id: day
        for evaluation_id, day in session.execute(
            select(Evaluation.id, Evaluation.evaluation_date).where(
                Evaluation.episode_id.in_(episode_ids)
            )
        )
    }
    referrals: dict[int, list[Referral]] = {}  # by episode, in id order
    for referral in session.scalars(
        select(Referral).where(Referral.episode_id.in_(episode_ids)).order_by(Referral.id)
    ):
        referrals.setdefault(referral.episode_id, []).append(referral)
    header = ClinicHeader(clinic.name, clinic.phone, clinic.address, clinic.email)
    judged = goal_mappers.assessed_goals(session, [e.id for e in mine])
    return {
        e.id: document_data.assemble(
            e,
            header,
            therapists[e.therapist_id],
            library,
            referrals.get(e.episode_id, []),
            made_on,
            today,
            judged.get(e.id, ()),
        )
        for e in mine
    }
