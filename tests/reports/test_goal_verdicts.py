"""A progress report's plan of care prints its verdict on each goal of the plan in force, with
what was measured (Medicare ch. 15 s. 220.3.D); an initial evaluation's prints no such table."""

from __future__ import annotations

import io
from dataclasses import replace

from pypdf import PdfReader

from casemanager.domain.enums import EvaluationKind, GoalTerm
from casemanager.domain.medicare import GoalProgress
from casemanager.reports import plan_of_care
from casemanager.reports.data import EvaluationSnapshot, GoalVerdict

HEADING = "Progress toward the goals of the plan in force"


def _flat(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def test_a_progress_reports_plan_of_care_prints_each_verdict(
    snapshot: EvaluationSnapshot,
) -> None:
    report = replace(
        snapshot,
        kind=EvaluationKind.PROGRESS_REPORT,
        goal_verdicts=(
            GoalVerdict(GoalTerm.SHORT, "Sit 30 minutes at work", GoalProgress.MET, "Sits 35 min"),
            GoalVerdict(
                GoalTerm.LONG,
                "Lift 10 kg from floor to waist",
                GoalProgress.NOT_PROGRESSING,
                "Lifts 4 kg, guarded",
            ),
        ),
    )
    text = _flat(plan_of_care.render(report, invariant=True))
    assert HEADING in text
    after = text[text.index(HEADING) :]
    for expected in (
        "Short term Sit 30 minutes at work Met Sits 35 min",
        "Long term Lift 10 kg from floor to waist Not progressing Lifts 4 kg, guarded",
    ):
        assert expected in after, expected
    assert HEADING not in _flat(plan_of_care.render(snapshot, invariant=True))
