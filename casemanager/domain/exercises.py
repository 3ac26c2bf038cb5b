"""An exercise in the clinic's library, as typed, and the rules for keeping one."""

from __future__ import annotations

from dataclasses import dataclass

from casemanager.domain import field_limits as limits
from casemanager.domain import validation


@dataclass(frozen=True)
class ExerciseContent:
    name: str
    instructions: str
    precautions: str | None = None
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    times_per_day: int | None = None
    active: bool = True


def clean(content: ExerciseContent) -> ExerciseContent:
    name = validation.require_text("name", content.name, "Name", limits.EXERCISE_NAME)
    instructions = validation.require_text(
        "instructions", content.instructions, "How to do it", limits.LONG_NOTE
    )
    precautions = validation.optional_text(
        "precautions", content.precautions, "Take care", limits.NOTE
    )
    check_dose(
        ("sets", "reps", "hold_seconds", "times_per_day"),
        content.sets,
        content.reps,
        content.hold_seconds,
        content.times_per_day,
    )
    return ExerciseContent(
        name,
        instructions,
        precautions,
        content.sets,
        content.reps,
        content.hold_seconds,
        content.times_per_day,
        content.active,
    )


def check_dose(
    fields: tuple[str, str, str, str],
    sets: int | None,
    reps: int | None,
    hold_seconds: int | None,
    times_per_day: int | None,
) -> None:
    """The same limits for a library exercise's usual dose and a prescribed one."""
    validation.in_range(fields[0], sets, 1, 10, "Sets")
    validation.in_range(fields[1], reps, 1, 100, "Repetitions")
    validation.in_range(fields[2], hold_seconds, 0, 300, "Hold (seconds)")
    validation.in_range(fields[3], times_per_day, 1, 10, "Times a day")
