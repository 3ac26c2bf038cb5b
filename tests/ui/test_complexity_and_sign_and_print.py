"""The complexity's Agree button is a Tab stop where it belongs (after the level, before the
assessment), and "Sign and print…" (Alt+P) through the real app: the evaluation is signed
in the database and the care plan comes out of a (PDF) printer with the patient's name."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.domain.enums import Complexity
from casemanager.domain.evaluation import EvaluationContent, PsfsEntry
from casemanager.services import demo, evaluations, plans
from casemanager.ui.documents.dialog import DocumentDialog
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.shell import Shell
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import _plan
from tests.ui.conftest import log_in, open_patient_by_mrn, register_patient, shown
from tests.ui.test_evaluation_fills import _clinic
from tests.ui.test_evaluation_keys import _focus, _key
from tests.ui.test_one_key import _form


def _findings() -> EvaluationContent:
    """Findings that support a moderate complexity, with no level chosen yet."""
    return EvaluationContent(
        chief_complaint="Spasm after lifting",
        past_medical_history="Asthma",
        prior_episodes="One episode in 2021",
        nprs_now=7,
        nprs_worst=8,
        odi_sections=(2, 3, 2, 1, 2, 2, 1, 1, 0, 1),
        start_back=(1, 0, 1, 1, 0, 0, 0, 1, 2),
        psfs=(PsfsEntry("Lifting boxes", 3),),
    )


def test_tab_reaches_agree_between_the_level_and_the_assessment(qtbot: QtBot) -> None:
    form = _form(qtbot)
    form.load(_findings())
    assert form.agree_complexity.isVisible()
    form.complexity.setFocus()
    assert _key(qtbot, Qt.Key.Key_Tab) is form.agree_complexity
    assert _key(qtbot, Qt.Key.Key_Tab) is form.assessment_note
    back = Qt.KeyboardModifier.ShiftModifier
    assert _key(qtbot, Qt.Key.Key_Backtab, back) is form.agree_complexity
    assert _key(qtbot, Qt.Key.Key_Backtab, back) is form.complexity
    # Tab to it, Space: the suggested level, and on to what is still to write.
    _key(qtbot, Qt.Key.Key_Tab)
    with qtbot.waitSignal(form.changed, timeout=2_000):
        qtbot.keyClick(form.agree_complexity, Qt.Key.Key_Space)
    assert form.complexity.currentData() == Complexity.MODERATE
    assert _focus() is form.assessment_note
    # Agreed: nothing to offer, so Tab goes straight from the level to the assessment.
    assert not form.agree_complexity.isVisible()
    form.complexity.setFocus()
    assert _key(qtbot, Qt.Key.Key_Tab) is form.assessment_note
    # Another level by hand, then Enter: that level stays, the focus passes Agree by.
    form.complexity.setFocus()
    qtbot.keyClicks(form.complexity, "h")
    assert form.agree_complexity.isVisible()
    assert _key(qtbot, Qt.Key.Key_Return) is form.assessment_note
    assert form.complexity.currentData() == Complexity.HIGH
    # Enter on Agree agrees, as Space does.
    form.agree_complexity.setFocus()
    qtbot.keyClick(form.agree_complexity, Qt.Key.Key_Return)
    assert form.complexity.currentData() == Complexity.MODERATE


def _draft_ready_to_sign(tmp_path: Path) -> tuple[str, Any, Any, int]:
    """A demo clinic with a new patient of Chen's whose draft evaluation and plan are
    complete: (database URL, Chen, the patient, the evaluation's id)."""
    url, therapist = _clinic(tmp_path)
    db = Database(url)
    try:
        patient = register_patient(db, therapist)
        draft = evaluations.start_initial_evaluation(
            db, therapist, patient.id, "Low back spasm", EVAL_DAY
        )
        record = evaluations.save_draft(db, therapist, draft.id, draft.version, _complete())
        plans.save_plan(db, therapist, record.id, None, _plan(db))
    finally:
        db.dispose()
    return url, therapist, patient, record.id


def test_alt_p_signs_then_prints_the_care_plan(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url, therapist, patient, evaluation_id = _draft_ready_to_sign(tmp_path)
    assert patient.fields.date_of_birth.isoformat() == "1984-02-29"
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, patient.mrn)
    chart: Any = window.details
    qtbot.waitUntil(lambda: chart.draft_button.isEnabled(), timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Co&ntinue draft
    qtbot.waitUntil(lambda: shown(EvaluationWindow) is not None, timeout=10_000)
    screen = shown(EvaluationWindow)
    assert screen is not None and screen.record.id == evaluation_id
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=10_000)

    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(_focus(), Qt.Key.Key_S, shift_ctrl)
    summary = screen.sign_summary
    assert summary is not None and summary.print_button.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is summary, timeout=5_000)
    qtbot.keyClick(_focus(), Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: screen.record.is_signed, timeout=15_000)

    # The print dialog opens by itself once signed, with the preview.
    qtbot.waitUntil(lambda: shown(DocumentDialog) is not None, timeout=15_000)
    dialog: Any = shown(DocumentDialog)
    qtbot.waitUntil(lambda: "Ready" in dialog.status.text(), timeout=30_000)
    printed = tmp_path / "printer.pdf"
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    dialog.ask_printer = lambda: printer
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Printed"), timeout=30_000)
    # The printer got every page of the plan (pdfium draws each page as an image), and the
    # plan is the signed patient's.
    preview = PdfReader(io.BytesIO(dialog.pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in preview.pages)
    assert "Your back care plan" in text and "Łucja Wiśniewska" in text
    assert "February 29, 1984" in text  # her date of birth, on every page
    pages = PdfReader(printed).pages
    assert len(pages) == len(preview.pages) == dialog.document.pageCount()
    assert dialog.status.text() == f"Printed {len(pages)} page{'s' * (len(pages) > 1)}."
    for page in pages:  # each page drawn as an image
        contents = page.get_contents()
        assert contents is not None and b" Do" in contents.get_data()
    dialog.reject()

    db = Database(url)
    try:
        stored = evaluations.get_evaluation(db, therapist, evaluation_id)
    finally:
        db.dispose()
    assert stored.is_signed
