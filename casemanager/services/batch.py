"""Take-home plans for many patients at once, written to a folder.

Rounds of `CHUNK` patients: each round's records are read in one transaction with a fixed
number of queries (its patients' reads audited there), the PDFs are made by a pool of
processes (ReportLab is not thread-safe, and a clinic's batch should use every core) while
the next round is read, and each round's exports are audited in one transaction before its
files appear. The pool stays up between batches, its workers with fonts already loaded.

The batch rule: each file is whole or absent (written under a temporary name, renamed once
audited), and a plan that cannot be made or written is listed with why, never stopping the
others. A cancel stops between rounds.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import insert

from casemanager import output_files
from casemanager.db.engine import Database
from casemanager.db.models import PrintedDocument
from casemanager.domain import login_memory
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import DomainError
from casemanager.domain.permissions import Permission
from casemanager.reports import fonts, take_home
from casemanager.reports.data import EvaluationSnapshot
from casemanager.services import audit, batch_reading
from casemanager.services.context import Actor
from casemanager.services.document_data import DocumentKind

POOL_FROM = 24  # below this many plans, starting worker processes costs more than it saves
CHUNK = 32  # plans read, rendered and written per round; a cancel waits at most one round
MAX_NAME_BYTES = 200  # a file name's UTF-8 length, well under every file system's 255


@dataclass(frozen=True)
class BatchResult:
    written: tuple[Path, ...]
    skipped: tuple[tuple[str, str], ...]  # (patient, why): e.g. no signed evaluation
    cancelled: bool


@dataclass(frozen=True)
class _Plan:
    patient_id: int
    evaluation_id: int
    label: str
    language: str
    snapshot: EvaluationSnapshot


@dataclass
class _Round:
    plans: list[_Plan]
    renders: list[Future[bytes] | None]
    done: int  # patients handled once this round is written


def _render(job: tuple[EvaluationSnapshot, str, bool]) -> bytes:
    """One take-home plan, in this process."""
    snapshot, language, large_print = job
    return take_home.render(snapshot, language, large_print)


_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()
_pool_users = 0  # batches using the pool now
_pool_ends_when_free = False  # a logout came while a batch used it


def _warm_pool(workers: int) -> Executor:
    """The batch's worker processes, kept between batches (started once, fonts loaded).
    The caller hands it back with `_release_pool` once its batch is done."""
    global _pool, _pool_size, _pool_users
    with _pool_lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(cancel_futures=True)
            # The workers run reports' own functions: a worker imports the reports and
            # their fonts, not this module (nor SQLAlchemy and the models behind it).
            _pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=fonts.register,
            )
            _pool_size = workers
        _pool_users += 1
        return _pool


def _release_pool() -> None:
    global _pool_users, _pool_ends_when_free
    with _pool_lock:
        _pool_users -= 1
        ending = _pool_users == 0 and _pool_ends_when_free
    if ending:
        _end_pool()


@login_memory.forget_at_log_out
def _end_pool() -> None:
    """At logout: the worker processes go, and with them what their render caches hold of
    this login's patients (a process's memory is its own). A batch still running keeps
    them until it is done (a logout stops it between rounds). The next batch starts anew."""
    global _pool_ends_when_free
    with _pool_lock:
        _pool_ends_when_free = _pool_users > 0
        if _pool_ends_when_free:
            return
    _drop_pool(wait=True)


def _drop_pool(wait: bool = False) -> None:
    """A pool whose worker died cannot be used again: the next batch starts a new one."""
    global _pool, _pool_ends_when_free
    with _pool_lock:
        pool, _pool, _pool_ends_when_free = _pool, None, False
    if pool is not None:
        pool.shutdown(wait=wait, cancel_futures=True)


atexit.register(_drop_pool)


def file_name(mrn: str, family_name: str, given_name: str, taken: set[str]) -> str:
    """'MRN-Family-Given-care-plan.pdf' with anything but letters and digits as '-', cut to
    MAX_NAME_BYTES of UTF-8 (a name in a script of 3-byte letters runs long quickly), and
    never one already used in this batch."""
    suffix = "-care-plan.pdf"
    name = "".join(c if c.isalnum() else "-" for c in f"{family_name}-{given_name}").strip("-")
    stem = f"{mrn}-{name}"
    room = MAX_NAME_BYTES - len(suffix.encode()) - len("-999999")  # keep room for a counter
    stem = stem.encode()[:room].decode(errors="ignore").rstrip("-")
    chosen, n = f"{stem}{suffix}", 1
    while chosen in taken:
        n += 1
        chosen = f"{stem}-{n}{suffix}"
    taken.add(chosen)
    return chosen


def _stage(folder: output_files.OutputFolder, name: str, data: bytes) -> tuple[Path, Path]:
    """Write the file's bytes under a temporary name beside it (the one place a plan's bytes
    are written; `_publish` makes it appear). Never over a database: the target is checked
    like every file a user names (casemanager/output_files.py), once per file."""
    path = folder.check(name)
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(data)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return partial, path


def _publish(folder: output_files.OutputFolder, partial: Path, path: Path) -> None:
    # Something put there since the check (nothing is, as a rule) is checked again: nothing
    # may have become a database meanwhile. An empty place cannot be one.
    if os.path.lexists(path):
        folder.check(path.name)
    partial.replace(path)  # a file is either whole or absent


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
    today: date | None = None,
) -> BatchResult:
    audit.authorize(
        db, actor, Permission.PRINT_DOCUMENTS, AuditAction.EXPORT, DataCategory.DOCUMENT
    )
    target = output_files.OutputFolder(folder, databases=[db.sqlite_path])
    if not folder.is_dir():
        raise DomainError(f"There is no folder at {folder}. Choose an existing folder.")
    if not os.access(folder, os.W_OK):
        raise DomainError(f"This account cannot write to {folder}. Choose another folder.")
    from casemanager.reports import wording

    batch = _Batch(db, actor, target, language, large_print, wording.languages(), today)
    total = len(patient_ids)
    pool = _warm_pool(workers or os.cpu_count() or 1) if total >= POOL_FROM else None
    waiting: _Round | None = None
    stopped = False
    try:
        for start in range(0, total, CHUNK):
            if cancelled():
                stopped = True
                break
            # Read this round while the pool still renders the one before (overlap).
            plans = batch.read(patient_ids[start : start + CHUNK])
            renders = [
                pool.submit(take_home.render, p.snapshot, p.language, large_print) if pool else None
                for p in plans
            ]
            if waiting is not None:
                batch.write(waiting)
                _report(progress, waiting.done, total)
            waiting = _Round(plans, renders, min(start + CHUNK, total))
        stopped = stopped or (waiting is not None and cancelled())
        if waiting is not None and not stopped:
            batch.write(waiting)
            _report(progress, waiting.done, total)
            waiting = None
    finally:
        if waiting is not None:  # a cancel or an error: its renders are not wanted
            for future in waiting.renders:
                if future is not None:
                    future.cancel()
        if pool is not None:
            _release_pool()
    return BatchResult(tuple(batch.written), tuple(batch.skipped), cancelled=stopped)


def _report(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


class _Batch:
    """What one batch has read, written and skipped so far."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        folder: output_files.OutputFolder,
        language: str | None,
        large_print: bool,
        known: Collection[str],
        today: date | None,
    ) -> None:
        self.db, self.actor, self.folder = db, actor, folder
        self.language, self.large_print, self.known = language, large_print, known
        self.today = today
        self.written: list[Path] = []
        self.skipped: list[tuple[str, str]] = []
        self.names: set[str] = set()

    def read(self, chunk: Sequence[int]) -> list[_Plan]:
        """One transaction, a fixed number of queries: the chunk's patients, their latest
        signed evaluations and everything printed from them; each patient's read audited."""
        # The role is read again each round: a deactivation stops a long batch. A plan
        # prints the evaluation, so its reader must be allowed to open clinical records.
        for permission, category in (
            (Permission.VIEW_DEMOGRAPHICS, DataCategory.DEMOGRAPHICS),
            (Permission.VIEW_CLINICAL, DataCategory.DOCUMENT),
        ):
            audit.authorize(self.db, self.actor, permission, AuditAction.READ, category)
        plans: list[_Plan] = []
        with self.db.session() as session:
            found = batch_reading.patients_to_print(session, self.actor, chunk)
            wanted = [p.evaluation_id for p in found.values() if p.evaluation_id is not None]
            snapshots = batch_reading.snapshots(
                session, self.actor, wanted, self.today or date.today()
            )
            read: list[audit.Entry] = []  # one turn at the audit chain for the round
            for patient_id in chunk:
                person = found.get(patient_id)
                if person is None:
                    self.skipped.append(
                        (f"Patient {patient_id}", "That patient is not in this clinic's records.")
                    )
                    continue
                read.append(
                    audit.Entry(AuditAction.READ, DataCategory.DEMOGRAPHICS, patient_id=patient_id)
                )
                snapshot = snapshots.get(person.evaluation_id or 0)
                if snapshot is None:
                    self.skipped.append((person.label, batch_reading.NO_SIGNED_EVALUATION))
                    continue
                chosen = self.language or person.preferred_language
                plans.append(
                    _Plan(
                        patient_id,
                        person.evaluation_id or 0,
                        f"{snapshot.patient.full_name} ({snapshot.patient.mrn})",
                        chosen if chosen in self.known else "en",
                        snapshot,
                    )
                )
            audit.record_many(session, self.actor, read)
        return plans

    def write(self, round_: _Round) -> None:
        """Stage the round's files, audit them in one transaction, then let them appear."""
        staged: list[tuple[_Plan, Path, Path]] = []
        for plan, future in zip(round_.plans, round_.renders, strict=True):
            try:
                pdf = (
                    future.result()
                    if future is not None
                    else _render((plan.snapshot, plan.language, self.large_print))
                )
            except Exception as error:  # noqa: BLE001 - one bad plan must not stop the rest
                if future is not None and _pool_broken(error):
                    _drop_pool()
                self.skipped.append(
                    (plan.label, f"The plan could not be made ({type(error).__name__}).")
                )
                continue
            patient = plan.snapshot.patient
            name = file_name(patient.mrn, patient.family_name, patient.given_name, self.names)
            try:
                partial, path = _stage(self.folder, name, pdf)
                staged.append((plan, partial, path))
            except output_files.OutputRefused as refused:
                self.skipped.append((plan.label, refused.message))
            except OSError as error:
                self.skipped.append(
                    (plan.label, f"The file could not be written: {error.strerror or error}.")
                )
        if not staged:
            return
        try:
            self._record([plan for plan, _partial, _path in staged])
        except BaseException:
            for _plan, partial, _path in staged:
                partial.unlink(missing_ok=True)
            raise
        for plan, partial, path in staged:
            try:
                _publish(self.folder, partial, path)
            except output_files.OutputRefused as refused:
                partial.unlink(missing_ok=True)
                self.skipped.append((plan.label, refused.message))
                continue
            except OSError as error:
                partial.unlink(missing_ok=True)
                self.skipped.append(
                    (plan.label, f"The file could not be written: {error.strerror or error}.")
                )
                continue
            self.written.append(path)

    def _record(self, plans: list[_Plan]) -> None:
        """Every export of the round, audited before its file appears, in one transaction
        (the audit rows chained in one turn and inserted in one statement)."""
        with self.db.session() as session:
            # Plain inserts, one statement for the round: no ORM objects to flush.
            session.connection().execute(
                insert(PrintedDocument),
                [
                    {
                        "evaluation_id": plan.evaluation_id,
                        "kind": DocumentKind.TAKE_HOME.value,
                        "language": plan.language,
                        "large_print": self.large_print,
                        "action": AuditAction.EXPORT,
                        "user_id": self.actor.user_id,
                        "actor": self.actor.username,
                    }
                    for plan in plans
                ],
            )
            audit.record_many(
                session,
                self.actor,
                [
                    audit.Entry(
                        AuditAction.EXPORT,
                        DataCategory.DOCUMENT,
                        patient_id=plan.patient_id,
                        detail=f"take-home of evaluation {plan.evaluation_id} "
                        f"({plan.language}), batch",
                    )
                    for plan in plans
                ],
            )


def _pool_broken(error: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(error, BrokenProcessPool)
