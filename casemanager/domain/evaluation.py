"""What an evaluation holds, and the rules for saving and signing it (no storage, no Qt).

The form, the services, the documents and future imports all pass `EvaluationContent`;
drafts may be incomplete, signing needs everything `missing_for_signing` lists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from casemanager.domain import catalogs, codes, red_flags, scoring, validation
from casemanager.domain import field_limits as limits
from casemanager.domain.enums import (
    Cause,
    Complexity,
    DischargeReason,
    EvaluationKind,
    RedFlagAction,
    RedFlagAnswer,
    Side,
)
from casemanager.domain.errors import ValidationError
from casemanager.domain.red_flags import RedFlagEntry, RedFlagReferral

__all__ = ["RedFlagEntry", "RedFlagReferral"]  # re-exported: callers build content from here

ODI_SECTIONS = 10
START_BACK_ITEMS = 9
MAX_PSFS_ACTIVITIES = 5


@dataclass(frozen=True)
class PsfsEntry:
    activity: str
    score: int | None


@dataclass(frozen=True)
class EvaluationContent:
    """Everything the therapist types in an evaluation. Blank is None, never ''."""

    # History
    chief_complaint: str | None = None
    onset_date: date | None = None
    mechanism_of_injury: str | None = None
    aggravating_factors: str | None = None
    easing_factors: str | None = None
    prior_episodes: str | None = None
    past_medical_history: str | None = None
    medications: str | None = None
    occupation: str | None = None
    activities: str | None = None
    patient_goals: str | None = None
    # Red flags: one entry per item asked; items without an entry were not asked.
    red_flags: tuple[RedFlagEntry, ...] = ()
    # On a follow-up the answers are carried forward: this says they were asked again.
    red_flags_rechecked: bool = False
    # Pain
    nprs_now: int | None = None
    nprs_best: int | None = None
    nprs_worst: int | None = None
    pain_location: str | None = None
    pain_side: Side | None = None
    radiates_below_knee: bool | None = None
    # Function
    odi_sections: tuple[int | None, ...] = (None,) * ODI_SECTIONS
    start_back: tuple[int | None, ...] = (None,) * START_BACK_ITEMS
    psfs: tuple[PsfsEntry, ...] = ()
    # Assessment
    primary_cause: Cause | None = None
    contributing_causes: tuple[Cause, ...] = ()
    cause_note: str | None = None
    diagnosis_codes: tuple[str, ...] = ()
    complexity: Complexity | None = None
    assessment_note: str | None = None  # the progress or discharge summary on a follow-up
    # Discharge summary only
    discharge_reason: DischargeReason | None = None


@dataclass(frozen=True)
class Scores:
    """Computed from the content; stored beside it so lists and reports need no recompute."""

    odi_percent: float | None
    start_back: scoring.StartBackResult | None
    psfs_mean: float | None


@dataclass(frozen=True)
class Missing:
    """One thing signing needs; `field` lets the form jump to it."""

    field: str
    message: str


@dataclass(frozen=True)
class Guidance:
    """A note from the guidelines: shown, never blocking."""

    field: str
    message: str


_TEXT_LABELS = {
    "chief_complaint": "Chief complaint",
    "mechanism_of_injury": "Mechanism of injury",
    "aggravating_factors": "Aggravating factors",
    "easing_factors": "Easing factors",
    "prior_episodes": "Prior episodes",
    "past_medical_history": "Past medical history",
    "medications": "Medications",
    "occupation": "Occupation",
    "activities": "Sports and activities",
    "patient_goals": "Patient's goals",
    "pain_location": "Pain location",
    "cause_note": "Cause note",
    "assessment_note": "Assessment",
}
# Each text's limit is its column's (domain/field_limits.py).
_TEXT_LIMITS = {
    name: (label, limits.COLUMNS[f"evaluation.{name}"]) for name, label in _TEXT_LABELS.items()
}


def clean(content: EvaluationContent, evaluation_date: date) -> EvaluationContent:
    """Check each value that is there (a draft may be incomplete); raises ValidationError."""
    texts: dict[str, Any] = {
        name: validation.optional_text(name, getattr(content, name), label, limit)
        for name, (label, limit) in _TEXT_LIMITS.items()
    }
    if content.onset_date is not None and content.onset_date > evaluation_date:
        raise ValidationError(
            "onset_date",
            f"Onset {validation.format_date(content.onset_date)} is after the evaluation date "
            f"{validation.format_date(evaluation_date)}. Check the year.",
        )
    for name in ("nprs_now", "nprs_best", "nprs_worst"):
        validation.validate_nprs(name, getattr(content, name))
    if len(content.odi_sections) != ODI_SECTIONS:
        raise ValidationError("odi_sections", "The Oswestry has 10 sections.")
    for index, value in enumerate(content.odi_sections, start=1):
        validation.validate_oswestry_section(f"odi_s{index}", value)
    if len(content.start_back) != START_BACK_ITEMS:
        raise ValidationError("start_back", "The STarT Back tool has 9 items.")
    for index, value in enumerate(content.start_back, start=1):
        top = 4 if index == START_BACK_ITEMS else 1
        if value is not None and not 0 <= value <= top:
            raise ValidationError(
                f"sbst_{index}", f"STarT Back item {index} answer is out of range."
            )
    if len(content.psfs) > MAX_PSFS_ACTIVITIES:
        raise ValidationError("psfs", "The PSFS takes up to 5 activities; remove one.")
    psfs = []
    for index, activity_entry in enumerate(content.psfs, start=1):
        activity = validation.require_text(
            f"psfs_{index}",
            activity_entry.activity,
            f"PSFS activity {index}",
            limits.COLUMNS["psfs_activity.activity"],
        )
        psfs.append(
            PsfsEntry(
                activity, validation.validate_psfs_score(f"psfs_{index}", activity_entry.score)
            )
        )
    seen: set[str] = set()
    flags = []
    for entry in content.red_flags:
        catalogs.red_flag(entry.code)  # KeyError for an unknown code is a programming error
        if entry.code in seen:
            raise ValidationError(f"red_flag_{entry.code}", "A red-flag item is answered twice.")
        seen.add(entry.code)
        if entry.answer != RedFlagAnswer.YES and entry.action is not None:
            raise ValidationError(
                f"red_flag_{entry.code}", "An action is only recorded for a positive red flag."
            )
        reason = validation.optional_text(
            f"red_flag_reason_{entry.code}",
            entry.reason,
            "Reason for the red-flag action",
            limits.RED_FLAG_NOTE,
        )
        note = validation.optional_text(
            f"red_flag_note_{entry.code}", entry.note, "Red-flag note", limits.RED_FLAG_NOTE
        )
        # A reason only means something beside a yes; kept as typed while the answer is yes.
        action = RedFlagAction(entry.action.value) if entry.action is not None else None
        flags.append(
            replace(
                entry,
                action=action,
                note=note,
                reason=reason if entry.answer == RedFlagAnswer.YES else None,
            )
        )
    if content.primary_cause is not None and content.primary_cause in content.contributing_causes:
        raise ValidationError(
            "contributing_causes", "The primary cause cannot also be a contributing cause."
        )
    diagnosis_codes = []
    for code in content.diagnosis_codes:
        normal = codes.validate_billable_code("diagnosis_codes", code)
        if normal in diagnosis_codes:
            raise ValidationError("diagnosis_codes", f"{normal} is listed twice.")
        diagnosis_codes.append(normal)
    return replace(
        content,
        **texts,
        red_flags=tuple(flags),
        psfs=tuple(psfs),
        diagnosis_codes=tuple(diagnosis_codes),
    )


def compute_scores(content: EvaluationContent) -> Scores:
    start_back = scoring.start_back(content.start_back)
    psfs = scoring.psfs_mean([entry.score for entry in content.psfs])
    return Scores(scoring.oswestry_percent(content.odi_sections), start_back, psfs)


# What each kind shows and needs. A progress report and a discharge summary measure again and
# summarise; history, screening and diagnosis are carried forward from the last evaluation.
FULL_KINDS = frozenset({EvaluationKind.INITIAL, EvaluationKind.RE_EVALUATION})
PLAN_KINDS = frozenset(
    {EvaluationKind.INITIAL, EvaluationKind.RE_EVALUATION, EvaluationKind.PROGRESS_REPORT}
)
# Kinds that judge each goal of the plan in force (Medicare ch. 15 s. 220.3.D). The
# re-evaluation stands as the period's progress report too, so it judges the old plan's goals
# before setting new ones; a discharge summary records goal status on its plan instead.
GOAL_REPORT_KINDS = frozenset({EvaluationKind.PROGRESS_REPORT, EvaluationKind.RE_EVALUATION})
# Evaluations that follow the initial one in an episode, in the order a therapist picks them.
FOLLOW_UP_KINDS = (
    EvaluationKind.PROGRESS_REPORT,
    EvaluationKind.RE_EVALUATION,
    EvaluationKind.DISCHARGE,
)


def missing_for_signing(
    content: EvaluationContent, kind: EvaluationKind = EvaluationKind.INITIAL
) -> list[Missing]:
    """Everything a signed evaluation of this kind must hold, in the order of the form."""
    if kind not in FULL_KINDS:
        return _missing_for_follow_up(content, kind)
    missing: list[Missing] = []
    if not content.chief_complaint:
        missing.append(Missing("chief_complaint", "Chief complaint is empty."))
    missing += _missing_red_flags(content, kind)
    if content.nprs_now is None:
        missing.append(Missing("nprs_now", "Current pain (NPRS) is not recorded."))
    if scoring.oswestry_percent(content.odi_sections) is None:
        missing.append(
            Missing("odi_sections", "Oswestry needs at least 8 of its 10 sections scored.")
        )
    if content.primary_cause is None:
        missing.append(Missing("primary_cause", "Choose the primary suspected cause."))
    if not content.diagnosis_codes:
        missing.append(Missing("diagnosis_codes", "Add at least one ICD-10-CM diagnosis code."))
    if kind == EvaluationKind.INITIAL and content.complexity is None:
        # A re-evaluation is billed as one code (97164): no complexity level.
        missing.append(Missing("complexity", "Choose the evaluation complexity."))
    return missing


# Follow-ups that ask the red-flag screen again (pre-filled): a discharge summary does not.
RESCREEN_KINDS = frozenset({EvaluationKind.RE_EVALUATION, EvaluationKind.PROGRESS_REPORT})


def _missing_red_flags(content: EvaluationContent, kind: EvaluationKind) -> list[Missing]:
    missing = [
        Missing(m.field, m.message) for m in red_flags.missing_for_signing(content.red_flags)
    ]
    if kind in RESCREEN_KINDS and not content.red_flags_rechecked:
        # Symptoms change: a carried-forward screen is asked again, not assumed.
        missing.insert(
            0,
            Missing(
                "red_flags_rechecked",
                "Ask the red-flag questions again: change any answer, or confirm none changed.",
            ),
        )
    return missing


def _missing_for_follow_up(content: EvaluationContent, kind: EvaluationKind) -> list[Missing]:
    missing: list[Missing] = []
    if kind in RESCREEN_KINDS:
        missing += _missing_red_flags(content, kind)
    if content.nprs_now is None:
        missing.append(Missing("nprs_now", "Current pain (NPRS) is not recorded."))
    if scoring.oswestry_percent(content.odi_sections) is None:
        missing.append(
            Missing("odi_sections", "Oswestry needs at least 8 of its 10 sections scored.")
        )
    if any(entry.score is None for entry in content.psfs):
        missing.append(Missing("psfs", "Rate every PSFS activity again (0-10)."))
    if kind == EvaluationKind.DISCHARGE and content.discharge_reason is None:
        missing.append(Missing("discharge_reason", "Choose the reason for discharge."))
    if not content.assessment_note:
        what = "discharge" if kind == EvaluationKind.DISCHARGE else "progress"
        missing.append(Missing("assessment_note", f"Write the {what} summary."))
    return missing


def coding_warnings(content: EvaluationContent) -> list[Guidance]:
    """Excludes1 pairs: codes the tabular list says are not coded together."""
    return [
        Guidance("diagnosis_codes", f"{a} and {b} are not normally coded together (Excludes1).")
        for a, b in codes.excludes1_conflicts(list(content.diagnosis_codes))
    ]


def red_flag_referrals(content: EvaluationContent) -> list[RedFlagReferral]:
    """The referrals signing makes for positive red flags (see domain.red_flags)."""
    return red_flags.referrals(content.red_flags)
