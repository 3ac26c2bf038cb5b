"""The office manager's caseload review: what each figure means, and the shape of the answer.

Definitions (the same for the screen, the PDF, the CSV files and `casemanager-admin caseload`):

- **Filters** pick the episodes of care that count: the treating therapist (the episode's),
  the patient's status, and the suspected cause and treatment paths recorded by the episode's
  latest signed evaluation that carries a plan (a re-evaluation may revise them).
- **Period figures** count what happened between `start` and `end`, both days included:
  an episode is *active* in the period when it began by `end` and was still open on `start`;
  *new evaluations* are initial evaluations dated in the period (drafts included: the patient
  was seen); *discharges* are episodes closed in the period; *visits* are treatment visits
  dated in the period. *Visits per active episode* divides the two; *visits per discharged
  episode* is the whole course of the episodes discharged in the period.
- **Today's figures** (the therapist table and the worklist) look at open episodes as of
  `today`, whatever the period.
- **Progress report due**: the next treatment day of an open episode is the 10th since the
  evaluation or the last progress report (treatment days, the evaluation day counted:
  `domain.medicare`, Medicare ch. 15 s. 220.3.D).
- **Plan not certified**: an open episode whose certification period in force has no
  physician certification recorded yet, listed from the evaluation day; the 30-day limit
  (s. 220.1.3) is in the item's detail.
- **Outcomes** compare each episode's signed initial evaluation with its latest signed
  follow-up (progress report, re-evaluation or discharge summary) dated by `end`, for the
  episodes active in the period. A change counts as meaningful by the same MCIC rules as the
  chart (`domain.scoring`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from casemanager.domain.enums import Cause, PatientStatus, TreatmentPathKind
from casemanager.domain.errors import ValidationError
from casemanager.domain.validation import format_date

NOT_SEEN_DAYS = 14  # an active patient with no visit for this long is followed up
UNSIGNED_AFTER_HOURS = 24  # an evaluation left unsigned longer than this is overdue
LONGEST_PERIOD_YEARS = 20


@dataclass(frozen=True)
class CaseloadFilter:
    start: date
    end: date
    therapist_id: int | None = None
    status: PatientStatus | None = None
    cause: Cause | None = None
    path: TreatmentPathKind | None = None

    def checked(self) -> CaseloadFilter:
        if self.start > self.end:
            raise ValidationError(
                "start",
                f"The period starts ({format_date(self.start)}) after it ends "
                f"({format_date(self.end)}). Swap the dates.",
            )
        if self.end - self.start > timedelta(days=366 * LONGEST_PERIOD_YEARS):
            raise ValidationError(
                "start", f"Choose a period of at most {LONGEST_PERIOD_YEARS} years."
            )
        return self


def default_period(today: date) -> tuple[date, date]:
    """The last 90 days, today included: a quarter, as clinics report."""
    return today - timedelta(days=89), today


def week_start(today: date) -> date:
    """Monday of this week: 'visits this week' counts from there to today."""
    return today - timedelta(days=today.weekday())


@dataclass(frozen=True)
class Totals:
    active_episodes: int
    new_evaluations: int
    discharges: int
    visits: int
    visits_of_discharged: int  # every visit of the episodes discharged in the period

    @property
    def visits_per_active_episode(self) -> float | None:
        return self.visits / self.active_episodes if self.active_episodes else None

    @property
    def visits_per_discharged_episode(self) -> float | None:
        return self.visits_of_discharged / self.discharges if self.discharges else None


@dataclass(frozen=True)
class TherapistRow:
    therapist_id: int
    name: str
    active_cases: int
    visits_this_week: int
    unsigned_over_24h: int
    progress_reports_due: int
    certifications_ending: int  # within 7 days, or already past
    open_red_flag_referrals: int


# The therapist table's columns, the same on screen, in the PDF and in the CSV.
THERAPIST_HEADERS = (
    "Therapist",
    "Active cases",
    "Visits this week",
    "Unsigned > 24 h",
    "Progress reports due",
    "Certifications ending ≤ 7 days",
    "Open red-flag referrals",
)


@dataclass(frozen=True)
class Share:
    """One bar of a distribution: how many episodes have this cause or path."""

    key: str
    label: str
    episodes: int


@dataclass(frozen=True)
class MeasureChange:
    """One outcome measure over a group of episodes (improvement is positive)."""

    measured: int  # episodes with a value at intake and at the latest follow-up
    mean_change: float | None
    meaningful: int  # episodes past the minimal clinically important change

    @property
    def share_meaningful(self) -> float | None:
        return self.meaningful / self.measured if self.measured else None


@dataclass(frozen=True)
class OutcomeGroup:
    key: str  # therapist id or cause value
    label: str
    episodes: int  # with a signed follow-up
    nprs: MeasureChange
    odi: MeasureChange
    psfs: MeasureChange


class WorkKind(StrEnum):
    URGENT_REFERRAL = "urgent_referral"
    UNSIGNED = "unsigned"
    CERTIFICATION = "certification"
    UNCERTIFIED = "uncertified"  # plan of care not certified by a physician yet
    PROGRESS_REPORT = "progress_report"
    NOT_SEEN = "not_seen"
    ON_HOLD = "on_hold"


WORK_LABELS = {
    WorkKind.URGENT_REFERRAL: "Referral to close",  # red-flag, urgent or emergency
    WorkKind.UNSIGNED: "Evaluation unsigned",
    WorkKind.CERTIFICATION: "Certification ending",
    WorkKind.UNCERTIFIED: "Plan not certified",
    WorkKind.PROGRESS_REPORT: "Progress report due",
    WorkKind.NOT_SEEN: f"Not seen for {NOT_SEEN_DAYS} days",
    WorkKind.ON_HOLD: "On hold",
}

# The worklist's order: what harms a patient soonest first.
WORK_PRIORITY = {kind: index for index, kind in enumerate(WorkKind)}


# Where an item stands in the worklist: (priority of its kind, since, patient name, patient
# id, record id). The first three are what the manager reads; the ids only settle ties, so
# a page can say exactly where the next one starts.
WorkKey = tuple[int, date, str, int, int]


@dataclass(frozen=True)
class WorkItem:
    kind: WorkKind
    patient_id: int
    patient_name: str  # "Family, Given"
    mrn: str
    therapist: str
    since: date  # when it became due, or the date it refers to
    detail: str
    record_id: int = 0  # the episode, evaluation or referral the item is about

    @property
    def label(self) -> str:
        return WORK_LABELS[self.kind]

    @property
    def key(self) -> WorkKey:
        return (
            WORK_PRIORITY[self.kind],
            self.since,
            self.patient_name,
            self.patient_id,
            self.record_id,
        )


def sort_worklist(items: list[WorkItem]) -> list[WorkItem]:
    """Most pressing kind first, then the longest due, then by patient name."""
    return sorted(items, key=lambda i: i.key)


WORKLIST_PAGE = 200  # items read at a time: a screenful or two, never the whole clinic


@dataclass(frozen=True)
class WorklistPage:
    """Items of the worklist in its order, from just after `after` (None: from the top)."""

    filter: CaseloadFilter
    after: WorkKey | None
    items: tuple[WorkItem, ...]
    total: int  # every item of the worklist for this filter, not just this page
    more: bool  # items follow the last one of this page

    @property
    def last_key(self) -> WorkKey | None:
        return self.items[-1].key if self.items else self.after


@dataclass(frozen=True)
class Dashboard:
    filter: CaseloadFilter
    today: date
    totals: Totals
    therapists: tuple[TherapistRow, ...]
    causes: tuple[Share, ...]
    paths: tuple[Share, ...]
    outcomes_by_therapist: tuple[OutcomeGroup, ...]
    outcomes_by_cause: tuple[OutcomeGroup, ...]
    worklist: tuple[WorkItem, ...]  # empty when the role may not see clinical records
    filter_words: str  # the filters in words, for report headers
    # The filters but the period (therapist, status, cause, path): documents say the period
    # their own way (dates in words).
    filter_choices: tuple[str, ...] = ()
