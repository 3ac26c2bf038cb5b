"""Defaults: the certification period from the plan's weeks, the complexity from the
findings, the codes to accept for a cause; and filling that keeps what was typed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from casemanager.domain import catalogs, codes
from casemanager.domain.enums import (
    Cause,
    Complexity,
    RedFlagAction,
    RedFlagAnswer,
    TreatmentPathKind,
)
from casemanager.domain.evaluation import EvaluationContent, PsfsEntry, RedFlagEntry
from casemanager.domain.evaluation_defaults import (
    certification_period,
    suggest_complexity,
    suggested_codes,
    with_default_certification,
)
from casemanager.domain.filling import fill_content
from casemanager.domain.plan import PathContent, PlanContent
from casemanager.domain.validation import validate_certification_period

DAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("weeks", "last_day"), [(1, 6), (4, 27), (6, 41), (12, 83), (13, 89), (52, 89)]
)
def test_certification_follows_the_weeks_up_to_90_days(weeks: int, last_day: int) -> None:
    start, end = certification_period(DAY, weeks)
    assert (start, end) == (DAY, DAY + timedelta(days=last_day))
    validate_certification_period(start, end)  # never longer than Medicare allows


def _plan(weeks: int | None, start: date | None = None, end: date | None = None) -> PlanContent:
    return PlanContent(
        paths=(PathContent(TreatmentPathKind.PT_PLAN, frequency_per_week=2, duration_weeks=weeks),),
        certification_start=start,
        certification_end=end,
    )


def test_default_period_fills_blank_follows_weeks_and_keeps_typed() -> None:
    filled = with_default_certification(_plan(6), DAY)
    assert (filled.certification_start, filled.certification_end) == certification_period(DAY, 6)
    # The weeks change: a period still at the old default follows them.
    moved = with_default_certification(_plan(8, *certification_period(DAY, 6)), DAY, filled)
    assert moved.certification_end == certification_period(DAY, 8)[1]
    # A period the therapist typed stays, whatever the weeks.
    typed = _plan(6, DAY, DAY + timedelta(days=60))
    assert with_default_certification(replace(typed, paths=_plan(8).paths), DAY, typed) == replace(
        typed, paths=_plan(8).paths
    )
    # No weeks, or no PT plan: nothing to follow.
    assert with_default_certification(_plan(None), DAY).certification_start is None
    assert with_default_certification(PlanContent(), DAY) == PlanContent()


def _no_flags() -> tuple[RedFlagEntry, ...]:
    return tuple(RedFlagEntry(i.code, RedFlagAnswer.NO) for i in catalogs.RED_FLAGS)


def test_low_complexity_for_a_simple_stable_presentation() -> None:
    content = EvaluationContent(red_flags=_no_flags(), nprs_now=4, nprs_worst=5)
    suggestion = suggest_complexity(content, DAY)
    assert suggestion.level == Complexity.LOW
    assert [c.name for c in suggestion.criteria] == [
        "History",
        "Examination",
        "Clinical presentation",
        "Decision making",
    ]


def test_moderate_complexity_needs_every_criterion() -> None:
    content = EvaluationContent(
        onset_date=DAY - timedelta(days=6),
        past_medical_history="Type 2 diabetes; high blood pressure",
        red_flags=_no_flags(),
        nprs_now=6,
        nprs_worst=8,  # severe: evolving
        radiates_below_knee=False,
        odi_sections=(3, 2, 3, 2, 3, 3, 2, None, 2, 3),  # 50%: severe band
        start_back=(1, 1, 0, 1, 0, 1, 0, 0, 1),  # medium risk
    )
    suggestion = suggest_complexity(content, DAY)
    levels = {c.name: c.level for c in suggestion.criteria}
    assert levels == {
        "History": Complexity.MODERATE,  # 2 conditions
        "Examination": Complexity.MODERATE,  # pain, distribution, Oswestry
        "Clinical presentation": Complexity.MODERATE,
        "Decision making": Complexity.MODERATE,
    }
    assert suggestion.level == Complexity.MODERATE
    # One criterion lower pulls the suggestion down: the lowest level all reach.
    stable = replace(content, nprs_worst=5)
    assert suggest_complexity(stable, DAY).level == Complexity.LOW


def test_high_complexity_with_a_referred_red_flag_and_many_factors() -> None:
    flags = tuple(
        RedFlagEntry(e.code, RedFlagAnswer.YES, RedFlagAction.URGENT)
        if e.code == "unexplained_weight_loss"
        else RedFlagEntry(e.code, RedFlagAnswer.YES, RedFlagAction.MONITOR, reason="noted")
        if e.code in ("history_of_cancer", "age_over_70")
        else e
        for e in _no_flags()
    )
    content = EvaluationContent(
        past_medical_history="COPD",
        red_flags=flags,
        nprs_now=7,
        radiates_below_knee=True,
        odi_sections=(4, 4, 5, 4, 4, 4, 3, 4, 4, 4),  # 80%
        psfs=(PsfsEntry("Walking", 2),),
        start_back=(1, 1, 1, 1, 1, 1, 1, 1, 4),
    )
    suggestion = suggest_complexity(content, DAY)
    assert suggestion.level == Complexity.HIGH
    assert "unstable" in suggestion.criteria[2].because


def test_nothing_in_the_history_counts_as_none() -> None:
    content = EvaluationContent(past_medical_history="None.", nprs_now=3)
    assert suggest_complexity(content, DAY).criteria[0].level == Complexity.LOW


@pytest.mark.parametrize("cause", list(Cause))
def test_codes_to_accept_are_suggested_billable_and_compatible(cause: Cause) -> None:
    for radicular in (False, True):
        chosen = suggested_codes(cause, EvaluationContent(radiates_below_knee=radicular))
        assert set(chosen) <= set(catalogs.cause_info(cause).suggested_codes)
        assert all(codes.is_billable(c) for c in chosen)
        assert not codes.excludes1_conflicts(list(chosen))


def test_disc_with_pain_below_the_knee_is_coded_with_radiculopathy() -> None:
    assert suggested_codes(Cause.RUPTURED_DISC) == ("M51.26",)
    assert suggested_codes(Cause.RUPTURED_DISC, EvaluationContent(radiates_below_knee=True)) == (
        "M51.16",
    )


def test_fill_content_never_overwrites_unless_asked() -> None:
    content = EvaluationContent(occupation="Roofer", medications=None)
    offered = {"occupation": "Teacher", "medications": "Ibuprofen", "activities": None}
    filled_content, filled = fill_content(content, offered)
    assert (filled_content.occupation, filled_content.medications) == ("Roofer", "Ibuprofen")
    assert (filled.filled, filled.kept) == (("medications",), ("occupation",))
    replaced, again = fill_content(content, offered, overwrite=True)
    assert replaced.occupation == "Teacher" and again.kept == ()
    with pytest.raises(KeyError):
        fill_content(content, {"not_a_field": 1})
