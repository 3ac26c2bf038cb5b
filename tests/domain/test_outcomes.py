"""Change since intake, described for the chart and the discharge summary."""

from __future__ import annotations

from casemanager.domain import outcomes
from casemanager.domain.outcomes import Measures


def test_each_measure_against_its_mcic() -> None:
    pain, odi, psfs = outcomes.compare(Measures(6, 40.0, 5.0), Measures(6, 44.0, None))
    assert pain.describe() == "Pain (NPRS 0-10): 6 → 6, no change"
    assert odi.describe() == "Oswestry disability %: 40 → 44, worse by 4"
    assert psfs.describe() == "PSFS mean (0-10): not measured at both intake and now"


def test_oswestry_needs_the_minimal_detectable_change_and_shows_the_share() -> None:
    _pain, odi, _psfs = outcomes.compare(Measures(None, 20.0, None), Measures(None, 14.0, None))
    # 30 % of a baseline of 20 is 6 points: under the 10-point minimal detectable change.
    assert odi.change is not None and not odi.change.meaningful
    assert odi.describe() == (
        "Oswestry disability %: 20 → 14, improved by 6 (30% of intake), "
        "less than the MCIC of 10 points"
    )
    _pain, odi, _psfs = outcomes.compare(Measures(None, 40.0, None), Measures(None, 28.0, None))
    assert odi.describe() == (
        "Oswestry disability %: 40 → 28, improved by 12 (30% of intake): "
        "a meaningful change (MCIC 10 points)"
    )


def test_oswestry_from_a_low_baseline_is_too_low_to_judge() -> None:
    _pain, odi, _psfs = outcomes.compare(Measures(None, 4.0, None), Measures(None, 2.0, None))
    assert odi.change is not None and not odi.change.meaningful
    assert "too low to judge" in odi.describe()
    assert "meaningful change" not in odi.describe()


def test_psfs_names_an_activity_that_rose_three_points() -> None:
    intake = Measures(None, None, 4.0, (("Walking", 3), ("Sitting", 5)))
    latest = Measures(None, None, 5.5, (("Walking", 6), ("Sitting", 5)))
    _pain, _odi, psfs = outcomes.compare(intake, latest)
    assert psfs.change is not None and not psfs.change.meaningful  # the mean rose 1.5
    assert psfs.activities == (("Walking", 3),)
    assert psfs.describe().endswith("meaningful for one activity (≥ 3 points): Walking +3")
