"""Importing patients through the dialog: the guessed mapping, the preview, a refused check
listing the rows to fix, then a clean file imported and shown in the patient count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.services import demo
from casemanager.ui.patients.import_dialog import ImportDialog
from casemanager.ui.shell import Shell
from tests.ui.conftest import cell, log_in, shown

ROWS = (
    "Chart Number,Surname,Given Name,Birth Date,Sex,Telephone\r\n"
    "C-1,Okonkwo,Adaeze,1975-05-17,F,631 555 0111\r\n"
    "C-2,Lindqvist,Erik,02/30/1980,M,\r\n"
)


def test_import_dialog_checks_then_imports(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=5, seed=2, today=date(2026, 11, 26))
    db.dispose()
    source = tmp_path / "old.csv"
    source.write_text(ROWS, encoding="utf-8")
    application = make_application(url)
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None and window.import_action.isVisible()
    monkeypatch.setattr(window, "ask_open_path", lambda *_args: str(source))
    window.import_action.trigger()
    dialog = shown(ImportDialog)
    assert isinstance(dialog, ImportDialog)
    assert dialog.mapping() == {
        "source_id": "Chart Number",
        "given_name": "Given Name",
        "family_name": "Surname",
        "date_of_birth": "Birth Date",
        "sex": "Sex",
        "phone": "Telephone",
    }
    assert cell(dialog.preview, 0, 1) == "Adaeze"
    assert "There is no date 02/30/1980" in cell(dialog.preview, 1, 1)
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled(), timeout=10_000)
    assert dialog.problems.count() == 1 and "Row 3" in dialog.problems.item(0).text()
    assert not dialog.import_button.isEnabled()

    source.write_text(ROWS.replace("02/30/1980", "02/28/1980"), encoding="utf-8")  # fixed
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    assert "All 2 rows are fine" in dialog.status.text()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "Imported 2 patients" in dialog.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: window.patients.value.text() == "7", timeout=10_000)


def test_export_the_open_chart_as_fhir(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    from casemanager.services import accounts
    from tests.ui.conftest import open_patient_by_mrn, register_patient

    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=5, seed=2, today=date(2026, 11, 26))
    mrn = register_patient(db, accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")).mrn
    db.dispose()
    application = make_application(url)
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None and window.export_patient_action.isVisible()
    window.show_patients()
    open_patient_by_mrn(qtbot, window, mrn)
    out = tmp_path / "one"
    out.mkdir()
    monkeypatch.setattr(window, "ask_folder", lambda *_args: str(out))
    window.export_patient_action.trigger()
    qtbot.waitUntil(lambda: (out / "Patient.ndjson").exists(), timeout=10_000)
    qtbot.waitUntil(lambda: "Exported" in window.statusBar().currentMessage(), timeout=10_000)
    lines = (out / "Patient.ndjson").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["identifier"][0]["value"] for line in lines] == [mrn]
