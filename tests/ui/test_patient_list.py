"""The patient list: a lazy model checked by qtmodeltester, and the search flow by keyboard."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain.enums import PatientStatus
from casemanager.domain.patients import PatientQuery, PatientSort
from casemanager.services import accounts, demo, patients
from casemanager.ui.patients.model import PatientIdRole, PatientTableModel
from casemanager.ui.patients.new_patient import NewPatientDialog
from casemanager.ui.patients.visit_dialog import VisitDialog
from casemanager.ui.shell import Shell
from tests.ui.conftest import log_in, open_patient_by_mrn, shown

TODAY = date(2026, 11, 26)


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'list.sqlite3'}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=120, seed=4, today=TODAY)
    yield db
    db.dispose()


def _later_fetch(db: Database):
    """Like the app's background worker: the page arrives on a later turn of the event loop."""
    actor = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")

    def fetch(query, offset, limit, deliver):
        rows = patients.list_patients(db, actor, query, offset=offset, limit=limit)
        QTimer.singleShot(0, lambda: deliver(rows))

    return fetch


def test_model_passes_qtmodeltester(qtbot: QtBot, qtmodeltester, demo_db: Database) -> None:
    model = PatientTableModel(_later_fetch(demo_db), page_size=25)
    model.set_query(PatientQuery())
    qtbot.waitUntil(lambda: model.rowCount() == 25)
    assert model.canFetchMore(QModelIndex())
    qtmodeltester.check(model, force_py=True)
    qtbot.waitUntil(lambda: not model.is_loading())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.is_loading())
    assert model.rowCount() == 120
    model.sort(2, Qt.SortOrder.DescendingOrder)  # date of birth, youngest first
    qtbot.waitUntil(lambda: not model.is_loading())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.is_loading())
    assert model.query.sort == PatientSort.DATE_OF_BIRTH and model.query.descending
    births = [model.patient(r).date_of_birth for r in range(model.rowCount())]
    assert births == sorted(births, reverse=True)
    model.sort(3)  # the phone column does not sort: nothing changes
    assert model.query.sort == PatientSort.DATE_OF_BIRTH


def test_stale_pages_are_dropped(demo_db: Database) -> None:
    held: list = []

    def fetch(query, offset, limit, deliver):
        held.append(deliver)

    model = PatientTableModel(fetch, page_size=10)
    model.set_query(PatientQuery(text="a"))
    model.set_query(PatientQuery(text="an"))
    fake = patients.list_patients(
        demo_db,
        accounts.authenticate(demo_db, "manager", demo.DEMO_PASSWORD, "ws"),
        PatientQuery(),
        limit=3,
    )
    held[0](fake)  # the answer to "a" arrives after the user typed "an"
    assert model.rowCount() == 0
    held[1](fake)
    assert model.rowCount() == 3 and not model.canFetchMore(QModelIndex())


def test_search_and_open_by_keyboard(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "app.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=60, seed=9, today=TODAY)
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    mine = patients.search_patients(
        db, therapist, "", status=PatientStatus.ACTIVE, therapist_id=therapist.user_id
    )
    target = mine[0]
    db.dispose()

    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    patient_list = window.patient_list
    assert patient_list is not None
    model = patient_list.model
    # My caseload, active, by default.
    qtbot.waitUntil(lambda: model.rowCount() == len(mine), timeout=10_000)
    assert patient_list.therapist.currentText() == "My caseload"
    search = patient_list.search
    qtbot.keyClicks(search, target.mrn)
    qtbot.keyClick(search, Qt.Key.Key_Return)  # search now
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    assert model.index(0, 0).data(PatientIdRole) == target.id
    qtbot.keyClick(search, Qt.Key.Key_Return)  # the only match: open it
    details = window.details
    assert details is not None
    qtbot.waitUntil(lambda: details.values["mrn"].text() == target.mrn, timeout=10_000)
    assert target.family_name in details.name.text()
    search.clear()
    qtbot.keyClicks(search, "zzzz-no-such-name")
    qtbot.waitUntil(lambda: "No patients match" in patient_list.summary.text(), timeout=10_000)


def test_new_patient_with_date_check_and_duplicate_warning(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "new.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=20, seed=3, today=TODAY)
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    existing = patients.search_patients(db, manager, "")[0]
    db.dispose()

    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "nowak", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    window.new_patient_action.trigger()
    dialog = shown(NewPatientDialog)
    assert dialog is not None
    assert dialog is not None and dialog.isVisible()
    assert dialog.therapist.currentText() == "Anna Nowak, PT"  # the therapist's own default
    qtbot.keyClicks(dialog.given_name, existing.given_name)
    qtbot.keyClicks(dialog.family_name, existing.family_name)
    qtbot.keyClicks(dialog.date_of_birth, "13/45/1990")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "There is no date 13/45/1990" in dialog.form.errors["date_of_birth"].text()
    dialog.date_of_birth.clear()
    qtbot.keyClicks(dialog.date_of_birth, "March 1990")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "MM/DD/YYYY, for example" in dialog.form.errors["date_of_birth"].text()
    dialog.date_of_birth.clear()
    qtbot.keyClicks(dialog.date_of_birth, f"{existing.date_of_birth:%m/%d/%Y}")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.duplicates.isVisible(), timeout=10_000)
    assert existing.mrn in dialog.duplicates.text()
    assert dialog.save_button.text() == "Save anyway"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(NewPatientDialog) is None, timeout=10_000)
    details = window.details
    assert details is not None
    qtbot.waitUntil(
        lambda: details.values["mrn"].text() not in ("", existing.mrn),
        timeout=10_000,
    )
    assert "Registered" in window.statusBar().currentMessage()


def test_record_a_visit_and_see_the_episode_progress(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "visit.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=40, seed=6, today=date.today())
    therapist = accounts.authenticate(db, "okafor", demo.DEMO_PASSWORD, "ws")
    from casemanager.services import visits

    target = None
    for candidate in patients.search_patients(
        db, therapist, "", status=PatientStatus.ACTIVE, therapist_id=therapist.user_id
    ):
        episode = visits.current_episode(db, therapist, candidate.id)
        if episode is not None and visits.progress(db, therapist, episode).visits > 0:
            target, before = candidate, visits.progress(db, therapist, episode).visits
            break
    db.dispose()
    assert target is not None

    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "okafor", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    details = window.details
    assert details is not None
    qtbot.waitUntil(lambda: details.progress.isVisible(), timeout=10_000)
    assert f"Visits this episode: {before}" in details.progress.text()
    qtbot.mouseClick(details.visit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(VisitDialog) is not None, timeout=10_000)
    dialog = shown(VisitDialog)
    assert dialog is not None
    dialog.nprs.setValue(3)
    check, minutes = dialog.minutes["therapeutic_exercise"]
    check.setChecked(True)
    minutes.setValue(25)
    dialog.visit_date.clear()
    qtbot.keyClicks(dialog.visit_date, "13/13/2026")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "MM/DD/YYYY" in dialog.form.errors["visit_date"].text()
    dialog.visit_date.clear()
    qtbot.keyClicks(dialog.visit_date, f"{date.today():%m/%d/%Y}")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(VisitDialog) is None, timeout=10_000)
    qtbot.waitUntil(
        lambda: f"Visits this episode: {before + 1}" in details.progress.text(),
        timeout=10_000,
    )


def test_a_returning_discharged_patient_is_found_by_name_whatever_the_status_filter(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    """At the front desk a returning patient gives their name: the list starts on "Active",
    yet typing the name finds them, and says the search looked past the filter."""
    url = f"sqlite:///{tmp_path / 'returning.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=40, seed=4, today=TODAY)
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    discharged = patients.list_patients(
        db, manager, PatientQuery(status=PatientStatus.DISCHARGED), offset=0, limit=1
    )[0]
    db.dispose()
    application = make_application(url)
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    listing = window.patient_list
    assert listing is not None and listing.status.currentText() == "Active"
    qtbot.keyClicks(listing.search, f"{discharged.family_name}")
    qtbot.keyClick(listing.search, Qt.Key.Key_Return)

    def shown_ids() -> list[int]:
        model = listing.model
        return [model.index(r, 0).data(PatientIdRole) for r in range(model.rowCount())]

    qtbot.waitUntil(lambda: discharged.id in shown_ids(), timeout=10_000)
    qtbot.waitUntil(lambda: "every status" in listing.summary.text(), timeout=10_000)
    assert listing.status.currentText() == "Active"  # the filter is kept for later
    # With the search cleared, the filter narrows the list again.
    from PySide6.QtWidgets import QToolButton

    clear = next(
        b for b in listing.search.findChildren(QToolButton) if b.accessibleName() == "Clear search"
    )
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert listing.search.text() == ""
    qtbot.waitUntil(lambda: discharged.id not in shown_ids(), timeout=10_000)
    assert "every status" not in listing.summary.text()
