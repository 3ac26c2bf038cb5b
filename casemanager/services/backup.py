"""Backups of the embedded database: on demand, daily with rotation, and restore. Every copy is
checked with SQLite's integrity check before it counts as a backup.

A clinic server (PostgreSQL) is backed up with its own tools; docs/backups.md says how.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from casemanager import config, output_files
from casemanager.db import migrate, sqlite_files
from casemanager.db.engine import Database
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import DomainError
from casemanager.domain.permissions import Permission
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
    """A checked copy; an encrypted database's copies are encrypted with the same key. A copy
    that fails half-way (a full disk) leaves nothing behind, under any name."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sqlite_files.copy_online(
            source, target, key, lambda done, total: progress(done, total, stage)
        )
    except OSError as error:
        raise DomainError(
            f"Could not write the backup to {target.parent}: {error.strerror or error}. "
            "Check that the folder exists, is writable and has room; nothing was kept."
        ) from None
    except Exception as error:  # sqlite3's or sqlcipher3's OperationalError
        if not type(error).__name__.endswith(("OperationalError", "DatabaseError")):
            raise
        text = str(error).lower()
        why = (
            "the disk is full"
            if "full" in text
            else "the disk could not be written"
            if "i/o" in text
            else f"SQLite stopped ({error})"
        )
        raise DomainError(
            f"Could not write the backup to {target.parent}: {why}. Nothing was kept there: "
            "free some space or choose another drive, then try again."
        ) from None
    problem = sqlite_files.problems(target, key=key)
    if problem is not None:
        sqlite_files.remove_with_working_files(target)
        raise DomainError(f"The backup copy failed its check ({problem}); nothing was kept.")


def backup(db: Database, actor: Actor, destination: Path, progress: Progress = no_progress) -> Path:
    """Copy the database to `destination` (a folder, or a file name ending .sqlite3). A backup
    never replaces the database, its working files or another database (an older backup).
    `progress` hears the bytes copied."""
    source = _source(db)
    audit.authorize(db, actor, Permission.EXPORT_DATA, AuditAction.EXPORT, DataCategory.SYSTEM)
    if destination.is_dir() or destination.suffix == "":
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = destination / f"casemanager-{stamp}.sqlite3"
    else:
        target = destination
    output_files.check(target, databases=[source])
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
    """Replace the embedded database at `url` with the backup `source`. Everything is checked
    before the database is touched: the backup is sound, a CaseManager database, encrypted
    exactly when the database is (with the same passphrase), and of a schema this version
    knows; an older one is upgraded on a copy, checked again, and only then put in place.
    The database being replaced is copied to `backup_dir` first. A refused restore leaves
    the database as it was, byte for byte. Close CaseManager on every workstation before."""
    db = Database(url)
    try:
        target, key = _source(db), db.passphrase
    finally:
        db.dispose()
    _check_backup(source, target, key)
    staged = target.with_name(target.name + ".restoring")
    sqlite_files.remove_with_working_files(staged)
    try:
        _write_checked(source, staged, key, progress, "checking the backup")
        copy = Database(_url_of(staged, key))
        try:
            result = migrate.upgrade(copy, None)
        finally:
            copy.dispose()
        problem = sqlite_files.problems(staged, key=key)
        if problem is not None:
            raise DomainError(
                f"{source} failed its check after the upgrade ({problem}). The database is "
                "unchanged. Choose another backup."
            )
        previous: Path | None = None
        if target.exists() and target.stat().st_size > 0:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            previous = backup_dir / f"{target.stem}-{stamp}-before-restore.sqlite3"
            _write_checked(target, previous, key, progress, "keeping the current one")
        try:
            if target.exists():
                sqlite_files.quiesce(target, key)
            sqlite_files.drop_leftovers(staged)
            os.replace(staged, target)
            sqlite_files.drop_leftovers(target)
        except OSError as error:
            raise DomainError(
                f"Could not write {target}: {error.strerror or error}. The database is unchanged."
            ) from None
    finally:
        sqlite_files.remove_with_working_files(staged)
    db = Database(url)
    try:
        audit.record_by_clinic_it(db, f"restored from backup {source.name}")
    finally:
        db.dispose()
    upgraded = result.from_revision if result.from_revision != result.to_revision else None
    return RestoreResult(source, previous, upgraded)


def _url_of(path: Path, key: str | None) -> str:
    return config.encrypted_url(path, key) if key is not None else f"sqlite:///{path}"


def _check_backup(source: Path, target: Path, key: str | None) -> None:
    """Every reason to refuse a backup, found before anything is written."""
    if not source.is_file():
        raise DomainError(f"{source} cannot be restored: the file does not exist.")
    if source.resolve() == target.resolve():
        raise DomainError("That backup is the database itself. Choose a backup file.")
    plain = sqlite_files.has_sqlite_header(source)
    if key is None and not plain and config.looks_encrypted(source):
        raise DomainError(
            f"{source} is encrypted, but the database it would replace is not. Encrypt the "
            "database first (casemanager-admin encrypt, with the backup's passphrase), then "
            "restore. Nothing was changed."
        )
    if key is not None and plain:
        raise DomainError(
            f"{source} is not encrypted, but the database it would replace is: restoring it "
            "would leave patient records readable on the disk. Choose an encrypted backup, "
            "or restore into a plain database and encrypt it again. Nothing was changed."
        )
    problem = sqlite_files.problems(source, key=key)
    if problem is not None:
        raise DomainError(f"{source} cannot be restored: {problem}. Choose another backup.")
    if not sqlite_files.is_casemanager_file(source, key):
        raise DomainError(f"{source} is a SQLite file but not a CaseManager database.")
    revision = sqlite_files.schema_revision(source, key)
    if revision is not None and not migrate.is_known_revision(revision):
        raise DomainError(
            f"{source} was made by a newer CaseManager (schema {revision}) than this one "
            f"(schema {migrate.head_revision()}). Install that version or a newer one to "
            "restore it. Nothing was changed."
        )
