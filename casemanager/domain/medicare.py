"""Medicare timing rules for outpatient therapy: when a progress report is due, when the
physician's certification of the plan of care is due, and what a progress report records.

Sources: Medicare Benefit Policy Manual (CMS Pub. 100-02) chapter 15, s. 220.1.3 (physician
certification of the plan of care, delayed certification) and s. 220.3.D (progress reports).
Each rule names its section; `docs/clinical-rules.md` lists them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from casemanager.domain import field_limits as limits
from casemanager.domain import validation
from casemanager.domain.errors import ValidationError

PROGRESS_REPORT_EVERY_TREATMENT_DAYS = 10
# After this many treatment days the next one is the 10th: it must carry the report.
REPORT_DUE_AFTER_TREATMENT_DAYS = PROGRESS_REPORT_EVERY_TREATMENT_DAYS - 1
CERTIFICATION_DUE_DAYS = 30  # the physician certifies within 30 days of the evaluation
CERTIFICATION_WARNING_FROM_DAY = 21  # the chart warns from this day after the evaluation
# The chart and the caseload warn this many days before a certification period ends.
CERTIFICATION_ENDING_WARNING_DAYS = 7


# --- Progress reports (s. 220.3.D) ------------------------------------------------------------


@dataclass(frozen=True)
class ReportingPeriod:
    """The treatment days since the last progress report, or since the evaluation."""

    began: date | None  # the first treatment day of the period (None: none yet)
    treatment_days: int  # calendar days with treatment in the period, the first included

    @property
    def next_treatment_day(self) -> int:
        return self.treatment_days + 1

    @property
    def report_due(self) -> bool:
        return progress_report_due(self.treatment_days)

    @property
    def overdue(self) -> bool:
        """The 10th treatment day went by without a report."""
        return self.treatment_days >= PROGRESS_REPORT_EVERY_TREATMENT_DAYS


def reporting_period(
    evaluation_day: date | None,
    visits: Iterable[tuple[date, bool]],
    last_report: date | None,
) -> ReportingPeriod:
    """Count the treatment days of the current progress-report period.

    Medicare Benefit Policy Manual ch. 15 s. 220.3.D: a progress report at least once every
    10 treatment days; the first reporting period begins on the first day of the episode,
    the evaluation day, which counts as a treatment day. A treatment day is a calendar day
    (two visits on one day are one day). A report ends its period on the day it is written:
    a signed progress report or re-evaluation (`last_report`), or a visit recorded as the
    progress report; the next period begins with the next treatment day.

    `visits` are (visit date, recorded as the progress report) pairs in any order.
    """
    days = sorted(set(visits))
    ended = last_report
    for day, is_report in days:
        if is_report and (ended is None or day > ended):
            ended = day
    treatment_days = {day for day, _report in days}
    if evaluation_day is not None:
        treatment_days.add(evaluation_day)
    in_period = sorted(d for d in treatment_days if ended is None or d > ended)
    return ReportingPeriod(in_period[0] if in_period else None, len(in_period))


def progress_report_due(treatment_days: int) -> bool:
    """Due when the next treatment day is the 10th of the period (or later): that visit must
    carry the report (s. 220.3.D: at least once every 10 treatment days)."""
    if treatment_days < 0:
        raise ValueError(f"Treatment days cannot be negative, got {treatment_days}")
    return treatment_days >= REPORT_DUE_AFTER_TREATMENT_DAYS


def describe_progress_report(period: ReportingPeriod) -> str:
    """One line for the chart and the visit dialog."""
    began = validation.format_date(period.began) if period.began else "—"
    if period.overdue:
        return (
            f"Progress report overdue: {period.treatment_days} treatment days since {began} "
            f"(Medicare: at least every {PROGRESS_REPORT_EVERY_TREATMENT_DAYS} treatment days)."
        )
    return (
        f"Progress report due: the next visit is treatment day {period.next_treatment_day} "
        f"since {began} (Medicare: at least every {PROGRESS_REPORT_EVERY_TREATMENT_DAYS} "
        f"treatment days)."
    )


class GoalProgress(StrEnum):
    """A progress report's verdict on one goal. Stored: never rename a value."""

    MET = "met"
    PROGRESSING = "progressing"
    NOT_PROGRESSING = "not_progressing"


GOAL_PROGRESS_LABELS = {
    GoalProgress.MET: "Met",
    GoalProgress.PROGRESSING: "Progressing",
    GoalProgress.NOT_PROGRESSING: "Not progressing",
}


@dataclass(frozen=True)
class GoalAssessment:
    goal_id: int
    progress: GoalProgress | None
    note: str | None


def goal_assessment_gaps(
    goal_ids: Sequence[int],
    assessments: Sequence[GoalAssessment],
    descriptions: Sequence[str] | None = None,
) -> tuple[tuple[GoalAssessment, ...], list[ValidationError]]:
    """Every goal of the plan in force judged, each with a note of what was measured
    (s. 220.3.D: the report states the progress toward each goal). Returns the cleaned
    assessments and one error per goal still unjudged; `descriptions` (the goals' wording, in
    the same order) lets each error name its goal."""
    by_goal = {a.goal_id: a for a in assessments}
    unknown = [a.goal_id for a in assessments if a.goal_id not in goal_ids]
    if unknown or len(by_goal) != len(assessments):
        raise ValueError(f"goal assessments do not match the plan's goals: {unknown}")
    cleaned: list[GoalAssessment] = []
    gaps: list[ValidationError] = []
    for number, goal_id in enumerate(goal_ids, start=1):
        field = f"goal_{number}"
        named = f"Goal {number}"
        if descriptions is not None:
            named += f" ({_shortened(descriptions[number - 1])})"
        found = by_goal.get(goal_id)
        if found is None or found.progress is None:
            gaps.append(
                ValidationError(field, f"{named}: choose met, progressing or not progressing.")
            )
            continue
        try:
            note = validation.optional_text(field, found.note, f"Goal {number} note", limits.NOTE)
        except ValidationError as error:
            gaps.append(error)
            continue
        if note is None:
            gaps.append(
                ValidationError(
                    field, f"{named}: write what you measured (for example, walks 20 minutes)."
                )
            )
            continue
        cleaned.append(GoalAssessment(goal_id, found.progress, note))
    return tuple(cleaned), gaps


def _shortened(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def check_goal_assessments(
    goal_ids: Sequence[int], assessments: Sequence[GoalAssessment]
) -> tuple[GoalAssessment, ...]:
    """The goal assessments of a progress report, complete; the first gap is raised."""
    cleaned, gaps = goal_assessment_gaps(goal_ids, assessments)
    if gaps:
        raise gaps[0]
    return cleaned


# --- Physician certification (s. 220.1.3) ----------------------------------------------------


@dataclass(frozen=True)
class Certification:
    """The physician's certification of a plan of care, as recorded by the clinic."""

    physician: str
    certified_on: date
    delay_reason: str | None = None


def certification_due(plan_day: date) -> date:
    """The last day for a timely certification: 30 days after the evaluation (s. 220.1.3)."""
    return plan_day + timedelta(days=CERTIFICATION_DUE_DAYS)


def is_late(plan_day: date, certified_on: date) -> bool:
    return certified_on > certification_due(plan_day)


def check_certification(certification: Certification, plan_day: date, today: date) -> Certification:
    """Who certified and when; a certification after day 30 is a delayed certification and
    needs the reason for the delay (s. 220.1.3.C)."""
    physician = validation.require_text(
        "certified_by", certification.physician, "Certifying physician", limits.CONTACT_NAME
    )
    day = certification.certified_on
    if day > today:
        raise ValidationError("certified_on", "The certification date is in the future.")
    if day < plan_day:
        raise ValidationError(
            "certified_on",
            f"The certification date is before the evaluation "
            f"({validation.format_date(plan_day)}). Check the date.",
        )
    reason = validation.optional_text(
        "certification_delay_reason",
        certification.delay_reason,
        "Reason for the delay",
        limits.NOTE,
    )
    if is_late(plan_day, day) and reason is None:
        late = (day - plan_day).days
        raise ValidationError(
            "certification_delay_reason",
            f"Certified {late} days after the evaluation (more than "
            f"{CERTIFICATION_DUE_DAYS}): give the reason for the delay.",
        )
    if not is_late(plan_day, day):
        reason = None  # a timely certification has no delay to explain
    return Certification(physician, day, reason)


def certification_warning(
    plan_day: date | None, certified: bool, today: date, is_open: bool = True
) -> str | None:
    """The chart's warning for a plan of care not certified yet, from day 21 (s. 220.1.3)."""
    if not is_open or certified or plan_day is None:
        return None
    day = (today - plan_day).days
    if day < CERTIFICATION_WARNING_FROM_DAY:
        return None
    due = certification_due(plan_day)
    if today > due:
        return (
            f"Plan of care not certified, {(today - due).days} days past the "
            f"{CERTIFICATION_DUE_DAYS}-day limit ({validation.format_date(due)}): record the "
            f"certification with the reason for the delay."
        )
    return (
        f"Plan of care not certified yet (day {day} of {CERTIFICATION_DUE_DAYS}): the "
        f"physician should certify it by {validation.format_date(due)}."
    )


@dataclass(frozen=True)
class SignedPlan:
    """What the certification rules need of one signed plan of an episode."""

    evaluation_date: date
    certification_start: date | None
    certification_end: date | None
    certification: Certification | None


@dataclass(frozen=True)
class CertificationStatus:
    """The certification period in force and whether a physician has certified it."""

    start: date
    end: date
    plan_day: date  # the evaluation that set this period: the 30 days count from it
    certification: Certification | None

    @property
    def due(self) -> date:
        return certification_due(self.plan_day)


def certification_in_force(plans: Sequence[SignedPlan]) -> CertificationStatus | None:
    """The period of the latest signed plan that has one (a re-evaluation renews it; a
    progress report carries it). Every plan with the same period shares its certification,
    and the 30 days count from the first of them, the evaluation that set it."""
    dated = [p for p in plans if p.certification_start and p.certification_end]
    if not dated:
        return None
    latest = sorted(dated, key=lambda p: p.evaluation_date)[-1]  # stable: input order on ties
    same = [
        p
        for p in dated
        if (p.certification_start, p.certification_end)
        == (latest.certification_start, latest.certification_end)
    ]
    certified = [p.certification for p in same if p.certification is not None]
    assert latest.certification_start is not None and latest.certification_end is not None
    return CertificationStatus(
        latest.certification_start,
        latest.certification_end,
        min(p.evaluation_date for p in same),
        min(certified, key=lambda c: c.certified_on) if certified else None,
    )
