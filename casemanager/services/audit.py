"""The audit trail: one row per access or change of patient data, login and refusal.

Rows name records, never their clinical content: the log must be safe to show to an auditor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, exists, false, select, true, update
from sqlalchemy.orm import Session

from casemanager.db import episode_summary
from casemanager.db.bulk import BulkInsert
from casemanager.db.engine import Database
from casemanager.db.models import AuditChainHead, AuditEntry, Clinic, User
from casemanager.db.types import utcnow
from casemanager.domain.audit_chain import ChainedFields, chain_time, hash_at, row_hash
from casemanager.domain.enums import AuditAction, AuditOutcome, DataCategory, Role
from casemanager.domain.errors import ConflictError, DomainError, PermissionDenied
from casemanager.domain.permissions import Permission, has_permission, require
from casemanager.services.context import Actor

CHAIN_HEAD_ID = 1
_ACCOUNT_CHECKED = "audit: account checked"  # session.info key


def record(
    session: Session,
    actor: Actor,
    action: AuditAction,
    category: DataCategory,
    *,
    patient_id: int | None = None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    detail: str | None = None,
) -> AuditEntry:
    """Add an audit row to the caller's transaction (it commits or rolls back with the change),
    chained to the row before it. Returns the row (its id is set at the next flush)."""
    fields = ChainedFields(
        occurred_at=utcnow(),
        user_id=actor.user_id,
        actor=actor.username,
        workstation=actor.workstation,
        patient_id=patient_id,
        action=action.value,
        data_category=category.value,
        outcome=outcome.value,
        detail=detail,
    )
    previous = _take_turn(session)
    own = row_hash(previous, fields)
    entry = AuditEntry(
        occurred_at=fields.occurred_at,
        user_id=actor.user_id,
        actor=actor.username,
        workstation=actor.workstation,
        patient_id=patient_id,
        action=action,
        data_category=category,
        outcome=outcome,
        detail=detail,
        prev_hash=previous,
        row_hash=own,
    )
    session.add(entry)
    session.execute(
        update(AuditChainHead).where(AuditChainHead.id == CHAIN_HEAD_ID).values(last_hash=own)
    )
    return entry


@dataclass(frozen=True, slots=True)
class Entry:
    """One audit row of a bulk change (record_many)."""

    action: AuditAction
    category: DataCategory
    patient_id: int | None = None
    outcome: AuditOutcome = AuditOutcome.SUCCESS
    detail: str | None = None


def record_many(session: Session, actor: Actor, entries: Sequence[Entry]) -> None:
    """Add many audit rows to the caller's transaction at once (an import): one turn at the
    chain head for all of them, each chained to the one before in the order given, inserted
    in one statement. The chain reads exactly as if record() had been called for each."""
    if not entries:
        return
    previous = _take_turn(session, len(entries))
    when = utcnow()
    chained_when = chain_time(when)
    bulk = BulkInsert(session.get_bind().dialect, AuditEntry, _AUDIT_COLUMNS)
    who = (actor.user_id, actor.username, actor.workstation)
    # Rows differ only in patient, detail and the hashes: convert the rest once.
    stored: dict[tuple[AuditAction, DataCategory, AuditOutcome], tuple[Any, ...]] = {}
    rows: list[tuple[Any, ...]] = []
    for entry in entries:
        kind = (entry.action, entry.category, entry.outcome)
        if kind not in stored:
            stored[kind] = bulk.convert((when, *who, None, *kind, None, None, None))
        own = hash_at(
            previous, chained_when, *who, entry.patient_id, entry.action.value,
            entry.category.value, entry.outcome.value, entry.detail,
        )  # fmt: skip
        fixed = stored[kind]
        rows.append((*fixed[:4], entry.patient_id, *fixed[5:8], entry.detail, previous, own))
        previous = own
    # Rows inserted in list order: ids (the order `audit verify` walks) follow the chain.
    bulk.insert(session, rows)
    session.execute(
        update(AuditChainHead).where(AuditChainHead.id == CHAIN_HEAD_ID).values(last_hash=previous)
    )


_AUDIT_COLUMNS = ("occurred_at", "user_id", "actor", "workstation", "patient_id", "action",
                  "data_category", "outcome", "detail", "prev_hash", "row_hash")  # fmt: skip


def _take_turn(session: Session, rows: int = 1) -> str:
    """The last row's hash, read under the chain head's lock: writing the head first makes
    two workstations take turns until commit, so they never chain to the same row."""
    # Episodes changed so far are locked before the head, the order every writer follows
    # (their summary rows are rewritten at commit): on PostgreSQL, no deadlock between a
    # visit being recorded and the same episode being discharged.
    session.flush()
    episode_summary.lock_pending(session)
    previous = session.scalar(
        update(AuditChainHead)
        .where(AuditChainHead.id == CHAIN_HEAD_ID)
        .values(rows=AuditChainHead.rows + rows)
        .returning(AuditChainHead.last_hash)
    )
    if previous is None:
        raise DomainError(
            "Nothing can be saved: the audit log's chain record (audit_chain_head) was removed "
            "outside CaseManager, so no new audit row can be chained. Ask clinic IT to put it "
            "back with `casemanager-admin audit reanchor` (docs/backups.md); the break stays "
            "on record."
        )
    return str(previous)


def record_now(
    db: Database,
    actor: Actor,
    action: AuditAction,
    category: DataCategory,
    *,
    patient_id: int | None = None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    detail: str | None = None,
) -> None:
    """Write an audit row in its own transaction: for refusals and failures, whose own work
    is rolled back but whose attempt must still be on record."""
    with db.session() as session:
        record(
            session,
            actor,
            action,
            category,
            patient_id=patient_id,
            outcome=outcome,
            detail=detail,
        )


@dataclass(frozen=True)
class Refusal:
    """Why the actor may not do this: the audit row's detail and the error to raise."""

    detail: str
    error: PermissionDenied


def refusal(session: Session, actor: Actor, permission: Permission) -> Refusal | None:
    """None when the actor's role has the permission. The role is read again from the account
    (in the caller's transaction), so a role change or a deactivation applies at once, not
    only at the next login."""
    role = actor.role
    if actor.user_id is not None:
        account = session.get(User, actor.user_id)
        # Held for the rest of the session, so a second permission checked in the same
        # transaction (a print needs two) finds the account in the identity map, not by
        # reading it again.
        session.info[_ACCOUNT_CHECKED] = account
        if account is None or not account.active:
            who = "another administrator" if role == Role.ADMINISTRATOR else "an administrator"
            return Refusal(
                "account deactivated",
                PermissionDenied(
                    f"Your account has been deactivated. Log out, and ask {who} if you still "
                    "need access."
                ),
            )
        role = account.role
    try:
        require(role, permission)
    except PermissionDenied as denied:
        return Refusal(f"needs {permission.value}", denied)
    return None


def permitted(actor: Actor, permission: Permission) -> ColumnElement[bool]:
    """`refusal` as SQL, for a read that checks in the statement that does its work (on a
    server, one round trip instead of two): true when the actor's account, read by that
    statement, is active and its role has the permission. When it is false, `refusal` says
    why."""
    return _permitted(actor.user_id, actor.role, permission)


@lru_cache(maxsize=64)
def _permitted(user_id: int | None, role: Role, permission: Permission) -> ColumnElement[bool]:
    # Made once per account and permission (SQL expressions never change once made): a
    # search asks for it at every pause in typing.
    if user_id is None:
        return true() if has_permission(role, permission) else false()
    roles = [r for r in Role if has_permission(r, permission)]
    return exists().where(User.id == user_id, User.active, User.role.in_(roles))


def refuse(
    db: Database,
    actor: Actor,
    refused: Refusal,
    action: AuditAction,
    category: DataCategory,
    *,
    patient_id: int | None = None,
) -> PermissionDenied:
    """Audit a refusal in its own transaction (the refused work is rolled back, the attempt
    stays on record); returns the error for the caller to raise."""
    record_now(
        db,
        actor,
        action,
        category,
        patient_id=patient_id,
        outcome=AuditOutcome.DENIED,
        detail=refused.detail,
    )
    return refused.error


def record_by_clinic_it(db: Database, detail: str) -> None:
    """Audit a change made to the database as a whole (restore, encryption) by the
    operating-system user running it."""
    with db.session() as session:
        clinic_id = session.scalar(select(Clinic.id).order_by(Clinic.id).limit(1))
    record_now(
        db,
        Actor.command_line(clinic_id or 0),
        AuditAction.UPDATE,
        DataCategory.SYSTEM,
        detail=detail,
    )


def authorize(
    db: Database,
    actor: Actor,
    permission: Permission,
    action: AuditAction,
    category: DataCategory,
    *,
    patient_id: int | None = None,
) -> None:
    """Refuse (and audit the refusal) when the actor's role lacks the permission, in a
    transaction of its own; a use case that opens its session first uses use_case.use_case."""
    with db.session() as session:
        refused = refusal(session, actor, permission)
    if refused is not None:
        raise refuse(db, actor, refused, action, category, patient_id=patient_id)


def conflict(
    session: Session,
    patient_id: int | None,
    category: DataCategory,
    what: str,
    updated_at: datetime,
    details: tuple[str, ...] = (),
) -> ConflictError:
    """The message for a save refused by optimistic locking: who saved last, and when, so
    the user can compare before saving again."""
    query = select(AuditEntry.actor, AuditEntry.occurred_at).where(
        AuditEntry.patient_id == patient_id,  # IS NULL for clinic records such as exercises
        AuditEntry.data_category == category,
        AuditEntry.action.in_(
            [
                AuditAction.UPDATE,
                AuditAction.CREATE,
                AuditAction.SIGN,
                AuditAction.DISCARD,
                AuditAction.PERMISSION_CHANGE,
            ]
        ),
        AuditEntry.outcome == AuditOutcome.SUCCESS,
    )
    if details:  # the record's own audit rows, when the category holds many records
        query = query.where(AuditEntry.detail.in_(details))
    last = session.execute(
        query.order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc()).limit(1)
    ).one_or_none()
    who = last[0] if last else "another user"
    when = (last[1] if last else updated_at).astimezone().strftime("%Y-%m-%d %H:%M")
    return ConflictError(
        f"{what}: changed by {who} at {when} while you were editing. "
        "Your changes are kept on screen: reload to see theirs, then save again."
    )
