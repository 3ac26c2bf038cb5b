"""The one way a user-named file is written (casemanager/output_files.py): what it refuses,
and that a write which fails half-way (an error, a full disk) leaves the old file whole and
no temporary file behind. The app's caseload CSV/PDF and audit CSV saves call exactly these."""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from casemanager import config, output_files
from casemanager.services import audit_log
from casemanager.services.context import Actor


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "clinic" / "clinic.sqlite3"
    path.parent.mkdir()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE patient (name TEXT)")
    connection.execute("INSERT INTO patient VALUES ('Ada')")
    connection.commit()
    connection.close()
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_the_live_database_and_its_working_files_are_refused(database: Path, suffix: str) -> None:
    target = Path(str(database) + suffix)
    before = database.read_bytes()
    with pytest.raises(output_files.OutputRefused, match="clinic's database"):
        output_files.write_bytes(target, b"a,b\r\n", databases=[database])
    with pytest.raises(output_files.OutputRefused):
        output_files.check_folder(target, databases=[database])
    assert database.read_bytes() == before
    assert _listing(database.parent) == [database.name]


def test_the_default_database_is_protected_without_being_named() -> None:
    """A writer that forgets to pass the live file still cannot hit the embedded database."""
    default = config.default_sqlite_path()
    encrypted = bytes(range(256)) * 16  # noise in whole pages, as SQLCipher writes
    default.write_bytes(encrypted)
    for target in (default, Path(str(default) + "-wal")):
        with pytest.raises(output_files.OutputRefused, match="clinic's database"):
            output_files.write_bytes(target, b"x")
    assert default.read_bytes() == encrypted


def test_any_database_and_its_working_files_are_refused(database: Path, tmp_path: Path) -> None:
    other = tmp_path / "report.csv"  # named like an output, but holding a database
    shutil.copy(database, other)
    with pytest.raises(output_files.OutputRefused, match="is a database file"):
        output_files.write_bytes(other, b"x")
    encrypted = tmp_path / "old-backup.sqlite3"
    encrypted.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(output_files.OutputRefused, match="is a database file"):
        output_files.write_bytes(encrypted, b"x")
    with pytest.raises(output_files.OutputRefused, match="working file of the database"):
        output_files.write_bytes(tmp_path / "report.csv-journal", b"x")
    with pytest.raises(output_files.OutputRefused, match="is a folder"):
        output_files.write_bytes(tmp_path, b"x")


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "caseload.csv"
    target.write_bytes(b"the old figures\r\n")
    with pytest.raises(RuntimeError), output_files.replacing(target) as out:
        out.write(b"half of the new")
        raise RuntimeError("the export stopped")
    assert target.read_bytes() == b"the old figures\r\n"
    assert _listing(tmp_path) == ["caseload.csv"]


def test_the_audit_csv_save_refuses_the_database(database: Path) -> None:
    """The app's audit-log save: the check comes before the export, so the refusal costs no
    audit row and reads nothing."""
    before = database.read_bytes()
    with pytest.raises(output_files.OutputRefused):  # noqa: SIM117 - the order is the point
        with output_files.replacing(database, databases=[database], text=True) as out:
            audit_log.export_csv(None, Actor.command_line(1), audit_log.AuditFilter(), out)  # type: ignore[arg-type]
    assert database.read_bytes() == before


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_a_full_disk_leaves_the_old_file_and_no_temporary_one(small_disk: Path) -> None:
    target = small_disk / "Caseload report.pdf"
    target.write_bytes(b"%PDF the old report")
    with pytest.raises(output_files.OutputRefused, match="not enough room"):
        output_files.write_bytes(target, b"%PDF" + b"x" * 200_000)
    assert target.read_bytes() == b"%PDF the old report"
    assert _listing(small_disk) == [target.name]


def test_standard_output_to_the_database_is_refused(database: Path) -> None:
    with database.open("ab") as handle:
        with pytest.raises(output_files.OutputRefused, match="Standard output goes to"):
            output_files.check_stream(handle, databases=[database])
    output_files.check_stream(io.StringIO(), databases=[database])  # not a file: fine


def test_a_name_at_the_length_limit_still_gets_a_temporary_name(tmp_path: Path) -> None:
    target = tmp_path / ("患" * 83 + ".pdf")  # 253 bytes: no room for a longer name beside it
    output_files.write_bytes(target, b"%PDF plan")
    assert target.read_bytes() == b"%PDF plan"
    assert _listing(tmp_path) == [target.name]


def test_a_folder_of_outputs_refuses_what_check_refuses(database: Path, tmp_path: Path) -> None:
    """A batch checks each file once against the folder's protected files, found once: the
    live database and its working files (existing or not yet), a link to them, a database
    file, a folder, and any name that would leave the folder are all refused."""
    folder = output_files.OutputFolder(database.parent, databases=[database])
    (database.parent / "plans").mkdir()
    (database.parent / "backup.sqlite3").write_bytes(database.read_bytes())
    (database.parent / "link.pdf").symlink_to(database)
    (database.parent / "old.pdf").write_bytes(b"%PDF old")
    for name, why in [
        ("clinic.sqlite3", "clinic's database"),
        ("clinic.sqlite3-journal", "clinic's database"),  # not there now, refused all the same
        ("link.pdf", "clinic's database"),
        ("backup.sqlite3", "is a database file"),
        ("backup.sqlite3-wal", "working file of the database"),
        ("plans", "is a folder"),
        ("../outside.pdf", "would not be a file in"),
        ("plans/inside.pdf", "would not be a file in"),
        ("..", "would not be a file in"),
        ("", "would not be a file in"),
    ]:
        with pytest.raises(output_files.OutputRefused, match=why):
            folder.check(name)
        if why != "would not be a file in":  # the single-file check says the same
            with pytest.raises(output_files.OutputRefused, match=why):
                output_files.check(database.parent / name, databases=[database])
    assert folder.check("new.pdf") == database.parent / "new.pdf"
    assert folder.check("old.pdf") == database.parent / "old.pdf"  # a plan replaced: fine
    assert not (tmp_path / "outside.pdf").exists()
    with pytest.raises(output_files.OutputRefused, match="clinic's database"):
        output_files.OutputFolder(database, databases=[database])
