"""UI fixtures: every Application a test makes is shut down and freed while Qt still runs."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from casemanager.app import Application


@pytest.fixture
def make_application(qtbot: QtBot) -> Iterator[Callable[[str], Application]]:
    made: list[Application] = []

    def make(url: str) -> Application:
        application = Application(url)
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


def log_in(qtbot: QtBot, application: Application, username: str, password: str) -> None:
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
