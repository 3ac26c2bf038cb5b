"""Copying and checking embedded (SQLite) database files: the pieces backups, restores and the
start-up check are made of."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from casemanager.db.engine import SQLITE_HEADER


def copy_online(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (safe while others read or write the
    source), written beside the target and renamed into place, so a failure half-way (a full
    disk) never leaves a partial file under the target's name."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    try:
        dest = sqlite3.connect(partial)
        try:
            src.backup(dest)
            # One self-contained file (the source's WAL mode would leave -wal/-shm beside it).
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, target)


def problems(path: Path, *, quick: bool = False) -> str | None:
    """None when the file is a sound SQLite database, else what is wrong, in words.
    `quick` runs PRAGMA quick_check (seconds on a big file) instead of integrity_check."""
    if not path.is_file():
        return "the file does not exist"
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return "it is not a SQLite database (or it is encrypted)"
    try:
        # Not read-only: SQLite cannot open a WAL-mode file read-only without its -shm file.
        connection = sqlite3.connect(path)
        try:
            pragma = "quick_check" if quick else "integrity_check"
            rows = connection.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return f"SQLite cannot read it ({error})"
    if rows == [("ok",)]:
        return None
    return f"SQLite found damage ({rows[0][0]})"


def is_casemanager_file(path: Path) -> bool:
    """Holds the tables a CaseManager database has (checked before a restore replaces one)."""
    connection = sqlite3.connect(path)
    try:
        names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    return {"alembic_version", "clinic", "patient", "audit_log"} <= names
