"""Backups of the embedded database: on demand, daily with rotation, and restore. Every copy is
checked with SQLite's integrity check before it counts as a backup.

A clinic server (PostgreSQL) is backed up with its own tools; docs/backups.md says how.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from casemanager.db import migrate, sqlite_files
from casemanager.db.engine import Database
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import DomainError
from casemanager.services import audit
from casemanager.services.context import Actor, Progress, no_progress

ENV_KEEP = "CASEMANAGER_BACKUP_KEEP"
DEFAULT_KEEP = 14  # daily copies: two weeks back
DAILY_PREFIX = "casemanager-daily-"
POSTGRES_MESSAGE = (
    "This clinic's database is on a PostgreSQL server: back it up there with pg_dump "
    "(see docs/backups.md), not with CaseManager."
)


def keep_count() -> int:
    """How many daily backups to keep: CASEMANAGER_BACKUP_KEEP (1 to 365), else 14."""
    text = os.environ.get(ENV_KEEP, "").strip()
    try:
        return min(max(int(text), 1), 365) if text else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def _source(db: Database) -> Path:
    if not db.is_sqlite:
        raise DomainError(POSTGRES_MESSAGE)
    path = db.sqlite_path
    if path is None:
        raise DomainError("An in-memory database cannot be backed up.")
    return path


def _write_checked(
    source: Path, target: Path, key: str | None, progress: Progress = no_progress, stage: str = ""
) -> None:
    """A checked copy; an encrypted database's copies are encrypted with the same key."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sqlite_files.copy_online(
            source, target, key, lambda done, total: progress(done, total, stage)
        )
    except OSError as error:
        raise DomainError(
            f"Could not write the backup to {target.parent}: {error.strerror or error}. "
            "Check that the folder exists, is writable and has room."
        ) from None
    problem = sqlite_files.problems(target, key=key)
    if problem is not None:
        target.unlink(missing_ok=True)
        raise DomainError(f"The backup copy failed its check ({problem}); nothing was kept.")


def backup(db: Database, actor: Actor, destination: Path, progress: Progress = no_progress) -> Path:
    """Copy the database to `destination` (a folder, or a file name ending .sqlite3);
    `progress` hears the bytes copied."""
    source = _source(db)
    if destination.is_dir() or destination.suffix == "":
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = destination / f"casemanager-{stamp}.sqlite3"
    else:
        target = destination
    if target.resolve() == source.resolve():
        raise DomainError("The backup cannot overwrite the database itself. Choose another place.")
    _write_checked(source, target, db.passphrase, progress)
    audit.record_now(
        db, actor, AuditAction.EXPORT, DataCategory.SYSTEM, detail=f"backup written: {target.name}"
    )
    return target


def daily(db: Database, actor: Actor, folder: Path, *, today: date | None = None) -> Path | None:
    """Today's backup, unless there is one already; then only the newest `keep_count()` daily
    copies stay. Returns the new copy, or None."""
    if not db.is_sqlite or db.sqlite_path is None:
        return None
    today = today or date.today()
    target = folder / f"{DAILY_PREFIX}{today:%Y%m%d}.sqlite3"
    if target.exists():
        return None
    _write_checked(_source(db), target, db.passphrase)
    for old in sorted(folder.glob(f"{DAILY_PREFIX}*.sqlite3"))[: -keep_count()]:
        old.unlink()
    audit.record_now(
        db, actor, AuditAction.EXPORT, DataCategory.SYSTEM, detail=f"daily backup: {target.name}"
    )
    return target


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    previous_copy: Path | None  # the database as it was just before, kept in the backups
    upgraded_from: str | None  # the schema revision of the backup, when it was older


def restore(
    url: str, source: Path, backup_dir: Path, progress: Progress = no_progress
) -> RestoreResult:
    """Replace the embedded database at `url` with the backup `source`. The backup is checked
    first; the database being replaced is copied to `backup_dir` first; an older backup is
    upgraded to the current schema afterwards. Close CaseManager on every workstation before."""
    db = Database(url)
    try:
        target, key = _source(db), db.passphrase
    finally:
        db.dispose()
    problem = sqlite_files.problems(source, key=key)
    if problem is not None:
        raise DomainError(f"{source} cannot be restored: {problem}. Choose another backup.")
    if not sqlite_files.is_casemanager_file(source, key):
        raise DomainError(f"{source} is a SQLite file but not a CaseManager database.")
    if source.resolve() == target.resolve():
        raise DomainError("That backup is the database itself. Choose a backup file.")
    previous: Path | None = None
    if target.exists() and target.stat().st_size > 0:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        previous = backup_dir / f"{target.stem}-{stamp}-before-restore.sqlite3"
        _write_checked(target, previous, key, progress, "keeping the current one")
    try:
        if target.exists():
            sqlite_files.quiesce(target, key)
        sqlite_files.copy_online(
            source, target, key, lambda done, total: progress(done, total, "restoring")
        )
        sqlite_files.drop_leftovers(target)
    except OSError as error:
        raise DomainError(
            f"Could not write {target}: {error.strerror or error}. The database is unchanged."
        ) from None
    db = Database(url)
    try:
        result = migrate.upgrade(db, backup_dir)
        problem = sqlite_files.problems(target, key=key)
        if problem is not None:  # cannot happen after a sound copy; say so if it does
            raise DomainError(f"The restored database failed its check ({problem}).")
        from casemanager.services import setup

        setup.record_by_clinic_it(db, f"restored from backup {source.name}")
    finally:
        db.dispose()
    upgraded = result.from_revision if result.from_revision != result.to_revision else None
    return RestoreResult(source, previous, upgraded)
