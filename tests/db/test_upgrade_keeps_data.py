"""A clinic's database at any earlier revision upgrades to head on both engines, keeps its
records and ends with the caseload's summary as a fresh rebuild at head would write it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from casemanager.db import episode_summary
from casemanager.db.engine import Database
from casemanager.db.migrate import _config, current_revision, head_revision, schema_differences
from casemanager.db.migrate import upgrade as upgrade_to_head
from casemanager.services import audit_log, demo
from casemanager.services.context import Actor
from tests.conftest import PostgresDatabases
from tests.db.older import downgrade

# The records a clinic keeps: none may be lost on the way down and up again.
_RECORDS = ("clinic", "patient", "episode_of_care", "evaluation", "treatment_plan", "visit")
# Every revision but the head: each has a downgrade that keeps the records listed above.
FIRST = "0001"


def _revisions() -> list[str]:
    scripts = ScriptDirectory.from_config(_config())
    chain = [s.revision for s in scripts.walk_revisions()]  # head first
    chain.reverse()
    older = chain[chain.index(FIRST) : -1]
    assert len(older) >= 20, older
    return older


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def clinic_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'clinic.sqlite3'}")
        yield db
        db.dispose()
    else:
        databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
        url = databases.create("older")
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()
            databases.drop(url)


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in _RECORDS}


def _summary(db: Database) -> list[tuple[Any, ...]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT * FROM episode_summary ORDER BY 1"))]


@pytest.mark.parametrize("revision", _revisions())
def test_a_clinic_at_an_older_revision_upgrades_to_head(clinic_db: Database, revision: str) -> None:
    upgrade_to_head(clinic_db)
    demo.generate_demo_clinic(clinic_db, patients=8, seed=5)
    counts, summary = _counts(clinic_db), _summary(clinic_db)
    assert summary, "the demo clinic has episodes to summarise"

    downgrade(clinic_db, revision)
    clinic_db.engine.dispose()  # the next connections see the older schema afresh
    assert current_revision(clinic_db) == revision
    assert _counts(clinic_db) == counts
    if "episode_summary" in inspect(clinic_db.engine).get_table_names():
        # Stale on purpose: the upgrade must write it again, whatever the migrations left.
        with clinic_db.engine.begin() as conn:
            conn.execute(text("DELETE FROM episode_summary"))

    result = upgrade_to_head(clinic_db)
    assert (result.from_revision, result.to_revision) == (revision, head_revision())
    assert schema_differences(clinic_db) == []
    assert _counts(clinic_db) == counts
    with clinic_db.session() as session:
        assert episode_summary.mismatches(session) == []
    # One row per episode, as at head before (a downgrade may drop what a later revision
    # added, e.g. the certification day, so the rows themselves may now read differently).
    assert [row[0] for row in _summary(clinic_db)] == [row[0] for row in summary]
    # The audit log reads as one unbroken chain (0012 chains the rows it finds).
    report = audit_log.verify_chain(clinic_db, Actor.command_line(clinic_id=1))
    assert report.broken is None and report.rows > 0 and not report.missing_safeguards
