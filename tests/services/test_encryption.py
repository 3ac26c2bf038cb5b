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
    # The passphrase never goes on the command line (the process list shows it to anyone).
    secret = config.encrypted_url(path, PASSPHRASE)
    assert cli.main(["--database", secret, "audit", "verify"]) == cli.EXIT_REFUSED
    passphrase_file = tmp_path / "passphrase.txt"
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    args = ["--database", url, "--passphrase-file", str(passphrase_file), "audit", "verify"]
    assert cli.main(args) == cli.EXIT_OK
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    assert cli.main(["--database", url, "--passphrase-stdin", "audit", "verify"]) == cli.EXIT_OK
    monkeypatch.setattr("getpass.getpass", lambda _prompt: PASSPHRASE)
    assert cli.main(["--database", url, "audit", "verify"]) == cli.EXIT_OK


def test_cli_never_takes_the_passphrase_from_the_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clinic.sqlite3"
    _demo(path)
    url = config.encrypted_url(path, PASSPHRASE)
    for command in (["migrate", "--check"], ["backup", str(tmp_path)], ["encrypt"]):
        assert cli.main(["--database", url, *command]) == cli.EXIT_REFUSED
        err = capsys.readouterr().err
        assert "Do not put the passphrase in the database URL" in err
        assert PASSPHRASE.replace(" ", "%20") not in err and PASSPHRASE not in err


def test_a_wrong_passphrase_is_one_clear_message(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not SQLCipher's own 'ERROR CORE ... hmac check failed' lines on the terminal."""
    path = tmp_path / "clinic.sqlite3"
    _demo(path)
    encryption.encrypt_database(f"sqlite:///{path}", PASSPHRASE)
    capfd.readouterr()
    for command in (["audit", "verify"], ["migrate", "--check"], ["caseload"]):
        monkeypatch.setattr("sys.stdin", io.StringIO("not the passphrase at all\n"))
        args = ["--database", f"sqlite:///{path}", "--passphrase-stdin", *command]
        assert cli.main(args) == cli.EXIT_REFUSED
        err = capfd.readouterr().err  # file descriptor 2: what SQLCipher itself prints too
        assert "ERROR CORE" not in err
        assert err.strip().splitlines() == [
            f"casemanager-admin: That passphrase does not open {path}. Check it (capitals and "
            "spaces count) and try again. Nothing was changed."
        ]
    with pytest.raises(WrongPassphrase):
        setup.open_database(config.encrypted_url(path, "not the passphrase"), None)
    assert "ERROR CORE" not in capfd.readouterr().err


def test_every_plain_copy_under_the_data_folder_is_listed_and_can_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Backups, a copy left by a restore that was stopped (`...before-restore.sqlite3.partial`)
    and a journal: all hold readable records once the clinic is encrypted."""
    data = config.data_dir()
    path = data / "casemanager.sqlite3"
    _demo(path)
    backups = config.backup_dir()
    left = [
        backups / "casemanager-20261120T010203Z-before-restore.sqlite3.partial",
        backups / "daily" / "casemanager-daily-20261125.sqlite3",
        data / "casemanager.sqlite3.restoring",
        backups / "renamed-by-someone.bak",
    ]
    for copy in left:
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
    journal = backups / "old.sqlite3-journal"
    journal.write_bytes(bytes.fromhex("d9d505f920a163d7") + b"\0" * 500)
    notes = backups / "notes.txt"
    notes.write_text("not a database", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    assert cli.main(["encrypt", "--passphrase-stdin"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "5 unencrypted database files remain" in out
    for copy in [*left, journal]:
        assert f"  {copy}" in out and copy.exists()
    assert str(notes) not in out and "PASSPHRASE@" not in out
    assert "--passphrase-file" in out  # what the message now recommends

    done = encryption.plain_copies(data, path)
    assert sorted(done) == sorted([*left, journal])
    gone = encryption.delete_plain_copies(config.encrypted_url(path, PASSPHRASE), done)
    assert sorted(gone) == sorted(done) and not any(p.exists() for p in done)
    assert notes.exists() and path.exists()


def test_cli_restore_of_an_encrypted_clinic_asks_for_the_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clinic.sqlite3"
    _demo(path)
    url = f"sqlite:///{path}"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    assert cli.main(["--database", url, "encrypt", "--passphrase-stdin"]) == cli.EXIT_OK
    copy = tmp_path / "copy.sqlite3"
    monkeypatch.setattr("getpass.getpass", lambda _prompt: PASSPHRASE)
    assert cli.main(["--database", url, "backup", str(copy)]) == cli.EXIT_OK
    assert config.looks_encrypted(copy)
    assert cli.main(["--database", url, "restore", str(copy), "--yes"]) == cli.EXIT_OK
    assert "Restored from" in capsys.readouterr().out
    monkeypatch.setattr("getpass.getpass", lambda _prompt: "a wrong passphrase")
    before = path.read_bytes()
    assert cli.main(["--database", url, "restore", str(copy), "--yes"]) == cli.EXIT_REFUSED
    assert "does not open" in capsys.readouterr().err
    assert path.read_bytes() == before
