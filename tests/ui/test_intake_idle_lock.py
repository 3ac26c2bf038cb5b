"""The idle lock and the patient intake, through the real app: while the intake is handed to a
patient, the quiet minutes pass without the lock covering it, showing the therapist's name or
offering Log out; the staff windows stay out of sight behind it, only the therapist's password
brings them back, and from then on the idle lock guards them as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from casemanager.services import demo
from casemanager.ui.intake.window import IntakeWindow
from casemanager.ui.lock import PATIENT_FACING, Cover, Lock, UnlockDialog
from casemanager.ui.shell import Shell
from tests.ui.conftest import clinic_with_a_new_patient, log_in, open_patient_by_mrn, shown
from tests.ui.test_intake import _open_intake


def _covers() -> list[Cover]:
    return [w for w in QApplication.allWidgets() if isinstance(w, Cover) and w.isVisible()]


def test_the_idle_lock_stands_aside_for_the_intake_and_guards_the_staff_windows(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, target = clinic_with_a_new_patient(tmp_path / "intake-lock.sqlite3")
    monkeypatch.setenv("CASEMANAGER_IDLE_LOCK_MINUTES", "0.05")  # 3 seconds
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    screen = _open_intake(qtbot, window)
    title = screen.windowTitle()

    # The patient reads slowly: the quiet minutes run out.
    watcher = application.idle
    assert watcher is not None
    ran_out: list[int] = []
    watcher.timer.timeout.connect(lambda: ran_out.append(1))
    qtbot.waitUntil(lambda: ran_out != [], timeout=20_000)

    # Nothing covers the intake, nothing names the therapist, nothing offers Log out ...
    assert application.lock is None
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
    assert window.isVisible() and application.lock is None

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
