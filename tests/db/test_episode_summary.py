"""The episode summary the caseload reads: written in the same transaction as each change,
equal to what the records say, refilled by the migration, and safe with two writers.

Every test that uses the `db` fixture also ends with a check that no summary row is stale
(tests/conftest.py), so each service the suite drives is covered too."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, update

from casemanager.db import episode_summary
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import EpisodeOfCare, EpisodeSummary, Visit
from casemanager.domain.enums import Cause, Sex, TreatmentPathKind
from casemanager.services import evaluations, patients, visits
from tests.conftest import Staff
from tests.db.older import demo_clinic_at
from tests.services.test_evaluations import EVAL_DAY
from tests.services.test_plans import evaluation  # noqa: F401 - the fixture
from tests.services.test_visits import (  # noqa: F401 - the fixture
    TODAY,
    _assessed,
    _visit,
    episode_id,
)


def _row(db: Database, episode: int) -> EpisodeSummary | None:
    with db.session() as session:
        return session.get(EpisodeSummary, episode)


def _bits(*kinds: TreatmentPathKind) -> int:
    return sum(1 << episode_summary.PATHS.index(k) for k in kinds)


def test_summary_follows_signing_and_visits(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811 - the fixture imported above
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    row = _row(db, episode_id)
    assert row is not None
    assert (row.cause, row.paths) == (
        Cause.HEAVY_LIFTING,
        _bits(TreatmentPathKind.PT_PLAN, TreatmentPathKind.MEDICATION_REFERRAL),
    )
    assert (row.plan_evaluation_id, row.intake_evaluation_id) == (evaluation.id, evaluation.id)
    assert row.certification_end == EVAL_DAY + timedelta(days=60)
    assert (row.initial_date, row.last_evaluation) == (EVAL_DAY, EVAL_DAY)
    # The evaluation day is the first treatment day of the first reporting period.
    assert (row.visit_count, row.visits_since_report, row.last_visit) == (0, 1, None)
    assert (row.latest_follow_up_id, row.latest_follow_up_date) == (None, None)

    for offset, ticked in ((3, False), (6, True), (9, False), (12, False), (12, False)):
        assessed = _assessed(db, staff, episode_id) if ticked else ()
        visits.record_visit(
            db,
            staff.therapist,
            episode_id,
            _visit(offset, is_progress_report=ticked, goal_assessments=assessed),
            today=TODAY,
        )
    row = _row(db, episode_id)
    assert row is not None
    chart = visits.progress(db, staff.therapist, episode_id, today=TODAY)
    # Days 9 and 12 after the report on day 6 (two visits on day 12 are one treatment day).
    assert (row.visit_count, row.visits_since_report) == (5, 2)
    assert row.visits_since_report == chart.treatment_days_since_report
    assert row.last_visit == EVAL_DAY + timedelta(days=12) == chart.last_visit


def test_a_discarded_initial_evaluation_leaves_no_row(db: Database, staff: Staff) -> None:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Ada", "Quinn", date(1970, 3, 2), Sex.FEMALE)
    )
    draft = evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Back spasm", EVAL_DAY
    )
    row = _row(db, draft.episode_id)
    assert row is not None and row.initial_date == EVAL_DAY and row.intake_evaluation_id is None
    evaluations.discard_draft(db, staff.therapist, draft.id)
    assert _row(db, draft.episode_id) is None


def test_a_stale_row_is_found(
    db: Database,
    episode_id: int,  # noqa: F811 - the fixture imported above
) -> None:
    with db.session() as session:
        assert episode_summary.mismatches(session) == []
    with db.session() as session:
        session.execute(
            update(EpisodeSummary)
            .where(EpisodeSummary.episode_id == episode_id)
            .values(visit_count=99)
        )
    with db.session() as session:
        assert episode_summary.mismatches(session) == [episode_id]
        episode_summary.rebuild(session)
    with db.session() as session:
        assert episode_summary.mismatches(session) == []


@pytest.mark.postgres
def test_two_workstations_recording_visits_at_once(
    db: Database,
    episode_id: int,  # noqa: F811 - the fixture imported above
) -> None:
    """Writers that commit together each rewrite the row; the last one sees every visit and
    none fails (without the episode lock, one's rewrite collided with the other's)."""
    if db.is_sqlite:
        pytest.skip("SQLite takes one writer at a time")
    with db.session() as session:
        therapist_id = session.scalar(
            select(EpisodeOfCare.therapist_id).where(EpisodeOfCare.id == episode_id)
        )
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def write(offset: int) -> None:
        try:
            with db.session() as session:
                for n in range(5):
                    session.add(
                        Visit(
                            episode_id=episode_id,
                            therapist_id=therapist_id,
                            visit_date=EVAL_DAY + timedelta(days=offset + n),
                        )
                    )
                session.flush()
                start.wait(timeout=10)  # all four commit (and rewrite the row) together
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i * 5 + 1,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    row = _row(db, episode_id)
    assert row is not None and row.visit_count == 20
    assert row.last_visit == EVAL_DAY + timedelta(days=20)


def test_migration_fills_the_summary_of_an_existing_clinic(tmp_path: Path) -> None:
    db = demo_clinic_at(tmp_path, "0010", patients=60, seed=4)
    with db.session() as session:
        assert "episode_summary" not in inspect(session.connection()).get_table_names()
        episodes = session.scalar(select(func.count()).select_from(EpisodeOfCare))
        visit_total = session.scalar(select(func.count()).select_from(Visit))
    upgrade(db, tmp_path / "backups")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(EpisodeSummary)) == episodes
        assert episode_summary.mismatches(session) == []
        assert session.scalar(select(func.sum(EpisodeSummary.visit_count))) == visit_total
    db.dispose()
