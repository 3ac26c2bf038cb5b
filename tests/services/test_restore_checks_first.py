"""Restore checks everything before it touches the database: a backup from a newer schema,
of the wrong encryption state, damaged, or not CaseManager's, is refused and the database
file is the same, byte for byte; an older backup is upgraded on a copy first."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemanager import cli, config
from casemanager.db import sqlite_files
from casemanager.db.engine import Database
from casemanager.db.migrate import head_revision, upgrade
from casemanager.db.models import Patient
from casemanager.domain.errors import DomainError
from casemanager.services import accounts, backup, demo


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A closed demo clinic and a checked backup of it."""
    folder = tmp_path_factory.mktemp("restore")
    path = folder / "clinic.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=15, seed=3, today=date(2026, 11, 26))
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD, "ws")
    copy = backup.backup(db, admin, folder / "copies")
    db.dispose()
    return path, copy


@pytest.fixture
def clinic(template: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "live").mkdir()
    path = tmp_path / "live" / "clinic.sqlite3"
    copy = tmp_path / "backup.sqlite3"
    shutil.copy(template[0], path)
    shutil.copy(template[1], copy)
    return path, copy


def _set_revision(path: Path, revision: str) -> None:
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    connection.commit()
    connection.close()


def test_a_backup_from_a_newer_version_is_refused_before_anything_changes(
    clinic: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, copy = clinic
    _set_revision(copy, "9999")
    before = path.read_bytes()
    safe = tmp_path / "safe"
    url = f"sqlite:///{path}"
    assert cli.main(["--database", url, "restore", str(copy), "--yes"]) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "newer CaseManager (schema 9999)" in err and "Nothing was changed" in err
    with pytest.raises(DomainError, match="newer CaseManager"):
        backup.restore(url, copy, safe)
    assert path.read_bytes() == before  # byte for byte
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no staged copy left
    assert not safe.exists() or list(safe.iterdir()) == []  # nothing even copied aside
    # The clinic still opens, migrates and verifies.
    assert cli.main(["--database", url, "migrate", "--check"]) == cli.EXIT_OK
    assert cli.main(["--database", url, "audit", "verify"]) == cli.EXIT_OK


def test_an_older_backup_is_upgraded_on_a_copy_first(
    clinic: tuple[Path, Path], tmp_path: Path
) -> None:
    from tests.db.older import demo_clinic_at

    path, _copy = clinic
    (tmp_path / "older").mkdir()
    demo_clinic_at(tmp_path / "older", "0011", patients=5, seed=1).dispose()
    older = tmp_path / "older" / "clinic.sqlite3"
    result = backup.restore(f"sqlite:///{path}", older, tmp_path / "safe")
    assert result.upgraded_from == "0011"
    assert sqlite_files.schema_revision(path) == head_revision()
    assert sqlite_files.schema_revision(older) == "0011"  # the backup itself is untouched


@pytest.mark.parametrize("problem", ["damaged", "foreign"])
def test_other_refusals_leave_the_database_alone(
    clinic: tuple[Path, Path], tmp_path: Path, problem: str
) -> None:
    path, copy = clinic
    if problem == "damaged":
        data = bytearray(copy.read_bytes())
        for offset in range(4096 * 3, min(len(data), 4096 * 30), 4096):
            data[offset + 8 : offset + 200] = b"\xff" * 192
        copy.write_bytes(bytes(data))
    else:
        connection = sqlite3.connect(copy)
        connection.execute("DROP TABLE audit_log")
        connection.commit()
        connection.close()
    before = path.read_bytes()
    with pytest.raises(DomainError):
        backup.restore(f"sqlite:///{path}", copy, tmp_path / "safe")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_encryption_state_must_match(clinic: tuple[Path, Path], tmp_path: Path) -> None:
    pytest.importorskip("sqlcipher3", reason="SQLCipher wheels exist for Linux x86-64 only")
    from casemanager.services import encryption

    path, plain_copy = clinic
    passphrase = "harbor tide lantern 42"
    done = encryption.encrypt_database(f"sqlite:///{path}", passphrase)
    before = path.read_bytes()
    # A plain backup would put readable records back on the disk of an encrypted clinic.
    with pytest.raises(DomainError, match="is not encrypted, but the database"):
        backup.restore(done.url, plain_copy, tmp_path / "safe")
    assert path.read_bytes() == before
    # An encrypted backup cannot go into a plain clinic.
    other = tmp_path / "plain" / "clinic.sqlite3"
    other.parent.mkdir()
    shutil.copy(plain_copy, other)
    other_before = other.read_bytes()
    with pytest.raises(DomainError, match="is encrypted, but the database"):
        backup.restore(f"sqlite:///{other}", path, tmp_path / "safe")
    assert other.read_bytes() == other_before
    # The same state and passphrase: restored, and still encrypted.
    db = Database(done.url)
    encrypted_copy = backup.backup(
        db, accounts.authenticate(db, "admin", demo.DEMO_PASSWORD, "ws"), tmp_path / "enc"
    )
    db.dispose()
    backup.restore(done.url, encrypted_copy, tmp_path / "safe")
    assert config.looks_encrypted(path)
    db = Database(done.url)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 15
    db.dispose()
