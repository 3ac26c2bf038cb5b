"""The clinic's exercise library: every exercise a home program can hold, its instructions,
usual dose and picture. Starter exercises are the clinic's own copies, editable like the
rest; an exercise already prescribed is retired, never deleted."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from casemanager.db.engine import Database
from casemanager.db.models import Exercise
from casemanager.db.types import utcnow
from casemanager.domain import exercises as rules
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import ConflictError, NotFound, ValidationError
from casemanager.domain.exercises import ExerciseContent
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor
from casemanager.services.use_case import use_case

MAX_IMAGE_BYTES = 2 * 1024 * 1024  # a phone photo scaled down; keeps backups small
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPEG


@dataclass(frozen=True)
class ExerciseRecord:
    id: int
    key: str | None  # the starter exercise it began as (its built-in drawing), else None
    content: ExerciseContent
    has_image: bool
    version: int


def _record(exercise: Exercise, has_image: bool) -> ExerciseRecord:
    return ExerciseRecord(
        exercise.id,
        exercise.key,
        ExerciseContent(
            exercise.name,
            exercise.instructions,
            exercise.precautions,
            exercise.sets,
            exercise.reps,
            exercise.hold_seconds,
            exercise.times_per_day,
            exercise.active,
        ),
        has_image,
        exercise.version,
    )


def list_library(db: Database, actor: Actor) -> list[ExerciseRecord]:
    """Every exercise of the clinic, retired ones included, by name."""
    with db.session() as session:
        rows = session.execute(
            select(Exercise, Exercise.image.is_not(None))
            .where(Exercise.clinic_id == actor.clinic_id)
            .order_by(func.lower(Exercise.name), Exercise.id)
        ).all()
        return [_record(exercise, bool(has_image)) for exercise, has_image in rows]


def _load(session: Session, actor: Actor, exercise_id: int) -> Exercise:
    exercise = session.get(Exercise, exercise_id, options=[undefer(Exercise.image)])
    if exercise is None or exercise.clinic_id != actor.clinic_id:
        raise NotFound("That exercise is not in this clinic's library.")
    return exercise


def _same_name(session: Session, actor: Actor, name: str, other_than: int | None) -> None:
    clash = session.scalar(
        select(Exercise.id).where(
            Exercise.clinic_id == actor.clinic_id,
            func.lower(Exercise.name) == name.lower(),
            Exercise.id != (other_than or 0),
        )
    )
    if clash is not None:
        raise ValidationError("name", "The library already has an exercise with this name.")


def _conflict(session: Session, exercise: Exercise) -> ConflictError:
    return audit.conflict(
        session,
        None,
        DataCategory.CLINIC,
        "This exercise",
        exercise.updated_at,
        details=(f"exercise {exercise.id}", f"exercise {exercise.id} picture"),
    )


def save_exercise(
    db: Database,
    actor: Actor,
    exercise_id: int | None,
    expected_version: int | None,
    content: ExerciseContent,
) -> ExerciseRecord:
    """Add an exercise (exercise_id None) or change one as it was when opened."""
    with use_case(
        db,
        actor,
        Permission.EDIT_EXERCISE_LIBRARY,
        AuditAction.CREATE if exercise_id is None else AuditAction.UPDATE,
        DataCategory.CLINIC,
        clash=lambda session: _conflict(session, _load(session, actor, exercise_id or 0)),
    ) as case:
        cleaned = rules.clean(content)
        session = case.session
        _same_name(session, actor, cleaned.name, exercise_id)
        if exercise_id is None:
            exercise = Exercise(clinic_id=actor.clinic_id, key=None)
            session.add(exercise)
        else:
            exercise = _load(session, actor, exercise_id)
            if exercise.version != expected_version:
                raise _conflict(session, exercise)
        exercise.name = cleaned.name
        exercise.instructions = cleaned.instructions
        exercise.precautions = cleaned.precautions
        exercise.sets = cleaned.sets
        exercise.reps = cleaned.reps
        exercise.hold_seconds = cleaned.hold_seconds
        exercise.times_per_day = cleaned.times_per_day
        exercise.active = cleaned.active
        session.flush()
        audit.record(
            session,
            actor,
            AuditAction.CREATE if exercise_id is None else AuditAction.UPDATE,
            DataCategory.CLINIC,
            detail=f"exercise {exercise.id}",
        )
        return _record(exercise, exercise.image is not None)


def check_image(data: bytes) -> bytes:
    """A PNG or JPEG of at most 2 MB; anything else is refused with what to do instead."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(
            "image",
            f"The picture is {len(data) / 1_048_576:.1f} MB; the most is 2 MB. "
            "Save a smaller copy (about 800 pixels wide is plenty) and choose that.",
        )
    if not data.startswith(_IMAGE_SIGNATURES):
        raise ValidationError("image", "Choose a PNG or JPEG picture.")
    return data


def set_image(db: Database, actor: Actor, exercise_id: int, data: bytes | None) -> ExerciseRecord:
    """Give the exercise the clinic's own picture, or remove it (None)."""
    with use_case(
        db,
        actor,
        Permission.EDIT_EXERCISE_LIBRARY,
        AuditAction.UPDATE,
        DataCategory.CLINIC,
        clash=lambda session: _conflict(session, _load(session, actor, exercise_id)),
    ) as case:
        image = None if data is None else check_image(data)
        session = case.session
        exercise = _load(session, actor, exercise_id)
        exercise.image = image
        exercise.updated_at = utcnow()
        session.flush()
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            DataCategory.CLINIC,
            detail=f"exercise {exercise_id} picture",
        )
        return _record(exercise, image is not None)


def get_image(db: Database, actor: Actor, exercise_id: int) -> bytes | None:
    with db.session() as session:
        return _load(session, actor, exercise_id).image
