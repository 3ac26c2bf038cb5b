"""`casemanager-admin backup` onto a disk that fills up: one clear message, and nothing left
behind (no half copy, no SQLite journal of it). Two real ways to fill a disk: a small tmpfs
(when this user may mount one), and a file-size limit set on the process by the kernel."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.services import demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clinic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("full-disk") / "clinic.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=40, seed=2, today=date(2026, 11, 26))
    db.dispose()
    assert path.stat().st_size > 512 * 1024  # bigger than the room the tests leave
    return path


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs: a real file system that runs out of room."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def _admin(url: str, *args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """casemanager-admin in its own process, optionally with a file-size limit (RLIMIT_FSIZE:
    the kernel refuses to let any file this process writes grow past `limit` bytes)."""
    code = textwrap.dedent(
        f"""
        import resource, signal, sys
        if {limit!r} is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write, not a killed process
            resource.setrlimit(resource.RLIMIT_FSIZE, ({limit!r}, {limit!r}))
        from casemanager import cli
        sys.exit(cli.main(sys.argv[1:]))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code, "--database", url, *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
    )


def _check_refused(result: subprocess.CompletedProcess[str], folder: Path) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "OperationalError" not in result.stderr
    assert "Could not write the backup" in result.stderr
    assert "Nothing was kept" in result.stderr
    assert sorted(p.name for p in folder.iterdir() if p.name != "lost+found") == []


def test_a_full_tmpfs(clinic_file: Path, small_disk: Path) -> None:
    before = clinic_file.read_bytes()
    result = _admin(f"sqlite:///{clinic_file}", "backup", str(small_disk / "nightly.sqlite3"))
    _check_refused(result, small_disk)
    assert "the disk is full" in result.stderr
    assert clinic_file.read_bytes() == before


def test_a_file_size_limit(clinic_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    before = clinic_file.read_bytes()
    result = _admin(
        f"sqlite:///{clinic_file}", "backup", str(folder / "nightly.sqlite3"), limit=300_000
    )
    _check_refused(result, folder)
    assert clinic_file.read_bytes() == before
    # With room again, the same backup works.
    done = _admin(f"sqlite:///{clinic_file}", "backup", str(folder / "nightly.sqlite3"))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["nightly.sqlite3"]
