"""The exercise library dialog against a fake port, no database: what it asks to save,
moving on only once a change is saved, and a refusal shown beside its field with the typing
kept."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from casemanager.domain.errors import ValidationError
from casemanager.domain.exercises import ExerciseContent
from casemanager.services.exercises import ExerciseRecord
from casemanager.ui.exercises.library import ExerciseLibraryDialog
from tests.ui.fake_ports import RecordingExercisePort


def _record(exercise_id: int, name: str, reps: int | None = 10, version: int = 1) -> ExerciseRecord:
    content = ExerciseContent(name, "1. Lie on your back.", reps=reps)
    return ExerciseRecord(exercise_id, None, content, False, version)


def _library(qtbot: QtBot) -> tuple[ExerciseLibraryDialog, RecordingExercisePort]:
    port = RecordingExercisePort()
    dialog = ExerciseLibraryDialog(True, port)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_library([_record(1, "Bird dog"), _record(2, "Bridge")])
    return dialog, port


def test_moving_on_saves_the_change_first(qtbot: QtBot) -> None:
    dialog, port = _library(qtbot)
    assert dialog.name.text() == "Bird dog"
    dialog.reps.setValue(12)
    dialog.list.setCurrentRow(1)
    assert port.names() == ["save"]
    exercise_id, version, content = port.last("save").args
    assert (exercise_id, version, content.reps, content.name) == (1, 1, 12, "Bird dog")
    assert dialog.name.text() == "Bird dog"  # not moved until it is saved
    port.last("save").done(_record(1, "Bird dog", reps=12, version=2))
    assert dialog.name.text() == "Bridge"
    assert dialog.records[1].version == 2


def test_a_refusal_is_shown_beside_its_field_and_the_typing_kept(qtbot: QtBot) -> None:
    dialog, port = _library(qtbot)
    dialog.name.clear()
    dialog.instructions.setPlainText("1. Kneel on all fours.\n2. Reach out.")
    dialog.save_now()
    failed = port.last("save").failed
    assert failed is not None
    failed(ValidationError("name", "Name: type the exercise's name."))
    assert dialog.form.errors["name"].text() == "Name: type the exercise's name."
    assert dialog.status.text() == "Not saved: see the message beside the field."
    assert dialog.instructions.toPlainText() == "1. Kneel on all fours.\n2. Reach out."
