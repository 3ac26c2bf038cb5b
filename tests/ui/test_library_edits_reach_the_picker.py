"""An evaluation open while the exercise library is edited: its home-exercise picker offers
the library as it is now, the exercise already picked stays picked (under its new name), and
nothing typed is changed. Through the real app, both windows as the user sees them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.ui.exercises.library import ExerciseLibraryDialog
from casemanager.ui.shell import Shell
from tests.ui.conftest import (
    clinic_with_a_new_patient,
    evaluating,
    shown,
)


def _offered(pick: object) -> list[str]:
    from PySide6.QtWidgets import QComboBox

    assert isinstance(pick, QComboBox)
    return [pick.itemText(i) for i in range(pick.count())]


def test_a_renamed_and_a_new_exercise_reach_an_open_evaluation(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url, target = clinic_with_a_new_patient(tmp_path / "picker.sqlite3", patients=5)
    application = make_application(url)
    window, screen = evaluating(qtbot, application, "chen", target.mrn)
    pick, sets, _reps, _hold, _times = screen.form.plan.exercise_rows[0]
    pick.setCurrentIndex(pick.findText("Bridge"))
    sets.setValue(4)  # the therapist's own dose, not the library's
    assert "Wall sit" not in _offered(pick)

    window.exercise_library_requested.emit()
    qtbot.waitUntil(lambda: shown(ExerciseLibraryDialog) is not None, timeout=10_000)
    library = shown(ExerciseLibraryDialog)
    assert library is not None
    qtbot.waitUntil(lambda: library.list.count() == 11, timeout=10_000)
    bridge = next(i for i in range(library.list.count()) if library.list.item(i).text() == "Bridge")
    library.list.setCurrentRow(bridge)
    library.name.selectAll()
    qtbot.keyClicks(library.name, "Glute bridge")
    qtbot.keyClick(library, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Saved “Glute bridge”" in library.status.text(), timeout=10_000)
    qtbot.mouseClick(library.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(library.name, "Wall sit")
    qtbot.keyClicks(library.instructions, "1. Stand with your back to a wall.")
    qtbot.keyClick(library, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: library.list.count() == 12, timeout=10_000)

    qtbot.waitUntil(lambda: "Wall sit" in _offered(pick), timeout=10_000)
    assert "Glute bridge" in _offered(pick) and "Bridge" not in _offered(pick)
    assert pick.currentText() == "Glute bridge" and sets.value() == 4
    for other, *_doses in screen.form.plan.exercise_rows[1:]:
        assert _offered(other) == _offered(pick) and other.currentText() == "—"
    library.close()
    screen.close()
