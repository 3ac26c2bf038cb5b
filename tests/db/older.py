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
    downgrade(db, revision)
    return Database(f"sqlite:///{folder / 'clinic.sqlite3'}")


def downgrade(db: Database, revision: str) -> None:
    """Take the schema (and its rows) back to an older revision, on either engine."""
    if db.is_sqlite:
        older = _sqlite_migration_engine(db)
        try:
            with older.begin() as conn:
                command.downgrade(_config(conn), revision)
        finally:
            older.dispose()
    else:
        with db.engine.begin() as conn:
            command.downgrade(_config(conn), revision)
