"""Encryption at rest for the embedded database, with SQLCipher (the `sqlcipher3` package:
Linux x86-64 wheels; see docs/encryption.md for other platforms). The key is derived from a
passphrase by SQLCipher (PBKDF2-HMAC-SHA512); CaseManager never stores the passphrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casemanager import config
from casemanager.db import sqlite_files
from casemanager.db.engine import Database
from casemanager.domain.errors import DomainError, ValidationError
from casemanager.services import audit
from casemanager.services.context import Progress, no_progress

MIN_PASSPHRASE_LENGTH = 12
UNAVAILABLE = (
    "Encryption needs the sqlcipher3 package, which is installed with CaseManager on Linux "
    "(x86-64) only. docs/encryption.md lists the other platforms' options."
)


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            "passphrase",
            f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters: a few "
            "unrelated words are easy to remember and hard to guess.",
        )
    if passphrase != passphrase.strip():
        raise ValidationError("passphrase", "The passphrase must not start or end with a space.")
    return passphrase


@dataclass(frozen=True)
class Encrypted:
    url: str  # opens the encrypted file from now on
    plain_copies: tuple[Path, ...]  # unencrypted database files still on disk (backups, ...)


# What SQLite files holding plain pages start with: a database, a write-ahead log, a journal.
_PLAIN_MAGIC = (
    config.SQLITE_HEADER,
    bytes.fromhex("377f0682"),
    bytes.fromhex("377f0683"),
    bytes.fromhex("d9d505f920a163d7"),
)


def _holds_plain_pages(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return any(head.startswith(magic) for magic in _PLAIN_MAGIC)


def plain_copies(data_dir: Path | None, database: Path) -> tuple[Path, ...]:
    """Every unencrypted database file (or journal, or log) under the data folder, whatever
    its name (backups, a `.partial` or `.restoring` copy left by a stopped restore), and
    beside the database file itself."""
    found: set[Path] = set()
    places = [(database.parent, database.parent.glob("*"))]
    if data_dir is not None and data_dir.is_dir():
        places.append((data_dir, data_dir.rglob("*")))
    for _folder, paths in places:
        for path in paths:
            if path.is_file() and not path.is_symlink() and _holds_plain_pages(path):
                found.add(path)
    found.discard(database)
    return tuple(sorted(found))


def delete_plain_copies(url: str, paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """Delete the files listed (each checked again: only plain database files go); audited.
    The disk may keep their old blocks: docs/encryption.md says what that means."""
    deleted = []
    for path in paths:
        if path.is_file() and _holds_plain_pages(path):
            path.unlink()
            deleted.append(path)
    if deleted:
        db = Database(url)
        try:
            audit.record_by_clinic_it(
                db, f"{len(deleted)} unencrypted database files deleted after encryption"
            )
        finally:
            db.dispose()
    return tuple(deleted)


def encrypt_database(
    url: str, passphrase: str, data_dir: Path | None = None, progress: Progress = no_progress
) -> Encrypted:
    """Encrypt the embedded database file in place, then list the unencrypted copies left
    under `data_dir` and beside the file. Close CaseManager everywhere first."""
    path = config.plain_sqlite_path(url)
    if path is None:
        raise DomainError(
            "Only the embedded database file is encrypted by CaseManager. A PostgreSQL server "
            "keeps its data encrypted with its own disk encryption (see docs/encryption.md)."
        )
    if not sqlite_files.encryption_available():
        raise DomainError(UNAVAILABLE)
    check_passphrase(passphrase)
    if config.looks_encrypted(path):
        raise DomainError(f"{path} is already encrypted (or is not a SQLite file).")
    problem = sqlite_files.problems(path)
    if problem is not None:
        raise DomainError(f"{path} cannot be encrypted: {problem}. Restore a backup first.")
    try:
        sqlite_files.encrypt(path, passphrase, lambda done, total: progress(done, total))
    except OSError as error:
        raise DomainError(
            f"Could not encrypt {path}: {error.strerror or error}. The file is unchanged."
        ) from None
    encrypted_url = config.encrypted_url(path, passphrase)
    db = Database(encrypted_url)
    try:
        audit.record_by_clinic_it(db, "database file encrypted")
    finally:
        db.dispose()
    return Encrypted(encrypted_url, plain_copies(data_dir, path))


def reopen(url: str) -> Database:
    """The database at its encrypted URL (Encrypted.url), for the app to go on with after
    encrypting the file it had open."""
    return Database(url)
