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
