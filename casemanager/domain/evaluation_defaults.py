"""Defaults that are right most of the time, so the therapist confirms instead of typing:
the certification period from the plan's weeks, the evaluation complexity from the findings,
and the diagnosis codes to accept for the suspected cause. Pure; each rule names its source
and docs/clinical-rules.md lists them."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from casemanager.domain import catalogs, scoring
from casemanager.domain.enums import (
    Cause,
    Complexity,
    DecisionMaking,
    OswestryBand,
    Presentation,
    RedFlagAction,
    RedFlagAnswer,
    StartBackRisk,
    TreatmentPathKind,
)
from casemanager.domain.evaluation import EvaluationContent
from casemanager.domain.plan import CHRONIC_AFTER_WEEKS, SEVERE_PAIN_FROM, PlanContent
from casemanager.domain.validation import MAX_CERTIFICATION_DAYS

# ---------------------------------------------------------------- certification period


def certification_period(start: date, duration_weeks: int) -> tuple[date, date]:
    """The plan's weeks from the evaluation day (day 1), at most the 90 calendar days one
    certification may cover (Medicare Benefit Policy Manual ch. 15 s. 220.1.3)."""
    days = min(max(duration_weeks, 1) * 7, MAX_CERTIFICATION_DAYS)
    return start, start + timedelta(days=days - 1)


def _pt_weeks(plan: PlanContent | None) -> int | None:
    if plan is None:
        return None
    pt = next((p for p in plan.paths if p.kind == TreatmentPathKind.PT_PLAN), None)
    return pt.duration_weeks if pt is not None else None


def with_default_certification(
    plan: PlanContent, start: date, previous: PlanContent | None = None
) -> PlanContent:
    """The plan with its certification period following the PT plan's weeks when the
    therapist has not typed one: both dates blank, or still the period the previous weeks
    gave (so changing the weeks moves it along). A period the therapist typed is kept."""
    weeks = _pt_weeks(plan)
    if weeks is None:
        return plan
    typed = (plan.certification_start, plan.certification_end)
    blank = typed == (None, None)
    old_weeks = _pt_weeks(previous)
    followed = (
        previous is not None
        and old_weeks is not None
        and typed == (previous.certification_start, previous.certification_end)
        and typed == certification_period(start, old_weeks)
    )
    if not (blank or followed):
        return plan
    first, last = certification_period(start, weeks)
    return replace(plan, certification_start=first, certification_end=last)


# ---------------------------------------------------------------- evaluation complexity


@dataclass(frozen=True)
class ComplexityCriterion:
    """One of the four criteria of CPT 97161-97163, the level the findings reach on it, and
    why (shown to the therapist beside the suggestion)."""

    name: str
    level: Complexity
    because: str


@dataclass(frozen=True)
class ComplexitySuggestion:
    level: Complexity  # the lowest level every criterion reaches
    criteria: tuple[ComplexityCriterion, ...]


_NOTHING = frozenset({"none", "nil", "no", "n/a", "na", "nothing", "ninguno", "ninguna", "nada"})
# With the other three criteria at their highest, scoring.suggest_complexity gives the level
# one criterion alone supports (shown beside it).
_MOST_FACTORS = 99


def _alone(
    history: int = _MOST_FACTORS,
    exam: int = _MOST_FACTORS,
    presentation: Presentation = Presentation.UNSTABLE,
    decision: DecisionMaking = DecisionMaking.HIGH,
) -> Complexity:
    return scoring.suggest_complexity(history, exam, presentation, decision)


def _listed(text: str | None) -> int:
    """How many conditions a history line lists ("asthma; diabetes and hypertension": 3)."""
    if not text:
        return 0
    items = [i.strip() for i in re.split(r"[;,\n]|\band\b|\by\b", text) if i.strip()]
    return len([i for i in items if i.casefold().strip(". ") not in _NOTHING])


def _history_factors(content: EvaluationContent, evaluation_date: date | None) -> list[str]:
    factors: list[str] = []
    conditions = _listed(content.past_medical_history)
    if conditions:
        factors.append(f"{conditions} condition(s) in the past history")
    factors += [
        catalogs.red_flag(e.code).finding
        for e in content.red_flags
        if e.answer == RedFlagAnswer.YES and catalogs.red_flag(e.code).risk_factor
    ]
    if content.prior_episodes:
        factors.append("earlier episodes of back pain")
    if content.onset_date is not None and evaluation_date is not None:
        weeks = (evaluation_date - content.onset_date).days // 7
        if weeks > CHRONIC_AFTER_WEEKS:
            factors.append(f"pain for {weeks} weeks (chronic)")
    sbst = scoring.start_back(content.start_back)
    if sbst is not None and sbst.psychosocial >= 4:
        factors.append("psychosocial factors (STarT Back subscale 4 or more)")
    return factors


def _exam_elements(content: EvaluationContent) -> list[str]:
    elements: list[str] = []
    if content.nprs_now is not None:
        elements.append("pain (NPRS)")
    if content.radiates_below_knee is not None or content.pain_side is not None:
        elements.append("pain distribution and nerve symptoms")
    if scoring.oswestry_percent(content.odi_sections) is not None:
        elements.append("activity limitation (Oswestry)")
    if any(entry.score is not None for entry in content.psfs):
        elements.append("participation (PSFS activities)")
    return elements


def _presentation(content: EvaluationContent) -> tuple[Presentation, str]:
    referred = [
        catalogs.red_flag(e.code).finding
        for e in content.red_flags
        if e.answer == RedFlagAnswer.YES
        and e.action is not None
        and e.action != RedFlagAction.MONITOR
    ]
    if referred:
        return Presentation.UNSTABLE, "unstable: referred for " + referred[0]
    changing: list[str] = []
    if content.radiates_below_knee:
        changing.append("pain below the knee")
    worst = content.nprs_worst if content.nprs_worst is not None else content.nprs_now
    if worst is not None and worst >= SEVERE_PAIN_FROM:
        changing.append(f"severe pain ({worst}/10)")
    if any(e.answer == RedFlagAnswer.YES for e in content.red_flags):
        changing.append("a red-flag finding being monitored")
    if changing:
        return Presentation.EVOLVING, "evolving: " + ", ".join(changing)
    return Presentation.STABLE, "stable"


_ODI_DECISION = {
    OswestryBand.MINIMAL: DecisionMaking.LOW,
    OswestryBand.MODERATE: DecisionMaking.LOW,
    OswestryBand.SEVERE: DecisionMaking.MODERATE,
    OswestryBand.CRIPPLING: DecisionMaking.HIGH,
    OswestryBand.BED_BOUND: DecisionMaking.HIGH,
}
_RISK_DECISION = {
    StartBackRisk.LOW: DecisionMaking.LOW,
    StartBackRisk.MEDIUM: DecisionMaking.MODERATE,
    StartBackRisk.HIGH: DecisionMaking.HIGH,
}
_DECISIONS = (DecisionMaking.LOW, DecisionMaking.MODERATE, DecisionMaking.HIGH)


def _decision(content: EvaluationContent) -> tuple[DecisionMaking, str]:
    found: list[tuple[DecisionMaking, str]] = []
    sbst = scoring.start_back(content.start_back)
    if sbst is not None:
        found.append((_RISK_DECISION[sbst.risk], f"STarT Back {sbst.risk.value} risk"))
    odi = scoring.oswestry_percent(content.odi_sections)
    if odi is not None:
        band = scoring.oswestry_band(odi)
        words = band.value.replace("_", " ")
        found.append((_ODI_DECISION[band], f"Oswestry {odi:.0f}% ({words})"))
    if not found:
        return DecisionMaking.LOW, "no standardized measure scored yet"
    level = max((lvl for lvl, _ in found), key=_DECISIONS.index)
    return level, ", ".join(why for _, why in found)


def suggest_complexity(
    content: EvaluationContent, evaluation_date: date | None = None
) -> ComplexitySuggestion:
    """The evaluation complexity the findings support (CPT 97161 low, 97162 moderate, 97163
    high): each of the four criteria is judged from what the form holds, and the suggestion
    is the lowest level all of them support (scoring.suggest_complexity: every criterion must
    be met). History: personal factors and comorbidities (0, 1-2, 3 or more); examination:
    elements measured (1-2, 3, 4); clinical presentation: stable, evolving, unstable;
    decision making: standardized measures (STarT Back risk group, Oswestry band). Source:
    the CPT 2017 PT evaluation codes as CMS and APTA summarise them (REFERENCE.md); how our
    fields count towards each criterion is this project's rule (docs/clinical-rules.md)."""
    factors = _history_factors(content, evaluation_date)
    elements = _exam_elements(content)
    presentation, presentation_why = _presentation(content)
    decision, decision_why = _decision(content)
    criteria = (
        ComplexityCriterion(
            "History",
            _alone(history=len(factors)),
            f"{len(factors)} factor(s): "
            + ("; ".join(factors) or "no personal factors or comorbidities recorded"),
        ),
        ComplexityCriterion(
            "Examination",
            _alone(exam=len(elements)),
            f"{len(elements)} element(s): " + (", ".join(elements) or "nothing measured yet"),
        ),
        ComplexityCriterion(
            "Clinical presentation", _alone(presentation=presentation), presentation_why
        ),
        ComplexityCriterion("Decision making", _alone(decision=decision), decision_why),
    )
    level = scoring.suggest_complexity(len(factors), len(elements), presentation, decision)
    return ComplexitySuggestion(level, criteria)


# ---------------------------------------------------------------- codes for the cause


def suggested_codes(cause: Cause, content: EvaluationContent | None = None) -> tuple[str, ...]:
    """The codes to accept in one action for the cause: the first of each alternative the
    catalog offers (REFERENCE.md's table), so none excludes another. The strain is coded as
    the initial encounter (A: therapy is the active treatment; the picker explains D). A
    herniated disc with pain below the knee is coded with radiculopathy (M51.16)."""
    radicular = content is not None and content.radiates_below_knee is True
    chosen: dict[Cause, tuple[str, ...]] = {
        Cause.TISSUE_INJURY: ("S39.012A",),
        Cause.HEAVY_LIFTING: ("S39.012A", "M62.830"),
        Cause.ACTIVITY_STRAIN: ("S39.012A", "M62.830"),
        Cause.WEAK_ABDOMINALS: ("R29.898", "M54.50"),
        Cause.ARTHRITIS: ("M47.26",) if radicular else ("M47.816",),
        Cause.RUPTURED_DISC: ("M51.16",) if radicular else ("M51.26",),
        Cause.FIBROMYALGIA: ("M79.7",),
        Cause.OTHER: ("M62.830", "M54.50"),
    }
    codes = chosen[cause]
    offered = set(catalogs.cause_info(cause).suggested_codes)
    assert set(codes) <= offered, "a default must be one of the cause's suggestions"
    return codes
