"""The app's Save as PDF and password-protected copy, pointed at the open clinic database or
its write-ahead log, are refused before anything is made or audited; the database stays a
sound CaseManager file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from casemanager.db import sqlite_files
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import PrintedDocument
from casemanager.services import demo
from casemanager.ui.documents.dialog import DocumentDialog
from casemanager.ui.shell import Shell
from tests.ui.conftest import log_in, open_patient_by_mrn, shown
from tests.ui.test_chart import _treated_patient


def _printed(path: Path) -> int:
    db = Database(f"sqlite:///{path}")
    try:
        with db.session() as session:
            return int(session.scalar(select(func.count()).select_from(PrintedDocument)) or 0)
    finally:
        db.dispose()


@pytest.mark.parametrize("protected", [False, True])
def test_save_as_pdf_refuses_the_database(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    protected: bool,
) -> None:
    db_path = tmp_path / "clinic.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=6, seed=4)
    _therapist, patient = _treated_patient(db)
    db.dispose()
    printed_before = _printed(db_path)

    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, patient.mrn)
    panel: Any = window.details
    qtbot.waitUntil(lambda: panel.print_button.isVisible(), timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: shown(DocumentDialog) is not None, timeout=10_000)
    dialog: Any = shown(DocumentDialog)
    qtbot.waitUntil(lambda: "Ready" in dialog.status.text(), timeout=20_000)
    dialog.ask_password = lambda: "correct horse"
    button = dialog.protect_button if protected else dialog.save_button

    for target in (db_path, db_path.with_name(db_path.name + "-wal")):
        existed = target.exists()
        before = target.read_bytes() if existed else b""
        dialog.ask_save_path = lambda suggested, target=target: str(target)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert dialog.status.text().startswith("Not saved:"), dialog.status.text()
        assert "clinic's database" in dialog.status.text()
        if target == db_path:
            assert target.read_bytes() == before  # nothing written over it, not even audit
        assert target.exists() == existed
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    # A good file name still saves.
    good = tmp_path / "plan.pdf"
    dialog.ask_save_path = lambda suggested: str(good)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved plan.pdf" in dialog.status.text(), timeout=20_000)
    assert good.read_bytes().startswith(b"%PDF")
    dialog.close()
    window.close()
    application.shutdown()
    assert sqlite_files.problems(db_path) is None
    assert _printed(db_path) == printed_before + 1  # only the good save was an export


def _refusals(window: Any) -> list[str]:
    return [box.text() for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_caseload_and_audit_saves_refuse_the_database(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "clinic.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=20, seed=3)
    db.dispose()
    url = f"sqlite:///{db_path}"

    application = make_application(url)
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window: Any = application.main_window
    qtbot.waitUntil(lambda: window.caseload is not None, timeout=20_000)
    dashboard = window.caseload
    qtbot.waitUntil(lambda: dashboard.board is not None, timeout=30_000)
    before = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    for target, button in (
        (db_path, dashboard.worklist.save),
        (wal, dashboard.worklist.save),
        (db_path, dashboard.report_button),
    ):
        window.ask_save_path = lambda *_args, target=target: str(target)
        button.click()
        qtbot.waitUntil(lambda: any("clinic's database" in t for t in _refusals(window)))
        for box in window.findChildren(QMessageBox):
            box.close()
    assert db_path.read_bytes() == before
    assert wal.exists() and not wal.read_bytes().startswith(b"%PDF")
    window.close()

    application = make_application(url)
    log_in(qtbot, application, "admin", demo.DEMO_PASSWORD)
    window = application.main_window
    qtbot.waitUntil(lambda: window.admin is not None, timeout=20_000)
    audit = window.admin.widget(1)
    qtbot.waitUntil(lambda: audit.table.model.rowCount() > 0, timeout=10_000)
    for target in (db_path, wal):
        window.ask_save_path = lambda *_args, target=target: str(target)
        audit.table.save.click()
        qtbot.waitUntil(lambda: "clinic's database" in audit.status.text(), timeout=10_000)
    assert sqlite_files.problems(db_path) is None
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
