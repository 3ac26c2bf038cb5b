"""The administrator's tab through the real app: accounts (add, role, deactivate, new
password), the audit log (filters, chain check, CSV), and changing one's own password."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain.enums import Role
from casemanager.services import accounts, demo
from casemanager.ui.admin.audit_view import AuditPanel
from casemanager.ui.admin.users import PasswordDialog, UsersPanel
from casemanager.ui.shell import Shell
from tests.ui.conftest import log_in, shown

TODAY = date(2026, 11, 26)


def _clinic(tmp_path: Path) -> str:
    path = tmp_path / "admin.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=4, today=TODAY)
    db.dispose()
    return f"sqlite:///{path}"


def _row_of(panel: UsersPanel, username: str) -> int:
    return next(i for i, u in enumerate(panel.users) if u.username == username)


def test_administrator_manages_accounts_and_reads_the_log(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = _clinic(tmp_path)
    application = make_application(url)
    log_in(qtbot, application, "admin", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None and window.admin is not None
    users = window.admin.widget(0)
    audit = window.admin.widget(1)
    assert isinstance(users, UsersPanel) and isinstance(audit, AuditPanel)
    qtbot.waitUntil(lambda: len(users.users) == 6, timeout=10_000)

    # Add a therapist: a refused password keeps what was typed in the dialog.
    qtbot.mouseClick(users.add_button, Qt.MouseButton.LeftButton)
    dialog = users.dialog
    qtbot.keyClicks(dialog.full_name, "Priya Raman")
    qtbot.keyClicks(dialog.username, "raman")
    dialog.role.setCurrentIndex(list(Role).index(Role.THERAPIST))
    qtbot.keyClicks(dialog.licence, "PT-77120")
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.again, "short")
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.error.isVisible() and dialog.isVisible(), timeout=10_000)
    assert "at least" in dialog.error.text() and dialog.full_name.text() == "Priya Raman"
    dialog.password.setText("a long enough secret")
    dialog.again.setText("a long enough secret")
    dialog.accept()
    qtbot.waitUntil(lambda: any(u.username == "raman" for u in users.users), timeout=10_000)

    # Make them an office manager, then deactivate and set a new password.
    users.table.selectRow(_row_of(users, "raman"))
    qtbot.mouseClick(users.role_button, Qt.MouseButton.LeftButton)
    users.dialog.role.setCurrentIndex(list(Role).index(Role.OFFICE_MANAGER))
    users.dialog.accept()
    qtbot.waitUntil(
        lambda: users.users[_row_of(users, "raman")].role == Role.OFFICE_MANAGER, timeout=10_000
    )
    qtbot.mouseClick(users.active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not users.users[_row_of(users, "raman")].active, timeout=10_000)
    assert users.active_button.text() == "Re&activate"
    qtbot.mouseClick(users.reset_button, Qt.MouseButton.LeftButton)
    users.password_dialog.password.setText("another long secret")
    users.password_dialog.again.setText("another long secret")
    users.password_dialog.accept()
    qtbot.waitUntil(lambda: "New password set" in users.message.text(), timeout=10_000)
    # One's own account cannot be deactivated from here.
    users.table.selectRow(_row_of(users, "admin"))
    assert not users.active_button.isEnabled()

    # The audit log: today's rows, one user's, the chain check and the CSV.
    qtbot.waitUntil(lambda: audit.table.model.rowCount() > 0, timeout=10_000)
    audit.use_dates.setChecked(False)
    audit.user.setText("admin")
    audit.action.setCurrentIndex(audit.action.findText("permission change"))
    audit.request()
    qtbot.waitUntil(lambda: audit.show_button.isEnabled(), timeout=10_000)
    details = [audit.table.model.index(r, 8).data() for r in range(audit.table.model.rowCount())]
    assert any("role therapist -> office_manager" in d for d in details)
    assert any("password reset" in d for d in details)
    audit.verify_button.click()
    qtbot.waitUntil(lambda: "The chain is intact" in audit.status.text(), timeout=20_000)

    target = tmp_path / "audit.csv"
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(target))
    audit.table.save.click()
    qtbot.waitUntil(lambda: "Saved" in audit.status.text(), timeout=10_000)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "Row" and len(rows) - 1 == len(details)


def test_therapist_changes_own_password_and_has_no_admin_tab(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url = _clinic(tmp_path)
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None and window.admin is None
    window.change_password_action.trigger()
    dialog = shown(PasswordDialog)
    assert dialog is not None
    dialog.current.setText("wrong")
    dialog.password.setText("a fresh long password")
    dialog.again.setText("a fresh long password")
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "current password is not right" in dialog.error.text()
    dialog.current.setText(demo.DEMO_PASSWORD)
    dialog.accept()
    qtbot.waitUntil(
        lambda: "password is changed" in window.statusBar().currentMessage(), timeout=10_000
    )
    db = Database(url)
    try:
        assert accounts.authenticate(db, "chen", "a fresh long password", "ws").username == "chen"
    finally:
        db.dispose()
