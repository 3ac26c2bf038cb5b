"""Visits after the evaluation: validation, the progress report every 10 visits, and the
certification warning."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casemanager.db.engine import Database
from casemanager.domain.errors import DomainError, ValidationError
from casemanager.services import evaluations, plans, visits
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY
from tests.services.test_plans import _plan, evaluation  # noqa: F401 - the fixture

TODAY = EVAL_DAY + timedelta(days=40)


@pytest.fixture
def episode_id(
    db: Database,
    staff: Staff,
    evaluation: evaluations.EvaluationRecord,  # noqa: F811 - the fixture imported above
) -> int:
    plans.save_plan(db, staff.therapist, evaluation.id, None, _plan(db))
    current = evaluations.get_evaluation(db, staff.therapist, evaluation.id)
    evaluations.sign(db, staff.therapist, evaluation.id, current.version)
    return current.episode_id


def _visit(day_offset: int, **kw: object) -> visits.VisitContent:
    return visits.VisitContent(EVAL_DAY + timedelta(days=day_offset), **kw)  # type: ignore[arg-type]


def test_progress_report_due_every_ten_visits(db: Database, staff: Staff, episode_id: int) -> None:
    for n in range(1, 10):
        visits.record_visit(
            db,
            staff.therapist,
            episode_id,
            _visit(n * 3, nprs=6, interventions=(("therapeutic_exercise", 23),)),
            today=TODAY,
        )
    state = visits.progress(db, staff.therapist, episode_id, today=TODAY)
    assert (state.visits, state.progress_report_due) == (9, False)
    visits.record_visit(db, staff.therapist, episode_id, _visit(30, nprs=4), today=TODAY)
    state = visits.progress(db, staff.therapist, episode_id, today=TODAY)
    assert (state.visits, state.visits_since_progress_report, state.progress_report_due) == (
        10,
        10,
        True,
    )
    visits.record_visit(
        db, staff.therapist, episode_id, _visit(33, is_progress_report=True), today=TODAY
    )
    state = visits.progress(db, staff.therapist, episode_id, today=TODAY)
    assert (state.visits_since_progress_report, state.progress_report_due) == (0, False)
    assert state.last_visit == EVAL_DAY + timedelta(days=33)


def test_certification_ending_soon(db: Database, staff: Staff, episode_id: int) -> None:
    end = EVAL_DAY + timedelta(days=60)  # from _plan
    assert not visits.progress(
        db, staff.therapist, episode_id, today=end - timedelta(days=8)
    ).certification_ends_soon
    assert visits.progress(
        db, staff.therapist, episode_id, today=end - timedelta(days=7)
    ).certification_ends_soon


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (_visit(41), "visit_date"),  # after "today"
        (_visit(-1), "visit_date"),  # before the episode began
        (_visit(2, nprs=11), "nprs"),
        (_visit(2, interventions=(("ultrasound_magic", 10),)), "intervention_1"),
        (_visit(2, interventions=(("manual_therapy", 0),)), "intervention_1"),
        (_visit(2, interventions=(("manual_therapy", 8), ("manual_therapy", 8))), "intervention_2"),
    ],
)
def test_visit_refusals_name_the_field(
    db: Database, staff: Staff, episode_id: int, content: visits.VisitContent, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        visits.record_visit(db, staff.therapist, episode_id, content, today=TODAY)
    assert error.value.field == field


def test_no_visits_before_the_evaluation_is_signed(
    db: Database,
    staff: Staff,
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    with pytest.raises(DomainError, match="Sign the initial evaluation"):
        visits.record_visit(db, staff.therapist, evaluation.episode_id, _visit(2), today=TODAY)
