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


def test_report_leaves_out_record_values() -> None:
    try:
        raise ValueError("Maria Garcia 1960-01-02")
    except ValueError as error:
        text = messages.report(error)
    assert "ValueError" in text and "test_report_leaves_out_record_values" in text
    assert "Maria" not in text


def test_uncaught_exception_shows_a_report(qtbot: QtBot, monkeypatch) -> None:
    import sys

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    messages.install_excepthook()
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        sys.excepthook(RuntimeError, error, error.__traceback__)
    assert len(messages._open_reports) == 1
    box = messages._open_reports[0]
    qtbot.addWidget(box)
    assert box.isVisible() and box.text() == messages.BUG_MESSAGE
    box.done(0)
    assert messages._open_reports == []
