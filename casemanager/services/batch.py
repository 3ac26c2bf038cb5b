"""Take-home plans for many patients at once, written to a folder: the records are read here,
the PDFs are made by a pool of processes (ReportLab is not thread-safe, and a clinic's
batch should use every core), each file is audited as an export, and a cancel stops it
between files without leaving a half-written one."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from casemanager.db.engine import Database
from casemanager.db.models import PrintedDocument
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import DomainError
from casemanager.domain.permissions import Permission
from casemanager.reports import take_home
from casemanager.reports.data import EvaluationSnapshot
from casemanager.services import audit, documents, patients
from casemanager.services.context import Actor
from casemanager.services.evaluations import patient_of

POOL_FROM = 24  # below this many plans, starting worker processes costs more than it saves
CHUNK = 8  # plans read, rendered and written per round; a cancel waits at most one round


@dataclass(frozen=True)
class BatchResult:
    written: tuple[Path, ...]
    skipped: tuple[tuple[str, str], ...]  # (patient, why): e.g. no signed evaluation
    cancelled: bool


def _render(job: tuple[EvaluationSnapshot, str, bool]) -> bytes:
    """One take-home plan (runs in a worker process)."""
    snapshot, language, large_print = job
    return take_home.render(snapshot, language, large_print)


def _file_name(snapshot: EvaluationSnapshot) -> str:
    patient = snapshot.patient
    name = "".join(c if c.isalnum() else "-" for c in f"{patient.family_name}-{patient.given_name}")
    return f"{patient.mrn}-{name.strip('-')}-care-plan.pdf"


def export_take_home_plans(
    db: Database,
    actor: Actor,
    patient_ids: Sequence[int],
    folder: Path,
    *,
    language: str | None = None,  # None: each patient's preferred language
    large_print: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    workers: int | None = None,
) -> BatchResult:
    audit.authorize(
        db, actor, Permission.PRINT_DOCUMENTS, AuditAction.EXPORT, DataCategory.DOCUMENT
    )
    if not folder.is_dir():
        raise DomainError(f"There is no folder at {folder}. Choose an existing folder.")
    if not os.access(folder, os.W_OK):
        raise DomainError(f"This account cannot write to {folder}. Choose another folder.")
    from casemanager.reports import wording

    known = wording.languages()
    written: list[Path] = []
    skipped: list[tuple[str, str]] = []
    total = len(patient_ids)
    pool: Executor | None = None
    if total >= POOL_FROM:
        count = workers or os.cpu_count() or 1
        pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"))
    try:
        for start in range(0, total, CHUNK):
            if cancelled():
                return BatchResult(tuple(written), tuple(skipped), cancelled=True)
            jobs: list[tuple[int, EvaluationSnapshot, str]] = []
            for patient_id in patient_ids[start : start + CHUNK]:
                record = patients.get_patient(db, actor, patient_id)
                label = f"{record.fields.given_name} {record.fields.family_name} ({record.mrn})"
                try:
                    evaluation_id = documents.latest_signed_evaluation(db, actor, patient_id)
                except DomainError as error:
                    skipped.append((label, error.message))
                    continue
                chosen = language or record.fields.preferred_language
                jobs.append(
                    (
                        evaluation_id,
                        documents.snapshot(db, actor, evaluation_id),
                        chosen if chosen in known else "en",
                    )
                )
            work = [(snapshot, lang, large_print) for _id, snapshot, lang in jobs]
            futures = [pool.submit(_render, job) if pool else None for job in work]
            for index, (evaluation_id, snapshot, lang) in enumerate(jobs):
                label = f"{snapshot.patient.full_name} ({snapshot.patient.mrn})"
                try:
                    future = futures[index]
                    pdf = future.result() if future is not None else _render(work[index])
                except Exception as error:  # noqa: BLE001 - one bad plan must not stop the rest
                    skipped.append((label, f"The plan could not be made ({type(error).__name__})."))
                    continue
                path = folder / _file_name(snapshot)
                partial = path.with_suffix(".part")
                try:
                    partial.write_bytes(pdf)
                    # Audited before the file appears: an export never goes unrecorded.
                    _record(db, actor, evaluation_id, lang, large_print)
                    partial.replace(path)  # a file is either whole or absent
                except OSError as error:
                    partial.unlink(missing_ok=True)
                    raise DomainError(
                        f"Could not write {path.name}: {error.strerror}. "
                        f"{len(written)} plans were written before this one."
                    ) from None
                written.append(path)
            if progress is not None:
                progress(min(start + CHUNK, total), total)
        return BatchResult(tuple(written), tuple(skipped), cancelled=False)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _record(db: Database, actor: Actor, evaluation_id: int, language: str, large: bool) -> None:
    patient_id = patient_of(db, evaluation_id)
    with db.session() as session:
        session.add(
            PrintedDocument(
                evaluation_id=evaluation_id,
                kind=documents.DocumentKind.TAKE_HOME.value,
                language=language,
                large_print=large,
                action=AuditAction.EXPORT,
                user_id=actor.user_id,
                actor=actor.username,
            )
        )
        audit.record(
            session,
            actor,
            AuditAction.EXPORT,
            DataCategory.DOCUMENT,
            patient_id=patient_id,
            detail=f"take-home of evaluation {evaluation_id} ({language}), batch",
        )
