"""The plan of care for the certifying physician: the STarT Back group's stratified care, and
the physician's certification once recorded (Medicare ch. 15 s. 220.1.3). Read back with
pypdf."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

from pypdf import PdfReader

from casemanager.domain.enums import TreatmentPathKind
from casemanager.domain.evaluation import compute_scores
from casemanager.domain.medicare import Certification
from casemanager.domain.plan import PathContent
from casemanager.reports import dates, plan_of_care
from casemanager.reports.data import EvaluationSnapshot
from tests.reports.conftest import DAY, make_snapshot

LOW = (0, 0, 1, 0, 0, 0, 0, 0, 1)  # total 1: low risk


def _text(pdf: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())  # lines wrap anywhere: compare words


def low_risk_snapshot(**changes: object) -> EvaluationSnapshot:
    """A low-risk patient planned at 2x a week for 12 weeks."""
    base = make_snapshot()
    content = replace(base.content, start_back=LOW)
    assert base.plan is not None
    plan = replace(
        base.plan,
        paths=(
            PathContent(
                TreatmentPathKind.PT_PLAN,
                frequency_per_week=2,
                duration_weeks=12,
                interventions=("therapeutic_exercise",),
            ),
        ),
    )
    return replace(base, content=content, scores=compute_scores(content), plan=plan, **changes)


def test_low_risk_plan_prints_its_stratified_care() -> None:
    text = _text(plan_of_care.render(low_risk_snapshot(), invariant=True))
    assert (
        "low risk. Stratified care: advice, reassurance and self-management, with few visits."
        in text
    )
    assert "2x per week for 12 weeks" in text
    # Not certified yet: blank lines for the physician to sign.
    assert "Signature ____" in text


def test_a_recorded_certification_prints_instead_of_blank_lines() -> None:
    certified_on = DAY + timedelta(days=34)
    snapshot = low_risk_snapshot(
        certification=Certification("Dr. Helen Brooks", certified_on, "Physician on leave")
    )
    text = _text(plan_of_care.render(snapshot, invariant=True))
    assert f"Certified by Dr. Helen Brooks on {dates.day(certified_on)}" in text
    assert "Reason for the late certification: Physician on leave" in text
    assert "Signature ____" not in text
