"""Encryption at rest (SQLCipher): converting a demo clinic, what an encrypted file looks like
to plain SQLite, the wrong passphrase, backups that stay encrypted, and the CLI (the start
window: tests/ui/test_encrypted_start.py). Needs the sqlcipher3 package (installed with the
app on Linux x86-64)."""

from __future__ import annotations

import io
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemanager import cli, config
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import Patient
from casemanager.domain.errors import DomainError, ValidationError, WrongPassphrase
from casemanager.services import accounts, audit_log, backup, demo, encryption, setup

pytest.importorskip("sqlcipher3", reason="SQLCipher wheels exist for Linux x86-64 only")

PASSPHRASE = "harbor tide lantern 42"


def _demo(path: Path) -> int:
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=30, seed=9, today=date(2026, 11, 26))
    with db.session() as session:
        count = int(session.scalar(select(func.count()).select_from(Patient)) or 0)
    db.dispose()
    return count


def test_encrypting_a_clinic(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    patients = _demo(path)
    plain = sqlite3.connect(path)
    names = plain.execute("SELECT family_name FROM patient LIMIT 1").fetchone()
    plain.close()
    with pytest.raises(ValidationError, match="at least 12"):
        encryption.encrypt_database(f"sqlite:///{path}", "short")
    done = encryption.encrypt_database(f"sqlite:///{path}", PASSPHRASE, tmp_path)
    raw = path.read_bytes()
    assert not raw.startswith(config.SQLITE_HEADER) and config.looks_encrypted(path)
    assert names[0].encode() not in raw  # no patient name readable in the file
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT COUNT(*) FROM patient").fetchone()

    db, _result = setup.open_database(done.url, tmp_path / "backups")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == patients
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD, "ws")
    assert audit_log.verify_chain(db, admin).broken is None
    # Backups of an encrypted clinic are encrypted with the same passphrase.
    copy = backup.backup(db, admin, tmp_path / "copies")
    assert config.looks_encrypted(copy)
    db.dispose()
    restored = backup.restore(done.url, copy, tmp_path / "safe")
    assert restored.previous_copy is not None and config.looks_encrypted(restored.previous_copy)

    with pytest.raises(WrongPassphrase, match="does not open"):
        setup.open_database(config.encrypted_url(path, "not the passphrase"), None)
    with pytest.raises(DomainError, match="already encrypted"):
        encryption.encrypt_database(f"sqlite:///{path}", PASSPHRASE)


def test_postgres_is_not_encrypted_here() -> None:
    with pytest.raises(DomainError, match="disk encryption"):
        encryption.encrypt_database("postgresql+psycopg://x@server/db", PASSPHRASE)


def test_cli_encrypt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "clinic.sqlite3"
    _demo(path)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    url = f"sqlite:///{path}"
    assert cli.main(["--database", url, "encrypt", "--passphrase-stdin"]) == cli.EXIT_OK
    assert config.looks_encrypted(path)
    secret = config.encrypted_url(path, PASSPHRASE)
    assert cli.main(["--database", secret, "audit", "verify"]) == cli.EXIT_OK
