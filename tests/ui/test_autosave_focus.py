"""An autosave that cannot take every field never moves the keyboard focus, and one field
that cannot be saved yet does not stop the rest of the draft from saving. Driven through the
running app with key presses, against a real SQLite database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain.enums import TreatmentPathKind
from casemanager.services import accounts, demo, evaluations, plans
from casemanager.ui.shell import Shell
from tests.ui.conftest import (
    evaluating,
    register_patient,
)


def _open_evaluation(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> tuple[Any, Database, Any]:
    url = f"sqlite:///{tmp_path / 'autosave.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=5, today=date(2026, 11, 26))
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    target = register_patient(db, therapist)
    application = make_application(url)
    window, screen = evaluating(qtbot, application, "chen", target.mrn)
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=10_000)
    return screen, db, therapist


def test_a_draft_saves_around_an_unreadable_onset_and_the_focus_stays(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    screen, db, therapist = _open_evaluation(qtbot, tmp_path, make_application)
    form = screen.form
    # The window opens on the first field to fill (not on the section list).
    first = form.first_field_to_fill()
    assert first is not None and screen.focusWidget() is first
    qtbot.keyClick(first, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert screen.focusWidget() is form.onset_date
    qtbot.keyClicks(form.onset_date, "a while back")
    qtbot.keyClick(form.onset_date, Qt.Key.Key_Tab)
    assert screen.focusWidget() is form.mechanism
    qtbot.keyClicks(form.mechanism, "Lifted a box")

    def stored() -> Any:
        return evaluations.get_evaluation(db, therapist, screen.record.id).content

    # The autosave comes: the mechanism is saved, the onset is held back with its message.
    qtbot.waitUntil(lambda: stored().mechanism_of_injury == "Lifted a box", timeout=10_000)
    qtbot.waitUntil(lambda: not screen.is_saving(), timeout=10_000)
    assert screen.focusWidget() is form.mechanism  # the focus never moved
    onset_message = form.history.errors["onset_date"]
    assert onset_message.isVisible() and "MM/DD/YYYY" in onset_message.text()
    assert "except what is marked" in screen.status.text()
    qtbot.keyClicks(form.mechanism, " at work")  # lands where the user was typing
    qtbot.waitUntil(lambda: stored().mechanism_of_injury == "Lifted a box at work", timeout=10_000)
    assert form.onset_date.text() == "a while back"  # nothing typed is lost
    assert stored().onset_date is None

    # Signing or closing waits until the onset is fixed.
    qtbot.keyClick(
        form.mechanism,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    summary = screen.sign_summary  # what would be signed names the field held back
    assert summary is not None and "MM/DD/YYYY" in summary.summary.text()
    qtbot.keyClick(summary, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.missing.isVisible(), timeout=10_000)
    assert screen.missing.item(0).data(Qt.ItemDataRole.UserRole) == "onset_date"
    assert not screen.record.is_signed
    screen.close()
    assert screen.isVisible() and "Not closed" in screen.status.text()

    # Fixed: it saves, and its message goes.
    qtbot.keyClick(form.mechanism, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(form.onset_date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.onset_date, "11/12/2026")
    qtbot.waitUntil(lambda: stored().onset_date == date(2026, 11, 12), timeout=10_000)
    qtbot.waitUntil(lambda: not onset_message.isVisible(), timeout=10_000)
    db.dispose()


def test_a_medication_referral_without_a_medicine_yet_keeps_the_focus(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    screen, db, therapist = _open_evaluation(qtbot, tmp_path, make_application)
    form = screen.form
    plan = form.plan
    path = plan.paths[TreatmentPathKind.MEDICATION_REFERRAL]
    path.setFocus()
    qtbot.keyClick(path, Qt.Key.Key_Space)  # tick the path
    assert path.isChecked()
    qtbot.keyClick(path, Qt.Key.Key_Tab)
    assert screen.focusWidget() is plan.anti_inflammatory
    # Meanwhile the goal is typed; the autosave comes before a medicine is ticked.
    qtbot.waitUntil(lambda: "except what is marked" in screen.status.text(), timeout=10_000)
    assert screen.focusWidget() is plan.anti_inflammatory  # not back on the path's box
    assert "medicine" in screen.status.text()
    qtbot.keyClick(plan.anti_inflammatory, Qt.Key.Key_Space)
    assert path.isChecked() and plan.anti_inflammatory.isChecked()

    def saved_paths() -> Any:
        saved = plans.get_plan(db, therapist, screen.record.id)
        return saved.content.paths if saved is not None else ()

    qtbot.waitUntil(
        lambda: any(
            p.kind == TreatmentPathKind.MEDICATION_REFERRAL and p.anti_inflammatory
            for p in saved_paths()
        ),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: "Draft saved at" in screen.status.text(), timeout=10_000)
    assert "except" not in screen.status.text()
    db.dispose()
