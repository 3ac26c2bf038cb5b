"""The exercise library through the real app: browse the starter set with its drawings, edit
one, add one with a picture, and read-only for an office manager."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.services import accounts, demo, exercises
from casemanager.ui.exercises.library import ExerciseLibraryDialog
from casemanager.ui.shell import Shell
from tests.ui.conftest import log_in, shown


def _open_library(qtbot: QtBot, application: Shell) -> Any:
    window = application.main_window
    assert window is not None
    # A manager starts on the caseload tab: make sure the window has the keyboard.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    qtbot.keyClick(
        window,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: shown(ExerciseLibraryDialog) is not None, timeout=10_000)
    dialog: Any = shown(ExerciseLibraryDialog)
    qtbot.waitUntil(lambda: dialog.list.count() == 11, timeout=10_000)
    return dialog


def _row(dialog: Any, name: str) -> int:
    return next(i for i in range(dialog.list.count()) if dialog.list.item(i).text() == name)


def test_edit_add_and_picture(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "library.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=5, seed=1)
    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "nowak", demo.DEMO_PASSWORD)
    dialog = _open_library(qtbot, application)

    dialog.list.setCurrentRow(_row(dialog, "Bridge"))
    assert dialog.name.text() == "Bridge" and dialog.picture.figure is not None
    dialog.reps.setValue(12)
    # Moving to another exercise saves the change first.
    dialog.list.setCurrentRow(_row(dialog, "Bird dog"))
    qtbot.waitUntil(lambda: dialog.name.text() == "Bird dog", timeout=10_000)
    nowak = accounts.authenticate(db, "nowak", demo.DEMO_PASSWORD, "ws")
    stored = {e.content.name: e for e in exercises.list_library(db, nowak)}
    assert stored["Bridge"].content.reps == 12

    # A new exercise: the empty name is refused beside the field, nothing typed is lost.
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.instructions, "1. Stand with your back to a wall.")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.form.errors["name"].text() != "", timeout=10_000)
    assert "Name" in dialog.form.errors["name"].text()
    assert dialog.instructions.toPlainText() == "1. Stand with your back to a wall."
    qtbot.keyClicks(dialog.name, "Wall sit")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.list.count() == 12, timeout=10_000)
    assert dialog.current.content.name == "Wall sit" and dialog.picture.figure is None

    picture = tmp_path / "wall-sit.png"
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    assert image.save(str(picture))
    dialog.pick_image_file = lambda: str(picture)  # answers the file dialog
    qtbot.mouseClick(dialog.choose_picture, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.picture.image is not None, timeout=10_000)
    assert dialog.remove_picture.isVisible()
    wall = next(e for e in exercises.list_library(db, nowak) if e.content.name == "Wall sit")
    assert exercises.get_image(db, nowak, wall.id) == picture.read_bytes()

    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_text("not a picture")
    dialog.pick_image_file = lambda: str(not_a_picture)
    qtbot.mouseClick(dialog.choose_picture, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "PNG or JPEG" in dialog.form.errors["image"].text(), timeout=10_000)
    dialog.close()
    db.dispose()


def test_an_office_manager_reads_the_library_only(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "library.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=5, seed=1)
    db.dispose()
    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    dialog = _open_library(qtbot, application)
    assert dialog.name.isReadOnly() and not dialog.save_button.isVisible()
    assert not dialog.new_button.isVisible() and "Read only" in dialog.status.text()
    dialog.close()
