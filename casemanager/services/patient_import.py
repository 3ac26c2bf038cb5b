"""Bringing patients in from the system a clinic is leaving (files read by
interop/patient_files.py). Every row is checked with the same rules as the patient form; if
any row is wrong, nothing is imported and the report says which rows and why. A second import
of the same file adds nobody twice: each patient remembers where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import Patient
from casemanager.domain import field_limits as limits
from casemanager.domain import validation
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import DomainError, ValidationError
from casemanager.domain.permissions import Permission
from casemanager.interop.patient_files import Candidate, RowProblem
from casemanager.services import audit, patient_rows
from casemanager.services.context import Actor, Progress, no_progress


@dataclass
class ImportReport:
    added: int = 0
    already_there: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.problems


# -- importing ----------------------------------------------------------------------------------
_CHUNK = 1000  # source identifiers looked up per query
_MRN_ATTEMPTS = 3
PROGRESS_EVERY = 100  # rows between two progress reports


def import_patients(
    db: Database,
    actor: Actor,
    candidates: Iterable[Candidate | RowProblem],
    *,
    dry_run: bool,
    progress: Progress = no_progress,
    total: int = 0,
) -> ImportReport:
    """Check every row (the service's own rules); import all of them in one transaction, or
    none if any row is wrong. `dry_run` only checks (the preview, `--check`): it runs the
    same checks, so it refuses exactly what the import would.

    Everything that can be done before writing is: rows checked, patients already here
    found, fresh MRNs drawn. The write itself is then a few bulk statements, so other
    workstations wait for it only briefly (SQLite has one writer at a time).

    `progress` hears the rows checked (of `total`, the rows expected, 0 when not known), then
    the patients written."""
    audit.authorize(
        db, actor, Permission.EDIT_DEMOGRAPHICS, AuditAction.CREATE, DataCategory.DEMOGRAPHICS
    )
    report = ImportReport()
    accepted = patient_rows.ImportRows(db, actor, patient_rows.clinic_phone_region(db, actor))
    _check(candidates, report, accepted, progress, total)
    if report.problems or dry_run:
        report.added = 0 if report.problems else len(accepted)
        return report
    sources = list(accepted.lines)
    for attempt in range(_MRN_ATTEMPTS):
        with db.session() as session:
            known = _already_here(session, sources)
            mrns = patient_rows.new_mrns(session, len(sources) - len(known))
        try:
            with db.session() as session:
                added = patient_rows.add_imported(session, actor, accepted, known, mrns, progress)
                audit.record(
                    session,
                    actor,
                    AuditAction.CREATE,
                    DataCategory.DEMOGRAPHICS,
                    detail=f"patients imported: {added} added, {len(known)} there",
                )
        except IntegrityError:
            _refuse_if_added_meanwhile(db, accepted, known)
            # Not a record number: a new MRN taken by a patient registered meanwhile.
            if attempt == _MRN_ATTEMPTS - 1:
                raise
            continue
        report.added, report.already_there = added, len(known)
        return report
    raise AssertionError("unreachable")


def _check(
    candidates: Iterable[Candidate | RowProblem],
    report: ImportReport,
    accepted: patient_rows.ImportRows,
    progress: Progress,
    total: int,
) -> None:
    """Rows that pass every check go, cleaned, to `accepted` (patient_rows.ImportRows); the
    others become the report's problems."""
    today = date.today()
    # The row of each record number seen: the accepted rows' (accepted.lines, so 200,000
    # numbers are not held twice), and once a row is wrong (nothing will be imported) the
    # others' too.
    seen = accepted.lines
    checked = 0
    for item in candidates:
        checked += 1
        if checked % PROGRESS_EVERY == 0:
            progress(checked, max(total, checked), "checking")
        if isinstance(item, RowProblem):
            report.problems.append(item)
            continue
        try:
            source = validation.check_line(
                "source_id", item.source, "The record number", limits.SOURCE_IDENTIFIER
            )
        except ValidationError as refused:
            report.problems.append(RowProblem(item.row, refused.message))
            continue
        if source in seen:
            report.problems.append(
                RowProblem(item.row, f"the same record number as row {seen[source]}")
            )
            continue
        seen[source] = item.row
        try:
            cleaned = patient_rows.clean_fields(item.fields, today, accepted.region)
        except ValidationError as refused:
            report.problems.append(RowProblem(item.row, refused.message))
            continue
        if not report.problems:  # once a row is wrong nothing is imported: stop keeping rows
            accepted.add(item.row, source, cleaned)
    progress(checked, checked, "checking")


def _already_here(session: Session, sources: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(sources), _CHUNK):
        chunk = sources[start : start + _CHUNK]
        known.update(
            s
            for s in session.scalars(
                select(Patient.source_identifier).where(Patient.source_identifier.in_(chunk))
            )
            if s is not None
        )
    return known


def _refuse_if_added_meanwhile(
    db: Database, accepted: patient_rows.ImportRows, known: set[str]
) -> None:
    """After a refused write: if another import (another workstation, or the same file
    imported twice at once) added one of these patients since we looked, say so."""
    sources = list(accepted.lines)
    with db.session() as session:
        now_here = _already_here(session, sources) - known
    added = [(accepted.lines[s], s) for s in sources if s in now_here]
    if added:
        row, source = added[0]
        value = source.partition("|")[2] or source
        raise DomainError(
            f"Another import added the patient of row {row} (record number {value}) while "
            f"this one ran{f', and {len(added) - 1:,} more' if len(added) > 1 else ''}. "
            "Nothing was imported. Import the file again: patients already here are skipped."
        )
