"""Outcome-measure scores, meaningful change, evaluation complexity and billing units.

Scores are computed with exact decimal arithmetic and rounded half up to one decimal, the
way a clinician would round by hand (6.25 -> 6.3), so a chart never disagrees with a
calculator. Facts and thresholds: shared/clinical/REFERENCE.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from casemanager.domain.enums import (
    Complexity,
    DecisionMaking,
    OswestryBand,
    Presentation,
    StartBackRisk,
)

# Minimal clinically important change (improvement) for each measure.
MCIC_NPRS = 2
MCIC_PSFS_MEAN = 2.0
MCIC_PSFS_SINGLE = 3
# Oswestry: a drop of at least the minimal detectable change (about 10 points: Davidson &
# Keating 2002; Ostelo 2008) is needed; the relative change (30% of intake) is shown beside
# it, never enough on its own: 4% -> 2% halves the score yet lies inside measurement error.
MCIC_ODI_POINTS = 10.0

OSWESTRY_SECTION_COUNT = 10
OSWESTRY_SECTION_MAX = 5
# Our documented rule: a percentage from fewer than 8 answered sections is not a valid score.
OSWESTRY_MAX_UNANSWERED = 2

START_BACK_ITEM_COUNT = 9
# Item 9 is answered on a 0-4 scale; only the two strongest answers count as 1.
START_BACK_ITEM9_MAX = 4
START_BACK_ITEM9_POSITIVE_FROM = 3
START_BACK_LOW_MAX_TOTAL = 3
START_BACK_HIGH_MIN_PSYCHOSOCIAL = 4

PSFS_MAX_ACTIVITIES = 5
PSFS_MAX_SCORE = 10
NPRS_MAX = 10

# 8-minute rule for timed 15-minute CPT codes.
MINUTES_PER_UNIT = 15
MIN_MINUTES_FOR_UNIT = 8

_ONE_DECIMAL = Decimal("0.1")


def _round1(value: Decimal) -> float:
    return float(value.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))


def _exact(value: float) -> Decimal:
    # Via str so 50.3 means 50.3, not the nearest binary fraction (50.29999...).
    return Decimal(str(value))


def _check_score(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low} to {high}, not {value!r}")
    return value


# --- Oswestry Disability Index -------------------------------------------------------------


def oswestry_percent(sections: Sequence[int | None]) -> float | None:
    """Disability % from the 10 section scores (None = unanswered), or None if too few answered."""
    if len(sections) != OSWESTRY_SECTION_COUNT:
        raise ValueError(
            f"Oswestry needs {OSWESTRY_SECTION_COUNT} section scores, got {len(sections)}"
        )
    answered = [
        _check_score(value, 0, OSWESTRY_SECTION_MAX, f"Oswestry section {number}")
        for number, value in enumerate(sections, start=1)
        if value is not None
    ]
    if OSWESTRY_SECTION_COUNT - len(answered) > OSWESTRY_MAX_UNANSWERED:
        return None
    # Unanswered sections shrink the denominator rather than counting as zero.
    return _round1(Decimal(sum(answered) * 100) / Decimal(OSWESTRY_SECTION_MAX * len(answered)))


def oswestry_band(percent: float) -> OswestryBand:
    """Upper bounds are inclusive: 20.0 is minimal, 20.1 moderate, 80.1 bed-bound."""
    if not 0 <= percent <= 100:
        raise ValueError(f"Oswestry percentage must be from 0 to 100, not {percent!r}")
    if percent <= 20:
        return OswestryBand.MINIMAL
    if percent <= 40:
        return OswestryBand.MODERATE
    if percent <= 60:
        return OswestryBand.SEVERE
    if percent <= 80:
        return OswestryBand.CRIPPLING
    return OswestryBand.BED_BOUND


# --- Keele STarT Back -----------------------------------------------------------------------


@dataclass(frozen=True)
class StartBackResult:
    total: int  # 0-9
    psychosocial: int  # items 5-9, 0-5
    risk: StartBackRisk


def start_back(answers: Sequence[int | None]) -> StartBackResult | None:
    """Risk group from the 9 answers; None while any answer is missing.

    Items 1-8: 0 = disagree, 1 = agree. Item 9: the index of the chosen answer (0-4).
    Out-of-range values raise even when the form is incomplete: they are bugs, not gaps.
    """
    if len(answers) != START_BACK_ITEM_COUNT:
        raise ValueError(f"STarT Back needs {START_BACK_ITEM_COUNT} answers, got {len(answers)}")
    for number, value in enumerate(answers, start=1):
        if value is not None:
            high = START_BACK_ITEM9_MAX if number == START_BACK_ITEM_COUNT else 1
            _check_score(value, 0, high, f"STarT Back item {number}")
    if any(value is None for value in answers):
        return None
    items = [value for value in answers if value is not None]  # all 9 present by now
    item9 = 1 if items[8] >= START_BACK_ITEM9_POSITIVE_FROM else 0
    total = sum(items[:8]) + item9
    psychosocial = sum(items[4:8]) + item9
    if total <= START_BACK_LOW_MAX_TOTAL:
        risk = StartBackRisk.LOW
    elif psychosocial >= START_BACK_HIGH_MIN_PSYCHOSOCIAL:
        risk = StartBackRisk.HIGH
    else:
        risk = StartBackRisk.MEDIUM
    return StartBackResult(total=total, psychosocial=psychosocial, risk=risk)


# --- Patient-Specific Functional Scale ------------------------------------------------------


def psfs_mean(scores: Sequence[int | None]) -> float | None:
    """Mean of the rated activities (None = activity slot not used); None if none rated."""
    if len(scores) > PSFS_MAX_ACTIVITIES:
        raise ValueError(f"PSFS has at most {PSFS_MAX_ACTIVITIES} activities, got {len(scores)}")
    rated = [
        _check_score(value, 0, PSFS_MAX_SCORE, f"PSFS activity {number}")
        for number, value in enumerate(scores, start=1)
        if value is not None
    ]
    if not rated:
        return None
    return _round1(Decimal(sum(rated)) / Decimal(len(rated)))


# --- Change between two visits --------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeChange:
    baseline: float
    latest: float
    change: float  # positive = the patient improved, whatever direction the scale runs
    meaningful: bool  # improvement reaches the minimal clinically important change
    # The baseline leaves no room for a change that could be told from measurement error.
    too_low_to_judge: bool = False
    relative: float | None = None  # the change as a share of the baseline, where shown


def nprs_change(baseline: int, latest: int) -> OutcomeChange:
    """Pain falls as the patient improves, so improvement = baseline - latest."""
    _check_score(baseline, 0, NPRS_MAX, "Baseline pain rating")
    _check_score(latest, 0, NPRS_MAX, "Latest pain rating")
    change = baseline - latest
    return OutcomeChange(
        baseline=float(baseline),
        latest=float(latest),
        change=float(change),
        meaningful=change >= MCIC_NPRS,
    )


def _check_range(value: float, high: float, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= high:
        raise ValueError(f"{what} must be from 0 to {high:g}, not {value!r}")
    return _exact(value)


def odi_change(baseline: float, latest: float) -> OutcomeChange:
    """Meaningful only when the % drops by at least the minimal detectable change, 10 points
    (Davidson & Keating 2002; Ostelo 2008); the drop as a share of baseline is shown beside it.

    A baseline below 10 points cannot drop that far: it is too low to judge (4% -> 2% is
    inside the measurement error, however large the relative change).
    """
    start = _check_range(baseline, 100, "Baseline Oswestry %")
    end = _check_range(latest, 100, "Latest Oswestry %")
    change = start - end
    threshold = _exact(MCIC_ODI_POINTS)
    too_low = start < threshold
    return OutcomeChange(
        baseline=float(start),
        latest=float(end),
        change=float(change),
        meaningful=not too_low and change >= threshold,
        too_low_to_judge=too_low,
        relative=float(change / start) if start > 0 else None,
    )


def psfs_change(baseline: float, latest: float) -> OutcomeChange:
    """Change in the PSFS mean; higher is better, so improvement = latest - baseline.
    Meaningful from 2 points in the mean (Stratford 1995; Abbott & Schmitt 2014)."""
    start = _check_range(baseline, PSFS_MAX_SCORE, "Baseline PSFS mean")
    end = _check_range(latest, PSFS_MAX_SCORE, "Latest PSFS mean")
    change = end - start
    return OutcomeChange(
        baseline=float(start),
        latest=float(end),
        change=float(change),
        meaningful=change >= _exact(MCIC_PSFS_MEAN),
    )


def psfs_activity_changes(
    baseline: Sequence[tuple[str, int | None]], latest: Sequence[tuple[str, int | None]]
) -> list[tuple[str, int]]:
    """Activities rated at both times whose score rose by 3 points or more: a meaningful change
    for that one activity (Stratford 1995; Abbott & Schmitt 2014), however the mean moved.

    Activities are matched by name (a follow-up carries the intake's activities), ignoring case
    and surrounding spaces; returns (activity as named at intake, rise) in intake order.
    """
    later = {name.strip().casefold(): score for name, score in latest if score is not None}
    found = []
    for name, score in baseline:
        now = later.get(name.strip().casefold())
        if score is None or now is None:
            continue
        _check_score(score, 0, PSFS_MAX_SCORE, f"PSFS {name!r} at intake")
        _check_score(now, 0, PSFS_MAX_SCORE, f"PSFS {name!r} now")
        if now - score >= MCIC_PSFS_SINGLE:
            found.append((name.strip(), now - score))
    return found


# --- Evaluation complexity (CPT 97161-97163) ------------------------------------------------

_LEVELS = (Complexity.LOW, Complexity.MODERATE, Complexity.HIGH)
_PRESENTATION_LEVEL = {
    Presentation.STABLE: Complexity.LOW,
    Presentation.EVOLVING: Complexity.MODERATE,
    Presentation.UNSTABLE: Complexity.HIGH,
}
_DECISION_LEVEL = {
    DecisionMaking.LOW: Complexity.LOW,
    DecisionMaking.MODERATE: Complexity.MODERATE,
    DecisionMaking.HIGH: Complexity.HIGH,
}


def _history_level(history_factors: int) -> Complexity:
    # Personal factors and comorbidities affecting the plan: 0 / 1-2 / 3 or more.
    if history_factors == 0:
        return Complexity.LOW
    if history_factors <= 2:
        return Complexity.MODERATE
    return Complexity.HIGH


def _exam_level(exam_elements: int) -> Complexity:
    # Body structures, functions, activity limitations, participation: 1-2 / 3 / 4 or more.
    # Zero elements supports nothing higher than low.
    if exam_elements <= 2:
        return Complexity.LOW
    if exam_elements == 3:
        return Complexity.MODERATE
    return Complexity.HIGH


def suggest_complexity(
    history_factors: int,
    exam_elements: int,
    presentation: Presentation,
    decision_making: DecisionMaking,
) -> Complexity:
    """All four criteria must support a level, so the suggestion is the lowest any supports."""
    if history_factors < 0 or exam_elements < 0:
        raise ValueError("History factors and exam elements cannot be negative")
    supported = (
        _history_level(history_factors),
        _exam_level(exam_elements),
        _PRESENTATION_LEVEL[presentation],
        _DECISION_LEVEL[decision_making],
    )
    return min(supported, key=_LEVELS.index)


# --- Billing units and reporting ------------------------------------------------------------


def timed_units(minutes: int) -> int:
    """Units for timed minutes: 8-22 = 1, 23-37 = 2, 38-52 = 3, and so on every 15; <8 = 0."""
    if minutes < 0:
        raise ValueError(f"Minutes cannot be negative, got {minutes}")
    # Rounding to the nearest unit, with 8 minutes (over half of 15) rounding up.
    return (minutes + MINUTES_PER_UNIT - MIN_MINUTES_FOR_UNIT) // MINUTES_PER_UNIT
