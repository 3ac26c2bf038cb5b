"""Medicare timing: progress reports every 10 treatment days counted from the evaluation day
(ch. 15 s. 220.3.D), the physician's certification within 30 days (s. 220.1.3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casemanager.domain import medicare
from casemanager.domain.errors import ValidationError
from casemanager.domain.medicare import (
    Certification,
    GoalAssessment,
    GoalProgress,
    SignedPlan,
)

EVAL = date(2026, 3, 2)


def _days(n: int) -> list[tuple[date, bool]]:
    """n visits on n distinct days after the evaluation."""
    return [(EVAL + timedelta(days=i), False) for i in range(1, n + 1)]


def test_the_evaluation_day_is_treatment_day_one() -> None:
    assert medicare.reporting_period(EVAL, [], None) == medicare.ReportingPeriod(EVAL, 1)
    period = medicare.reporting_period(EVAL, _days(8), None)
    assert period.treatment_days == 9 and period.began == EVAL


@pytest.mark.parametrize(
    ("visits", "due", "overdue"),
    [(7, False, False), (8, True, False), (9, True, True), (12, True, True)],
)
def test_report_due_by_the_tenth_treatment_day(visits: int, due: bool, overdue: bool) -> None:
    """After the evaluation and 8 visits (9 treatment days) the next visit is the 10th
    treatment day, which must carry the report; before this change it was flagged only after
    10 visits."""
    period = medicare.reporting_period(EVAL, _days(visits), None)
    assert (period.report_due, period.overdue) == (due, overdue)


def test_two_visits_on_one_day_are_one_treatment_day() -> None:
    visits = [*_days(3), (EVAL + timedelta(days=3), False), (EVAL, False)]
    assert medicare.reporting_period(EVAL, visits, None).treatment_days == 4


def test_a_report_starts_a_new_period_on_the_next_treatment_day() -> None:
    visits = _days(12)
    visits[8] = (visits[8][0], True)  # the 9th visit, treatment day 10, is the report
    period = medicare.reporting_period(EVAL, visits, None)
    assert period == medicare.ReportingPeriod(EVAL + timedelta(days=10), 3)
    # A signed progress report (or re-evaluation) on day 5 ends the period too.
    period = medicare.reporting_period(EVAL, _days(12), EVAL + timedelta(days=5))
    assert period.treatment_days == 7 and not period.report_due


def test_progress_report_due_rejects_negative() -> None:
    with pytest.raises(ValueError):
        medicare.progress_report_due(-1)


def test_progress_report_text_names_the_next_treatment_day() -> None:
    text = medicare.describe_progress_report(medicare.reporting_period(EVAL, _days(8), None))
    assert "next visit is treatment day 10 since 03/02/2026" in text
    text = medicare.describe_progress_report(medicare.reporting_period(EVAL, _days(10), None))
    assert text.startswith("Progress report overdue: 11 treatment days")


def test_each_goal_needs_a_verdict_and_a_note() -> None:
    ok = [
        GoalAssessment(7, GoalProgress.MET, " Walks 30 minutes "),
        GoalAssessment(8, GoalProgress.NOT_PROGRESSING, "Sitting still limited to 20 min"),
    ]
    cleaned = medicare.check_goal_assessments([7, 8], ok)
    assert [a.note for a in cleaned] == ["Walks 30 minutes", "Sitting still limited to 20 min"]
    with pytest.raises(ValidationError) as missing:
        medicare.check_goal_assessments([7, 8], ok[:1])
    assert missing.value.field == "goal_2"
    with pytest.raises(ValidationError, match="write what you measured") as no_note:
        medicare.check_goal_assessments([7], [GoalAssessment(7, GoalProgress.MET, "  ")])
    assert no_note.value.field == "goal_1"
    with pytest.raises(ValidationError, match="met, progressing or not progressing"):
        medicare.check_goal_assessments([7], [GoalAssessment(7, None, "x")])
    with pytest.raises(ValueError):
        medicare.check_goal_assessments([7], [GoalAssessment(99, GoalProgress.MET, "x")])


# --- certification -----------------------------------------------------------------------


def test_certification_within_30_days_needs_no_reason() -> None:
    today = EVAL + timedelta(days=40)
    timely = Certification(" Dr. Helen Brooks ", EVAL + timedelta(days=30), "ignored")
    assert medicare.check_certification(timely, EVAL, today) == Certification(
        "Dr. Helen Brooks", EVAL + timedelta(days=30), None
    )


def test_a_late_certification_needs_the_reason_for_the_delay() -> None:
    today = EVAL + timedelta(days=40)
    late = Certification("Dr. Helen Brooks", EVAL + timedelta(days=31))
    with pytest.raises(ValidationError, match="31 days after") as error:
        medicare.check_certification(late, EVAL, today)
    assert error.value.field == "certification_delay_reason"
    kept = medicare.check_certification(
        Certification("Dr. Helen Brooks", EVAL + timedelta(days=31), "Physician away"),
        EVAL,
        today,
    )
    assert kept.delay_reason == "Physician away"


@pytest.mark.parametrize(
    ("certification", "field"),
    [
        (Certification("", EVAL), "certified_by"),
        (Certification("Dr. X", EVAL - timedelta(days=1)), "certified_on"),
        (Certification("Dr. X", EVAL + timedelta(days=11)), "certified_on"),  # future
    ],
)
def test_certification_refusals_name_the_field(certification: Certification, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        medicare.check_certification(certification, EVAL, EVAL + timedelta(days=10))
    assert error.value.field == field


@pytest.mark.parametrize(
    ("day", "expected"),
    [(20, None), (21, "day 21 of 30"), (30, "by 04/01/2026"), (31, "1 days past")],
)
def test_the_chart_warns_from_day_21(day: int, expected: str | None) -> None:
    warning = medicare.certification_warning(EVAL, False, EVAL + timedelta(days=day))
    if expected is None:
        assert warning is None
    else:
        assert warning is not None and expected in warning
    assert medicare.certification_warning(EVAL, True, EVAL + timedelta(days=day)) is None
    assert medicare.certification_warning(EVAL, False, EVAL + timedelta(days=day), False) is None


def test_a_progress_report_shares_the_certification_of_its_period() -> None:
    start, end = EVAL, EVAL + timedelta(days=60)
    signed = Certification("Dr. X", EVAL + timedelta(days=12))
    initial = SignedPlan(EVAL, start, end, signed)
    progress = SignedPlan(EVAL + timedelta(days=20), start, end, None)
    status = medicare.certification_in_force([initial, progress])
    assert status is not None
    assert (status.plan_day, status.certification, status.due) == (
        EVAL,
        signed,
        EVAL + timedelta(days=30),
    )
    # A re-evaluation sets a new period: it needs its own certification.
    renewed = SignedPlan(
        EVAL + timedelta(days=55), EVAL + timedelta(days=55), end + timedelta(30), None
    )
    status = medicare.certification_in_force([initial, progress, renewed])
    assert status is not None and status.certification is None
    assert status.plan_day == EVAL + timedelta(days=55)
    assert medicare.certification_in_force([SignedPlan(EVAL, None, None, None)]) is None
