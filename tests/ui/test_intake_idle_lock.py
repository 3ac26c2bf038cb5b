"""The idle lock and the patient intake, through the real app: while the intake is handed to a
patient, the quiet minutes pass without the lock covering it, showing the therapist's name or
offering Log out; the staff windows stay out of sight behind it, only the therapist's password
brings them back, and from then on the idle lock guards them as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from casemanager.domain.errors import DomainError
from casemanager.services import demo
from casemanager.ui.intake.window import IntakeWindow
from casemanager.ui.lock import PATIENT_FACING, Cover, Lock, UnlockDialog
from casemanager.ui.main_window import MainWindow
from casemanager.ui.shell import Shell
from tests.ui.conftest import clinic_with_a_new_patient, log_in, open_patient_by_mrn, shown
from tests.ui.test_intake import _open_intake


def _covers() -> list[Cover]:
    return [w for w in QApplication.allWidgets() if isinstance(w, Cover) and w.isVisible()]


def _intake_up(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Shell, MainWindow, IntakeWindow]:
    """Chen logged in with the idle lock at 3 seconds, a new patient's intake handed over."""
    url, target = clinic_with_a_new_patient(tmp_path / "intake-lock.sqlite3")
    monkeypatch.setenv("CASEMANAGER_IDLE_LOCK_MINUTES", "0.05")  # 3 seconds
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    return application, window, _open_intake(qtbot, window)


def test_the_idle_lock_stands_aside_for_the_intake_and_guards_the_staff_windows(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    application, window, screen = _intake_up(qtbot, tmp_path, make_application, monkeypatch)
    title = screen.windowTitle()

    # The patient reads slowly: the quiet minutes run out.
    watcher = application.idle
    assert watcher is not None
    ran_out: list[int] = []
    watcher.timer.timeout.connect(lambda: ran_out.append(1))
    qtbot.waitUntil(lambda: ran_out != [], timeout=20_000)

    # The lock stands beside the intake: nothing covers it, nothing names the therapist,
    # nothing offers Log out ...
    assert application.lock is not None and application.lock.patient is screen
    assert _covers() == []
    assert shown(UnlockDialog) is None
    assert screen.isVisible() and screen.isFullScreen() and screen.windowTitle() == title
    assert shown(IntakeWindow) is screen
    # ... the staff windows stay hidden behind it ...
    assert not window.isVisible()
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [screen]
    # ... and the patient carries on answering.
    qtbot.keyClicks(screen.history["chief_complaint"], "Sore since the move")
    assert screen.history["chief_complaint"].toPlainText() == "Sore since the move"
    assert screen.answers().text("chief_complaint") == "Sore since the move"

    # Leaving still needs the therapist's password.
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    qtbot.keyClicks(screen.password, demo.DEMO_PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shown(IntakeWindow) is None, timeout=15_000)
    qtbot.waitUntil(lambda: application.lock is None, timeout=5_000)  # no second password
    assert window.isVisible() and _covers() == []
    assert "locked" not in window.windowTitle()

    # Back with the therapist: left alone, the staff windows lock as before.
    qtbot.waitUntil(lambda: application.lock is not None, timeout=20_000)
    assert window in {cover.parentWidget() for cover in _covers()}
    assert window.windowTitle() == "CaseManager — locked"
    lock = application.lock
    assert lock is not None
    qtbot.keyClicks(lock.dialog.password, demo.DEMO_PASSWORD)
    qtbot.keyClick(lock.dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: application.lock is None, timeout=15_000)


def test_a_lock_never_covers_a_patient_facing_window(qtbot: QtBot) -> None:
    """An intake that opens just as the app locks is left to the patient; the staff window
    beside it is covered, and so is one that shows while locked."""
    staff = QWidget()
    staff.setWindowTitle("Chart — Łucja Wiśniewska")
    qtbot.addWidget(staff)
    staff.show()
    lock = Lock("Wei Chen, PT", "chen")
    try:
        intake_screen = QWidget()
        intake_screen.setProperty(PATIENT_FACING, True)
        intake_screen.setWindowTitle("Before your visit")
        qtbot.addWidget(intake_screen)
        intake_screen.show()
        later = QWidget()
        later.setWindowTitle("Evaluation — Łucja Wiśniewska")
        qtbot.addWidget(later)
        later.show()
        covered = {cover.parentWidget() for cover in _covers()}
        assert covered == {staff, later}
        assert intake_screen.windowTitle() == "Before your visit"
        assert staff.windowTitle() == later.windowTitle() == Lock.TITLE
    finally:
        lock.lift()
    assert _covers() == [] and staff.windowTitle() == "Chart — Łucja Wiśniewska"


def test_windows_opened_while_the_intake_is_up_are_put_away_and_come_back(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A message box that opens beside the intake (an error for the therapist) is out of
    the patient's sight once the quiet minutes pass, and so is one that opens after; the
    therapist's password brings them back, and the usual lock covers them later."""
    application, window, screen = _intake_up(qtbot, tmp_path, make_application, monkeypatch)
    application._show_error(DomainError("The chart of Łucja Wiśniewska could not be saved."))
    first = shown(QMessageBox)
    assert first is not None and first.isVisible()  # beside the intake, for now
    first_title = first.windowTitle()

    qtbot.waitUntil(lambda: application.lock is not None, timeout=20_000)
    lock = application.lock
    assert lock is not None and lock.patient is screen
    assert not first.isVisible()  # out of the patient's sight
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [screen]
    assert shown(UnlockDialog) is None and _covers() == []
    qtbot.keyClicks(screen.history["chief_complaint"], "Sore since the move")
    assert screen.history["chief_complaint"].toPlainText() == "Sore since the move"
    # One that opens now is put away too, as it shows.
    application._show_error(DomainError("Today's backup could not be made."))
    second = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w is not first
    )
    qtbot.waitUntil(lambda: not second.isVisible(), timeout=5_000)
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [screen]

    # The therapist's password closes the intake: everything comes back, unlocked.
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    qtbot.keyClicks(screen.password, demo.DEMO_PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: application.lock is None, timeout=15_000)
    assert window.isVisible() and first.isVisible() and second.isVisible()
    assert first.windowTitle() == first_title and _covers() == []

    # Left alone again: the usual lock covers the boxes with the rest.
    qtbot.waitUntil(lambda: application.lock is not None, timeout=20_000)
    covered = {cover.parentWidget() for cover in _covers()}
    assert {window, first, second} <= covered
    assert first.windowTitle() == Lock.TITLE
    lock = application.lock
    assert lock is not None and lock.dialog.isVisible()
    qtbot.keyClicks(lock.dialog.password, demo.DEMO_PASSWORD)
    qtbot.keyClick(lock.dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: application.lock is None, timeout=15_000)
    assert first.isVisible() and first.windowTitle() == first_title and _covers() == []
    first.close()
    second.close()


def test_a_dialog_that_opens_while_locked_is_covered_and_never_blocks_the_unlock(
    qtbot: QtBot,
) -> None:
    staff = QWidget()
    staff.setWindowTitle("Chart — Łucja Wiśniewska")
    qtbot.addWidget(staff)
    staff.show()
    lock = Lock("Wei Chen, PT", "chen")
    try:
        box = QMessageBox(staff)
        box.setWindowTitle("Łucja Wiśniewska")
        box.setText("The plan of Łucja Wiśniewska is ready.")
        box.open()  # modal to the chart: it would block the unlock dialog, a child of it
        assert box in {cover.parentWidget() for cover in _covers()}
        assert box.windowTitle() == Lock.TITLE
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is lock.dialog, timeout=5_000)
        qtbot.keyClicks(lock.dialog.password, "typed")
        assert lock.dialog.password.text() == "typed"
    finally:
        lock.lift()
    assert _covers() == [] and box.isVisible() and box.windowTitle() == "Łucja Wiśniewska"
    box.close()
