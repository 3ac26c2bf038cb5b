"""Guideline notes beside the plan: STarT Back stratified care (NICE NG59; Hill 2011),
epidural injections (NICE NG59), muscle relaxants (ACP 2017) and 97010 (Medicare)."""

from __future__ import annotations

from datetime import date, timedelta

from casemanager.domain import plan as rules
from casemanager.domain.enums import TreatmentPathKind
from casemanager.domain.evaluation import EvaluationContent
from casemanager.domain.plan import PathContent, PlanContent

DAY = date(2026, 5, 4)
LOW = (0, 0, 1, 0, 0, 0, 0, 0, 1)  # total 1: low risk
MEDIUM = (1, 1, 1, 0, 1, 1, 0, 0, 0)  # total 5, psychosocial 2
HIGH = (1, 1, 0, 0, 1, 1, 1, 1, 4)  # psychosocial 5


def _pt(frequency: int = 2, weeks: int = 12, *interventions: str) -> PathContent:
    return PathContent(
        TreatmentPathKind.PT_PLAN,
        frequency_per_week=frequency,
        duration_weeks=weeks,
        interventions=interventions,
    )


def _notes(plan: PlanContent, evaluation: EvaluationContent) -> list[str]:
    return [g.message for g in rules.guidance(plan, evaluation, DAY)]


def test_low_risk_planned_twice_a_week_for_12_weeks_gets_a_note() -> None:
    notes = _notes(PlanContent(paths=(_pt(2, 12),)), EvaluationContent(start_back=LOW))
    low = [n for n in notes if n.startswith("Low STarT Back risk")]
    assert len(low) == 1
    assert "advice, reassurance" in low[0]
    assert "about 24 visits (2x a week for 12 weeks): consider fewer" in low[0]
    # A short plan still gets the low-risk advice, without the visit count.
    (short,) = [
        n
        for n in _notes(PlanContent(paths=(_pt(1, 4),)), EvaluationContent(start_back=LOW))
        if n.startswith("Low")
    ]
    assert "consider fewer" not in short


def test_medium_and_high_risk_notes() -> None:
    (medium,) = [
        n
        for n in _notes(PlanContent(paths=(_pt(),)), EvaluationContent(start_back=MEDIUM))
        if "STarT Back" in n
    ]
    assert medium.startswith("Medium STarT Back risk: physiotherapist-led exercise")
    assert "manual therapy" in medium
    (high,) = [
        n
        for n in _notes(PlanContent(paths=(_pt(),)), EvaluationContent(start_back=HIGH))
        if "STarT Back" in n
    ]
    assert "psychologically informed" in high
    # No risk group yet (unanswered items): no stratified-care note.
    assert not [n for n in _notes(PlanContent(paths=(_pt(),)), EvaluationContent()) if "STarT" in n]


INJECTION = PlanContent(paths=(PathContent(TreatmentPathKind.STEROID_INJECTION_REFERRAL),))


def test_injection_note_checks_acute_severe_sciatica_and_claudication() -> None:
    fitting = EvaluationContent(
        radiates_below_knee=True, onset_date=DAY - timedelta(weeks=3), nprs_worst=8
    )
    assert not [n for n in _notes(INJECTION, fitting) if "epidural" in n]
    # Pain below the knee alone is not enough: chronic and mild.
    chronic = EvaluationContent(
        radiates_below_knee=True, onset_date=DAY - timedelta(weeks=30), nprs_worst=5
    )
    (note,) = [n for n in _notes(INJECTION, chronic) if "epidural" in n]
    assert "30 weeks ago (chronic, not acute)" in note
    assert "worst pain is 5/10 (not severe)" in note
    assert "below the knee" not in note
    claudication = EvaluationContent(
        radiates_below_knee=True,
        onset_date=DAY - timedelta(weeks=3),
        nprs_worst=8,
        diagnosis_codes=("M48.062",),
    )
    (note,) = [n for n in _notes(INJECTION, claudication) if "epidural" in n]
    assert "neurogenic claudication" in note and "M48.062" in note
    (note,) = [n for n in _notes(INJECTION, EvaluationContent()) if "epidural" in n]
    assert "no pain below the knee" in note and "onset date is not recorded" in note


def test_muscle_relaxant_notes_follow_acp_2017() -> None:
    relaxant = PlanContent(
        paths=(PathContent(TreatmentPathKind.MEDICATION_REFERRAL, muscle_relaxant=True),)
    )
    acute = EvaluationContent(onset_date=DAY - timedelta(weeks=2))
    (note,) = [n for n in _notes(relaxant, acute) if "relaxant" in n]
    assert "short-term use only" in note
    chronic = EvaluationContent(onset_date=DAY - timedelta(weeks=20))
    (note,) = [n for n in _notes(relaxant, chronic) if "relaxant" in n]
    assert "NSAID first, then tramadol or duloxetine" in note
    nsaid = PlanContent(
        paths=(PathContent(TreatmentPathKind.MEDICATION_REFERRAL, anti_inflammatory=True),)
    )
    assert not [n for n in _notes(nsaid, chronic) if "relaxant" in n]


def test_hot_and_cold_packs_are_bundled_by_medicare() -> None:
    with_packs = PlanContent(paths=(_pt(2, 4, "therapeutic_exercise", "hot_cold_packs"),))
    assert any("bundles 97010" in n for n in _notes(with_packs, EvaluationContent()))
    without = PlanContent(paths=(_pt(2, 4, "therapeutic_exercise"),))
    assert not any("97010" in n for n in _notes(without, EvaluationContent()))
