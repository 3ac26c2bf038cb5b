"""The limits of domain/field_limits.py through the real forms, one field per form, on SQLite
and PostgreSQL: a value one character over its limit, or holding a control or
direction-changing character, is refused beside the field with what to do, what was typed
stays in the form, and nothing is saved. (The new-patient form: test_patient_form_limits.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.domain import field_limits
from casemanager.services import accounts, evaluations, exercises, plans, visits
from casemanager.ui.exercises.library import ExerciseLibraryDialog
from casemanager.ui.patients.referral_outcome import ReferralOutcomeDialog
from casemanager.ui.patients.visit_dialog import VisitDialog
from casemanager.ui.shell import Shell
from tests.conftest import TEST_PASSWORD, Staff
from tests.services.test_chart import one_urgent_flag
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import _plan
from tests.ui.conftest import (
    log_in,
    open_patient_by_mrn,
    register_patient,
    shown,
    start_evaluation,
)

HIDDEN = {"NUL": "\x00", "right-to-left override": "\u202e", "pop directional isolate": "\u2069"}


def _set(widget: QLineEdit | QPlainTextEdit, value: str) -> None:
    if isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value)
    else:
        widget.setText(value)


def _text(widget: QLineEdit | QPlainTextEdit) -> str:
    return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()


def _refused(
    qtbot: QtBot,
    widget: QLineEdit | QPlainTextEdit,
    save: Callable[[], None],
    said: Callable[[], str],
    limit: int,
) -> None:
    """One over the limit, then each hidden character: refused beside the field, kept."""
    cases = [("a" * (limit + 1), "too long")]
    # Each message names the character it found, so each wait sees its own refusal.
    cases += [("Seen " + c + "today", f"(U+{ord(c):04X})") for c in HIDDEN.values()]
    for value, words in cases:
        _set(widget, value)
        save()
        qtbot.waitUntil(lambda: words in said(), timeout=10_000)  # noqa: B023 - waited here
        assert _text(widget) == value  # nothing typed is cut or cleared
        if words == "too long":
            assert str(limit) in said()


def _signed_with_red_flag(db: Database, staff: Staff) -> tuple[str, int]:
    """Rivera's patient, evaluated and signed with an urgent red-flag referral still open:
    their MRN and episode."""
    patient = register_patient(db, staff.therapist)  # on their caseload, so listed
    draft = evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Low back spasm", EVAL_DAY
    )
    record = evaluations.save_draft(
        db, staff.therapist, draft.id, draft.version, _complete(red_flags=one_urgent_flag())
    )
    plans.save_plan(db, staff.therapist, record.id, None, _plan(db))
    evaluations.sign(db, staff.therapist, record.id, record.version)
    return patient.mrn, record.episode_id


def test_visit_and_referral_outcome_forms(
    qtbot: QtBot,
    db: Database,
    staff: Staff,
    make_application: Callable[[str], Shell],
) -> None:
    mrn, episode = _signed_with_red_flag(db, staff)
    application = make_application(db.url.render_as_string(hide_password=False))
    log_in(qtbot, application, "rivera", TEST_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, mrn)
    panel: Any = window.details
    qtbot.waitUntil(lambda: panel.visit_button.isVisible(), timeout=10_000)

    qtbot.mouseClick(panel.visit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(VisitDialog) is not None, timeout=10_000)
    dialog = shown(VisitDialog)
    assert dialog is not None
    if dialog.report_no.isVisible():
        dialog.report_no.setChecked(True)
    _refused(
        qtbot,
        dialog.note,
        lambda: qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton),
        lambda: dialog.form.errors["note"].text(),
        field_limits.COLUMNS["visit.note"],
    )
    assert shown(VisitDialog) is dialog
    assert visits.progress(db, staff.therapist, episode).visits == 0
    dialog.close()

    qtbot.waitUntil(lambda: panel.outcome_button.isVisible(), timeout=10_000)
    qtbot.mouseClick(panel.outcome_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(ReferralOutcomeDialog) is not None, timeout=10_000)
    outcome = shown(ReferralOutcomeDialog)
    assert outcome is not None
    qtbot.keyClicks(outcome.seen_by, "Dr. Omar Haddad")
    _refused(
        qtbot,
        outcome.note,
        lambda: qtbot.mouseClick(outcome.save_button, Qt.MouseButton.LeftButton),
        lambda: outcome.form.errors["outcome_note"].text(),
        field_limits.COLUMNS["referral.outcome_note"],
    )
    assert shown(ReferralOutcomeDialog) is outcome and panel.outcome_button.isVisible()
    outcome.close()


def test_account_and_exercise_library_forms(
    qtbot: QtBot,
    db: Database,
    staff: Staff,
    make_application: Callable[[str], Shell],
) -> None:
    application = make_application(db.url.render_as_string(hide_password=False))
    log_in(qtbot, application, "admin", TEST_PASSWORD)
    window = application.main_window
    assert window is not None and window.admin is not None
    users: Any = window.admin.widget(0)
    qtbot.waitUntil(lambda: len(users.users) == 4, timeout=10_000)

    qtbot.mouseClick(users.add_button, Qt.MouseButton.LeftButton)
    dialog: Any = users.dialog
    qtbot.keyClicks(dialog.full_name, "Priya Raman")
    qtbot.keyClicks(dialog.username, "raman")
    qtbot.keyClicks(dialog.password, "a long enough secret")
    qtbot.keyClicks(dialog.again, "a long enough secret")
    _refused(
        qtbot,
        dialog.licence,
        dialog.accept,
        lambda: dialog.error.text() if dialog.isVisible() else "",
        field_limits.COLUMNS["users.licence_number"],
    )
    assert dialog.full_name.text() == "Priya Raman"
    assert len(accounts.list_users(db, staff.admin)) == 4
    dialog.reject()

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    qtbot.keyClick(
        window,
        Qt.Key.Key_E,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: shown(ExerciseLibraryDialog) is not None, timeout=10_000)
    library: Any = shown(ExerciseLibraryDialog)
    qtbot.waitUntil(lambda: library.list.count() > 0, timeout=10_000)
    count = library.list.count()
    qtbot.mouseClick(library.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(library.instructions, "1. Stand with your back to a wall.")
    _refused(
        qtbot,
        library.name,
        lambda: qtbot.keyClick(library, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier),
        lambda: library.form.errors["name"].text(),
        field_limits.COLUMNS["exercise.name"],
    )
    assert library.instructions.toPlainText() == "1. Stand with your back to a wall."
    assert len(exercises.list_library(db, staff.admin)) == count


def test_evaluation_form(
    qtbot: QtBot,
    db: Database,
    staff: Staff,
    make_application: Callable[[str], Shell],
) -> None:
    """The draft saves itself as the therapist types: a refused value says why in the
    window's save status, stays in the form, and the saved draft keeps its last good text."""
    patient = register_patient(db, staff.therapist)
    application = make_application(db.url.render_as_string(hide_password=False))
    log_in(qtbot, application, "rivera", TEST_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, patient.mrn)
    screen: Any = start_evaluation(qtbot, window)
    form = screen.form
    form.chief_complaint.selectAll()  # it starts as the episode's complaint
    qtbot.keyClicks(form.chief_complaint, "Spasm after lifting")
    qtbot.waitUntil(lambda: "Draft saved" in screen.status.text(), timeout=10_000)
    _refused(
        qtbot,
        form.mechanism,
        lambda: None,  # saved by itself
        # Held back from the saved draft, with what to fix in the save status.
        lambda: screen.status.text() if "except what is marked" in screen.status.text() else "",
        field_limits.COLUMNS["evaluation.mechanism_of_injury"],
    )
    stored = evaluations.get_evaluation(db, staff.therapist, screen.record.id)
    assert stored.content.mechanism_of_injury is None
    assert stored.content.chief_complaint == "Spasm after lifting"
    form.mechanism.setPlainText("Lifting a box")
    qtbot.waitUntil(
        lambda: "Draft saved" in screen.status.text() and "except" not in screen.status.text(),
        timeout=10_000,
    )
    stored = evaluations.get_evaluation(db, staff.therapist, screen.record.id)
    assert stored.content.mechanism_of_injury == "Lifting a box"
    screen.close()
