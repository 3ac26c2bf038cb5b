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
from casemanager.services import setup
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
    plain_copies: tuple[Path, ...]  # unencrypted backups made before, still on disk


def encrypt_database(
    url: str, passphrase: str, backup_dir: Path | None = None, progress: Progress = no_progress
) -> Encrypted:
    """Encrypt the embedded database file in place. Close CaseManager everywhere first."""
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
        setup.record_by_clinic_it(db, "database file encrypted")
    finally:
        db.dispose()
    plain: tuple[Path, ...] = ()
    if backup_dir is not None and backup_dir.is_dir():
        plain = tuple(
            sorted(
                p
                for p in backup_dir.rglob("*.sqlite3")
                if p.is_file() and not config.looks_encrypted(p)
            )
        )
    return Encrypted(encrypted_url, plain)
