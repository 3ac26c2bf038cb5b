"""Scores, meaningful change, complexity and units: the numbers a chart and a bill depend on."""

from __future__ import annotations

import pytest

from casemanager.domain import scoring
from casemanager.domain.enums import (
    Complexity,
    DecisionMaking,
    OswestryBand,
    Presentation,
    StartBackRisk,
)
from casemanager.domain.scoring import OutcomeChange, StartBackResult

# --- Oswestry -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sections", "percent"),
    [
        ([0] * 10, 0.0),
        ([5] * 10, 100.0),
        ([1] * 10, 20.0),
        ([2, 3, 1, 2, 2, 3, 1, 0, 2, 2], 36.0),
        # One unanswered section: denominator 45, 20 / 45 = 44.44...
        ([2, 3, 1, 2, 2, 3, 1, None, 3, 3], 44.4),
        # 1 / 45 = 2.22...
        ([1, 0, 0, 0, 0, 0, 0, 0, None, 0], 2.2),
        # 2 / 45 = 4.444... ; 4 / 45 = 8.888... rounds up
        ([4, 0, 0, 0, 0, 0, 0, 0, 0, None], 8.9),
        # Two unanswered (the most allowed): denominator 40, 13 / 40 = 32.5 exactly
        ([None, 3, 2, 2, 2, 1, 1, 1, 1, None], 32.5),
        ([None, None, 5, 5, 5, 5, 5, 5, 5, 5], 100.0),
        ([None, None, 0, 0, 0, 0, 0, 0, 0, 0], 0.0),
    ],
)
def test_oswestry_percent(sections: list[int | None], percent: float) -> None:
    assert scoring.oswestry_percent(sections) == percent


@pytest.mark.parametrize(
    "sections",
    [
        [None, None, None, 1, 1, 1, 1, 1, 1, 1],  # three unanswered
        [None] * 10,
        [0] + [None] * 9,
    ],
)
def test_oswestry_percent_too_few_sections_answered(sections: list[int | None]) -> None:
    assert scoring.oswestry_percent(sections) is None


@pytest.mark.parametrize("count", [0, 9, 11])
def test_oswestry_percent_needs_ten_sections(count: int) -> None:
    with pytest.raises(ValueError, match="10 section scores"):
        scoring.oswestry_percent([1] * count)


@pytest.mark.parametrize("bad", [6, -1, 10, True])
def test_oswestry_percent_rejects_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError, match="section 4"):
        scoring.oswestry_percent([1, 1, 1, bad, 1, 1, 1, 1, 1, 1])


def test_oswestry_percent_rejects_out_of_range_even_when_incomplete() -> None:
    with pytest.raises(ValueError):
        scoring.oswestry_percent([None, None, None, 9, 1, 1, 1, 1, 1, 1])


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0.0, OswestryBand.MINIMAL),
        (20.0, OswestryBand.MINIMAL),
        (20.1, OswestryBand.MODERATE),
        (40.0, OswestryBand.MODERATE),
        (40.1, OswestryBand.SEVERE),
        (60.0, OswestryBand.SEVERE),
        (60.1, OswestryBand.CRIPPLING),
        (80.0, OswestryBand.CRIPPLING),
        (80.1, OswestryBand.BED_BOUND),
        (100.0, OswestryBand.BED_BOUND),
    ],
)
def test_oswestry_band_boundaries(percent: float, band: OswestryBand) -> None:
    assert scoring.oswestry_band(percent) is band


@pytest.mark.parametrize("percent", [-0.1, 100.1])
def test_oswestry_band_rejects_impossible_percent(percent: float) -> None:
    with pytest.raises(ValueError):
        scoring.oswestry_band(percent)


# --- STarT Back -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], StartBackResult(0, 0, StartBackRisk.LOW)),
        # Total 3 is still low, even when all three are psychosocial.
        ([0, 0, 0, 0, 1, 1, 1, 0, 0], StartBackResult(3, 3, StartBackRisk.LOW)),
        ([1, 1, 1, 0, 0, 0, 0, 0, 2], StartBackResult(3, 0, StartBackRisk.LOW)),
        # Total 4 with a psychosocial score of 3 or less: medium.
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], StartBackResult(4, 0, StartBackRisk.MEDIUM)),
        ([1, 0, 0, 0, 1, 1, 0, 0, 4], StartBackResult(4, 3, StartBackRisk.MEDIUM)),
        ([1, 1, 1, 1, 1, 1, 1, 0, 2], StartBackResult(7, 3, StartBackRisk.MEDIUM)),
        # Psychosocial 4 or more: high.
        ([0, 0, 0, 0, 1, 1, 1, 1, 0], StartBackResult(4, 4, StartBackRisk.HIGH)),
        ([0, 0, 0, 0, 1, 1, 1, 0, 3], StartBackResult(4, 4, StartBackRisk.HIGH)),
        ([1, 1, 1, 1, 1, 1, 1, 1, 4], StartBackResult(9, 5, StartBackRisk.HIGH)),
    ],
)
def test_start_back(answers: list[int | None], expected: StartBackResult) -> None:
    assert scoring.start_back(answers) == expected


@pytest.mark.parametrize(("item9", "counts"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_start_back_item9_counts_only_very_much_or_extremely(item9: int, counts: int) -> None:
    result = scoring.start_back([0, 0, 0, 0, 0, 0, 0, 0, item9])
    assert result is not None
    assert result.total == counts
    assert result.psychosocial == counts


@pytest.mark.parametrize(
    "answers",
    [
        [None, 0, 0, 0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1, 1, 1, None],
        [None] * 9,
    ],
)
def test_start_back_incomplete(answers: list[int | None]) -> None:
    assert scoring.start_back(answers) is None


@pytest.mark.parametrize(
    "answers",
    [
        [2, 0, 0, 0, 0, 0, 0, 0, 0],  # items 1-8 are agree/disagree only
        [0, 0, 0, 0, 0, 0, 0, -1, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 5],
        [None, 0, 0, 0, 0, 0, 0, 0, 5],  # out of range beats incomplete
    ],
)
def test_start_back_rejects_out_of_range(answers: list[int | None]) -> None:
    with pytest.raises(ValueError, match="STarT Back item"):
        scoring.start_back(answers)


@pytest.mark.parametrize("count", [8, 10])
def test_start_back_needs_nine_answers(count: int) -> None:
    with pytest.raises(ValueError, match="9 answers"):
        scoring.start_back([0] * count)


# --- PSFS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "mean"),
    [
        ([5], 5.0),
        ([0, 10], 5.0),
        ([3, 4, 4], 3.7),  # 11 / 3 = 3.666...
        ([3, 3, 4], 3.3),
        ([6, 6, 6, 7], 6.3),  # 6.25 rounds half up, not to even
        ([1, 1, 1, 2], 1.3),  # 1.25
        ([10, 10, 10, 10, 10], 10.0),
        ([2, None, 4, None, None], 3.0),
        ([], None),
        ([None, None], None),
    ],
)
def test_psfs_mean(scores: list[int | None], mean: float | None) -> None:
    assert scoring.psfs_mean(scores) == mean


@pytest.mark.parametrize("bad", [-1, 11])
def test_psfs_mean_rejects_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError, match="activity 2"):
        scoring.psfs_mean([5, bad])


def test_psfs_mean_rejects_more_than_five_activities() -> None:
    with pytest.raises(ValueError, match="at most 5"):
        scoring.psfs_mean([5, 5, 5, 5, 5, None])


# --- Change ---------------------------------------------------------------------------------


def test_mcic_constants() -> None:
    assert (scoring.MCIC_NPRS, scoring.MCIC_PSFS_MEAN, scoring.MCIC_PSFS_SINGLE) == (2, 2.0, 3)
    assert scoring.MCIC_ODI_POINTS == 10.0


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        (7, 5, OutcomeChange(7.0, 5.0, 2.0, True)),
        (7, 6, OutcomeChange(7.0, 6.0, 1.0, False)),
        (7, 7, OutcomeChange(7.0, 7.0, 0.0, False)),
        (3, 6, OutcomeChange(3.0, 6.0, -3.0, False)),  # worse
        (10, 0, OutcomeChange(10.0, 0.0, 10.0, True)),
    ],
)
def test_nprs_change(baseline: int, latest: int, expected: OutcomeChange) -> None:
    assert scoring.nprs_change(baseline, latest) == expected


@pytest.mark.parametrize(("baseline", "latest"), [(11, 5), (5, -1)])
def test_nprs_change_rejects_out_of_range(baseline: int, latest: int) -> None:
    with pytest.raises(ValueError):
        scoring.nprs_change(baseline, latest)


@pytest.mark.parametrize(
    ("baseline", "latest", "change", "meaningful"),
    [
        (50.0, 40.0, 10.0, True),  # exactly 10 points: the minimal detectable change
        (50.0, 40.1, 9.9, False),  # 9.9 points
        (50.3, 40.3, 10.0, True),  # binary floats would make this 9.999...
        (20.0, 14.0, 6.0, False),  # 30 % of baseline, inside the measurement error
        (20.0, 10.0, 10.0, True),
        (10.0, 0.0, 10.0, True),  # the lowest baseline that can show a 10-point drop
        (30.0, 40.0, -10.0, False),  # worse
        (100.0, 0.0, 100.0, True),
    ],
)
def test_odi_change(baseline: float, latest: float, change: float, meaningful: bool) -> None:
    result = scoring.odi_change(baseline, latest)
    assert (result.baseline, result.latest, result.change) == (baseline, latest, change)
    assert result.meaningful is meaningful
    assert result.too_low_to_judge is False
    assert result.relative == pytest.approx(change / baseline)


@pytest.mark.parametrize(("baseline", "latest"), [(4.0, 2.0), (9.9, 0.0), (0.0, 0.0)])
def test_odi_change_from_a_low_baseline_is_too_low_to_judge(baseline: float, latest: float) -> None:
    """4% -> 2% halves the score but cannot be told from measurement error."""
    result = scoring.odi_change(baseline, latest)
    assert result.too_low_to_judge and not result.meaningful


@pytest.mark.parametrize(("baseline", "latest"), [(100.1, 50.0), (50.0, -1.0)])
def test_odi_change_rejects_out_of_range(baseline: float, latest: float) -> None:
    with pytest.raises(ValueError):
        scoring.odi_change(baseline, latest)


@pytest.mark.parametrize(
    ("baseline", "latest", "change", "meaningful"),
    [
        (3.0, 5.0, 2.0, True),
        (3.1, 5.1, 2.0, True),  # binary floats would make this 1.999...
        (3.0, 4.9, 1.9, False),
        (6.0, 4.0, -2.0, False),  # worse
        (0.0, 10.0, 10.0, True),
        (4, 6, 2.0, True),  # ints are fine
    ],
)
def test_psfs_change(baseline: float, latest: float, change: float, meaningful: bool) -> None:
    assert scoring.psfs_change(baseline, latest) == OutcomeChange(
        float(baseline), float(latest), change, meaningful
    )


def test_psfs_change_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        scoring.psfs_change(3.0, 10.5)


# --- Evaluation complexity ------------------------------------------------------------------

_STABLE, _EVOLVING, _UNSTABLE = Presentation.STABLE, Presentation.EVOLVING, Presentation.UNSTABLE
_LOW_DM, _MOD_DM, _HIGH_DM = DecisionMaking.LOW, DecisionMaking.MODERATE, DecisionMaking.HIGH


@pytest.mark.parametrize(
    ("history", "exam", "presentation", "decision", "expected"),
    [
        (0, 1, _STABLE, _LOW_DM, Complexity.LOW),
        (3, 4, _UNSTABLE, _HIGH_DM, Complexity.HIGH),
        (1, 3, _EVOLVING, _MOD_DM, Complexity.MODERATE),
        (2, 3, _EVOLVING, _MOD_DM, Complexity.MODERATE),
        (5, 10, _UNSTABLE, _HIGH_DM, Complexity.HIGH),
        # Each criterion alone can hold the level down.
        (0, 4, _UNSTABLE, _HIGH_DM, Complexity.LOW),
        (3, 2, _UNSTABLE, _HIGH_DM, Complexity.LOW),
        (3, 4, _STABLE, _HIGH_DM, Complexity.LOW),
        (3, 4, _UNSTABLE, _LOW_DM, Complexity.LOW),
        (2, 4, _UNSTABLE, _HIGH_DM, Complexity.MODERATE),
        (3, 3, _UNSTABLE, _HIGH_DM, Complexity.MODERATE),
        (3, 4, _EVOLVING, _HIGH_DM, Complexity.MODERATE),
        (3, 4, _UNSTABLE, _MOD_DM, Complexity.MODERATE),
        (0, 0, _STABLE, _LOW_DM, Complexity.LOW),
    ],
)
def test_suggest_complexity(
    history: int,
    exam: int,
    presentation: Presentation,
    decision: DecisionMaking,
    expected: Complexity,
) -> None:
    assert scoring.suggest_complexity(history, exam, presentation, decision) is expected


@pytest.mark.parametrize(("history", "exam"), [(-1, 2), (1, -1)])
def test_suggest_complexity_rejects_negative_counts(history: int, exam: int) -> None:
    with pytest.raises(ValueError):
        scoring.suggest_complexity(history, exam, _STABLE, _LOW_DM)


# --- Units and progress reports -------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "units"),
    [
        (0, 0),
        (7, 0),
        (8, 1),
        (15, 1),
        (22, 1),
        (23, 2),
        (37, 2),
        (38, 3),
        (52, 3),
        (53, 4),
        (67, 4),
        (68, 5),
    ],
)
def test_timed_units(minutes: int, units: int) -> None:
    assert scoring.timed_units(minutes) == units


def test_timed_units_rejects_negative() -> None:
    with pytest.raises(ValueError):
        scoring.timed_units(-1)


def test_psfs_one_activity_rule() -> None:
    """3 points on one activity is meaningful for it, even when the mean moves less."""
    intake = [("Walking", 3), ("Lifting a child", 5), ("Sitting at work", 6)]
    later = [("walking ", 6), ("Lifting a child", 6), ("Sitting at work", 6)]
    assert scoring.psfs_activity_changes(intake, later) == [("Walking", 3)]
    assert not scoring.psfs_change(4.7, 6.0).meaningful  # the mean rose only 1.3
    assert scoring.psfs_activity_changes(intake, [("Walking", 5)]) == []  # 2 points
    assert scoring.psfs_activity_changes(intake, [("Gardening", 10)]) == []  # not at intake
    assert scoring.psfs_activity_changes([("Walking", None)], [("Walking", 9)]) == []
