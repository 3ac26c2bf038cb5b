"""Bringing patients in from the system a clinic is leaving (files read by
interop/patient_files.py). Every row is checked with the same rules as the patient form; if
any row is wrong, nothing is imported and the report says which rows and why. A second import
of the same file adds nobody twice: each patient remembers where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import Patient
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import ValidationError
from casemanager.domain.permissions import Permission
from casemanager.interop.patient_files import Candidate, RowProblem
from casemanager.services import audit, patients
from casemanager.services.context import Actor, Progress, no_progress

PROGRESS_EVERY = 100  # rows between two progress reports


@dataclass
class ImportReport:
    added: int = 0
    already_there: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.problems


# -- importing ----------------------------------------------------------------------------------
def import_patients(
    db: Database,
    actor: Actor,
    candidates: Iterable[Candidate | RowProblem],
    *,
    dry_run: bool,
    progress: Progress = no_progress,
) -> ImportReport:
    """Check every row (the service's own rules); import all of them in one transaction, or
    none if any row is wrong. `dry_run` only checks (the preview). `progress` hears the rows
    checked, then the rows imported (of all rows, when `candidates` is a list)."""
    audit.authorize(
        db, actor, Permission.EDIT_DEMOGRAPHICS, AuditAction.CREATE, DataCategory.DEMOGRAPHICS
    )
    report = ImportReport()
    today = date.today()
    region = patients.clinic_phone_region(db, actor)
    accepted: list[Candidate] = []
    seen: dict[str, int] = {}
    total = len(candidates) if isinstance(candidates, Sized) else 0
    checked = 0
    for item in candidates:
        checked += 1
        if checked % PROGRESS_EVERY == 0:
            progress(checked, total, "checking")
        if isinstance(item, RowProblem):
            report.problems.append(item)
            continue
        if item.source in seen:
            report.problems.append(
                RowProblem(item.row, f"the same record number as row {seen[item.source]}")
            )
            continue
        seen[item.source] = item.row
        try:
            cleaned = patients.clean_fields(item.fields, today, region)
        except ValidationError as refused:
            report.problems.append(RowProblem(item.row, refused.message))
            continue
        accepted.append(Candidate(item.row, item.source, cleaned))
    progress(checked, total or checked, "checking")
    if report.problems or dry_run:
        report.added = 0 if report.problems else len(accepted)
        return report
    with db.session() as session:
        known = set(
            session.scalars(
                select(Patient.source_identifier).where(
                    Patient.source_identifier.in_([c.source for c in accepted])
                )
            )
        )
        for done, item in enumerate(accepted, start=1):
            if done % PROGRESS_EVERY == 0:
                progress(done, len(accepted), "importing")
            if item.source in known:
                report.already_there += 1
                continue
            patients.add_imported(session, actor, item.fields, item.source, region)
            report.added += 1
        progress(len(accepted), len(accepted), "importing")
        audit.record(
            session,
            actor,
            AuditAction.CREATE,
            DataCategory.DEMOGRAPHICS,
            detail=f"patients imported: {report.added} added, {report.already_there} there",
        )
    return report
