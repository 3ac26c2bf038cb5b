"""Engine and session factory for SQLite (embedded) or PostgreSQL (a clinic's server)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from casemanager import config
from casemanager.db import episode_summary, schema_check
from casemanager.domain.errors import DomainError

# Wait this long for another process's or thread's write lock before giving up. The longest
# writer is a patient import's single all-or-none write: about 5 s of CPU for 50,000 rows,
# which a machine busy with other work can stretch to half a minute. A login or a save waits
# it out (off the GUI thread) rather than being refused.
SQLITE_BUSY_TIMEOUT_MS = 60000
# Each connection's page cache. SQLite's default (2 MiB) cannot hold the table pages a common
# surname's matches sit on (about 700 at 100,000 patients), so every such search read them
# from the operating system again: 4-5 ms of a 6 ms search. Memory is taken as pages are
# read, up to this: 16 MiB holds a search's pages; 64 MiB searched no faster, and the
# caseload's walk of the summary index then kept 50 MB more of the app's memory.
SQLITE_CACHE_KIB = 16384


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Must run on every new connection: SQLite forgets these per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(
        "PRAGMA synchronous=NORMAL"
    )  # safe with WAL; a power cut loses at most the last commit
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


SQLITE_HEADER = config.SQLITE_HEADER


def _refuse_non_database(path: Path) -> None:
    """Say plainly that a file is not a database before SQLite trips over it."""
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise DomainError(
                    f"{path} is not a CaseManager database (or it is encrypted or damaged). "
                    "Check the path, or ask clinic IT."
                )


class Database:
    """One database: its URL, engine and session factory. Cheap to pass around."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        # hide_parameters: an error message must never carry the patient data being saved.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            path = self.sqlite_path
            if path is not None and not self.is_encrypted:
                _refuse_non_database(path)
            if path is not None and not path.parent.is_dir():
                # Never made here: a missing folder is a mistyped path or a drive not
                # connected, and a new empty clinic there would hide the real one.
                raise DomainError(
                    f"The folder {path.parent} for the clinic database does not exist. Check "
                    "the path, and that the drive or network share is connected."
                )
        else:
            kwargs["pool_pre_ping"] = True  # a clinic server may restart overnight
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        episode_summary.track(self._sessions)
        # After the summary's own writes: a commit that wrote checks the schema's revision.
        schema_check.guard(self.engine, self._sessions)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_encrypted(self) -> bool:
        """An embedded file encrypted with SQLCipher (the URL carries its passphrase)."""
        return self.url.get_driver_name() == "pysqlcipher"

    @property
    def passphrase(self) -> str | None:
        return self.url.password if self.is_encrypted else None

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    def display_name(self) -> str:
        """The URL without its password, for messages and the title bar."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def single_read(self) -> Iterator[Session]:
        """A session for a read made of one statement, which is consistent by itself. On
        PostgreSQL it runs outside a transaction: BEGIN and COMMIT would be two more round
        trips to the server, and on a busy machine each costs more than a quick read."""
        session = self._sessions()
        try:
            if not self.is_sqlite:
                session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
