"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
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
from tests.db.older import demo_clinic_at


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


def test_upgrade_of_an_older_file_backs_it_up_first(tmp_path: Path) -> None:
    """A real upgrade from an earlier schema, on a file holding a clinic: backup, then head."""
    from alembic import command

    from casemanager.db.migrate import _config, _sqlite_migration_engine

    path = tmp_path / "clinic.sqlite3"
    db = Database(f"sqlite:///{path}")
    older = _sqlite_migration_engine(db)
    with older.begin() as conn:
        command.upgrade(_config(conn), "0002")
    older.dispose()
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clinic (name, is_demo, version, created_at, updated_at) "
                "VALUES ('Old clinic', 0, 1, '2026-01-01', '2026-01-01')"
            )
        )
    result = upgrade(db, tmp_path / "backups")
    assert (result.from_revision, result.to_revision) == ("0002", head_revision())
    assert result.backup is not None and result.backup.exists()
    assert schema_differences(db) == []
    copy = Database(f"sqlite:///{result.backup}")
    with copy.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM clinic")).scalar_one() == "Old clinic"
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"
    copy.dispose()
    db.dispose()


def test_audit_log_refuses_update_and_delete(db: Database) -> None:
    from casemanager.services import setup
    from tests.conftest import TEST_PASSWORD

    setup.create_clinic(db, setup.NewClinic("C", "owner", "Owner", TEST_PASSWORD), "ws")
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    with db.engine.connect() as conn:
        actors = set(conn.execute(text("SELECT actor FROM audit_log")).scalars())
    assert actors == {"owner"}


def test_sqlite_table_rebuild_on_a_populated_database(tmp_path: Path) -> None:
    """A batch migration rebuilding a table others point at works, all or nothing."""
    from alembic.operations import Operations

    from casemanager.db.migrate import _sqlite_migration_engine
    from casemanager.services.demo import generate_demo_clinic

    db = Database(f"sqlite:///{tmp_path / 'full.sqlite3'}")
    upgrade(db)
    generate_demo_clinic(db, patients=20)
    engine = _sqlite_migration_engine(db)

    def rebuild(fail: bool) -> None:
        with engine.begin() as conn:
            operations = Operations(MigrationContext.configure(conn))
            with operations.batch_alter_table("patient", recreate="always") as batch:
                batch.add_column(sa.Column("nickname", sa.String(50)))
            if fail:
                raise RuntimeError("the next step of this migration failed")

    with pytest.raises(RuntimeError):
        rebuild(fail=True)
    assert "nickname" not in {c["name"] for c in inspect(db.engine).get_columns("patient")}
    rebuild(fail=False)
    assert "nickname" in {c["name"] for c in inspect(db.engine).get_columns("patient")}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM patient")).scalar_one() == 20
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    engine.dispose()
    db.dispose()


def test_database_from_a_newer_release_is_refused_clearly(tmp_path: Path) -> None:
    from casemanager.domain.errors import DomainError

    db = Database(f"sqlite:///{tmp_path / 'newer.sqlite3'}")
    upgrade(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(DomainError, match="newer CaseManager"):
        upgrade(db)
    db.dispose()


@pytest.mark.postgres
def test_postgres_gets_a_trigram_index_for_name_search(postgres_shared_url: str) -> None:
    db = Database(postgres_shared_url)
    try:
        names = {index["name"] for index in inspect(db.engine).get_indexes("patient")}
        assert "ix_patient_search_trgm" in names
        assert schema_differences(db) == []  # engine-specific: not a drift from the models
    finally:
        db.dispose()


def test_plans_signed_before_0009_keep_their_exercise_wording(tmp_path: Path) -> None:
    """0009 copies each signed plan's exercise wording in; drafts keep following the library."""
    db = demo_clinic_at(tmp_path, "0008", patients=40, seed=2)
    upgrade(db, tmp_path / "backups")
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.status, h.signed_name, x.name, h.signed_instructions, x.instructions "
                "FROM home_exercise h JOIN exercise x ON x.id = h.exercise_id "
                "JOIN treatment_plan p ON p.id = h.plan_id "
                "JOIN evaluation e ON e.id = p.evaluation_id"
            )
        ).all()
    signed = [r for r in rows if r[0] == "signed"]
    assert signed and all(r[1] == r[2] and r[3] == r[4] for r in signed)
    assert all(r[1] is None for r in rows if r[0] != "signed")
    db.dispose()


def test_0015_fills_e164_where_the_number_reads_as_one(tmp_path: Path) -> None:
    """Numbers typed before they were checked keep their text; E.164 comes beside each one
    that reads as a real number, and no record looks edited."""
    db = demo_clinic_at(tmp_path, "0014", patients=12, seed=4)
    kept = {1: "000 000 0000", 2: "+44 20 7946 0958", 3: "1234567", 4: "631.555.0142"}
    with db.engine.begin() as conn:
        for key, typed in kept.items():
            conn.execute(
                text("UPDATE patient SET phone = :typed WHERE id = :key"),
                {"typed": typed, "key": key},
            )
        before = dict(conn.execute(text("SELECT id, version FROM patient")).all())
    upgrade(db, tmp_path / "backups")
    with db.engine.connect() as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                text(
                    "SELECT id, phone, phone_e164, emergency_contact_phone, "
                    "emergency_contact_phone_e164, version FROM patient"
                )
            )
        }
        clinic = conn.execute(text("SELECT phone_e164, phone_region FROM clinic")).one()
    assert {key: rows[key][:2] for key in kept} == {
        1: ("000 000 0000", None),
        2: ("+44 20 7946 0958", "+442079460958"),
        3: ("1234567", None),
        4: ("631.555.0142", "+16315550142"),
    }
    assert all(r[1] for key, r in rows.items() if key not in kept)  # demo numbers are real
    assert all((r[2] is None) == (r[3] is None) for r in rows.values())
    assert {key: r[4] for key, r in rows.items()} == before
    assert tuple(clinic) == ("+16315550100", "US")
    assert schema_differences(db) == []
    db.dispose()


def test_0022_gives_each_existing_clinic_the_starter_templates(tmp_path: Path) -> None:
    """A clinic from before templates gets one per cause, using its own exercises (found by
    starter key, active copies first), so the first evaluation after the upgrade offers them."""
    from casemanager.domain.enums import Cause
    from casemanager.services import templates
    from casemanager.services.context import Actor

    db = demo_clinic_at(tmp_path, "0020", patients=5, seed=3)
    with db.engine.begin() as conn:
        # The clinic retired its own copy of the bridge and made a new one under the same key.
        conn.execute(text("UPDATE exercise SET active = 0 WHERE key = 'bridge'"))
        conn.execute(
            text(
                "INSERT INTO exercise (clinic_id, key, name, instructions, active, version, "
                "created_at, updated_at) VALUES (1, 'bridge', 'Bridge (clinic)', 'Lift.', 1, 1, "
                "'2026-01-01', '2026-01-01')"
            )
        )
        exercises = {r[0]: (r[1], bool(r[2])) for r in conn.execute(
            text("SELECT id, key, active FROM exercise")
        )}  # fmt: skip
    upgrade(db, tmp_path / "backups")
    assert schema_differences(db) == []
    listed = templates.list_templates(db, Actor.command_line(clinic_id=1))
    assert sorted(t.content.cause for t in listed) == sorted(Cause)
    for template in listed:
        used = [exercises[h.exercise_id] for h in template.content.home_exercises]
        assert len(used) == 3 and all(active for _key, active in used)
    db.dispose()
