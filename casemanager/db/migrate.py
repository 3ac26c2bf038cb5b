"""Schema upgrades in code: the app and `casemanager-admin migrate` both call upgrade().

Migrations change the schema and move records; they never call the application's code, which
follows the head schema (tests/db/test_migration_imports.py keeps it so). What is derived
from the records (the episode summary) is written again here, with today's code, once the
schema is at head, in the same transaction: no one ever reads a summary the upgrade left
stale. There is no alembic.ini: upgrading any other way would skip that step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from casemanager.db import engine as engine_module
from casemanager.db import episode_summary, sqlite_files
from casemanager.db.engine import Database
from casemanager.db.migrations.refusals import UpgradeRefused
from casemanager.db.models import Base
from casemanager.domain.errors import DomainError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config(connection: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _known(revision: str) -> bool:
    scripts = ScriptDirectory.from_config(_config())
    return revision in {script.revision for script in scripts.walk_revisions()}


def is_known_revision(revision: str) -> bool:
    """A schema this version of CaseManager knows (one made by a newer version is not)."""
    return _known(revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migrations in the package"
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None  # the SQLite copy taken before upgrading, if any


def backup_sqlite(db: Database, backup_dir: Path, label: str) -> Path:
    """Online copy of the SQLite file (consistent even while others read it)."""
    source_path = db.sqlite_path
    assert source_path is not None
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"{source_path.stem}-{stamp}-{label}.sqlite3"
    sqlite_files.copy_online(source_path, target, db.passphrase)
    return target


def _sqlite_migration_engine(db: Database) -> Engine:
    """A connection made for schema changes on SQLite.

    - foreign keys off: batch migrations rebuild a table (copy, drop, rename), which the
      rows pointing at it would otherwise refuse; checked again before commit instead;
    - the driver's own transaction handling off and an explicit BEGIN IMMEDIATE, so a
      migration that fails half-way leaves no half-built schema behind.
    """
    engine = create_engine(db.url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        dbapi_connection.execute(f"PRAGMA busy_timeout={engine_module.SQLITE_BUSY_TIMEOUT_MS}")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _rebuild_derived(conn: Connection) -> None:
    """The summary as today's code computes it, from the records now at the head schema."""
    episode_summary.rebuild(conn)


def _migrate_sqlite(db: Database) -> None:
    engine = _sqlite_migration_engine(db)
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "head")
            _rebuild_derived(conn)
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(
                    f"the upgrade would leave {len(broken)} rows pointing at missing rows "
                    f"(first in table {broken[0][0]}); nothing was changed"
                )
    finally:
        engine.dispose()


# Any fixed number: every workstation takes the same lock before upgrading.
_POSTGRES_MIGRATION_LOCK = 0x43_4D_4D_49  # "CMMI"


def _migrate_postgres(db: Database) -> None:
    """PostgreSQL DDL is transactional; the advisory lock stops two workstations upgrading
    the same server at once (the second waits, then finds nothing left to do)."""
    with db.engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_MIGRATION_LOCK})
        if MigrationContext.configure(conn).get_current_revision() == head_revision():
            return  # another workstation upgraded while this one waited for the lock
        command.upgrade(_config(conn), "head")
        _rebuild_derived(conn)


def upgrade(db: Database, backup_dir: Path | None = None) -> UpgradeResult:
    """Bring the schema to head. An existing SQLite file is backed up first."""
    before = current_revision(db)
    head = head_revision()
    if before is not None and not _known(before):
        raise DomainError(
            f"This database was upgraded by a newer CaseManager (schema {before}). Install the "
            "same or a newer version of CaseManager on this computer to open it."
        )
    backup = None
    if before != head:
        path = db.sqlite_path
        if backup_dir is not None and path is not None and path.exists() and before is not None:
            backup = backup_sqlite(db, backup_dir, f"before-{head}")
        try:
            if db.is_sqlite:
                _migrate_sqlite(db)
            else:
                _migrate_postgres(db)
        except UpgradeRefused as refused:  # rolled back whole: the records are as they were
            raise DomainError(str(refused)) from None
    return UpgradeResult(before, head, backup)


# Made by migrations for one engine only, with no model counterpart (see 0004 and 0020).
ENGINE_SPECIFIC_INDEXES = frozenset({"ix_patient_search_trgm", "ix_patient_search_pieces"})
# PostgreSQL's search pieces (0020): filled by a trigger, read only by db/patient_search.py.
ENGINE_SPECIFIC_COLUMNS = frozenset({("patient", "search_pieces")})
# The SQLite search index (0020): an FTS5 table, its shadow tables and a table of positions.
ENGINE_SPECIFIC_TABLE_PREFIX = "patient_search"


def include_object(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    if kind == "column":
        return (getattr(obj.table, "name", None), name) not in ENGINE_SPECIFIC_COLUMNS
    return not (kind == "index" and name in ENGINE_SPECIFIC_INDEXES)


def include_name(name: str | None, kind: str, parent_names: Any) -> bool:
    """Leave the search index's tables out before they are reflected (FTS5 tables are not
    ordinary tables)."""
    return not (kind == "table" and (name or "").startswith(ENGINE_SPECIFIC_TABLE_PREFIX))


def schema_differences(db: Database) -> list[Any]:
    """What differs between the models and the migrated database (empty when they agree)."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "render_as_batch": db.is_sqlite,
                "include_object": include_object,
                "include_name": include_name,
            },
        )
        return list(compare_metadata(context, Base.metadata))


# -- the audit log's append-only triggers (migration 0002) ----------------------------------
# Not in the models, so the comparison above cannot see them: checked (and put back) here.
APPEND_ONLY_MESSAGE = "audit_log is append-only"
_SQLITE_TRIGGERS = {
    f"audit_log_no_{event.lower()}": (
        f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
    )
    for event in ("UPDATE", "DELETE")
}
_POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
)
_POSTGRES_TRIGGER = (
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
)


def missing_safeguards(db: Database) -> list[str]:
    """The append-only triggers of audit_log that are missing or switched off, in words
    (empty when the database refuses UPDATE and DELETE on the log as it should)."""
    problems: list[str] = []
    with db.engine.connect() as conn:
        if db.is_sqlite:
            found = {
                name: sql or ""
                for name, sql in conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'audit_log'"
                )
            }
            for name in _SQLITE_TRIGGERS:
                if name not in found:
                    problems.append(f"the trigger {name} is missing")
                elif "RAISE(ABORT" not in found[name].upper().replace(" ", ""):
                    problems.append(f"the trigger {name} no longer refuses the change")
        else:
            state = conn.exec_driver_sql(
                "SELECT t.tgenabled, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = "
                "t.tgfoid WHERE t.tgrelid = to_regclass('audit_log') "
                "AND t.tgname = 'audit_log_append_only'"
            ).one_or_none()
            if state is None:
                problems.append("the trigger audit_log_append_only is missing")
            elif state[0] == "D":
                problems.append("the trigger audit_log_append_only is switched off")
            elif "RAISE EXCEPTION" not in str(state[1]).upper():
                problems.append("the trigger audit_log_append_only no longer refuses the change")
    return [
        f"{problem}: the database no longer refuses changes to audit rows" for problem in problems
    ]


def restore_safeguards(db: Database) -> list[str]:
    """Put back the append-only triggers found missing; returns what was wrong."""
    problems = missing_safeguards(db)
    if not problems:
        return []
    with db.engine.begin() as conn:
        if db.is_sqlite:
            for name, create in _SQLITE_TRIGGERS.items():
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
                conn.exec_driver_sql(create)
        else:
            conn.exec_driver_sql(_POSTGRES_FUNCTION)
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
            conn.exec_driver_sql(_POSTGRES_TRIGGER)
    return problems
