"""Backups: a demo clinic backed up, changed, restored and compared; damaged files refused;
daily copies rotated; a damaged database refused at start; the CLI."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemanager import cli
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import AuditEntry, Patient, Visit
from casemanager.domain.enums import Sex
from casemanager.domain.errors import DomainError
from casemanager.services import accounts, audit_log, backup, demo, patients, setup
from casemanager.services.context import Actor


def _demo(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=40, seed=6, today=date(2026, 11, 26))
    return db


def _counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Patient)) or 0),
            int(session.scalar(select(func.count()).select_from(Visit)) or 0),
        )


def test_backup_change_restore_round_trip(tmp_path: Path) -> None:
    db = _demo(tmp_path / "clinic.sqlite3")
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD, "ws")
    before = _counts(db)
    copy = backup.backup(db, admin, tmp_path / "copies")
    assert copy.parent == tmp_path / "copies" and copy.suffix == ".sqlite3"
    patients.create_patient(
        db, admin, patients.PatientFields("Late", "Addition", date(1990, 1, 1), Sex.MALE)
    )
    assert _counts(db)[0] == before[0] + 1
    db.dispose()

    result = backup.restore(f"sqlite:///{tmp_path / 'clinic.sqlite3'}", copy, tmp_path / "safe")
    assert result.previous_copy is not None and result.previous_copy.exists()
    db = Database(f"sqlite:///{tmp_path / 'clinic.sqlite3'}")
    assert _counts(db) == before
    report = audit_log.verify_chain(db, Actor.command_line(1))
    assert report.broken is None
    with db.session() as session:
        details = list(session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)))
    assert f"restored from backup {copy.name}" in details
    # The copy taken before the restore still has the late patient, and the backup's row.
    kept = Database(f"sqlite:///{result.previous_copy}")
    assert _counts(kept)[0] == before[0] + 1
    with kept.session() as session:
        assert f"backup written: {copy.name}" in session.scalars(select(AuditEntry.detail)).all()
    kept.dispose()
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]  # one file, no -wal
    db.dispose()


def test_damaged_or_foreign_files_are_not_restored(tmp_path: Path) -> None:
    db = _demo(tmp_path / "clinic.sqlite3")
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    before = _counts(db)
    db.dispose()
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(DomainError, match="not a SQLite database"):
        backup.restore(url, garbage, tmp_path / "safe")
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes((tmp_path / "clinic.sqlite3").read_bytes()[:40_000])
    with pytest.raises(DomainError, match="cannot be restored"):
        backup.restore(url, truncated, tmp_path / "safe")
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with other.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (x TEXT)")
    other.dispose()
    with pytest.raises(DomainError, match="not a CaseManager database"):
        backup.restore(url, tmp_path / "other.sqlite3", tmp_path / "safe")
    db = Database(url)
    assert _counts(db) == before  # untouched
    db.dispose()


def test_daily_backups_rotate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _demo(tmp_path / "clinic.sqlite3")
    actor = Actor.command_line(1)
    monkeypatch.setenv(backup.ENV_KEEP, "3")
    folder = tmp_path / "daily"
    first = date(2026, 11, 20)
    for n in range(5):
        assert backup.daily(db, actor, folder, today=first + timedelta(days=n)) is not None
    assert backup.daily(db, actor, folder, today=first + timedelta(days=4)) is None  # done today
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == [f"casemanager-daily-202611{d}.sqlite3" for d in (22, 23, 24)]
    db.dispose()


def test_a_damaged_database_is_refused_at_start(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    _demo(path).dispose()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 40), page):
        data[offset + 8 : offset + 200] = b"\xff" * 192  # scribble over page headers
    path.write_bytes(bytes(data))
    with pytest.raises(DomainError, match="is damaged") as refused:
        setup.open_database(f"sqlite:///{path}", tmp_path / "backups")
    assert "casemanager-admin restore" in refused.value.message
    assert bytes(data) == path.read_bytes()  # nothing written


def test_postgres_is_pointed_to_pg_dump(db: Database, tmp_path: Path) -> None:
    if db.is_sqlite:
        pytest.skip("the SQLite case is the round trip above")
    with pytest.raises(DomainError, match="pg_dump"):
        backup.backup(db, Actor.command_line(1), tmp_path)


def test_cli_backup_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clinic.sqlite3"
    _demo(path).dispose()
    url = f"sqlite:///{path}"
    target = tmp_path / "nightly.sqlite3"
    assert cli.main(["--database", url, "backup", str(target)]) == cli.EXIT_OK
    assert "integrity check passed" in capsys.readouterr().out and target.exists()
    assert cli.main(["--database", url, "restore", str(target), "--yes"]) == cli.EXIT_OK
    assert "Restored from" in capsys.readouterr().out
    missing = tmp_path / "nowhere.sqlite3"
    assert cli.main(["--database", url, "restore", str(missing), "--yes"]) == cli.EXIT_REFUSED
    assert "does not exist" in capsys.readouterr().err


def test_restore_waits_for_a_database_in_use(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "clinic.sqlite3"
    db = _demo(path)
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD, "ws")
    copy = backup.backup(db, admin, tmp_path / "copies")
    patients.create_patient(
        db, admin, patients.PatientFields("Still", "Here", date(1990, 1, 1), Sex.MALE)
    )
    before = _counts(db)
    db.dispose()
    reader = sqlite3.connect(path)  # another workstation in the middle of reading
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM patient").fetchone()
    try:
        with pytest.raises(DomainError, match="in use"):
            backup.restore(f"sqlite:///{path}", copy, tmp_path / "safe")
    finally:
        reader.rollback()
        reader.close()
    db = Database(f"sqlite:///{path}")
    assert _counts(db) == before  # nothing replaced
    db.dispose()
