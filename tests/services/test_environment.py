"""Storage trouble a person can fix gets a specific message, not a crash report."""

from __future__ import annotations

import errno
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from casemanager.db import engine as engine_module
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain.enums import Sex
from casemanager.services import environment, patients, setup
from tests.conftest import TEST_PASSWORD


def test_locked_database_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "locked.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    admin = setup.create_clinic(
        db, setup.NewClinic("Clinic", "owner", "Owner", TEST_PASSWORD), workstation="ws"
    )
    other = sqlite3.connect(path)  # another workstation holds the write lock
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError) as caught:
            patients.create_patient(
                db, admin, patients.PatientFields("Ana", "Silva", date(1970, 1, 1), Sex.FEMALE)
            )
        message = environment.describe(caught.value)
        assert message is not None and "busy" in message and "nothing you typed" in message
    finally:
        other.rollback()
        other.close()
        db.dispose()


def test_disk_full_and_unknown_errors() -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    assert "disk is full" in (environment.describe(full) or "")
    assert environment.describe(ValueError("a bug")) is None


def test_read_only_database_message_and_nothing_written(tmp_path: Path) -> None:
    from sqlalchemy import event, func, select

    from casemanager.db.models import Patient

    path = tmp_path / "readonly.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    admin = setup.create_clinic(
        db, setup.NewClinic("Clinic", "owner", "Owner", TEST_PASSWORD), workstation="ws"
    )
    db.dispose()
    # The file as a read-only share presents it (root ignores file permissions, so SQLite's
    # own read-only switch stands in for them).
    event.listen(db.engine, "connect", lambda conn, _rec: conn.execute("PRAGMA query_only=ON"))
    with pytest.raises(OperationalError) as caught:
        patients.create_patient(
            db, admin, patients.PatientFields("Ana", "Silva", date(1970, 1, 1), Sex.FEMALE)
        )
    message = environment.describe(caught.value)
    assert message is not None and "read-only" in message
    db.dispose()
    plain = Database(f"sqlite:///{path}")
    with plain.session() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 0
    plain.dispose()


def test_a_missing_folder_is_not_made_into_a_new_clinic(tmp_path: Path) -> None:
    from casemanager.domain.errors import DomainError

    gone = tmp_path / "unmounted-share" / "clinic.sqlite3"
    with pytest.raises(DomainError, match="does not exist") as refused:
        setup.open_database(f"sqlite:///{gone}", None)
    assert "drive or network share" in refused.value.message
    assert not gone.parent.exists()
