"""The exercise library: starter exercises are the clinic's to edit, new ones can be added,
pictures are checked, concurrent edits are refused, and only permitted roles change it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from casemanager.db.engine import Database
from casemanager.domain import figures
from casemanager.domain.errors import ConflictError, PermissionDenied, ValidationError
from casemanager.domain.exercises import ExerciseContent
from casemanager.services import exercises, plans
from tests.conftest import Staff

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # the signature is what is checked


def test_the_starter_set_is_in_the_library_with_its_drawings(db: Database, staff: Staff) -> None:
    library = exercises.list_library(db, staff.therapist)
    assert len(library) == 11
    assert {e.key for e in library} == set(figures.FIGURES)
    names = [e.content.name for e in library]
    assert names == sorted(names, key=str.lower)
    bridge = next(e for e in library if e.key == "bridge")
    assert "hips" in bridge.content.instructions.lower() and not bridge.has_image


def test_add_edit_retire_and_picture(db: Database, staff: Staff) -> None:
    added = exercises.save_exercise(
        db,
        staff.therapist,
        None,
        None,
        ExerciseContent(
            "Wall sit", "Slide down the wall until knees are bent.", sets=2, hold_seconds=20
        ),
    )
    assert added.key is None and added.content.sets == 2
    changed = exercises.save_exercise(
        db, staff.admin, added.id, added.version, replace(added.content, reps=5)
    )
    assert changed.version > added.version and changed.content.reps == 5
    pictured = exercises.set_image(db, staff.therapist, added.id, PNG)
    assert pictured.has_image and exercises.get_image(db, staff.therapist, added.id) == PNG
    # A stale copy is refused with who changed it.
    with pytest.raises(ConflictError, match="changed by rivera"):
        exercises.save_exercise(
            db, staff.admin, added.id, changed.version, replace(added.content, reps=6)
        )
    retired = exercises.save_exercise(
        db,
        staff.therapist,
        added.id,
        pictured.version,
        replace(pictured.content, active=False),
    )
    assert not retired.content.active
    # Retired exercises stay in the library but leave the home-program picker.
    assert added.id in {e.id for e in exercises.list_library(db, staff.therapist)}
    assert added.id not in {e.id for e in plans.list_exercises(db, staff.therapist)}
    removed = exercises.set_image(db, staff.therapist, added.id, None)
    assert not removed.has_image


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (ExerciseContent("  ", "Do it."), "name"),
        (ExerciseContent("Plank", ""), "instructions"),
        (ExerciseContent("Plank", "Hold.", sets=11), "sets"),
        (ExerciseContent("Plank", "Hold.", hold_seconds=301), "hold_seconds"),
        (ExerciseContent("bridge", "Same name as a starter."), "name"),
    ],
)
def test_refusals_name_the_field(
    db: Database, staff: Staff, content: ExerciseContent, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        exercises.save_exercise(db, staff.therapist, None, None, content)
    assert refused.value.field == field


def test_pictures_are_checked(db: Database, staff: Staff) -> None:
    first = exercises.list_library(db, staff.therapist)[0]
    with pytest.raises(ValidationError, match="PNG or JPEG"):
        exercises.set_image(db, staff.therapist, first.id, b"GIF89a....")
    with pytest.raises(ValidationError, match="the most is 2 MB"):
        exercises.set_image(db, staff.therapist, first.id, PNG + b"0" * exercises.MAX_IMAGE_BYTES)


def test_an_office_manager_cannot_change_the_library(db: Database, staff: Staff) -> None:
    first = exercises.list_library(db, staff.manager)[0]
    with pytest.raises(PermissionDenied, match="exercise library"):
        exercises.save_exercise(db, staff.manager, first.id, first.version, first.content)
    with pytest.raises(PermissionDenied):
        exercises.set_image(db, staff.manager, first.id, PNG)
