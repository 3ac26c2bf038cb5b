"""After a logout, nothing of the patients the last user saw stays in the process: no cache
(rendered lines, parsed fragments, font subsets, text widths, phone readings), no list of
search results, no document. Checked by looking for a patient's name in every object Python
still holds once the logout is done."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain import phones
from casemanager.domain.enums import Sex
from casemanager.reports import fonts, page
from casemanager.services import accounts, batch, demo, patients
from casemanager.ui.documents.dialog import DocumentDialog
from casemanager.ui.ops import Lane
from casemanager.ui.shell import Shell
from tests.ui.conftest import log_in, open_patient_by_mrn, shown
from tests.ui.test_evaluation_fills import _clinic

# Built at run time from pieces, so no constant of this module holds the whole name.
FAMILY = "".join(["Quill", "feather", "ova"])


def _patient_with_a_signed_plan(url: str) -> str:
    """A patient of Chen's, named FAMILY, with a signed evaluation and plan: her MRN."""
    from casemanager.services import evaluations, plans
    from tests.services.test_evaluations import EVAL_DAY, _complete
    from tests.services.test_plans import _plan

    db = Database(url)
    try:
        therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
        fields = patients.PatientFields(
            "Ottilie",
            FAMILY,
            date(1961, 5, 17),
            Sex.FEMALE,
            phone="(631) 555-0142",
            primary_therapist_id=therapist.user_id,
        )
        patient = patients.create_patient(db, therapist, fields)
        draft = evaluations.start_initial_evaluation(
            db, therapist, patient.id, "Back spasm", EVAL_DAY
        )
        record = evaluations.save_draft(db, therapist, draft.id, draft.version, _complete())
        plans.save_plan(db, therapist, record.id, None, _plan(db))
        evaluations.sign(db, therapist, record.id, record.version)
        return str(patient.mrn)
    finally:
        db.dispose()


def _settle() -> None:
    """Every deferred delete done, and a full collection (the logged-out windows go)."""
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()
        gc.collect()


def _holders(needle: str) -> list[str]:
    """What Python objects still hold a string with `needle` in it (its type, and the
    type of what holds that), after every deferred delete and a full collection."""
    _settle()
    found = []
    for holder in gc.get_objects():
        for item in gc.get_referents(holder):
            if isinstance(item, str) and item is not needle and needle in item:
                found.append(f"{type(holder).__qualname__}: {item[:60]!r}")
            elif isinstance(item, bytes) and needle.encode() in item:
                found.append(f"{type(holder).__qualname__}: bytes")
    return found


def _work_with_her(qtbot: QtBot, application: Shell, mrn: str) -> None:
    """Her name searched for in the list (its widths measured), her chart open, her plan
    previewed (the render caches filled)."""
    window: Any = application.main_window
    qtbot.keyClicks(window.patient_list.search, FAMILY[:7])
    qtbot.waitUntil(lambda: window.patient_list.model.rowCount() == 1, timeout=10_000)
    window.patient_list.search.clear()
    open_patient_by_mrn(qtbot, window, mrn)
    qtbot.waitUntil(lambda: window.details.print_button.isVisible(), timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: shown(DocumentDialog) is not None, timeout=10_000)
    dialog: Any = shown(DocumentDialog)
    qtbot.waitUntil(lambda: "Ready" in dialog.status.text(), timeout=30_000)
    assert page._broken and fonts.markup.cache_info().currsize  # filled, as in real use
    dialog.reject()


@pytest.mark.parametrize("way", ["menu", "idle lock"])
def test_a_log_out_leaves_no_patient_text_in_memory(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell], way: str
) -> None:
    url, _therapist = _clinic(tmp_path)
    mrn = _patient_with_a_signed_plan(url)
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    _work_with_her(qtbot, application, mrn)

    if way == "menu":
        application.main_window.log_out_requested.emit()  # type: ignore[union-attr]
    else:  # left alone, locked, and Log out from the lock
        application._lock()
        assert application.lock is not None
        qtbot.mouseClick(application.lock.dialog.log_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: application.start.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: not any(application.ops.is_busy(lane) for lane in Lane), timeout=10_000)
    assert _holders(FAMILY) == []
    assert not page._parsed and not page._broken and not page._drawn
    assert fonts.markup.cache_info().currsize == fonts.runs.cache_info().currsize == 0
    assert phones._read.cache_info().currsize == 0
    # The pool's connections (SQLite keeps pages of the records read in each) are closed.
    assert application.db is not None
    pool: Any = application.db.engine.pool  # a QueuePool
    assert pool.checkedin() == 0

    # The next login works from a fresh pool, and its documents fill the caches again.
    login = application.start.login
    qtbot.keyClicks(login.username, "chen")
    qtbot.keyClicks(login.password, demo.DEMO_PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            application.main_window is not None
            and application.main_window.new_patient_action.isEnabled()
        ),
        timeout=20_000,
    )
    qtbot.addWidget(application.main_window)
    _work_with_her(qtbot, application, mrn)


def _start_a_batch_of_every_patient(qtbot: QtBot, application: Shell, out: Path) -> None:
    window: Any = application.main_window
    patient_list = window.patient_list
    patient_list.status.setCurrentIndex(0)  # all statuses
    qtbot.waitUntil(lambda: patient_list.model.rowCount() >= 60, timeout=10_000)
    patient_list.table.selectAll()
    assert len(patient_list.selected_patient_ids()) > batch.CHUNK * 2  # three rounds or more
    window.ask_folder = lambda: str(out)  # (the window goes at logout: nothing to undo)
    window.batch_action.trigger()
    qtbot.waitUntil(lambda: application.ops.is_busy(Lane.BATCH), timeout=5_000)


def test_a_log_out_stops_a_batch_and_ends_its_worker_processes(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "batch.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=80, seed=4)
    db.dispose()
    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    out = tmp_path / "plans"
    out.mkdir()
    _start_a_batch_of_every_patient(qtbot, application, out)
    application.main_window.log_out_requested.emit()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: application.start.isVisible(), timeout=10_000)
    # Stopped between rounds (not every plan written), then its processes ended.
    qtbot.waitUntil(
        lambda: not any(application.ops.is_busy(lane) for lane in Lane), timeout=120_000
    )
    assert len(list(out.glob("*.pdf"))) < batch.CHUNK * 2
    assert batch._pool is None and batch._pool_users == 0
    _settle()
