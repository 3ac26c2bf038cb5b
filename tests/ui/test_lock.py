"""Left alone, the app locks: every window is covered, the password is asked again, and the
evaluation being typed is still there (and saved) afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.services import accounts, demo, evaluations
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.lock import Cover
from casemanager.ui.shell import Shell
from tests.ui.conftest import (
    evaluating,
    register_patient,
    shown,
)

TODAY = date(2026, 11, 26)


def _covers() -> list[Cover]:
    return [w for w in QApplication.allWidgets() if isinstance(w, Cover) and w.isVisible()]


def test_idle_app_locks_and_keeps_the_typing(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db_path = tmp_path / "lock.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=3, today=TODAY)
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    target = register_patient(db, therapist)
    db.dispose()
    monkeypatch.setenv("CASEMANAGER_IDLE_LOCK_MINUTES", "0.02")  # 1.2 seconds

    application = make_application(f"sqlite:///{db_path}")
    window, screen = evaluating(qtbot, application, "chen", target.mrn)
    typed = "Spasm after shovelling snow"
    screen.form.mechanism.setFocus()
    qtbot.keyClicks(screen.form.mechanism, typed)

    qtbot.waitUntil(lambda: application.lock is not None, timeout=10_000)
    lock = application.lock
    assert lock is not None
    covered = {cover.parentWidget() for cover in _covers()}
    assert window in covered and screen in covered
    title = "CaseManager — locked"
    assert window.windowTitle() == title and screen.windowTitle() == title  # no patient name
    assert all((p := c.parentWidget()) and c.geometry() == p.rect() for c in _covers())
    # Autosave goes on under the cover.
    qtbot.waitUntil(lambda: "Draft saved" in screen.status.text(), timeout=10_000)
    assert application.lock is lock

    dialog = lock.dialog
    qtbot.keyClicks(dialog.password, "not the password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "not right" in dialog.error.text()
    assert application.lock is lock and _covers()
    dialog.reject()  # Escape does not unlock
    assert application.lock is lock

    qtbot.keyClicks(dialog.password, demo.DEMO_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: application.lock is None, timeout=10_000)
    qtbot.waitUntil(lambda: not _covers(), timeout=5_000)
    assert screen.form.mechanism.toPlainText() == typed
    assert shown(EvaluationWindow) is screen
    assert "Wiśniewska" in screen.windowTitle() and window.windowTitle() != title

    # What was typed before the lock is in the database.
    db = Database(f"sqlite:///{db_path}")
    try:
        saved = evaluations.get_evaluation(db, therapist, screen.record.id)
        assert saved.content.mechanism_of_injury == typed
    finally:
        db.dispose()


def test_log_out_from_the_lock_leaves_no_record_on_screen(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even an evaluation whose save is refused (a half-typed date) must not stay visible
    to whoever sits down after a Log out from the lock."""
    db_path = tmp_path / "lock.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=3, today=TODAY)
    target = register_patient(db, accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws"))
    db.dispose()
    monkeypatch.setenv("CASEMANAGER_IDLE_LOCK_MINUTES", "0.02")
    application = make_application(f"sqlite:///{db_path}")
    window, screen = evaluating(qtbot, application, "chen", target.mrn)
    qtbot.keyClicks(screen.form.onset_date, "11/2")  # cannot be read, so cannot be saved
    qtbot.waitUntil(lambda: application.lock is not None, timeout=10_000)
    assert application.lock is not None
    application.lock.dialog.log_out_button.click()
    qtbot.waitUntil(lambda: application.start.isVisible(), timeout=10_000)
    assert not screen.isVisible()
    assert application.actor is None and not _covers()
