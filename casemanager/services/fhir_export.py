"""The whole clinic (or one patient) as FHIR R4 bulk data: one NDJSON file per resource type,
written as the rows are read, so the export never holds the clinic in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from casemanager import output_files
from casemanager.db.engine import Database
from casemanager.db.models import (
    Clinic,
    EpisodeOfCare,
    Evaluation,
    HomeExercise,
    Patient,
    PrintedDocument,
    Referral,
    TreatmentPlan,
    User,
    Visit,
)
from casemanager.domain.enums import AuditAction, DataCategory, Role
from casemanager.domain.errors import DomainError, NotFound
from casemanager.domain.permissions import Permission
from casemanager.interop import fhir
from casemanager.services import audit
from casemanager.services.context import Actor, Progress, no_progress

CHUNK = 2000  # rows read at a time


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    counts: dict[str, int]  # resource type -> resources written


class _Files:
    """One NDJSON file per resource type, opened when its first resource comes. Each is
    written under a temporary name and takes its real name when the stack closes without an
    error (else it is removed): a failed export leaves no half-written file."""

    def __init__(self, folder: Path, stack: ExitStack, live: Path | None) -> None:
        self.folder = folder
        self.stack = stack
        self.live = live
        self.handles: dict[str, TextIO] = {}
        self.counts: dict[str, int] = {}

    def write(self, resource: dict[str, Any]) -> None:
        kind = resource["resourceType"]
        handle = self.handles.get(kind)
        if handle is None:
            handle = self.stack.enter_context(
                output_files.replacing(
                    self.folder / f"{kind}.ndjson", databases=[self.live], text=True, newline="\n"
                )
            )
            self.handles[kind] = handle
            self.counts[kind] = 0
        handle.write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.counts[kind] += 1


class _Tally:
    """Records read so far, told to `progress` every CHUNK records and at the end."""

    def __init__(self, progress: Progress) -> None:
        self.progress, self.done, self.total = progress, 0, 0

    def one(self) -> None:
        self.done += 1
        if self.done % CHUNK == 0:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        self.progress(self.done, self.total)


def _stream(session: Session, query: Select[Any]) -> Iterator[Any]:
    yield from session.scalars(query.execution_options(yield_per=CHUNK))


def export(
    db: Database,
    actor: Actor,
    folder: Path,
    *,
    patient_id: int | None = None,
    progress: Progress = no_progress,
) -> ExportResult:
    """Write the clinic (or one patient's record) to `folder` as FHIR R4 NDJSON.
    `progress` hears the records read (patients, episodes, evaluations, visits, plans,
    referrals, printed documents) of all there are."""
    audit.authorize(
        db,
        actor,
        Permission.EXPORT_DATA,
        AuditAction.EXPORT,
        DataCategory.CLINICAL,
        patient_id=patient_id,
    )
    output_files.check_folder(folder, databases=[db.sqlite_path])
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DomainError(f"Could not make the folder {folder}: {error.strerror}.") from None
    try:
        with ExitStack() as stack, db.session() as session:
            files = _Files(folder, stack, db.sqlite_path)
            clinic = session.get(Clinic, actor.clinic_id)
            if clinic is None:
                raise NotFound("This clinic no longer exists in the database.")
            files.write(fhir.organization(clinic))
            for user in _stream(
                session, select(User).where(User.role == Role.THERAPIST).order_by(User.id)
            ):
                files.write(fhir.practitioner(user))
            patients = select(Patient).order_by(Patient.id)
            episodes = select(EpisodeOfCare).order_by(EpisodeOfCare.id)
            if patient_id is not None:
                if session.get(Patient, patient_id) is None:
                    raise NotFound("That patient is not in this clinic's records.")
                patients = patients.where(Patient.id == patient_id)
                episodes = episodes.where(EpisodeOfCare.patient_id == patient_id)
            in_scope = select(episodes.subquery().c.id)
            tally = _Tally(progress)
            evaluations = (
                select(Evaluation)
                .where(Evaluation.episode_id.in_(in_scope))
                .order_by(Evaluation.id)
                .options(
                    selectinload(Evaluation.diagnosis_codes),
                    selectinload(Evaluation.red_flags),
                )
            )
            visits = select(Visit).where(Visit.episode_id.in_(in_scope)).order_by(Visit.id)
            plans = (
                select(TreatmentPlan)
                .join(Evaluation, Evaluation.id == TreatmentPlan.evaluation_id)
                .where(Evaluation.episode_id.in_(in_scope))
                .order_by(TreatmentPlan.id)
                .options(
                    selectinload(TreatmentPlan.evaluation),
                    selectinload(TreatmentPlan.paths),
                    selectinload(TreatmentPlan.goals),
                    selectinload(TreatmentPlan.home_exercises).selectinload(HomeExercise.exercise),
                )
            )
            referrals = (
                select(Referral).where(Referral.episode_id.in_(in_scope)).order_by(Referral.id)
            )
            printed = (
                select(PrintedDocument, Evaluation.episode_id)
                .join(Evaluation, Evaluation.id == PrintedDocument.evaluation_id)
                .where(Evaluation.episode_id.in_(in_scope))
                .order_by(PrintedDocument.id)
                .execution_options(yield_per=CHUNK)
            )
            if progress is not no_progress:  # counting costs a query a kind: only if watched
                tally.total = sum(
                    int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
                    for q in (patients, episodes, evaluations, visits, plans, referrals, printed)
                )
            for row in _stream(session, patients):
                files.write(fhir.patient(row, clinic.id))
                tally.one()
            # episode -> (patient, therapist) for the rows below: two numbers per episode
            owner: dict[int, tuple[int, int]] = {}
            for row in _stream(session, episodes):
                owner[row.id] = (row.patient_id, row.therapist_id)
                files.write(fhir.episode_of_care(row, clinic.id))
                tally.one()
            for row in _stream(session, evaluations):
                person = owner[row.episode_id][0]
                files.write(fhir.evaluation_encounter(row, person))
                for resource in (*fhir.conditions(row, person), *fhir.observations(row, person)):
                    files.write(resource)
                tally.one()
            for row in _stream(session, visits):
                files.write(fhir.visit_encounter(row, owner[row.episode_id][0]))
                tally.one()
            for plan in _stream(session, plans):
                person = owner[plan.evaluation.episode_id][0]
                for item in plan.goals:
                    files.write(fhir.goal(item, person))
                files.write(fhir.care_plan(plan, plan.evaluation, person))
                tally.one()
            for row in _stream(session, referrals):
                person, therapist = owner[row.episode_id]
                files.write(fhir.service_request(row, person, therapist))
                tally.one()
            for document, episode_id in session.execute(printed):
                files.write(fhir.document_reference(document, owner[episode_id][0]))
                tally.one()
            tally.finish()
            audit.record(
                session,
                actor,
                AuditAction.EXPORT,
                DataCategory.CLINICAL,
                patient_id=patient_id,
                detail="FHIR export: "
                + ", ".join(f"{n} {kind}" for kind, n in sorted(files.counts.items())),
            )
    except OSError as error:
        raise DomainError(
            f"Could not write the export to {folder}: {error.strerror or error}. Check the "
            "folder and the free space; no file was written."
        ) from None
    return ExportResult(folder, dict(files.counts))
