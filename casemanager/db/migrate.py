"""Schema upgrades in code: the app and `casemanager-admin migrate` both call upgrade()."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from casemanager.db.engine import Database
from casemanager.db.models import Base

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config(connection: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


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
    source = sqlite3.connect(source_path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def upgrade(db: Database, backup_dir: Path | None = None) -> UpgradeResult:
    """Bring the schema to head. An existing SQLite file is backed up first."""
    before = current_revision(db)
    head = head_revision()
    backup = None
    if before != head:
        path = db.sqlite_path
        if backup_dir is not None and path is not None and path.exists() and before is not None:
            backup = backup_sqlite(db, backup_dir, f"before-{head}")
        with db.engine.begin() as conn:
            command.upgrade(_config(conn), "head")
    return UpgradeResult(before, head, backup)


def schema_differences(db: Database) -> list[Any]:
    """What differs between the models and the migrated database (empty when they agree)."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "render_as_batch": db.is_sqlite},
        )
        return list(compare_metadata(context, Base.metadata))
