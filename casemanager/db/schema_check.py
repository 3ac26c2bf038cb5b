"""Only a schema this CaseManager was made for is written to.

A clinic's workstations share one database. Once a newer CaseManager on one of them upgrades
the schema, an older copy on another would go on writing rows without what the upgrade
added (new columns left empty, the episode summary kept the old way). So each transaction
that wrote something reads the schema's revision just before it commits, and one that is
not this version's head is rolled back with a message the user can act on; the screen keeps
what was typed. Reading transactions (lists, searches) pay nothing.

The read is after the transaction's own writes: on PostgreSQL (READ COMMITTED) a statement
that waited for an upgrade's locks runs after it, and so does the read, which then sees the
new revision; on SQLite the write lock is held, so no upgrade can commit in between.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from casemanager.domain.errors import DomainError, NewerSchema

_WROTE = "casemanager_wrote"  # on a connection: this transaction changed rows
_CONNECTION = "casemanager_connection"  # on a session: the connection of its transaction
_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "COPY")
_REVISION = "SELECT version_num FROM alembic_version"


def guard(engine: Engine, sessions: sessionmaker[Session]) -> None:
    """Check the revision before each commit of a session from `sessions` that wrote."""
    event.listen(engine, "begin", _began)
    event.listen(engine, "before_cursor_execute", _executing)
    event.listen(sessions, "after_begin", _session_began)
    event.listen(sessions, "before_commit", _before_commit)
    event.listen(sessions, "after_commit", _session_ended)
    event.listen(
        sessions, "after_soft_rollback", lambda session, _previous: _session_ended(session)
    )


def mark_written(connection: Connection) -> None:
    """For writes that bypass SQLAlchemy's cursor (PostgreSQL's COPY through the driver)."""
    connection.info[_WROTE] = True


def check(connection: Connection) -> None:
    """Refuse (NewerSchema, or DomainError for an older one) unless the database's schema
    is the one this CaseManager writes."""
    found = connection.exec_driver_sql(_REVISION).scalar()
    wanted = head()
    if found == wanted:
        return
    if found is not None and known(found):
        raise DomainError(
            f"This database's schema (revision {found}) is older than this CaseManager "
            f"expects ({wanted}). Restart CaseManager to upgrade it; nothing was saved here."
        )
    raise NewerSchema(
        f"This database was upgraded by a newer CaseManager (revision {found}). Install the "
        "newer version on this workstation; nothing was saved here."
    )


@cache
def head() -> str:
    from casemanager.db import migrate  # Alembic's script directory: read once, when needed

    return migrate.head_revision()


def known(revision: str) -> bool:
    from casemanager.db import migrate

    return migrate.is_known_revision(revision)


def _began(connection: Connection) -> None:
    connection.info[_WROTE] = False


def _executing(
    connection: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    context: Any,
    _executemany: bool,
) -> None:
    if connection.info.get(_WROTE):
        return
    compiled = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if compiled or statement.lstrip()[:6].upper().startswith(_WRITES):
        connection.info[_WROTE] = True


def _session_began(session: Session, _transaction: SessionTransaction, connection: Any) -> None:
    session.info[_CONNECTION] = connection


def _before_commit(session: Session) -> None:
    session.flush()  # the last changes are written, so the check comes after them
    connection = session.info.get(_CONNECTION)
    if connection is not None and connection.info.get(_WROTE):
        check(connection)


def _session_ended(session: Session) -> None:
    session.info.pop(_CONNECTION, None)
