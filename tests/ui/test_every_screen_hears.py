"""After each change, every screen it touches shows it without Refresh: the patient list's
status, the header's counts, the caseload's figures and the chart. Driven through the real
app; nobody presses Refresh (F5) in these tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain.enums import DischargeReason, GoalStatus
from casemanager.services import demo
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.main_window import MainWindow
from casemanager.ui.patients.import_dialog import ImportDialog
from casemanager.ui.patients.new_patient import NewPatientDialog
from casemanager.ui.patients.visit_dialog import VisitDialog
from casemanager.ui.shell import Shell
from tests.ui.conftest import click_sign, log_in, open_patient_by_mrn, shown
from tests.ui.test_chart import _timeline, _treated_patient

STATUS_COLUMN = 4


def _number(label: Any) -> int:
    return int(label.text().replace(",", ""))


def _header(window: MainWindow) -> tuple[int, int, int]:
    """Patients on record, active patients, in my caseload."""
    return _number(window.patients.value), _number(window.active.value), _number(window.mine.value)


def _caseload(qtbot: QtBot, window: MainWindow) -> dict[str, int]:
    """The caseload tab's figures as shown once it is looked at, then back to the patients."""
    dashboard: Any = window.caseload
    window.views.setCurrentWidget(dashboard)
    qtbot.waitUntil(lambda: dashboard.board is not None and not dashboard._busy, timeout=20_000)
    figures = {key: _number(dashboard.figures[key].value) for key in ("active", "discharges")}
    figures["visits"] = _number(dashboard.figures["visits"].value)
    window.show_patients()
    return figures


def _list_status(window: MainWindow) -> str:
    assert window.patient_list is not None
    model = window.patient_list.model
    return str(model.index(0, STATUS_COLUMN).data()) if model.rowCount() == 1 else ""


def _clinic(tmp_path: Path) -> tuple[str, Any, Any]:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=4)
    therapist, patient = _treated_patient(db)
    db.dispose()
    return url, therapist, patient


def _logged_in_as_chen(
    qtbot: QtBot, make_application: Callable[[str], Shell], url: str, mrn: str
) -> tuple[MainWindow, Any]:
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    qtbot.waitUntil(lambda: window.caseload is not None, timeout=20_000)
    qtbot.waitUntil(lambda: window.active.value.text() != "…", timeout=10_000)
    assert window.patient_list is not None and window.details is not None
    window.patient_list.status.setCurrentIndex(0)  # all statuses
    open_patient_by_mrn(qtbot, window, mrn)
    return window, window.details


def test_a_signed_discharge_then_a_new_episode_show_everywhere(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url, _therapist, patient = _clinic(tmp_path)
    window, panel = _logged_in_as_chen(qtbot, make_application, url, patient.mrn)
    assert _list_status(window) == "Active"
    on_record, active, mine = _header(window)
    before = _caseload(qtbot, window)

    # The discharge summary, signed.
    qtbot.waitUntil(lambda: panel.discharge_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(panel.discharge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(EvaluationWindow) is not None, timeout=10_000)
    screen = shown(EvaluationWindow)
    assert screen is not None and screen.windowTitle().startswith("Discharge summary")
    form: Any = screen.form
    qtbot.keyClicks(form.summary_note, "Independent with the home program.")
    form.discharge_reason.setCurrentIndex(form.discharge_reason.findData(DischargeReason.GOALS_MET))
    met = form.plan.goal_status[0]
    met.setCurrentIndex(met.findData(GoalStatus.MET))
    click_sign(qtbot, screen)
    qtbot.waitUntil(lambda: screen.record.is_signed, timeout=15_000)

    # The list's status, the header's counts, the chart, the caseload: none needs Refresh.
    qtbot.waitUntil(lambda: _list_status(window) == "Discharged", timeout=10_000)
    qtbot.waitUntil(lambda: _header(window) == (on_record, active - 1, mine - 1), timeout=10_000)
    qtbot.waitUntil(lambda: _timeline(panel)[:1] == ["Discharged"], timeout=10_000)
    assert "Discharged" in panel.facts.text()
    after = _caseload(qtbot, window)
    assert after["discharges"] == before["discharges"] + 1
    screen.close()

    # Back for a new episode: the patient is active again everywhere.
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (s := shown(EvaluationWindow)) is not None and not s.record.is_signed,
        timeout=10_000,
    )
    again = shown(EvaluationWindow)
    assert again is not None
    qtbot.waitUntil(lambda: _list_status(window) == "Active", timeout=10_000)
    qtbot.waitUntil(lambda: _header(window) == (on_record, active, mine), timeout=10_000)
    qtbot.waitUntil(lambda: "Discharged" not in panel.facts.text(), timeout=10_000)
    assert "Initial evaluation (draft)" in _timeline(panel)
    assert _caseload(qtbot, window)["active"] == after["active"] + 1
    again.close()


def test_a_visit_shows_in_the_chart_and_the_caseload(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url, _therapist, patient = _clinic(tmp_path)
    window, panel = _logged_in_as_chen(qtbot, make_application, url, patient.mrn)
    before = _caseload(qtbot, window)
    assert "Visits this episode: 8" in panel.progress.text()
    qtbot.mouseClick(panel.visit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(VisitDialog) is not None, timeout=10_000)
    dialog: Any = shown(VisitDialog)
    dialog.nprs.setValue(4)
    dialog.report_no.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(VisitDialog) is None, timeout=10_000)
    qtbot.waitUntil(lambda: "Visits this episode: 9" in panel.progress.text(), timeout=10_000)
    assert _caseload(qtbot, window)["visits"] == before["visits"] + 1


ROWS = (
    "Chart Number,Surname,Given Name,Birth Date,Sex\r\n"
    "C-1,Okonkwo,Adaeze,1975-05-17,F\r\n"
    "C-2,Lindqvist,Erik,1980-02-28,M\r\n"
)


def test_a_new_patient_and_an_import_show_in_the_list_and_the_header(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=2, today=date(2026, 11, 26))
    db.dispose()
    application = make_application(url)
    log_in(qtbot, application, "nowak", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    patient_list: Any = window.patient_list
    qtbot.waitUntil(lambda: window.active.value.text() != "…", timeout=10_000)
    qtbot.waitUntil(lambda: not patient_list.model.is_loading(), timeout=10_000)
    on_record, active, mine = _header(window)
    rows = patient_list.model.rowCount()  # my caseload, active

    window.new_patient_action.trigger()
    dialog: Any = shown(NewPatientDialog)
    qtbot.keyClicks(dialog.given_name, "Noor")
    qtbot.keyClicks(dialog.family_name, "Haddad")
    qtbot.keyClicks(dialog.date_of_birth, "04/09/1968")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(NewPatientDialog) is None, timeout=10_000)
    qtbot.waitUntil(lambda: patient_list.model.rowCount() == rows + 1, timeout=10_000)
    names = [patient_list.model.index(r, 0).data() for r in range(rows + 1)]
    assert "Haddad, Noor" in names
    qtbot.waitUntil(
        lambda: _header(window) == (on_record + 1, active + 1, mine + 1), timeout=10_000
    )
    details = window.details
    assert details is not None
    qtbot.waitUntil(lambda: details.name.text() == "Noor Haddad", timeout=10_000)

    source = tmp_path / "old.csv"
    source.write_text(ROWS, encoding="utf-8")
    monkeypatch.setattr(window, "ask_open_path", lambda *_args: str(source))
    window.import_action.trigger()
    importer: Any = shown(ImportDialog)
    importer.check_button.click()
    qtbot.waitUntil(lambda: importer.import_button.isEnabled(), timeout=10_000)
    importer.import_button.click()
    qtbot.waitUntil(lambda: "Imported 2 patients" in importer.status.text(), timeout=10_000)
    qtbot.waitUntil(
        lambda: _header(window) == (on_record + 3, active + 3, mine + 1), timeout=10_000
    )
    patient_list.therapist.setCurrentIndex(patient_list.therapist.findText("All therapists"))
    qtbot.waitUntil(lambda: not patient_list.model.is_loading(), timeout=10_000)
    listed = {patient_list.model.index(r, 0).data() for r in range(patient_list.model.rowCount())}
    assert {"Okonkwo, Adaeze", "Lindqvist, Erik"} <= listed
    importer.close()
