"""Turn storage failures the user can do something about into calm, specific messages.

Locked, full, read-only, corrupt or unreachable databases are the environment, not bugs:
the UI shows these messages and keeps whatever the user typed.
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError, OperationalError

from casemanager.services import clashes

_SQLITE_MESSAGES = (
    (
        "database is locked",
        "The clinic database is busy: another window or workstation is "
        "saving. Wait a moment and try again; nothing you typed was lost.",
    ),
    (
        "disk is full",
        "The disk holding the clinic database is full. Free some space, then "
        "save again; nothing you typed was lost.",
    ),
    (
        "database or disk is full",
        "The disk holding the clinic database is full. Free some "
        "space, then save again; nothing you typed was lost.",
    ),
    (
        "readonly database",
        "The clinic database file is read-only. Ask clinic IT to give "
        "CaseManager write access to it, then save again.",
    ),
    (
        "unable to open database",
        "The clinic database file cannot be opened. Check that its "
        "folder exists and that you may write to it.",
    ),
    (
        "malformed",
        "The clinic database file is damaged. Stop using it and ask clinic IT to "
        "restore the latest backup.",
    ),
    (
        "file is not a database",
        "This file is not a CaseManager database (or it is encrypted "
        "or damaged). Check the path, or ask clinic IT.",
    ),
)


def describe(error: BaseException) -> str | None:
    """A message for a known environment problem, or None when the error is a bug."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "The disk is full. Free some space and try again; nothing you typed was lost."
    if isinstance(error, PermissionError):
        return f"CaseManager may not write to {error.filename}. Ask clinic IT for access."
    if clashes.is_clash(error):
        # A clash outside a use case (they word their own): still a message, not a bug.
        clashes.noted(error)
        return clashes.GENERAL
    if not isinstance(error, DBAPIError):
        return None
    text = str(error.orig).lower() if error.orig is not None else str(error).lower()
    for needle, message in _SQLITE_MESSAGES:
        if needle in text:
            return message
    if "password authentication failed" in text or "role" in text and "does not exist" in text:
        return (
            "The database server refused the user name or password in the database URL. "
            "Check them with clinic IT."
        )
    if isinstance(error, OperationalError) and (
        "connection" in text or "could not connect" in text or "server closed" in text
    ):
        return (
            "The clinic database server cannot be reached. Check the network or ask "
            "clinic IT whether the server is running; nothing you typed was lost."
        )
    return None
