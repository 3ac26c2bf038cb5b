"""A workstation whose CaseManager is older than the database's schema (another workstation
upgraded it) writes nothing: each write is refused with what to do, and rolled back.
Reading still works; a schema this version knows is written to as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import func, select, text

from casemanager.db import migrate
from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Patient
from casemanager.domain.enums import Sex
from casemanager.domain.errors import DomainError, NewerSchema
from casemanager.services import accounts, patients
from tests.conftest import TEST_PASSWORD, Staff

FUTURE = "0999_from_a_newer_casemanager"


@contextmanager
def stamped(db: Database, revision: str) -> Iterator[None]:
    """The database's alembic_version says `revision` meanwhile (as an upgrade elsewhere
    leaves it), then the head again."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE alembic_version SET version_num = :r"),
                {"r": migrate.head_revision()},
            )


def _counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Patient)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def _new_patient(db: Database, staff: Staff) -> patients.PatientRecord:
    return patients.create_patient(
        db, staff.therapist, patients.PatientFields("Hoa", "Đặng", date(1971, 3, 9), Sex.FEMALE)
    )


def test_a_newer_schema_refuses_every_write_and_keeps_nothing(db: Database, staff: Staff) -> None:
    before = _counts(db)
    with stamped(db, FUTURE):
        with pytest.raises(NewerSchema) as refused:
            _new_patient(db, staff)
        assert refused.value.message == (
            f"This database was upgraded by a newer CaseManager (revision {FUTURE}). Install "
            "the newer version on this workstation; nothing was saved here."
        )
        assert _counts(db) == before  # the patient and its audit row rolled back together
        # Logging in writes its audit row: refused the same way, before anyone starts work.
        with pytest.raises(NewerSchema):
            accounts.authenticate(db, "rivera", TEST_PASSWORD, "old-ws")
        # A read that writes nothing still works (a patient's record is audited as read:
        # that is a write, refused like the others).
        assert patients.count_patients(db, staff.therapist) == before[0]
        assert _counts(db) == before
    # Once this workstation's version is the database's again, writes go through.
    _new_patient(db, staff)
    assert _counts(db)[0] == before[0] + 1


def test_an_older_known_schema_is_refused_too(db: Database, staff: Staff) -> None:
    older = "0024"
    assert migrate.is_known_revision(older) and older != migrate.head_revision()
    with stamped(db, older), pytest.raises(DomainError, match="Restart CaseManager"):
        _new_patient(db, staff)


def test_reading_alone_never_checks(db: Database, staff: Staff) -> None:
    """A transaction that only read commits without reading the revision: lists and
    searches pay nothing."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    from sqlalchemy import event

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.session() as session:
            session.scalar(select(func.count()).select_from(Patient))
        assert not any("alembic_version" in s for s in statements)
        statements.clear()
        _new_patient(db, staff)
        assert sum("alembic_version" in s for s in statements) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
