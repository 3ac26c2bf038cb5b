"""Copying, checking and encrypting embedded (SQLite) database files: the pieces backups,
restores, the start-up check and `casemanager-admin encrypt` are made of. A `key` is the
passphrase of a file encrypted with SQLCipher (the `sqlcipher3` package); None is plain."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casemanager.db.engine import SQLITE_HEADER
from casemanager.domain.errors import DomainError
from casemanager.output_files import fsync_folder


def encryption_available() -> bool:
    try:
        import sqlcipher3  # noqa: F401 - only whether it imports
    except ImportError:
        return False
    return True


def _quoted(key: str) -> str:
    return "'" + key.replace("'", "''") + "'"


def connect(path: Path, key: str | None = None) -> Any:
    """A DB-API connection: sqlite3 for a plain file, sqlcipher3 with the key for an encrypted
    one (SQLCipher derives the real key from the passphrase with PBKDF2)."""
    if key is None:
        return sqlite3.connect(path)
    import sqlcipher3

    connection = sqlcipher3.connect(str(path))
    # SQLCipher prints "ERROR CORE ... hmac check failed" lines to the terminal for a wrong
    # passphrase; callers say it in one sentence instead. (The setting is process-wide.)
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = {_quoted(key)}")
    return connection


def opens_with(path: Path, key: str) -> bool:
    """Whether the passphrase opens the encrypted file (a page is read and checked)."""
    connection = connect(path, key)
    try:
        connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return True
    except Exception as error:  # sqlcipher3's DatabaseError: "file is not a database"
        if not type(error).__name__.endswith("DatabaseError"):
            raise
        return False
    finally:
        connection.close()


COPY_STEP_PAGES = 1024  # pages copied between two progress reports (4 MiB at 4 KiB a page)


def copy_online(
    source: Path,
    target: Path,
    key: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """A consistent copy through SQLite's backup API (safe while others read or write the
    source), written beside the target and renamed into place, so a failure half-way (a full
    disk) never leaves a partial file under the target's name. `progress` hears (bytes
    copied, bytes in all) after each step."""
    partial = target.with_name(target.name + ".partial")
    remove_with_working_files(partial)
    src = connect(source, key)
    try:
        dest = connect(partial, key)  # an encrypted database's copy has the same key
        try:
            if progress is None:
                src.backup(dest)
            else:
                page = int(src.execute("PRAGMA page_size").fetchone()[0])

                def copied(_status: int, remaining: int, pages: int) -> None:
                    progress((pages - remaining) * page, pages * page)

                src.backup(dest, pages=COPY_STEP_PAGES, progress=copied)
            # One self-contained file (the source's WAL mode would leave -wal/-shm beside it).
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
        os.replace(partial, target)
    except BaseException:
        # A full disk stops SQLite half-way: its journal of the copy goes with the copy.
        remove_with_working_files(partial)
        raise
    finally:
        src.close()
    fsync_folder(target.parent)


def remove_with_working_files(path: Path) -> None:
    """A copy that did not finish, and the journal or log SQLite kept beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def quiesce(path: Path, key: str | None = None) -> None:
    """Make sure nobody has the file open, then fold its write-ahead log into it, before it is
    replaced. An exclusive lock in WAL mode is refused while any other connection has the
    file open, even an idle app on another computer, so such a file is not replaced under it."""
    connection = connect(path, key)
    try:
        connection.isolation_level = None  # our own BEGIN below
        connection.execute("PRAGMA busy_timeout = 1000")
        connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            connection.execute("COMMIT")
        except Exception as error:  # sqlite3's or sqlcipher3's OperationalError
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            raise DomainError(
                f"{path} is in use: CaseManager is open on this or another computer. Close "
                "it everywhere, then try again. Nothing was changed."
            ) from None
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.close()


def drop_leftovers(path: Path) -> None:
    """The -wal and -shm files of a file just replaced: an old log must never be replayed
    into the new file."""
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def problems(path: Path, *, quick: bool = False, key: str | None = None) -> str | None:
    """None when the file is a sound SQLite database, else what is wrong, in words.
    `quick` runs PRAGMA quick_check (seconds on a big file) instead of integrity_check."""
    if not path.is_file():
        return "the file does not exist"
    if key is None:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return "it is not a SQLite database (or it is encrypted)"
    try:
        # Not read-only: SQLite cannot open a WAL-mode file read-only without its -shm file.
        connection = connect(path, key)
        try:
            pragma = "quick_check" if quick else "integrity_check"
            rows = connection.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            connection.close()
    except Exception as error:  # sqlite3's or sqlcipher3's DatabaseError, whichever read it
        if not type(error).__name__.endswith("DatabaseError"):
            raise
        if key is not None and "not a database" in str(error):
            return "the passphrase does not open it (or it is damaged)"
        return f"SQLite cannot read it ({error})"
    if rows == [("ok",)]:
        return None
    return f"SQLite found damage ({rows[0][0]})"


def has_sqlite_header(path: Path) -> bool:
    """A plain SQLite file (an encrypted one is noise from its first byte)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def schema_revision(path: Path, key: str | None = None) -> str | None:
    """The Alembic revision a CaseManager file is at (read, not opened for writing)."""
    connection = connect(path, key)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        connection.close()
    return None if row is None else str(row[0])


def is_casemanager_file(path: Path, key: str | None = None) -> bool:
    """Holds the tables a CaseManager database has (checked before a restore replaces one)."""
    connection = connect(path, key)
    try:
        names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    return {"alembic_version", "clinic", "patient", "audit_log"} <= names


ENCRYPT_STEPS = 3  # counting the rows, writing the encrypted copy, checking it


def encrypt(plain: Path, key: str, progress: Callable[[int, int], None] | None = None) -> None:
    """Turn a plain database file into an encrypted one in place, with SQLCipher's export.
    The encrypted copy is checked (integrity, same tables and row counts) before it replaces
    the plain file; until then the plain file is untouched. SQLCipher writes the copy in one
    call, so `progress` hears the steps done of ENCRYPT_STEPS."""
    step = progress or (lambda _done, _total: None)
    target = plain.with_name(plain.name + ".encrypting")
    target.unlink(missing_ok=True)
    import sqlcipher3

    quiesce(plain)
    source = sqlcipher3.connect(str(plain))  # no key: reads the plain file
    try:
        version = source.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts = {t: source.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        step(1, ENCRYPT_STEPS)
        source.execute(f"ATTACH DATABASE {_quoted(str(target))} AS encrypted KEY {_quoted(key)}")
        source.execute("SELECT sqlcipher_export('encrypted')")
        source.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        source.execute("DETACH DATABASE encrypted")
        step(2, ENCRYPT_STEPS)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    problem = problems(target, key=key)
    check = connect(target, key)
    try:
        copied = {t: check.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        check.close()
    if problem is not None or copied != counts:
        target.unlink(missing_ok=True)
        raise OSError(f"the encrypted copy did not check out ({problem or 'row counts differ'})")
    os.replace(target, plain)
    drop_leftovers(plain)
    step(3, ENCRYPT_STEPS)
