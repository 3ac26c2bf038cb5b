"""The new-patient form, driven with qtbot on SQLite and PostgreSQL: an over-long value or a
hidden character in any field is refused beside that field, with what to do, and everything
typed stays in the form (no field is cut short or cleared)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.domain import field_limits
from casemanager.services import patients
from casemanager.ui.patients.new_patient import NewPatientDialog
from casemanager.ui.shell import Shell
from tests.conftest import TEST_PASSWORD, Staff
from tests.ui.conftest import log_in, shown

# Form widget attribute -> (field the service names, an over-long value)
FIELDS = {
    "given_name": ("given_name", "Ana" * 40),
    "family_name": ("family_name", "S" * (field_limits.NAME + 1)),
    "preferred_name": ("preferred_name", "P" * (field_limits.NAME + 1)),
    "phone": ("phone", "+1 (631)" + " " * 40 + "555-0100"),
    "email": ("email", "a" * 250 + "@example.org"),
    "address": ("address", "1 Main St\n" + "x" * field_limits.ADDRESS),
    "emergency_name": ("emergency_contact_name", "E" * (field_limits.CONTACT_NAME + 1)),
    "emergency_phone": ("emergency_contact_phone", "555 0100" + " " * 40 + "1"),
    "physician": ("referring_physician", "Dr " + "D" * field_limits.CONTACT_NAME),
}
HIDDEN = {"NUL": "\x00", "right-to-left override": "\u202e", "C1 control": "\x9b"}


def _set(widget: QLineEdit | QPlainTextEdit, value: str) -> None:
    if isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value)
    else:
        widget.setText(value)


def _text(widget: QLineEdit | QPlainTextEdit) -> str:
    return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()


def test_every_field_refuses_over_long_and_hidden_characters(
    qtbot: QtBot,
    db: Database,
    staff: Staff,
    make_application: Callable[[str], Shell],
) -> None:
    application = make_application(db.url.render_as_string(hide_password=False))
    log_in(qtbot, application, "rivera", TEST_PASSWORD)
    window = application.main_window
    assert window is not None
    window.new_patient_action.trigger()
    dialog = shown(NewPatientDialog)
    assert dialog is not None
    qtbot.keyClicks(dialog.given_name, "Ana")
    qtbot.keyClicks(dialog.family_name, "Silva")
    qtbot.keyClicks(dialog.date_of_birth, "3/4/1970")
    valid = {name: _text(getattr(dialog, name)) for name in FIELDS}

    def refused_at(name: str, field: str, value: str, words: str) -> None:
        widget = getattr(dialog, name)
        _set(widget, value)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.form.errors[field].text() != "", timeout=10_000)
        said = dialog.form.errors[field].text()
        assert words in said, (name, said)
        assert _text(widget) == value  # nothing typed is cut or cleared
        qtbot.waitUntil(dialog.save_button.isEnabled, timeout=10_000)
        _set(widget, valid[name])

    for name, (field, long_value) in FIELDS.items():
        refused_at(name, field, long_value, "too long")
        for character in HIDDEN.values():
            typed = "555 01" + character + "02" if "phone" in name else "Ana" + character + "x"
            refused_at(name, field, typed, "character")
    assert patients.count_patients(db, staff.therapist) == 0

    dialog.date_of_birth.clear()
    qtbot.keyClicks(dialog.date_of_birth, "01/02/70")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "four digits" in dialog.form.errors["date_of_birth"].text()
    dialog.date_of_birth.clear()
    qtbot.keyClicks(dialog.date_of_birth, "3/4/1970")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(NewPatientDialog) is None, timeout=10_000)
    assert patients.count_patients(db, staff.therapist) == 1
