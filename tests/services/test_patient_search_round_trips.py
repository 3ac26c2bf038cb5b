"""One search asks the database as few times as it can, counted on the engine itself: on
PostgreSQL the round trips the driver makes to the server (each costs more than a quick
read on a busy machine), on SQLite the statements the engine runs. The permission check,
the choice of way (patient_search) and the page ride in one statement on PostgreSQL; a
setting, a count or a transaction of their own cannot creep back in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from casemanager.db import patient_search
from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry
from casemanager.domain.enums import AuditOutcome, PatientStatus, Sex
from casemanager.domain.errors import PermissionDenied
from casemanager.services import accounts, patients
from tests.conftest import Staff

TODAY = date(2026, 11, 26)
# On SQLite: the check with the choice of way, then the page (in process: no round trip).
MOST_SQLITE_STATEMENTS = 2
# On PostgreSQL: the one statement, outside a transaction (no BEGIN, no COMMIT). The pool's
# liveness check when the connection is handed out is not the search's and is not counted.
MOST_POSTGRES_ROUND_TRIPS = 1


@contextmanager
def asked(db: Database, folder: Path) -> Iterator[list[str]]:
    """What the database is asked while the block runs: each statement SQLite runs, or each
    message after which psycopg waits for the PostgreSQL server (a Sync or a simple Query)."""
    asks: list[str] = []
    trace = folder / "protocol.txt"

    def handed_out(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if db.is_sqlite:  # a statement's own inner statements (the FTS index's) begin "--"
            dbapi_connection.set_trace_callback(
                lambda sql: None if sql.startswith("--") else asks.append(sql)
            )
        else:
            dbapi_connection.pgconn.trace(handle.fileno())

    def handed_back(dbapi_connection: Any, _record: Any) -> None:
        if db.is_sqlite:
            dbapi_connection.set_trace_callback(None)
        else:
            dbapi_connection.pgconn.untrace()

    with trace.open("w") as handle:
        event.listen(db.engine.pool, "checkout", handed_out)
        event.listen(db.engine.pool, "checkin", handed_back)
        try:
            yield asks
        finally:
            event.remove(db.engine.pool, "checkout", handed_out)
            event.remove(db.engine.pool, "checkin", handed_back)
    if not db.is_sqlite:
        for line in trace.read_text().splitlines():
            fields = line.split("\t")
            if len(fields) > 3 and fields[1] == "F" and fields[3] in ("Sync", "Query"):
                asks.append(fields[3] + " " + fields[-1][:80])


def _add(db: Database, staff: Staff, given: str, family: str) -> None:
    fields = patients.PatientFields(
        given, family, date(1970, 5, 17), Sex.FEMALE, status=PatientStatus.ACTIVE
    )
    patients.create_patient(db, staff.therapist, fields, today=TODAY)


@pytest.mark.parametrize("few", [patient_search.FEW, 1])
def test_one_search_is_one_round_trip(
    db: Database, staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """`few` = 1 sends the common pieces down the list-order way."""
    monkeypatch.setattr(patient_search, "FEW", few)
    for given, family in [("Ana", "Nguyen"), ("Bao", "Nguyen"), ("Li", "Wang"), ("Mara", "Li")]:
        _add(db, staff, given, family)
    most = MOST_SQLITE_STATEMENTS if db.is_sqlite else MOST_POSTGRES_ROUND_TRIPS
    searches = ["nguyen", "li", "a", "ng a", "", "li wang", "zz"]
    for text in searches * 7:  # the driver prepares a statement after a few runs
        query = patients.PatientQuery(text, status=PatientStatus.ACTIVE)
        expected = patients.find_patients(db, staff.manager, query)
        with asked(db, tmp_path) as asks:
            found = patients.find_patients(db, staff.manager, query)
        assert found == expected
        assert len(asks) <= most, (text, asks)
    first = patients.find_patients(db, staff.manager, patients.PatientQuery("a"), limit=2)
    with asked(db, tmp_path) as asks:
        second = patients.find_patients(
            db, staff.manager, patients.PatientQuery("a"), offset=2, limit=2
        )
    assert len(asks) <= most and not {p.id for p in first} & {p.id for p in second}


def _refusals(db: Database) -> int:
    with db.session() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    AuditEntry.outcome == AuditOutcome.DENIED,
                    AuditEntry.detail == "account deactivated",
                )
            )
            or 0
        )


def test_a_refusal_is_still_explained_and_audited(db: Database, staff: Staff) -> None:
    """The check in the statement finds the account deactivated: the refusal is the one every
    use case gives, with its audit row."""
    _add(db, staff, "Ana", "Nguyen")
    accounts.set_active(db, staff.admin, staff.manager.user_id or 0, False)
    for n, text in enumerate(("nguyen", "a", "", "ana\x00"), start=1):
        with pytest.raises(PermissionDenied, match="deactivated"):  # before the text's fault
            patients.find_patients(db, staff.manager, patients.PatientQuery(text))
        assert _refusals(db) == n
