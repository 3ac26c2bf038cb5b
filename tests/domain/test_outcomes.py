"""Change since intake, described for the chart and the discharge summary."""

from __future__ import annotations

from casemanager.domain import outcomes
from casemanager.domain.outcomes import Measures


def test_each_measure_against_its_mcic() -> None:
    pain, odi, psfs = outcomes.compare(Measures(6, 40.0, 5.0), Measures(6, 44.0, None))
    assert pain.describe() == "Pain (NPRS 0-10): 6 → 6, no change"
    assert odi.describe() == "Oswestry disability %: 40 → 44, worse by 4"
    assert psfs.describe() == "PSFS mean (0-10): not measured at both intake and now"
    _pain, odi, _psfs = outcomes.compare(Measures(None, 20.0, None), Measures(None, 14.0, None))
    # 6 points is under 10, but 30 % of a baseline of 20 is 6: the easier mark counts.
    assert odi.change is not None and odi.change.meaningful
    assert odi.describe().endswith("a meaningful change (MCIC 10 points or 30% of intake)")
