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
