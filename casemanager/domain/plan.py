"""The plan of care chosen at an evaluation: treatment paths, goals, home exercises and the
certification period, with the rules that keep it valid and the guideline notes it earns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from casemanager.domain import catalogs, scoring, validation
from casemanager.domain import field_limits as limits
from casemanager.domain.enums import (
    GoalStatus,
    GoalTerm,
    HeatIce,
    ReferralKind,
    Side,
    StartBackRisk,
    TreatmentPathKind,
    Urgency,
)
from casemanager.domain.errors import ValidationError
from casemanager.domain.evaluation import EvaluationContent, Guidance
from casemanager.domain.exercises import check_dose


@dataclass(frozen=True)
class PathContent:
    """One chosen treatment path; the fields that apply depend on `kind`."""

    kind: TreatmentPathKind
    anti_inflammatory: bool = False  # medication referral
    muscle_relaxant: bool = False
    frequency_per_week: int | None = None  # physical therapy plan
    duration_weeks: int | None = None
    interventions: tuple[str, ...] = ()
    heat_ice: HeatIce | None = None
    heat_ice_minutes: int | None = None
    heat_ice_times_per_day: int | None = None
    injection_level: str | None = None  # steroid injection referral
    injection_side: Side | None = None
    reason: str | None = None  # any referral path
    refer_to: str | None = None  # physician or service; default: the referring physician
    urgency: Urgency = Urgency.ROUTINE


@dataclass(frozen=True)
class GoalContent:
    term: GoalTerm
    description: str
    target_date: date | None = None
    status: GoalStatus = GoalStatus.IN_PROGRESS


@dataclass(frozen=True)
class HomeExerciseContent:
    exercise_id: int
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    times_per_day: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class PlanContent:
    paths: tuple[PathContent, ...] = ()
    goals: tuple[GoalContent, ...] = ()
    home_exercises: tuple[HomeExerciseContent, ...] = ()
    certification_start: date | None = None
    certification_end: date | None = None
    next_appointment: datetime | None = None
    note: str | None = None


REFERRAL_FOR_PATH: dict[TreatmentPathKind, ReferralKind] = {
    TreatmentPathKind.MEDICATION_REFERRAL: ReferralKind.MEDICATION,
    TreatmentPathKind.STEROID_INJECTION_REFERRAL: ReferralKind.STEROID_INJECTION,
    TreatmentPathKind.LUMBAR_SURGERY_REFERRAL: ReferralKind.LUMBAR_SURGERY,
}
_INTERVENTIONS = {i.code for i in catalogs.INTERVENTIONS}


_in_range = validation.in_range


def _clean_path(index: int, path: PathContent) -> PathContent:
    field = f"path_{path.kind.value}"
    reason = validation.optional_text(f"{field}_reason", path.reason, "Reason", limits.NOTE)
    refer_to = validation.optional_text(
        f"{field}_refer_to", path.refer_to, "Refer to", limits.CONTACT_NAME
    )
    if path.kind == TreatmentPathKind.MEDICATION_REFERRAL:
        if not (path.anti_inflammatory or path.muscle_relaxant):
            raise ValidationError(
                field, "Choose the medicine to discuss: anti-inflammatory, muscle relaxant or both."
            )
    if path.kind == TreatmentPathKind.PT_PLAN:
        _in_range(f"{field}_frequency", path.frequency_per_week, 1, 7, "Visits per week")
        _in_range(f"{field}_duration", path.duration_weeks, 1, 52, "Duration in weeks")
        unknown = [code for code in path.interventions if code not in _INTERVENTIONS]
        if unknown:
            raise ValidationError(f"{field}_interventions", f"Unknown intervention: {unknown[0]}.")
        if path.heat_ice not in (None, HeatIce.NONE):
            _in_range(f"{field}_heat_minutes", path.heat_ice_minutes, 5, 30, "Heat/ice minutes")
            _in_range(
                f"{field}_heat_times", path.heat_ice_times_per_day, 1, 8, "Heat/ice times a day"
            )
    level = validation.optional_text(
        f"{field}_level", path.injection_level, "Level", limits.INJECTION_LEVEL
    )
    return replace(path, reason=reason, refer_to=refer_to, injection_level=level)


def clean(
    plan: PlanContent, evaluation_date: date, certified_from: date | None = None
) -> PlanContent:
    """Check what is there; raises ValidationError naming the field to fix.

    `certified_from` is the earliest start allowed for the certification: the evaluation
    date, or on a follow-up the episode's start (its plan carries the certification forward).
    """
    kinds = [p.kind for p in plan.paths]
    if len(kinds) != len(set(kinds)):
        raise ValidationError("paths", "Each treatment path can be chosen once.")
    paths = tuple(_clean_path(i, p) for i, p in enumerate(plan.paths))
    start, end = plan.certification_start, plan.certification_end
    if (start is None) != (end is None):
        raise ValidationError(
            "certification_end", "Give both the start and the end of the certification."
        )
    if start is not None and end is not None:
        if start < (certified_from or evaluation_date):
            raise ValidationError(
                "certification_start",
                "The certification cannot start before the evaluation"
                + (" that began this episode." if certified_from else "."),
            )
        validation.validate_certification_period(start, end)
    goals = []
    for index, goal in enumerate(plan.goals, start=1):
        description = validation.require_text(
            f"goal_{index}", goal.description, f"Goal {index}", limits.GOAL
        )
        if goal.target_date is not None:
            # A follow-up carries the episode's goals: their targets count from its start.
            validation.validate_target_date(
                f"goal_{index}", certified_from or start or evaluation_date, goal.target_date
            )
        goals.append(replace(goal, description=description))
    seen: set[int] = set()
    exercises = []
    for index, exercise in enumerate(plan.home_exercises, start=1):
        field = f"exercise_{index}"
        if exercise.exercise_id in seen:
            raise ValidationError(field, "This exercise is already in the home program.")
        seen.add(exercise.exercise_id)
        check_dose(
            (field,) * 4,
            exercise.sets,
            exercise.reps,
            exercise.hold_seconds,
            exercise.times_per_day,
        )
        exercises.append(
            replace(
                exercise,
                note=validation.optional_text(
                    f"{field}_note", exercise.note, f"Exercise {index} note", limits.NOTE
                ),
            )
        )
    booked = plan.next_appointment
    if booked is not None:
        if booked.tzinfo is None:
            raise ValueError("next_appointment needs a time zone")  # a programming error
        if booked.astimezone().date() < evaluation_date:
            raise ValidationError(
                "next_appointment",
                f"The next appointment is before this evaluation "
                f"({validation.format_date(evaluation_date)}). Check the date.",
            )
    note = validation.optional_text("plan_note", plan.note, "Plan note", limits.FULL_NOTE)
    return replace(
        plan, paths=paths, goals=tuple(goals), home_exercises=tuple(exercises), note=note
    )


# Our thresholds for words the guidelines leave open:
CHRONIC_AFTER_WEEKS = 12  # ACP 2017: acute < 4, subacute 4-12, chronic > 12 weeks
SEVERE_PAIN_FROM = 7  # NPRS 7-10 is commonly read as severe pain
# STarT Back low risk: the trial's low-risk arm had one session of advice and reassurance
# (Hill 2011); a plan booking more than this many visits earns a note.
LOW_RISK_MOST_VISITS = 6
# Spinal stenosis with neurogenic claudication (CMS ICD-10-CM tabular list).
NEUROGENIC_CLAUDICATION_CODES = ("M48.062",)


def _weeks_since_onset(evaluation: EvaluationContent, evaluation_date: date | None) -> int | None:
    if evaluation.onset_date is None or evaluation_date is None:
        return None
    return (evaluation_date - evaluation.onset_date).days // 7


def _injection_note(evaluation: EvaluationContent, evaluation_date: date | None) -> Guidance | None:
    """NICE NG59 1.3.2-1.3.3: consider an epidural injection of local anaesthetic and steroid
    only for acute and severe sciatica; not for neurogenic claudication (central stenosis)."""
    gaps = []
    if evaluation.radiates_below_knee is not True:
        gaps.append("no pain below the knee (sciatica) is recorded")
    weeks = _weeks_since_onset(evaluation, evaluation_date)
    if weeks is None:
        gaps.append("the onset date is not recorded, so it is not known to be acute")
    elif weeks > CHRONIC_AFTER_WEEKS:
        gaps.append(f"the pain began {weeks} weeks ago (chronic, not acute)")
    worst = evaluation.nprs_worst if evaluation.nprs_worst is not None else evaluation.nprs_now
    if worst is None:
        gaps.append("pain severity is not recorded")
    elif worst < SEVERE_PAIN_FROM:
        gaps.append(f"the worst pain is {worst}/10 (not severe)")
    claudication = [c for c in evaluation.diagnosis_codes if c in NEUROGENIC_CLAUDICATION_CODES]
    if claudication:
        gaps.append(f"{claudication[0]} codes neurogenic claudication, where NICE advises against")
    if not gaps:
        return None
    return Guidance(
        "path_steroid_injection_referral",
        "Guidelines (NICE NG59) support an epidural steroid injection only for acute and "
        "severe sciatica, and not for neurogenic claudication: " + "; ".join(gaps) + ".",
    )


def _muscle_relaxant_note(evaluation: EvaluationContent, evaluation_date: date | None) -> Guidance:
    """ACP 2017 (Qaseem): muscle relaxants for acute or subacute pain, short term; for chronic
    pain NSAIDs first, then tramadol or duloxetine (muscle relaxants are not among them)."""
    weeks = _weeks_since_onset(evaluation, evaluation_date)
    if weeks is not None and weeks > CHRONIC_AFTER_WEEKS:
        text = (
            f"The pain began {weeks} weeks ago (chronic). For chronic low back pain the ACP "
            "(2017) suggests an NSAID first, then tramadol or duloxetine; muscle relaxants "
            "are for short-term use in acute pain."
        )
    else:
        text = (
            "Muscle relaxants: short-term use only, for acute or subacute low back pain "
            "(ACP 2017); they often cause drowsiness."
        )
    return Guidance("path_medication_referral", text)


def _stratified_care_note(risk: StartBackRisk, pt: PathContent | None) -> Guidance:
    """STarT Back stratified care (Hill 2011; NICE NG59 1.1.2-1.1.3): low risk, advice,
    reassurance and self-management with few visits; medium, physiotherapist-led exercise
    and manual therapy; high, psychologically informed physiotherapy."""
    if risk == StartBackRisk.LOW:
        text = (
            "Low STarT Back risk: advice, reassurance and support to self-manage and stay "
            "active usually suffice, with few visits."
        )
        if pt is not None and pt.frequency_per_week and pt.duration_weeks:
            visits = pt.frequency_per_week * pt.duration_weeks
            if visits > LOW_RISK_MOST_VISITS:
                text += (
                    f" This plan books about {visits} visits ({pt.frequency_per_week}x a week "
                    f"for {pt.duration_weeks} weeks): consider fewer."
                )
    elif risk == StartBackRisk.MEDIUM:
        text = (
            "Medium STarT Back risk: physiotherapist-led exercise, with manual therapy "
            "alongside it."
        )
        if pt is None:
            text += " No physical therapy plan is chosen."
    else:
        text = (
            "High STarT Back risk: psychologically informed physiotherapy (reassurance, "
            "graded activity, addressing fears and beliefs about pain) alongside exercise."
        )
    return Guidance("paths", text + " (STarT Back stratified care; NICE NG59)")


def guidance(
    plan: PlanContent, evaluation: EvaluationContent, evaluation_date: date | None = None
) -> list[Guidance]:
    """Guideline notes: shown beside the plan, never blocking. Each helper names its source;
    `docs/clinical-rules.md` lists them."""
    notes: list[Guidance] = []
    kinds = {p.kind: p for p in plan.paths}
    if TreatmentPathKind.STEROID_INJECTION_REFERRAL in kinds:
        injection = _injection_note(evaluation, evaluation_date)
        if injection is not None:
            notes.append(injection)
    medication = kinds.get(TreatmentPathKind.MEDICATION_REFERRAL)
    if medication is not None and medication.muscle_relaxant:
        notes.append(_muscle_relaxant_note(evaluation, evaluation_date))
    surgery = kinds.get(TreatmentPathKind.LUMBAR_SURGERY_REFERRAL)
    if surgery is not None and not surgery.reason:
        notes.append(
            Guidance(
                "path_lumbar_surgery_referral_reason",
                "Document why surgery is considered (for example a progressive deficit or "
                "failed conservative care).",
            )
        )
    pt = kinds.get(TreatmentPathKind.PT_PLAN)
    if pt is not None and "hot_cold_packs" in pt.interventions:
        # Medicare Physician Fee Schedule: 97010 has status B (bundled), never paid apart.
        notes.append(
            Guidance(
                "path_pt_plan",
                "Medicare bundles 97010 (hot or cold packs) into the visit's other services: "
                "it is not paid separately. Teach heat or ice for home use instead.",
            )
        )
    risk = scoring.start_back(evaluation.start_back)
    if risk is not None:
        notes.append(_stratified_care_note(risk.risk, pt))
    if plan.paths and not plan.goals:
        notes.append(Guidance("goals", "Add measurable goals tied to function."))
    return notes


def missing_for_signing(plan: PlanContent | None) -> list[tuple[str, str]]:
    """What a signed initial evaluation's plan of care must hold (Medicare ch. 15 s. 220)."""
    if plan is None or not plan.paths:
        return [("paths", "Choose at least one treatment path.")]
    missing = []
    pt = next((p for p in plan.paths if p.kind == TreatmentPathKind.PT_PLAN), None)
    if pt is not None:
        if pt.frequency_per_week is None or pt.duration_weeks is None:
            missing.append(
                ("path_pt_plan_frequency", "Give the PT plan's visits per week and weeks.")
            )
        if plan.certification_start is None:
            missing.append(
                ("certification_start", "Give the certification period (up to 90 days).")
            )
        if not any(g.term == GoalTerm.LONG for g in plan.goals):
            missing.append(("goals", "Add at least one long-term goal."))
    return missing
