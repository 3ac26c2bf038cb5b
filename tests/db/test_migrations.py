"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from casemanager.db.engine import Database
from casemanager.db.migrate import (
    current_revision,
    head_revision,
    schema_differences,
    upgrade,
)
from casemanager.db.models import Base
from tests.conftest import PostgresDatabases


def _check_fresh_upgrade(db: Database) -> None:
    assert current_revision(db) is None
    result = upgrade(db)
    assert result.from_revision is None
    assert result.to_revision == head_revision() == current_revision(db)
    assert schema_differences(db) == []
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    # A second run is a no-op.
    assert upgrade(db).from_revision == head_revision()


def test_sqlite_empty_to_head(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    _check_fresh_upgrade(db)
    db.dispose()


@pytest.mark.postgres
def test_postgres_empty_to_head(postgres_databases: PostgresDatabases) -> None:
    url = postgres_databases.create("migrate")
    db = Database(url)
    try:
        _check_fresh_upgrade(db)
    finally:
        db.dispose()
        postgres_databases.drop(url)


def test_differences_are_detected(tmp_path: Path) -> None:
    """The agreement check can fail: drop a column behind Alembic's back and it reports it."""
    db = Database(f"sqlite:///{tmp_path / 'drift.sqlite3'}")
    upgrade(db)
    with db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE patient DROP COLUMN referring_physician"))
    differences = schema_differences(db)
    assert any("referring_physician" in repr(d) for d in differences)
    db.dispose()


def test_existing_file_at_older_revision_gets_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clinic.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clinic (name, is_demo, version, created_at, updated_at) "
                "VALUES ('Old clinic', 0, 1, '2026-01-01', '2026-01-01')"
            )
        )
    # A newer release ships a new head: simulate by making the current head look old.
    monkeypatch.setattr("casemanager.db.migrate.head_revision", lambda: "9999_future")
    monkeypatch.setattr("casemanager.db.migrate.command.upgrade", lambda cfg, rev: None)
    result = upgrade(db, tmp_path / "backups")
    assert result.backup is not None and result.backup.exists()
    copy = Database(f"sqlite:///{result.backup}")
    with copy.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM clinic")).scalar_one() == "Old clinic"
    copy.dispose()
    db.dispose()
