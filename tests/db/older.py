"""A demo clinic in an older schema, for testing what a migration does to existing data:
generated at the latest schema (the generator writes only that), then migrated down."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from casemanager.db.engine import Database
from casemanager.db.migrate import _config, _sqlite_migration_engine, upgrade
from casemanager.services import demo


def demo_clinic_at(folder: Path, revision: str, *, patients: int, seed: int) -> Database:
    db = Database(f"sqlite:///{folder / 'clinic.sqlite3'}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=patients, seed=seed)
    db.dispose()
    older = _sqlite_migration_engine(db)
    with older.begin() as conn:
        command.downgrade(_config(conn), revision)
    older.dispose()
    return Database(f"sqlite:///{folder / 'clinic.sqlite3'}")
