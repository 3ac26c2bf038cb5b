"""Print and save from the chart through the real app: preview, language, save, a
password-protected copy opened with pdfium, printing to a PDF printer, and the timeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.services import chart, demo, referrals
from casemanager.ui.documents.dialog import BatchProgress, DocumentDialog
from casemanager.ui.shell import Shell
from tests.services.test_evaluations import EVAL_DAY
from tests.ui.conftest import log_in, open_patient_by_mrn, shown
from tests.ui.test_chart import _timeline, _treated_patient


def _open(pdf: bytes, password: str) -> QPdfDocument.Error:
    document = QPdfDocument()
    document.setPassword(password)
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    error = document.error()
    document.close()
    return error


def test_preview_save_protect_and_print(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "documents.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=4)
    therapist, patient = _treated_patient(db)
    # Its urgent red flag seen and cleared: the full plan (several pages) prints.
    (flag,) = chart.open_chart(db, therapist, patient.id).open_red_flags
    referrals.record_outcome(
        db,
        therapist,
        flag.referral_id,
        referrals.ReferralOutcome("Dr. Omar Haddad", EVAL_DAY, True),
    )
    db.dispose()

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
    assert dialog.document.pageCount() >= 2

    # Spanish: the preview is made again.
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    qtbot.waitUntil(lambda: "Ready" in dialog.status.text(), timeout=20_000)
    assert dialog.pdf is not None and b"/Lang (es)" in dialog.pdf

    saved = tmp_path / "plan.pdf"
    dialog.ask_save_path = lambda suggested: str(saved)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved plan.pdf" in dialog.status.text(), timeout=20_000)
    text = " ".join(p.extract_text() for p in PdfReader(saved).pages)
    assert "Su plan de cuidado" in text and "Wiśniewska" in text

    protected = tmp_path / "protected.pdf"
    dialog.ask_password = lambda: "correct horse"
    dialog.ask_save_path = lambda suggested: str(protected)
    qtbot.mouseClick(dialog.protect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "opens only with the password" in dialog.status.text(), timeout=20_000)
    locked = protected.read_bytes()
    assert _open(locked, "wrong password") == QPdfDocument.Error.IncorrectPassword
    assert _open(locked, "correct horse") == QPdfDocument.Error.None_

    printed = tmp_path / "printer.pdf"
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 2)  # as if page 2 alone was chosen in the print dialog
    dialog.ask_printer = lambda: printer
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Printed"), timeout=30_000)
    assert dialog.status.text() == "Printed 1 page." and len(PdfReader(printed).pages) == 1

    qtbot.waitUntil(
        lambda: (
            "Printed: take-home care plan" in _timeline(panel)
            and _timeline(panel).count("Saved: take-home care plan") == 2
        ),
        timeout=10_000,
    )
    dialog.reject()


def test_batch_of_take_home_plans_for_selected_patients(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db_path = tmp_path / "batch.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=12, seed=4)
    db.dispose()
    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    patient_list: Any = window.patient_list
    patient_list.status.setCurrentIndex(0)  # all statuses
    qtbot.waitUntil(lambda: patient_list.model.rowCount() == 12, timeout=10_000)
    patient_list.table.selectAll()
    assert len(patient_list.selected_patient_ids()) == 12
    out = tmp_path / "plans"
    out.mkdir()
    monkeypatch.setattr(window, "ask_folder", lambda: str(out))
    window.batch_action.trigger()
    qtbot.waitUntil(lambda: "Wrote" in window.statusBar().currentMessage(), timeout=60_000)
    message = window.statusBar().currentMessage()
    written = sorted(out.glob("*.pdf"))
    assert f"Wrote {len(written)} take-home plans" in message
    assert 0 < len(written) <= 12 and shown(BatchProgress) is None
    assert all(PdfReader(path).pages for path in written)
