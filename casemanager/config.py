"""Where CaseManager keeps its files and which database it opens.

One place for paths: platformdirs by default, CASEMANAGER_* environment variables to
override (tests point them at a temporary folder so nothing touches a real home).
"""

from __future__ import annotations

import getpass
import os
import socket
from pathlib import Path

APP_NAME = "CaseManager"

ENV_DATA_DIR = "CASEMANAGER_DATA_DIR"
ENV_DATABASE_URL = "CASEMANAGER_DATABASE_URL"
ENV_IDLE_LOCK_MINUTES = "CASEMANAGER_IDLE_LOCK_MINUTES"
DEFAULT_IDLE_LOCK_MINUTES = 10.0


def data_dir() -> Path:
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_sqlite_path() -> Path:
    return data_dir() / "casemanager.sqlite3"


def database_url(explicit: str | None = None) -> str:
    """The --database URL if given, else CASEMANAGER_DATABASE_URL, else the embedded SQLite file."""
    if explicit:
        return explicit
    from_env = os.environ.get(ENV_DATABASE_URL)
    if from_env:
        return from_env
    return f"sqlite:///{default_sqlite_path()}"


def workstation_name() -> str:
    """Recorded in the audit log with every action."""
    return socket.gethostname() or "unknown"


def operating_system_user() -> str:
    """The CLI acts as the OS user (audited as such)."""
    try:
        return getpass.getuser()
    except OSError:
        return "unknown"


def idle_lock_minutes() -> float:
    """Minutes without input before the app locks: CASEMANAGER_IDLE_LOCK_MINUTES (set by
    clinic IT for the workstation, 1 to 240), else 10."""
    text = os.environ.get(ENV_IDLE_LOCK_MINUTES, "").strip()
    try:
        minutes = float(text) if text else DEFAULT_IDLE_LOCK_MINUTES
    except ValueError:
        return DEFAULT_IDLE_LOCK_MINUTES
    # Below the floor only for tests (fractions of a minute); never "off".
    return min(max(minutes, 0.001), 240.0)


# -- encrypted embedded databases (SQLCipher) ---------------------------------------------------
SQLITE_HEADER = b"SQLite format 3\x00"
ENCRYPTED_DRIVER = "sqlite+pysqlcipher"


def encrypted_url(path: Path, passphrase: str) -> str:
    """The URL that opens an encrypted file; SQLCipher derives the key from the passphrase."""
    from urllib.parse import quote

    return f"{ENCRYPTED_DRIVER}://:{quote(passphrase, safe='')}@/{path}"


def plain_sqlite_path(url: str) -> Path | None:
    """The file of a plain `sqlite:///` URL (None for other URLs and in-memory databases)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url[len(prefix) :] in ("", ":memory:"):
        return None
    return Path(url[len(prefix) :].split("?", 1)[0])


def looks_encrypted(path: Path) -> bool:
    """A database file encrypted with SQLCipher: whole pages of what looks like noise, not a
    plain SQLite header (and not text, such as a wrong file picked by mistake)."""
    if not path.is_file():
        return False
    size = path.stat().st_size
    if size == 0 or size % 512:
        return False
    with path.open("rb") as handle:
        head = handle.read(64)
    if head.startswith(SQLITE_HEADER):
        return False
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in head)
    return printable < len(head) * 0.9


def encryption_available() -> bool:
    """Whether the sqlcipher3 package is installed (found without importing it)."""
    import importlib.util

    return importlib.util.find_spec("sqlcipher3") is not None
