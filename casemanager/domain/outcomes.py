"""Change from intake in pain, disability and function, each marked against its minimal
clinically important change (MCIC): what a progress report and a discharge summary show.

Thresholds and sources are in `domain.scoring` (and `docs/clinical-rules.md`).
"""

from __future__ import annotations

from dataclasses import dataclass

from casemanager.domain import scoring


@dataclass(frozen=True)
class Measures:
    """The three outcome measures of one evaluation (None when not recorded)."""

    nprs: int | None
    odi_percent: float | None
    psfs_mean: float | None
    # (activity as the patient named it, score): the PSFS one-activity rule needs them
    psfs_activities: tuple[tuple[str, int | None], ...] = ()


@dataclass(frozen=True)
class Outcome:
    measure: str  # as a clinician names it
    threshold: str  # the MCIC it is judged against, in words
    change: scoring.OutcomeChange | None  # None when intake or latest is missing
    # PSFS: activities that rose by the one-activity MCIC, (activity, points)
    activities: tuple[tuple[str, int], ...] = ()

    def describe(self) -> str:
        """One line for the chart and the discharge summary."""
        if self.change is None:
            return f"{self.measure}: not measured at both intake and now"
        c = self.change
        share = f" ({c.relative:.0%} of intake)" if c.relative is not None and c.change else ""
        if c.too_low_to_judge:
            verdict = (
                f"changed by {_number(c.change)}: intake too low to judge "
                f"(below the {self.threshold} a change must reach)"
            )
        elif c.meaningful:
            verdict = (
                f"improved by {_number(c.change)}{share}: a meaningful change "
                f"(MCIC {self.threshold})"
            )
        elif c.change > 0:
            verdict = (
                f"improved by {_number(c.change)}{share}, less than the MCIC of {self.threshold}"
            )
        elif c.change == 0:
            verdict = "no change"
        else:
            verdict = f"worse by {_number(-c.change)}"
        line = f"{self.measure}: {_number(c.baseline)} → {_number(c.latest)}, {verdict}"
        if self.activities:
            rises = ", ".join(f"{name} +{points}" for name, points in self.activities)
            line += f"; meaningful for one activity (≥ {scoring.MCIC_PSFS_SINGLE} points): {rises}"
        return line


def _number(value: float) -> str:
    return f"{value:g}"


def compare(intake: Measures, latest: Measures) -> tuple[Outcome, ...]:
    """Intake against the latest values. Positive change always means the patient improved."""
    nprs = (
        scoring.nprs_change(intake.nprs, latest.nprs)
        if intake.nprs is not None and latest.nprs is not None
        else None
    )
    odi = (
        scoring.odi_change(intake.odi_percent, latest.odi_percent)
        if intake.odi_percent is not None and latest.odi_percent is not None
        else None
    )
    psfs = (
        scoring.psfs_change(intake.psfs_mean, latest.psfs_mean)
        if intake.psfs_mean is not None and latest.psfs_mean is not None
        else None
    )
    activities = scoring.psfs_activity_changes(intake.psfs_activities, latest.psfs_activities)
    return (
        Outcome("Pain (NPRS 0-10)", f"{scoring.MCIC_NPRS} points", nprs),
        Outcome("Oswestry disability %", f"{scoring.MCIC_ODI_POINTS:g} points", odi),
        Outcome(
            "PSFS mean (0-10)",
            f"{scoring.MCIC_PSFS_MEAN:g} points",
            psfs,
            tuple(activities),
        ),
    )
