"""UI fixtures: every Shell a test makes is shut down and freed while Qt still runs."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtWidgets import QApplication, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.main_window import MainWindow
from casemanager.ui.shell import Shell

W = TypeVar("W", bound=QWidget)


def shown(kind: type[W]) -> W | None:
    """The open window or dialog of this kind, found as a person would: on screen."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None


@pytest.fixture
def make_application(qtbot: QtBot) -> Iterator[Callable[[str], Shell]]:
    made: list[Shell] = []

    def make(url: str) -> Shell:
        application = Shell(url)
        qtbot.addWidget(application.start)
        made.append(application)
        return application

    yield make
    for application in made:
        if application.main_window is not None:
            application.main_window.close()
        application.shutdown()
        application.deleteLater()
    made.clear()
    # Free each test's Qt objects while Qt still runs, not at the interpreter's exit.
    gc.collect()


def cell(table: QTableWidget, row: int, column: int) -> str:
    """The text a table cell shows ("" for a cell never filled)."""
    item = table.item(row, column)
    return item.text() if item is not None else ""


def log_in(qtbot: QtBot, application: Shell, username: str, password: str) -> None:
    """Open the app, log in through the start window, wait for the patient list."""
    from PySide6.QtCore import Qt

    application.open()
    login = application.start.login
    qtbot.waitUntil(lambda: application.start.stack.currentWidget() is login, timeout=20_000)
    qtbot.keyClicks(login.username, username)
    qtbot.keyClicks(login.password, password)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            application.main_window is not None
            and application.main_window.patient_list is not None
            and application.main_window.new_patient_action.isEnabled()
        ),
        timeout=20_000,
    )
    qtbot.addWidget(application.main_window)


def open_patient_by_mrn(qtbot: QtBot, window: Any, mrn: str) -> None:
    """Type the MRN in the search box, Return to search, Return again to open the match."""
    from PySide6.QtCore import Qt

    search = window.patient_list.search
    qtbot.keyClicks(search, mrn)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.patient_list.model.rowCount() == 1, timeout=10_000)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.details.values["mrn"].text() == mrn, timeout=10_000)


def start_evaluation(qtbot: QtBot, window: Any) -> EvaluationWindow:
    """Press Start evaluation in the patient panel; returns the evaluation window."""
    from PySide6.QtCore import Qt

    qtbot.waitUntil(lambda: window.details.start_button.isVisible(), timeout=10_000)
    qtbot.mouseClick(window.details.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(EvaluationWindow) is not None, timeout=10_000)
    screen = shown(EvaluationWindow)
    assert screen is not None
    qtbot.addWidget(screen)
    return screen


def evaluating(
    qtbot: QtBot, application: Shell, username: str, mrn: str
) -> tuple[MainWindow, EvaluationWindow]:
    """Log in as a demo account, open the patient's chart and start an evaluation."""
    from casemanager.services import demo

    log_in(qtbot, application, username, demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, mrn)
    return window, start_evaluation(qtbot, window)


def clinic_with_a_new_patient(path: Path, patients: int = 10, seed: int = 5) -> tuple[str, Any]:
    """A demo clinic in an SQLite file, and a patient of Wei Chen's just registered (no
    episode yet): the database's URL and the patient."""
    from datetime import date

    from casemanager.db.engine import Database
    from casemanager.db.migrate import upgrade
    from casemanager.services import accounts, demo

    url = f"sqlite:///{path}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=patients, seed=seed, today=date(2026, 11, 26))
    target = register_patient(db, accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws"))
    db.dispose()
    return url, target


def register_patient(db: Any, therapist: Any) -> Any:
    """A newly registered patient of this therapist: no episode of care yet."""
    from datetime import date

    from casemanager.domain.enums import Sex
    from casemanager.services import patients

    return patients.create_patient(
        db,
        therapist,
        patients.PatientFields(
            "Łucja",
            "Wiśniewska",
            date(1984, 2, 29),
            Sex.FEMALE,
            primary_therapist_id=therapist.user_id,
        ),
    )


def click_sign(qtbot: QtBot, screen: EvaluationWindow) -> None:
    """Click Sign, read the summary of what will be signed, press Enter on it."""
    from PySide6.QtCore import Qt

    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: screen.sign_summary is not None and screen.sign_summary.isVisible(),
        timeout=10_000,
    )
    summary = screen.sign_summary
    assert summary is not None
    qtbot.keyClick(summary, Qt.Key.Key_Return)


def sign_with_keys(qtbot: QtBot, screen: EvaluationWindow) -> None:
    """Ctrl+Shift+S, then Enter on the summary of what will be signed."""
    from PySide6.QtCore import Qt

    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(screen, Qt.Key.Key_S, keys)
    summary = screen.sign_summary
    assert summary is not None and summary.isVisible()
    qtbot.keyClick(summary, Qt.Key.Key_Return)
