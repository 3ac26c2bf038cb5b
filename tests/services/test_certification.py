"""The physician's certification of a plan of care (Medicare ch. 15 s. 220.1.3): recorded on
the signed plan, late ones with a reason, warned about on the chart from day 21, shared by a
progress report that carries the same period, and audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry
from casemanager.domain.enums import EvaluationKind
from casemanager.domain.errors import DomainError, PermissionDenied, ValidationError
from casemanager.domain.medicare import Certification
from casemanager.services import chart, evaluations, follow_up, plans, visits
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY
from tests.services.test_goal_progress import judge_every_goal
from tests.services.test_plans import _plan, evaluation  # noqa: F401 - the fixture
from tests.services.test_visits import episode_id  # noqa: F401 - the fixture

DR = "Dr. Helen Brooks"


def _patient(db: Database, staff: Staff, episode: int) -> int:
    return visits.find_episode(db, staff.therapist, episode)[0]


def test_record_who_certified_and_when(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811 - the fixture imported above
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    evaluation_id = evaluation.id
    on = EVAL_DAY + timedelta(days=12)
    saved = plans.record_certification(
        db, staff.therapist, evaluation_id, Certification(DR, on), today=EVAL_DAY + timedelta(20)
    )
    assert saved.certification == Certification(DR, on, None)
    again = plans.get_plan(db, staff.manager, evaluation_id)
    assert again is not None and again.certification == Certification(DR, on, None)
    state = visits.progress(db, staff.therapist, episode_id, today=EVAL_DAY + timedelta(25))
    assert (
        state.certification is not None and state.certification.certification == saved.certification
    )
    assert state.certification_warning is None
    with db.session() as session:
        details = session.scalars(select(AuditEntry.detail)).all()
    assert f"certification of plan of evaluation {evaluation_id}" in details
    shown = chart.open_chart(db, staff.therapist, _patient(db, staff, episode_id), today=on)
    entry = next(e for e in shown.episodes[0].timeline if e.what == "Plan of care certified")
    assert (entry.day, entry.detail) == (on, f"By {DR}")


def test_a_late_certification_needs_a_reason_and_keeps_it(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    evaluation_id = evaluation.id
    late = EVAL_DAY + timedelta(days=34)
    today = EVAL_DAY + timedelta(days=40)
    with pytest.raises(ValidationError) as error:
        plans.record_certification(
            db, staff.therapist, evaluation_id, Certification(DR, late), today=today
        )
    assert error.value.field == "certification_delay_reason"
    saved = plans.record_certification(
        db,
        staff.therapist,
        evaluation_id,
        Certification(DR, late, "Physician on leave"),
        today=today,
    )
    assert saved.certification == Certification(DR, late, "Physician on leave")


def test_the_chart_warns_from_day_21_until_certified(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    def warning(day: int) -> str | None:
        today = EVAL_DAY + timedelta(days=day)
        return visits.progress(db, staff.therapist, episode_id, today=today).certification_warning

    assert warning(20) is None
    day_21 = warning(21)
    assert day_21 is not None and "day 21 of 30" in day_21
    day_35 = warning(35)
    assert day_35 is not None and "5 days past" in day_35
    shown = chart.open_chart(
        db, staff.therapist, _patient(db, staff, episode_id), today=EVAL_DAY + timedelta(21)
    )
    assert shown.episodes[0].progress.certification_warning == day_21


def test_a_progress_report_carries_the_certification(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    """The physician certified the initial plan after a progress report copied its period:
    the period is certified whichever plan the certification was recorded on."""
    evaluation_id = evaluation.id
    today = EVAL_DAY + timedelta(days=30)
    report = follow_up.start_follow_up(
        db,
        staff.therapist,
        episode_id,
        EvaluationKind.PROGRESS_REPORT,
        EVAL_DAY + timedelta(10),
        today=today,
    )
    # The red-flag screen asked again and confirmed unchanged, as a progress report needs.
    content = replace(report.content, assessment_note="Steady progress.", red_flags_rechecked=True)
    report = evaluations.save_draft(db, staff.therapist, report.id, report.version, content)
    with pytest.raises(DomainError, match="Sign the evaluation first"):
        plans.record_certification(
            db, staff.therapist, report.id, Certification(DR, EVAL_DAY + timedelta(9)), today=today
        )
    judge_every_goal(db, staff.therapist, report.id)
    evaluations.sign(db, staff.therapist, report.id, report.version)
    assert visits.progress(db, staff.therapist, episode_id, today=today).certification_warning
    plans.record_certification(
        db, staff.therapist, evaluation_id, Certification(DR, EVAL_DAY + timedelta(9)), today=today
    )
    state = visits.progress(db, staff.therapist, episode_id, today=today)
    assert state.certification_warning is None
    assert state.certification is not None and state.certification.plan_day == EVAL_DAY


def test_only_clinical_staff_record_a_certification(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    evaluation_id = evaluation.id
    with pytest.raises(PermissionDenied):
        plans.record_certification(
            db, staff.manager, evaluation_id, Certification(DR, EVAL_DAY), today=EVAL_DAY
        )
