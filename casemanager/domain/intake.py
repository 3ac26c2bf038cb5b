"""The patient's own intake: history in plain words, the red-flag questions as yes or no,
pain ratings and PSFS activities, answered on a clinic tablet before the evaluation. Pure:
what the answers hold, the checks, and how they become evaluation fields for the therapist
to confirm.

Only content we may show: no Oswestry or STarT Back item wording (licensed questionnaires).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from casemanager.domain import catalogs, onset, validation
from casemanager.domain.enums import RedFlagAnswer
from casemanager.domain.errors import ValidationError
from casemanager.domain.evaluation import MAX_PSFS_ACTIVITIES, PsfsEntry, RedFlagEntry

LANGUAGES = ("en", "es")


class IntakeStatus(StrEnum):
    """Stored values: never rename one."""

    OPEN = "open"  # the patient may answer
    SUBMITTED = "submitted"  # the patient has finished; waiting for the therapist
    CONFIRMED = "confirmed"  # copied into an evaluation draft by the therapist
    CANCELLED = "cancelled"  # closed by the therapist, or replaced by a newer intake


# The history questions: evaluation field -> length limit (the evaluation's own limits).
HISTORY_FIELDS: dict[str, int] = {
    "chief_complaint": 2000,
    "mechanism_of_injury": 4000,
    "aggravating_factors": 2000,
    "easing_factors": 2000,
    "prior_episodes": 2000,
    "past_medical_history": 4000,
    "medications": 2000,
    "occupation": 200,
    "activities": 2000,
    "patient_goals": 2000,
}
ONSET_LIMIT = 100

# Items found on examination are not the patient's to answer.
EXAMINATION_ITEMS = frozenset({"pulsatile_abdominal_mass"})
RED_FLAG_CODES: tuple[str, ...] = tuple(
    item.code for item in catalogs.RED_FLAGS if item.code not in EXAMINATION_ITEMS
)


@dataclass(frozen=True)
class IntakeAnswers:
    """What the patient answered; blank is None. `history` maps HISTORY_FIELDS names to text;
    `onset` is as typed ("2 weeks ago"); `red_flags` holds (code, yes) per answered item."""

    history: tuple[tuple[str, str], ...] = ()
    onset: str | None = None
    red_flags: tuple[tuple[str, bool], ...] = ()
    nprs_now: int | None = None
    nprs_best: int | None = None
    nprs_worst: int | None = None
    psfs: tuple[PsfsEntry, ...] = ()

    def text(self, name: str) -> str | None:
        return dict(self.history).get(name)

    @property
    def positive_red_flags(self) -> tuple[str, ...]:
        """Codes answered yes, for the therapist to see first."""
        return tuple(code for code, yes in self.red_flags if yes)


def clean(answers: IntakeAnswers, today: date, language: str = "en") -> IntakeAnswers:
    """Check what is there (the patient may stop half way); raises ValidationError naming the
    question. Messages about the onset are in the intake's language. Answers come back in the
    order of the questions, as they are stored."""
    history = []
    for name, text in answers.history:
        if name not in HISTORY_FIELDS:
            raise ValidationError(name, f"Unknown intake question: {name}.")
        cleaned = validation.optional_text(name, text, "This answer", HISTORY_FIELDS[name])
        if cleaned is not None:
            history.append((name, cleaned))
    if len({name for name, _ in history}) != len(history):
        raise ValidationError("history", "A question is answered twice.")
    typed_onset = validation.optional_text("onset_date", answers.onset, "Onset", ONSET_LIMIT)
    if typed_onset is not None:
        onset.parse_onset(typed_onset, today, language)
    seen: set[str] = set()
    for code, yes in answers.red_flags:
        if code not in RED_FLAG_CODES:
            raise ValidationError(f"red_flag_{code}", f"Unknown red-flag question: {code}.")
        if code in seen:
            raise ValidationError(f"red_flag_{code}", "A question is answered twice.")
        if not isinstance(yes, bool):
            raise ValidationError(f"red_flag_{code}", "Answer yes or no.")
        seen.add(code)
    for name in ("nprs_now", "nprs_best", "nprs_worst"):
        validation.validate_nprs(name, getattr(answers, name))
    if len(answers.psfs) > MAX_PSFS_ACTIVITIES:
        raise ValidationError("psfs", "Name up to 5 activities.")
    psfs = tuple(
        PsfsEntry(
            validation.require_text(f"psfs_{i}", e.activity, f"Activity {i}", 200),
            validation.validate_psfs_score(f"psfs_{i}", e.score),
        )
        for i, e in enumerate(answers.psfs, start=1)
    )
    order = {name: i for i, name in enumerate(HISTORY_FIELDS)}
    flags = sorted(answers.red_flags, key=lambda pair: RED_FLAG_CODES.index(pair[0]))
    return replace(
        answers,
        history=tuple(sorted(history, key=lambda pair: order[pair[0]])),
        onset=typed_onset,
        red_flags=tuple(flags),
        psfs=psfs,
    )


def evaluation_values(
    answers: IntakeAnswers, answered_on: date, language: str = "en"
) -> dict[str, Any]:
    """The evaluation fields the answers fill, for domain.filling. The onset is counted back
    from the day the patient answered; yes answers come without an action (the therapist
    chooses one, and signing waits for it)."""
    values: dict[str, Any] = dict(answers.history)
    if answers.onset:
        values["onset_date"] = onset.parse_onset(answers.onset, answered_on, language)
    values["nprs_now"] = answers.nprs_now
    values["nprs_best"] = answers.nprs_best
    values["nprs_worst"] = answers.nprs_worst
    values["psfs"] = answers.psfs
    return values


def merge_red_flags(
    entries: tuple[RedFlagEntry, ...], answers: IntakeAnswers, overwrite: bool = False
) -> tuple[tuple[RedFlagEntry, ...], list[str], list[str]]:
    """The evaluation's screen with the patient's answers where the therapist has not
    answered (or everywhere when `overwrite`), in catalog order. Returns the entries and the
    codes filled and kept."""
    current = {e.code: e for e in entries}
    filled: list[str] = []
    kept: list[str] = []
    for code, yes in answers.red_flags:
        answer = RedFlagAnswer.YES if yes else RedFlagAnswer.NO
        mine = current.get(code)
        if mine is not None and mine.answer == answer:
            continue
        if mine is None or mine.answer == RedFlagAnswer.NOT_ASKED or overwrite:
            current[code] = RedFlagEntry(code, answer)
            filled.append(code)
        else:
            kept.append(code)
    order = [item.code for item in catalogs.RED_FLAGS]
    merged = tuple(sorted(current.values(), key=lambda e: order.index(e.code)))
    return merged, filled, kept


# ---------------------------------------------------------------- stored form (JSON)


def to_data(answers: IntakeAnswers) -> dict[str, Any]:
    return {
        "history": dict(answers.history),
        "onset": answers.onset,
        "red_flags": dict(answers.red_flags),
        "nprs": [answers.nprs_now, answers.nprs_best, answers.nprs_worst],
        "psfs": [[e.activity, e.score] for e in answers.psfs],
    }


def from_data(data: Mapping[str, Any] | None) -> IntakeAnswers:
    if not data:
        return IntakeAnswers()
    now, best, worst = data.get("nprs", [None, None, None])
    history = data.get("history", {})
    flags = data.get("red_flags", {})
    return IntakeAnswers(
        history=tuple((name, history[name]) for name in HISTORY_FIELDS if name in history),
        onset=data.get("onset"),
        red_flags=tuple((code, bool(flags[code])) for code in RED_FLAG_CODES if code in flags),
        nprs_now=now,
        nprs_best=best,
        nprs_worst=worst,
        psfs=tuple(PsfsEntry(activity, score) for activity, score in data.get("psfs", [])),
    )
