"""Refusals read as plain sentences; bugs come with a copyable report."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from casemanager.domain.errors import ValidationError
from casemanager.ui import messages


def test_refusal_is_shown_as_is(qtbot: QtBot) -> None:
    box = messages.show_error(None, ValidationError("email", "Check the email address."))
    qtbot.addWidget(box)
    assert box.text() == "Check the email address."
    assert box.detailedText() == ""
    assert box.icon() == QMessageBox.Icon.Warning


def test_bug_gets_a_report(qtbot: QtBot) -> None:
    try:
        raise KeyError("unexpected")
    except KeyError as error:
        box = messages.show_error(None, error)
    qtbot.addWidget(box)
    assert box.text() == messages.BUG_MESSAGE
    assert "KeyError" in box.detailedText() and "test_bug_gets_a_report" in box.detailedText()
    assert box.icon() == QMessageBox.Icon.Critical
