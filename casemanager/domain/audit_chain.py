"""The audit log's hash chain: each row keeps the previous row's hash and a SHA-256 of that
hash and its own content, so a changed, deleted or reordered row breaks the chain there.

The database already refuses UPDATE and DELETE on `audit_log`; the chain shows tampering by
someone who got past that (a file edited by hand, triggers dropped, a restored backup).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64  # the "previous hash" of the first row


@dataclass(frozen=True)
class ChainedFields:
    """What a row's hash covers: everything it records."""

    occurred_at: datetime
    user_id: int | None
    actor: str
    workstation: str
    patient_id: int | None
    action: str
    data_category: str
    outcome: str
    detail: str | None


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def row_hash(previous: str, fields: ChainedFields) -> str:
    """SHA-256 (hex) of the previous row's hash and this row's content."""
    return hash_values(
        previous,
        fields.occurred_at,
        fields.user_id,
        fields.actor,
        fields.workstation,
        fields.patient_id,
        fields.action,
        fields.data_category,
        fields.outcome,
        fields.detail,
    )


def hash_values(previous: str, occurred_at: datetime, *rest: object) -> str:
    """The same, from the values in ChainedFields order (what `audit verify` reads, a million
    rows at a time). The text hashed is JSON with the time in UTC to the microsecond, so it
    reads the same back from SQLite and PostgreSQL."""
    return hash_at(previous, chain_time(occurred_at), *rest)


def chain_time(occurred_at: datetime) -> str:
    """The time as the hash covers it: UTC to the microsecond."""
    return occurred_at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def hash_at(previous: str, when: str, *rest: object) -> str:
    """hash_values with the time already written by chain_time (many rows, one time)."""
    text = _ENCODE([previous, when + "Z", *rest])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first row where the chain does not hold, and why, in words for clinic IT."""

    row_id: int
    reason: str
