"""The first run and log in, driven through the real widgets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from casemanager.services import demo
from casemanager.ui import messages
from casemanager.ui import shell as shell_module
from casemanager.ui.shell import Shell
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def application(make_application: Callable[[str], Shell], tmp_path: Path) -> Shell:
    return make_application(f"sqlite:///{tmp_path / 'ui.sqlite3'}")


def _wait_for_page(qtbot: QtBot, application: Shell, page: object) -> None:
    qtbot.waitUntil(lambda: application.start.stack.currentWidget() is page, timeout=30_000)


def _type(qtbot: QtBot, widget: QLineEdit, text: str) -> None:
    widget.clear()
    qtbot.keyClicks(widget, text)


def test_create_my_clinic(qtbot: QtBot, application: Shell) -> None:
    start = application.start
    application.open()
    _wait_for_page(qtbot, application, start.welcome)
    qtbot.mouseClick(start.welcome.create_button, Qt.MouseButton.LeftButton)
    page = start.create_clinic
    assert start.stack.currentWidget() is page
    # The clinic's region reads phone numbers typed without "+": US unless chosen otherwise.
    assert page.chosen_region() == "US" and page.phone_region.count() > 200
    page.phone_region.setCurrentIndex(page.phone_region.findData("PR"))
    assert page.phone_region.currentText() == "Puerto Rico (PR)"
    _type(qtbot, page.phone, "(787) 555-0100")
    _type(qtbot, page.clinic_name, "Bayside Physical Therapy")
    _type(qtbot, page.display_name, "Dana Whitaker")
    _type(qtbot, page.username, "dana w")
    _type(qtbot, page.password, TEST_PASSWORD)
    _type(qtbot, page.confirm, TEST_PASSWORD + "x")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert page.form.errors["confirm"].text() == "The two passwords differ. Type them again."
    _type(qtbot, page.confirm, TEST_PASSWORD)
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    # The service refuses the username: the message appears beside that field.
    qtbot.waitUntil(lambda: page.form.errors["username"].isVisible(), timeout=10_000)
    assert "letters a-z" in page.form.errors["username"].text()
    assert page.clinic_name.text() == "Bayside Physical Therapy"  # nothing typed was lost
    _type(qtbot, page.username, "dana")
    qtbot.keyClick(page.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: application.main_window is not None, timeout=10_000)
    window = application.main_window
    assert window is not None
    qtbot.addWidget(window)
    assert window.windowTitle() == "CaseManager — Bayside Physical Therapy"
    from casemanager.services import setup

    assert application.db is not None
    clinic = setup.clinic_info(application.db)
    assert clinic is not None
    assert (clinic.phone, clinic.phone_region) == ("(787) 555-0100", "PR")
    assert window.user_label.text() == "Logged in as Dana Whitaker (Administrator)"
    qtbot.waitUntil(lambda: window.patients.value.text() == "0", timeout=10_000)
    assert not window.demo_label.isVisible()
    assert not window.mine.isVisible()  # an administrator has no caseload


def test_demo_clinic_then_log_in_and_out(
    qtbot: QtBot, application: Shell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shell_module, "DEMO_PATIENTS", 40)
    start = application.start
    application.open()
    _wait_for_page(qtbot, application, start.welcome)
    qtbot.mouseClick(start.welcome.demo_button, Qt.MouseButton.LeftButton)
    _wait_for_page(qtbot, application, start.login)
    login = start.login
    assert "demo-password" in login.hint.text()
    assert login.clinic_label.text() == demo.DEMO_CLINIC_NAME
    _type(qtbot, login.username, "alvarez")
    _type(qtbot, login.password, "wrong password")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.error.isVisible(), timeout=10_000)
    assert "username or password is not right" in login.error.text()
    assert login.username.text() == "alvarez"
    _type(qtbot, login.password, demo.DEMO_PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: application.main_window is not None, timeout=10_000)
    window = application.main_window
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.patients.value.text() == "40", timeout=10_000)
    assert window.demo_label.isVisible()
    assert window.mine.isVisible()
    assert window.user_label.text() == "Logged in as María Álvarez, PT, DPT (Therapist)"
    window.log_out_action.trigger()
    assert application.main_window is None
    assert start.isVisible() and start.stack.currentWidget() is login
    assert login.username.text() == "" and login.password.text() == ""


def test_demo_hint_matches_the_demo_accounts() -> None:
    hint = shell_module._demo_hint()
    assert demo.DEMO_PASSWORD in hint
    for username, *_rest in demo.DEMO_STAFF:
        assert username in hint


def test_unopenable_database_gets_a_clear_message(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_application: Callable[[str], Shell],
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        messages,
        "show_error",
        lambda parent, error, title="": shown.append(messages.classify(error)[0]),
    )
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("this is not a database\n" * 200)
    application = make_application(f"sqlite:///{not_a_db}")
    application.open()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "not a CaseManager database" in shown[0]
    assert application.start.busy.message.text() == "The clinic database could not be opened."
