"""Another workstation upgrades the shared database while an evaluation is being typed here:
the save is refused with what to do, the window stays open with every word typed, and once
this workstation runs a version that knows the schema again the same window saves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.domain.enums import Sex
from casemanager.services import evaluations, patients
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.shell import Shell
from tests.conftest import TEST_PASSWORD, Staff
from tests.db.test_schema_check import FUTURE, stamped
from tests.ui.conftest import log_in, open_patient_by_mrn, start_evaluation


def test_a_save_after_an_upgrade_elsewhere_is_refused_and_the_typing_stays(
    qtbot: QtBot, db: Database, staff: Staff, make_application: Callable[[str], Shell]
) -> None:
    patient = patients.create_patient(
        db,
        staff.therapist,
        patients.PatientFields(
            "Hoa",
            "Đặng",
            date(1971, 3, 9),
            Sex.FEMALE,
            primary_therapist_id=staff.therapist.user_id,
        ),
    )
    application = make_application(db.url.render_as_string(hide_password=False))
    log_in(qtbot, application, "rivera", TEST_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, patient.mrn)
    screen: EvaluationWindow = start_evaluation(qtbot, window)
    qtbot.waitUntil(lambda: screen.record.id > 0, timeout=10_000)
    typed = "Spasm after lifting a crate at work"
    with stamped(db, FUTURE):
        screen.form.mechanism.setFocus()
        qtbot.keyClicks(screen.form.mechanism, typed)
        qtbot.keyClick(screen.form.mechanism, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: "Not saved" in screen.status.text(), timeout=15_000)
        assert screen.status.text() == (
            f"Not saved: This database was upgraded by a newer CaseManager (revision {FUTURE}). "
            "Install the newer version on this workstation; nothing was saved here."
        )
        screen.close()  # Ctrl+W: tries to save first; refused, so the window stays
        qtbot.waitUntil(lambda: not screen.is_saving(), timeout=15_000)
        assert "Not saved" in screen.status.text()
        assert screen.isVisible() and screen.form.mechanism.toPlainText() == typed
    # (Read once the version is back: reading a record is audited, which is a write.)
    stored = evaluations.get_evaluation(db, staff.therapist, screen.record.id)
    assert not stored.content.mechanism_of_injury
    # This workstation's version is the database's again: the same window saves.
    screen.activateWindow()  # (the refused close may have handed activation elsewhere)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=10_000)
    qtbot.keyClick(screen.form.mechanism, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Draft saved" in screen.status.text(), timeout=15_000)
    stored = evaluations.get_evaluation(db, staff.therapist, screen.record.id)
    assert stored.content.mechanism_of_injury == typed
    screen.close()
