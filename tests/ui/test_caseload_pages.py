"""The caseload's figures come first and the worklist after, a page at a time: through the real
app on a demo clinic (pages of 5 items here), and on the screen alone for answers that arrive
too late to belong to what it shows."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import Patient
from casemanager.domain.caseload import (
    WORKLIST_PAGE,
    CaseloadFilter,
    Dashboard,
    Totals,
    WorkItem,
    WorkKind,
    WorklistPage,
    default_period,
)
from casemanager.services import accounts, caseload, demo
from casemanager.ui.caseload import controller as caseload_controller
from casemanager.ui.caseload import dashboard as caseload_dashboard
from casemanager.ui.caseload.dashboard import CaseloadDashboard
from casemanager.ui.caseload.table_model import ROW_ID_ROLE, PagedModel
from casemanager.ui.shell import Shell
from tests.ui.conftest import log_in

PAGE = 5


def _demo(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'caseload.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=80, seed=3)
    db.dispose()
    return url


def test_figures_show_before_the_worklist_answers_then_pages_follow(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = _demo(tmp_path)
    monkeypatch.setattr(caseload_controller, "WORKLIST_PAGE", PAGE)
    monkeypatch.setattr(caseload_dashboard, "WORKLIST_PAGE", PAGE)
    # The worklist's first answer waits until the test lets it go.
    release = threading.Event()
    real_page = caseload.worklist_page

    def held_page(*args: Any, **kwargs: Any) -> WorklistPage:
        if kwargs.get("after") is None:
            assert release.wait(30), "the test never let the worklist answer"
        return real_page(*args, **kwargs)

    monkeypatch.setattr(caseload, "worklist_page", held_page)
    application = make_application(url)
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    qtbot.waitUntil(lambda: window.caseload is not None, timeout=20_000)
    dashboard = window.caseload
    assert dashboard is not None

    db = Database(url)
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    whole = CaseloadFilter(*default_period(date.today()))
    expected = real_page(db, manager, whole, limit=None)
    assert expected.total > 3 * PAGE
    try:
        qtbot.waitUntil(lambda: dashboard.board is not None, timeout=30_000)
        board = dashboard.board
        assert board is not None
        # The figures are on screen while the worklist has not answered yet.
        assert dashboard.figures["active"].value.text() == f"{board.totals.active_episodes:,}"
        assert dashboard.state.text().endswith(date.today().strftime("%m/%d/%Y"))
        assert dashboard.worklist.model.rowCount() == 0
    finally:
        release.set()

    model = dashboard.worklist_model
    qtbot.waitUntil(lambda: not dashboard.is_updating(), timeout=30_000)
    assert model.rowCount() >= PAGE
    tab = dashboard.tabs.tabText(dashboard.worklist_tab)
    assert tab == f"&Worklist ({expected.total:,})"
    assert "shown" in dashboard.worklist.caption.text()

    def patients_shown() -> list[int]:
        return [model.index(r, 0).data(ROW_ID_ROLE) for r in range(model.rowCount())]

    def settled() -> bool:  # no page on its way (a view may ask for one by itself)
        return model.canFetchMore(QModelIndex()) or not model.has_more()

    # Scrolling to the end reads the next page, after the last item shown.
    qtbot.waitUntil(settled, timeout=30_000)
    shown = model.rowCount()
    assert shown % PAGE == 0 and shown < expected.total
    assert patients_shown() == [i.patient_id for i in expected.items[:shown]]
    dashboard.worklist.proxy.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() >= shown + PAGE, timeout=30_000)
    qtbot.waitUntil(settled, timeout=30_000)
    assert patients_shown() == [i.patient_id for i in expected.items[: model.rowCount()]]

    # Saving it as CSV reads every item first: the file holds the whole worklist, in order.
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(tmp_path / "worklist.csv"))
    dashboard.worklist.save.click()
    qtbot.waitUntil(lambda: (tmp_path / "worklist.csv").exists(), timeout=30_000)
    text = (tmp_path / "worklist.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Action", "Patient", "MRN", "Therapist", "Since", "Detail"]
    assert [row[2] for row in rows[1:]] == [i.mrn for i in expected.items]
    assert model.rowCount() == expected.total and not model.canFetchMore(QModelIndex())
    assert "scroll" not in dashboard.worklist.caption.text()
    db.dispose()


def test_sorting_by_a_column_reads_the_whole_worklist_first(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(caseload_controller, "WORKLIST_PAGE", PAGE)
    monkeypatch.setattr(caseload_dashboard, "WORKLIST_PAGE", PAGE)
    application = make_application(_demo(tmp_path))
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    qtbot.waitUntil(lambda: window.caseload is not None, timeout=20_000)
    dashboard = window.caseload
    assert dashboard is not None
    model = dashboard.worklist_model
    qtbot.waitUntil(lambda: model.rowCount() >= PAGE, timeout=30_000)
    dashboard.worklist.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by patient
    qtbot.waitUntil(lambda: model.rowCount() == model.total, timeout=30_000)
    proxy = dashboard.worklist.proxy
    names = [proxy.index(r, 1).data() for r in range(proxy.rowCount())]
    assert len(names) == model.total > PAGE
    assert names == sorted(names, key=str.casefold)


def test_a_saved_worklist_is_one_read_of_the_whole_list_never_pages_of_other_moments(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first page is shown; then another workstation renames a patient on it. The CSV is
    the whole list as it stands when it is saved: read again at once, not the page shown
    before the change followed by the rest read after it."""
    url = _demo(tmp_path)
    monkeypatch.setattr(caseload_controller, "WORKLIST_PAGE", PAGE)
    monkeypatch.setattr(caseload_dashboard, "WORKLIST_PAGE", PAGE)
    application = make_application(url)
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    qtbot.waitUntil(lambda: window.caseload is not None, timeout=20_000)
    dashboard = window.caseload
    assert dashboard is not None
    model = dashboard.worklist_model
    qtbot.waitUntil(
        lambda: model.rowCount() >= PAGE and not dashboard.is_updating(), timeout=30_000
    )
    qtbot.waitUntil(lambda: model.canFetchMore(QModelIndex()), timeout=30_000)  # page settled
    renamed = model.index(PAGE - 1, 0).data(ROW_ID_ROLE)

    db = Database(url)
    with db.session() as session:
        patient = session.get(Patient, renamed)
        assert patient is not None
        patient.family_name = "Renamed-Meanwhile"
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    now = caseload.worklist(db, manager, CaseloadFilter(*default_period(date.today())))
    assert len(now) > 3 * PAGE

    monkeypatch.setattr(window, "ask_save_path", lambda *_args: str(tmp_path / "worklist.csv"))
    dashboard.worklist.save.click()
    qtbot.waitUntil(lambda: (tmp_path / "worklist.csv").exists(), timeout=30_000)
    text = (tmp_path / "worklist.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [(row[1], row[2]) for row in rows] == [(i.patient_name, i.mrn) for i in now]
    assert any(row[1].startswith("Renamed-Meanwhile, ") for row in rows)
    db.dispose()


# -- the screen alone ----------------------------------------------------------------------

TODAY = date(2026, 11, 26)
WHOLE = CaseloadFilter(*default_period(TODAY))


def _board(filt: CaseloadFilter) -> Dashboard:
    return Dashboard(
        filter=filt,
        today=TODAY,
        totals=Totals(40, 6, 4, 1234, 30),
        therapists=(),
        causes=(),
        paths=(),
        outcomes_by_therapist=(),
        outcomes_by_cause=(),
        worklist=(),
        filter_words="All therapists",
    )


def _items(first: int, count: int) -> tuple[WorkItem, ...]:
    return tuple(
        WorkItem(
            WorkKind.ON_HOLD,
            n,
            f"Patient {n:03}",
            f"MRN-{n:03}",
            "Wei Chen, PT",
            TODAY,
            "On hold",
            n,
        )
        for n in range(first, first + count)
    )


def test_a_page_for_rows_no_longer_shown_is_dropped(qtbot: QtBot) -> None:
    dashboard = CaseloadDashboard([(7, "Wei Chen, PT")], today=TODAY)
    qtbot.addWidget(dashboard)
    asked: list[object] = []
    pages: list[tuple[object, ...]] = []
    dashboard.refresh_requested.connect(asked.append)
    dashboard.worklist_page_requested.connect(lambda *args: pages.append(args))
    dashboard.request_refresh()
    dashboard.show_figures(_board(WHOLE))
    assert dashboard.figures["visits"].value.text() == "1,234"
    assert dashboard.worklist_model.rowCount() == 0  # still to come
    first = WorklistPage(WHOLE, None, _items(1, 3), 9, True)
    dashboard.show_worklist(WHOLE, first)
    assert dashboard.tabs.tabText(dashboard.worklist_tab) == "&Worklist (9)"

    dashboard.worklist_model.fetchMore(QModelIndex())
    assert pages == [(WHOLE, first.last_key, WORKLIST_PAGE)]
    # Meanwhile the manager picks one therapist: the new first page replaces the rows, and the
    # page asked for the old rows, arriving late, is dropped.
    dashboard.therapist.setCurrentIndex(dashboard.therapist.findData(7))
    dashboard.request_refresh()
    one = asked[-1]
    assert isinstance(one, CaseloadFilter) and one.therapist_id == 7
    dashboard.show_figures(_board(one))
    dashboard.show_worklist(one, WorklistPage(one, None, _items(50, 2), 2, False))
    dashboard.show_worklist(WHOLE, WorklistPage(WHOLE, first.last_key, _items(4, 3), 9, True))
    model = dashboard.worklist_model
    assert [model.index(r, 2).data() for r in range(model.rowCount())] == ["MRN-050", "MRN-051"]
    assert dashboard.tabs.tabText(dashboard.worklist_tab) == "&Worklist (2)"
    assert not model.canFetchMore(QModelIndex())


def test_a_first_page_for_a_filter_changed_since_is_dropped(qtbot: QtBot) -> None:
    dashboard = CaseloadDashboard([(7, "Wei Chen, PT")], today=TODAY)
    qtbot.addWidget(dashboard)
    dashboard.request_refresh()
    dashboard.show_figures(_board(WHOLE))
    dashboard.show_worklist(WHOLE, WorklistPage(WHOLE, None, _items(1, 3), 3, False))
    dashboard.therapist.setCurrentIndex(dashboard.therapist.findData(7))
    dashboard.request_refresh()
    late = WorklistPage(WHOLE, None, _items(20, 1), 1, False)
    dashboard.show_worklist(WHOLE, late)  # an answer for the whole clinic, not Wei Chen's
    assert dashboard.worklist_model.rowCount() == 3
    dashboard.worklist_failed(WHOLE, True, "The database is locked.")
    assert "could not be updated" not in dashboard.state.text()  # not the answer awaited


def test_the_paged_model_passes_qt_model_checks(qtmodeltester: ModelTester) -> None:
    model = PagedModel(["Action", "Patient"])
    wanted: list[bool] = []

    def next_page() -> None:
        wanted.append(True)
        model.add_page([["On hold", f"P{len(wanted)}"]], [len(wanted)], 4, len(wanted) < 3)

    model.more_wanted.connect(next_page)
    model.set_page([["Referral", "P0"]], [0], 4, True)
    qtmodeltester.check(model)
    assert model.rowCount() >= 2


def test_the_since_column_sorts_by_date_not_by_its_text(qtbot: QtBot) -> None:
    """ "12/01/2025" comes after "01/15/2026" as text (month first): the column sorts by the
    day itself, in either direction, and still shows the clinic's date format."""
    dashboard = CaseloadDashboard([(7, "Wei Chen, PT")], today=TODAY)
    qtbot.addWidget(dashboard)
    dashboard.request_refresh()
    dashboard.show_figures(_board(WHOLE))
    days = [date(2026, 1, 15), date(2025, 12, 1), date(2026, 11, 20), date(2025, 2, 3)]
    items = tuple(
        WorkItem(WorkKind.ON_HOLD, n, f"Patient {n}", f"MRN-{n}", "Wei Chen, PT", day, "", n)
        for n, day in enumerate(days)
    )
    dashboard.show_worklist(WHOLE, WorklistPage(WHOLE, None, items, len(items), False))
    since = caseload_dashboard.WORKLIST_HEADERS.index("Since")
    view, proxy = dashboard.worklist.view, dashboard.worklist.proxy
    view.sortByColumn(since, Qt.SortOrder.AscendingOrder)
    shown = [proxy.index(r, since).data() for r in range(proxy.rowCount())]
    assert shown == ["02/03/2025", "12/01/2025", "01/15/2026", "11/20/2026"]
    view.sortByColumn(since, Qt.SortOrder.DescendingOrder)
    shown = [proxy.index(r, since).data() for r in range(proxy.rowCount())]
    assert shown == ["11/20/2026", "01/15/2026", "12/01/2025", "02/03/2025"]
    assert dashboard.worklist.shown_rows()[0][since] == "11/20/2026"  # what a CSV gets
