"""Connection settings every SQLite connection must carry."""

from pathlib import Path

from sqlalchemy import text

from casemanager.db.engine import SQLITE_BUSY_TIMEOUT_MS, Database


def test_sqlite_pragmas_on_every_connection(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    for _ in range(2):  # a second, separate connection gets them too
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
        db.engine.dispose()
    db.dispose()


def test_display_name_hides_password() -> None:
    db = Database("postgresql+psycopg://clinic:s3cret@server.example/casemanager")
    assert "s3cret" not in db.display_name()
    assert "server.example" in db.display_name()
    db.dispose()
