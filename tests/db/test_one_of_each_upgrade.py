"""Migration 0026 on a clinic's database that already holds what the new unique indexes
forbid (two workstations raced before the database kept the rule): older open intakes are
cancelled as opening an intake does, answers kept; two unsigned evaluations in an episode,
or two clinics, refuse the upgrade by name and leave every record as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from casemanager.db.engine import Database
from casemanager.db.migrate import current_revision, head_revision, schema_differences, upgrade
from casemanager.db.types import utcnow
from casemanager.domain.errors import DomainError
from casemanager.services import demo
from tests.conftest import PostgresDatabases
from tests.db.older import downgrade

BEFORE = "0025"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def clinic_before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A demo clinic's database at the revision before the indexes."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'clinic.sqlite3'}")
        cleanup = db.dispose
    else:
        databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
        url = databases.create("one_of_each")
        db = Database(url)

        def cleanup() -> None:
            db.dispose()
            databases.drop(url)

    try:
        upgrade(db)
        demo.generate_demo_clinic(db, patients=6, seed=7)
        downgrade(db, BEFORE)
        db.engine.dispose()
        yield db
    finally:
        cleanup()


def _rows(db: Database, sql: str, **params: object) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def _intake(
    db: Database, patient_id: int, opened_by: int, minutes_ago: int, answers: dict[str, int]
) -> int:
    at = utcnow() - timedelta(minutes=minutes_ago)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patient_intake (patient_id, opened_by_id, language, status, "
                "token_hash, expires_at, answers, version, created_at, updated_at) VALUES "
                "(:patient, :user, 'en', 'open', :token, :expires, :answers, 1, :at, :at)"
            ),
            {
                "patient": patient_id,
                "user": opened_by,
                "token": f"{minutes_ago:064d}",
                "expires": at + timedelta(hours=2),
                "answers": json.dumps(answers),
                "at": at,
            },
        )
        return int(conn.execute(text("SELECT max(id) FROM patient_intake")).scalar_one())


def test_older_open_intakes_are_cancelled_with_their_answers_kept(clinic_before: Database) -> None:
    db = clinic_before
    (patient_id, user_id), *_ = _rows(db, "SELECT id, primary_therapist_id FROM patient")
    assert isinstance(patient_id, int) and isinstance(user_id, int)
    older = _intake(db, patient_id, user_id, 5, {"nprs_now": 6})
    oldest = _intake(db, patient_id, user_id, 9, {"nprs_now": 7})
    newest = _intake(db, patient_id, user_id, 1, {})
    upgrade(db)
    assert current_revision(db) == head_revision()
    assert schema_differences(db) == []
    rows = {
        row[0]: row[1:]
        for row in _rows(
            db,
            "SELECT id, status, token_hash, version, answers FROM patient_intake "
            "WHERE patient_id = :patient",
            patient=patient_id,
        )
    }
    assert rows[newest][:3] == ("open", f"{1:064d}", 1)
    for kept, nprs in ((older, 6), (oldest, 7)):
        status, token, version, answers = rows[kept]
        assert (status, token, version) == ("cancelled", None, 2)
        read = answers if isinstance(answers, dict) else json.loads(str(answers))  # PG: JSON
        assert read["nprs_now"] == nprs


def test_two_unsigned_evaluations_in_an_episode_refuse_the_upgrade(
    clinic_before: Database,
) -> None:
    db = clinic_before
    (episode_id, mrn), *_ = _rows(
        db,
        "SELECT ep.id, p.mrn FROM episode_of_care ep JOIN patient p ON p.id = ep.patient_id "
        "ORDER BY ep.id",
    )
    with db.engine.begin() as conn:
        for note in ("Sits 20 minutes", "Walks to work"):
            conn.execute(
                text(
                    "INSERT INTO evaluation (episode_id, therapist_id, kind, evaluation_date, "
                    "status, assessment_note, red_flags_rechecked, version, created_at, "
                    "updated_at) SELECT id, therapist_id, 'progress_report', start_date, "
                    "'draft', :note, false, 1, :now, :now FROM episode_of_care WHERE id = :id"
                ),
                {"id": episode_id, "note": note, "now": utcnow()},
            )
    before = _rows(db, "SELECT * FROM evaluation ORDER BY id")
    with pytest.raises(DomainError) as refused:
        upgrade(db)
    message = refused.value.message
    assert f"MRN {mrn}" in message and "nothing was changed" in message
    assert "sign or discard the extra one" in message
    assert current_revision(db) == BEFORE
    assert _rows(db, "SELECT * FROM evaluation ORDER BY id") == before


def test_two_clinics_refuse_the_upgrade(clinic_before: Database) -> None:
    db = clinic_before
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clinic (name, is_demo, phone_region, version, created_at, "
                "updated_at) VALUES ('Harbor Spine & Sport', false, 'US', 1, :now, :now)"
            ),
            {"now": utcnow()},
        )
    with pytest.raises(DomainError) as refused:
        upgrade(db)
    message = refused.value.message
    assert "holds 2 clinics" in message and "Harbor Spine & Sport" in message
    assert "nothing was changed" in message
    assert current_revision(db) == BEFORE
    assert len(_rows(db, "SELECT id FROM clinic")) == 2
