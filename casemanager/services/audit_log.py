"""Reading the audit trail: checking its hash chain, finding rows for the administrators'
viewer, and exporting them. Writing it is `services/audit.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO, cast

from sqlalchemy import Select, String, func, select, type_coerce
from sqlalchemy.orm import Session

from casemanager.db import migrate
from casemanager.db.engine import Database
from casemanager.db.models import AuditChainHead, AuditEntry, Patient
from casemanager.domain.audit_chain import GENESIS, Break, hash_values
from casemanager.domain.enums import AuditAction, AuditOutcome, DataCategory
from casemanager.domain.errors import DomainError, ValidationError
from casemanager.domain.permissions import Permission
from casemanager.reports import table_csv
from casemanager.services import audit
from casemanager.services.context import Actor, Progress, no_progress
from casemanager.services.use_case import use_case

PAGE = 20_000  # rows read at a time when checking the chain


@dataclass(frozen=True)
class ChainReport:
    rows: int  # rows checked and found chained
    broken: Break | None
    last_id: int | None  # note these two down to show later that no row was cut off the end
    last_hash: str | None
    first_id: int | None = None
    head_rows: int | None = None  # what the chain record says the app wrote (None: missing)
    missing_safeguards: tuple[str, ...] = ()  # append-only triggers missing or switched off
    reanchored: tuple[Reanchor, ...] = ()  # earlier breaks of the chain record, on record
    recorded_as: int | None = None  # the audit row recording this check (None: not recorded)


@dataclass(frozen=True)
class Reanchor:
    row_id: int
    occurred_at: datetime
    actor: str
    detail: str


REANCHOR_DETAIL = "audit chain re-anchored"


# The chained columns read as stored text (no enum conversion: a million rows add up).
_CHAINED = [
    AuditEntry.occurred_at,
    AuditEntry.user_id,
    AuditEntry.actor,
    AuditEntry.workstation,
    AuditEntry.patient_id,
    type_coerce(AuditEntry.action, String),
    type_coerce(AuditEntry.data_category, String),
    type_coerce(AuditEntry.outcome, String),
    AuditEntry.detail,
]


def _snapshot(session: Session, db: Database) -> None:
    """One consistent view for the whole check: the chain record and the rows as of the same
    moment, so rows other workstations write meanwhile are neither counted nor missed."""
    if db.is_sqlite:
        session.connection().exec_driver_sql("BEGIN")
    else:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def verify_chain(db: Database, actor: Actor, progress: Progress = no_progress) -> ChainReport:
    """Walk the log in id order and recompute every hash; stop at the first break. The chain
    record's count must match the rows (none cut off the end, none added after it); the
    append-only triggers must be in place; the check itself is recorded (when it can be).
    `progress` hears the rows checked after each page."""
    audit.authorize(db, actor, Permission.VIEW_AUDIT_LOG, AuditAction.READ, DataCategory.SYSTEM)
    safeguards = tuple(migrate.missing_safeguards(db))
    previous, last_id, count, first_id = GENESIS, 0, 0, None
    broken: Break | None = None
    reanchored: list[Reanchor] = []
    with db.session() as session:
        _snapshot(session, db)
        head = session.get(AuditChainHead, audit.CHAIN_HEAD_ID)
        head_rows = None if head is None else int(head.rows)
        while broken is None:
            page = session.execute(
                select(AuditEntry.id, AuditEntry.prev_hash, AuditEntry.row_hash, *_CHAINED)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(PAGE)
            ).all()
            if not page:
                break
            for row in page:
                if head_rows is not None and count == head_rows:
                    broken = Break(
                        row[0],
                        f"the app wrote {head_rows:,} rows and this one comes after the last "
                        "of them: it was added outside CaseManager",
                    )
                    break
                broken = _check(row, previous)
                if broken is not None:
                    break
                count += 1
                first_id = first_id if first_id is not None else int(row[0])
                previous, last_id = str(row[2]), int(row[0])  # _check saw both set
                if row[9] == DataCategory.SYSTEM.value and str(row[11] or "").startswith(
                    REANCHOR_DETAIL
                ):
                    when = cast(datetime, row[3])
                    reanchored.append(Reanchor(int(row[0]), when, str(row[5]), str(row[11])))
                if head is not None and count == head_rows and previous != head.last_hash:
                    broken = Break(row[0], "it is not the row the app last wrote at this point")
                    break
            progress(count, head_rows or 0)
        if broken is None and head_rows is not None and count < head_rows:
            broken = Break(
                last_id,
                f"the log ends here, but the app wrote {head_rows:,} rows: the last "
                f"{head_rows - count:,} were removed",
            )
        if broken is None and head is None:
            broken = Break(
                last_id,
                "the chain record (audit_chain_head) that counts the rows was removed outside "
                f"CaseManager; the {count:,} rows are chained as far as they go, but rows cut "
                "off the end cannot be ruled out, and nothing can be saved until clinic IT "
                "re-anchors the chain with `casemanager-admin audit reanchor`",
            )
    recorded_as = None
    if head is not None:  # without the chain record no row can be written, this one included
        with db.session() as session:
            entry = audit.record(
                session,
                actor,
                AuditAction.READ,
                DataCategory.SYSTEM,
                outcome=AuditOutcome.SUCCESS
                if broken is None and not safeguards
                else AuditOutcome.FAILED,
                detail=f"audit chain checked: {count} rows"
                + ("" if broken is None else f", broken at row {broken.row_id}")
                + (f", {len(safeguards)} append-only triggers missing" if safeguards else ""),
            )
            session.flush()
            recorded_as = entry.id
    return ChainReport(
        rows=count,
        broken=broken,
        last_id=last_id or None,
        last_hash=None if last_id == 0 else previous,
        first_id=first_id,
        head_rows=head_rows,
        missing_safeguards=safeguards,
        reanchored=tuple(reanchored),
        recorded_as=recorded_as,
    )


@dataclass(frozen=True)
class Reanchored:
    rows: int
    last_hash: str
    recorded_as: int


def reanchor_chain(db: Database, actor: Actor) -> Reanchored:
    """Put back a removed chain record, counting the rows as they are now. The break stays
    visible: the row recording this re-anchoring is chained like any other, and every later
    `audit verify` names it (rows removed before it cannot be ruled out)."""
    with use_case(
        db, actor, Permission.MANAGE_CLINIC, AuditAction.UPDATE, DataCategory.SYSTEM
    ) as case:
        session = case.session
        if session.get(AuditChainHead, audit.CHAIN_HEAD_ID) is not None:
            raise DomainError(
                "The audit log's chain record is in place: there is nothing to re-anchor. "
                "`casemanager-admin audit verify` checks the log."
            )
        rows = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
        last = session.scalar(select(AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1))
        last_hash = str(last) if last is not None else GENESIS
        session.add(AuditChainHead(id=audit.CHAIN_HEAD_ID, rows=rows, last_hash=last_hash))
        session.flush()
        entry = audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            DataCategory.SYSTEM,
            detail=f"{REANCHOR_DETAIL}: its chain record was missing; {rows} rows were there, "
            f"the last with hash {last_hash}",
        )
        session.flush()
        return Reanchored(rows, last_hash, entry.id)


def _check(row: Any, previous: str) -> Break | None:
    row_id, prev_hash, own_hash, *chained = row
    if own_hash is None or prev_hash is None:
        return Break(row_id, "it has no hash: it was written around the app")
    if prev_hash != previous:
        return Break(
            row_id,
            "it does not follow the row before it: a row was removed or rows were reordered "
            "just before it",
        )
    if own_hash != hash_values(previous, *chained):
        return Break(row_id, "its content was changed after it was written")
    return None


# -- the viewer and exports -----------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    start: date | None = None
    end: date | None = None
    actor: str | None = None  # a username ("os:NAME" for the command line)
    patient_id: int | None = None
    patient_mrn: str | None = None  # what an administrator knows from the chart
    action: AuditAction | None = None

    def checked(self) -> AuditFilter:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValidationError("start", "The From date is after the To date. Swap them.")
        return self


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: datetime
    actor: str
    workstation: str
    patient_id: int | None
    patient: str  # "Family, Given (MRN)" or empty
    action: AuditAction
    category: DataCategory
    outcome: AuditOutcome
    detail: str


HEADERS = [
    "Row",
    "When (UTC)",
    "User",
    "Workstation",
    "Patient",
    "Action",
    "Data",
    "Outcome",
    "Detail",
]


def _query(filt: AuditFilter) -> Select[AuditEntry, str, str, str]:
    query = (
        select(AuditEntry, Patient.family_name, Patient.given_name, Patient.mrn)
        .outerjoin(Patient, Patient.id == AuditEntry.patient_id)
        .order_by(AuditEntry.id)
    )
    if filt.start is not None:
        query = query.where(AuditEntry.occurred_at >= _day_start(filt.start))
    if filt.end is not None:
        query = query.where(AuditEntry.occurred_at < _day_start(filt.end + timedelta(days=1)))
    if filt.actor:
        query = query.where(AuditEntry.actor == filt.actor)
    if filt.patient_id is not None:
        query = query.where(AuditEntry.patient_id == filt.patient_id)
    if filt.patient_mrn:
        query = query.where(Patient.mrn == filt.patient_mrn.strip().upper())
    if filt.action is not None:
        query = query.where(AuditEntry.action == filt.action)
    return query


def _day_start(day: date) -> datetime:
    """Days are the workstation's local days, the way the administrator reads them."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def _row(entry: AuditEntry, family: str | None, given: str | None, mrn: str | None) -> AuditRow:
    return AuditRow(
        id=entry.id,
        occurred_at=entry.occurred_at,
        actor=entry.actor,
        workstation=entry.workstation,
        patient_id=entry.patient_id,
        patient=f"{family}, {given} ({mrn})" if family is not None else "",
        action=entry.action,
        category=entry.data_category,
        outcome=entry.outcome,
        detail=entry.detail or "",
    )


def search(db: Database, actor: Actor, filt: AuditFilter, *, limit: int = 5000) -> list[AuditRow]:
    """The newest `limit` rows matching the filter, oldest first. Reading the log is itself
    logged, with the filter but no names."""
    with use_case(
        db, actor, Permission.VIEW_AUDIT_LOG, AuditAction.READ, DataCategory.SYSTEM
    ) as case:
        filt = filt.checked()
        session = case.session
        newest = _query(filt).order_by(None).order_by(AuditEntry.id.desc()).limit(limit)
        rows = [_row(*r) for r in session.execute(newest)]
        audit.record(
            session,
            actor,
            AuditAction.READ,
            DataCategory.SYSTEM,
            patient_id=filt.patient_id,
            detail=f"audit log viewed: {len(rows)} rows",
        )
    rows.reverse()
    return rows


def as_cells(row: AuditRow) -> list[Any]:
    return [
        row.id,
        row.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        row.actor,
        row.workstation,
        row.patient,
        row.action.value,
        row.category.value,
        row.outcome.value,
        row.detail,
    ]


def export_csv(
    db: Database, actor: Actor, filt: AuditFilter, out: TextIO, *, bom: bool = True
) -> int:
    """Every row matching the filter, oldest first, as CSV written to `out` as it is read
    (a clinic's log may be larger than memory). Returns the number of rows."""
    with use_case(
        db, actor, Permission.VIEW_AUDIT_LOG, AuditAction.EXPORT, DataCategory.SYSTEM
    ) as case:
        filt = filt.checked()
        session = case.session
        result = session.execute(_query(filt).execution_options(yield_per=PAGE))
        count = table_csv.write(out, HEADERS, (as_cells(_row(*r)) for r in result), bom=bom)
        audit.record(
            session,
            actor,
            AuditAction.EXPORT,
            DataCategory.SYSTEM,
            patient_id=filt.patient_id,
            detail=f"audit log exported: {count} rows",
        )
    return count
