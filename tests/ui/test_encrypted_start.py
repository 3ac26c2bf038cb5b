"""The start window and an encrypted clinic: creating one with a passphrase, and opening one
(a wrong passphrase asks again, the right one reaches the login)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from casemanager import config
from casemanager.services import accounts
from casemanager.ui.shell import Shell

pytest.importorskip("sqlcipher3", reason="SQLCipher wheels exist for Linux x86-64 only")

PASSPHRASE = "harbor tide lantern 42"


def test_create_an_encrypted_clinic_then_open_it(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    path = tmp_path / "clinic.sqlite3"
    application = make_application(f"sqlite:///{path}")
    application.open()
    welcome = application.start.welcome
    qtbot.waitUntil(lambda: application.start.stack.currentWidget() is welcome, timeout=20_000)
    application.start.show_create_clinic()
    page = application.start.create_clinic
    assert not page.encrypt.isHidden()
    page.clinic_name.setText("Quiet Harbor PT")
    page.display_name.setText("Sam Admin")
    page.username.setText("sam")
    page.password.setText("a long admin password")
    page.confirm.setText("a long admin password")
    page.encrypt.setChecked(True)
    page.passphrase.setText(PASSPHRASE)
    page.passphrase_again.setText(PASSPHRASE + " typo")
    page.create_button.click()
    assert "differ" in page.passphrase_form.errors["passphrase_again"].text()
    page.passphrase_again.setText(PASSPHRASE)
    page.create_button.click()
    qtbot.waitUntil(lambda: application.main_window is not None, timeout=30_000)
    assert application.db is not None and application.main_window is not None
    assert config.looks_encrypted(path) and application.db.is_encrypted
    application.main_window.close()
    application.shutdown()

    again = make_application(f"sqlite:///{path}")
    again.open()
    qtbot.waitUntil(lambda: again.passphrase_dialog is not None, timeout=10_000)
    first = again.passphrase_dialog
    assert first is not None
    first.textValueSelected.emit("wrong passphrase here")
    qtbot.waitUntil(lambda: again.passphrase_dialog is not first, timeout=20_000)
    second = again.passphrase_dialog
    assert second is not None and "does not open" in second.labelText()
    second.textValueSelected.emit(PASSPHRASE)
    login = again.start.login
    qtbot.waitUntil(lambda: again.start.stack.currentWidget() is login, timeout=20_000)
    assert again.db is not None
    assert accounts.authenticate(again.db, "sam", "a long admin password", "ws").username == "sam"
