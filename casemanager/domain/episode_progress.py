"""Where an episode of care stands, from its visits, reports and signed plans: treatment days
since the last progress report, the certification in force and whether it ends soon. Pure:
the chart and the visit screen read the rows, this says what they mean."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from casemanager.domain import medicare

CERTIFICATION_WARNING_DAYS = medicare.CERTIFICATION_ENDING_WARNING_DAYS


@dataclass(frozen=True)
class EpisodeProgress:
    """What the chart warns about."""

    episode_id: int
    visits: int
    period: medicare.ReportingPeriod  # treatment days since the last progress report
    progress_report_due: bool
    certification_end: date | None
    certification_ends_soon: bool  # within 7 days, or already past while the episode is open
    last_visit: date | None
    certification: medicare.CertificationStatus | None = None
    certification_warning: str | None = None  # not certified by day 21 (s. 220.1.3)

    @property
    def treatment_days_since_report(self) -> int:
        return self.period.treatment_days

    @property
    def progress_report_text(self) -> str | None:
        return medicare.describe_progress_report(self.period) if self.progress_report_due else None


def summarize(
    episode_id: int,
    is_open: bool,
    dates: list[tuple[date, bool]],
    last_report: date | None,
    plans: list[medicare.SignedPlan],
    today: date,
    evaluation_day: date | None,
) -> EpisodeProgress:
    """Where an episode stands, from its visits (date, is progress report) in date order,
    the date of its last signed progress report or re-evaluation, its signed plans in date
    order and the date of its initial evaluation (the first treatment day)."""
    period = medicare.reporting_period(evaluation_day, dates, last_report)
    status = medicare.certification_in_force(plans)
    end = status.end if status else None
    ends_soon = (
        is_open and end is not None and end <= today + timedelta(days=CERTIFICATION_WARNING_DAYS)
    )
    warning = (
        medicare.certification_warning(
            status.plan_day, status.certification is not None, today, is_open
        )
        if status
        else None
    )
    return EpisodeProgress(
        episode_id=episode_id,
        visits=len(dates),
        period=period,
        progress_report_due=is_open and period.report_due,
        certification_end=end,
        certification_ends_soon=bool(ends_soon),
        last_visit=dates[-1][0] if dates else None,
        certification=status,
        certification_warning=warning,
    )
