"""The caseload screen through the real app: a manager's figures, filters, the worklist
opening a read-only chart, and the exports; a therapist's own caseload."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain.caseload import CaseloadFilter, default_period
from casemanager.services import accounts, caseload, demo
from casemanager.ui.caseload.table_model import FiguresModel
from casemanager.ui.shell import Shell
from tests.ui.conftest import log_in


def _demo(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'caseload.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=80, seed=3)
    db.dispose()
    return url


def test_a_manager_reviews_the_caseload(
    qtbot: QtBot,
    tmp_path: Path,
    make_application: Callable[[str], Shell],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = _demo(tmp_path)
    application = make_application(url)
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    qtbot.waitUntil(lambda: window.caseload is not None, timeout=20_000)
    dashboard = window.caseload
    assert window.views.currentWidget() is dashboard  # a manager opens the app for this
    qtbot.waitUntil(lambda: dashboard.board is not None, timeout=30_000)

    db = Database(url)
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    expected = caseload.dashboard(db, manager, CaseloadFilter(*default_period(date.today())))
    assert dashboard.figures["active"].value.text() == f"{expected.totals.active_episodes:,}"
    assert dashboard.figures["visits"].value.text() == f"{expected.totals.visits:,}"
    assert dashboard.therapist_table.model.rowCount() == 4
    # The worklist follows the figures, on its own.
    qtbot.waitUntil(lambda: dashboard.worklist.model.rowCount() > 0, timeout=30_000)
    assert dashboard.worklist.model.rowCount() == len(expected.worklist) > 0
    assert dashboard.cause_chart.categories == [s.label for s in expected.causes]

    # One therapist: the screen keeps the old figures until the new ones arrive.
    before = dashboard.board
    chen = dashboard.therapist.findText("Wei Chen, PT")
    dashboard.therapist.setCurrentIndex(chen)
    assert dashboard.board is before
    qtbot.waitUntil(lambda: dashboard.board is not before, timeout=30_000)
    assert dashboard.board is not None
    assert [r.name for r in dashboard.board.therapists] == ["Wei Chen, PT"]
    qtbot.waitUntil(lambda: not dashboard.is_updating(), timeout=30_000)  # the worklist too
    assert {dashboard.worklist.model.index(r, 3).data() for r in range(2)} == {"Wei Chen, PT"}
    assert dashboard.state.text().startswith(expected.filter_words.split(" · ")[0])

    # Backwards dates: a message, and no query.
    shown = dashboard.board
    dashboard.start.setDate(dashboard.end.date().addDays(1))
    dashboard.request_refresh()
    assert dashboard.error.isVisible() and "swap" in dashboard.error.text()
    assert dashboard.board is shown

    # A worklist item opens the chart, read-only for a manager.
    view = dashboard.worklist.view
    first = view.model().index(0, 0)
    mrn = view.model().index(0, 2).data()
    view.doubleClicked.emit(first)
    details = window.details
    assert details is not None
    qtbot.waitUntil(lambda: details.values["mrn"].text() == mrn, timeout=10_000)
    assert window.views.currentWidget() is window.splitter
    assert not details.start_button.isVisible()

    # Exports: the worklist as shown, and the report.
    answers = iter([str(tmp_path / "worklist.csv"), str(tmp_path / "report.pdf")])
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: next(answers))
    dashboard.worklist.save.click()
    qtbot.waitUntil(lambda: (tmp_path / "worklist.csv").exists(), timeout=10_000)
    text = (tmp_path / "worklist.csv").read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == "Action,Patient,MRN,Therapist,Since,Detail"
    assert mrn in text.splitlines()[1]
    dashboard.report_button.click()
    qtbot.waitUntil(lambda: (tmp_path / "report.pdf").exists(), timeout=20_000)
    words = PdfReader(tmp_path / "report.pdf").pages[0].extract_text()
    assert "Caseload report" in words and "Wei Chen, PT" in words
    db.dispose()


def test_a_therapist_sees_their_own_caseload(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    application = make_application(_demo(tmp_path))
    log_in(qtbot, application, "okafor", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    qtbot.waitUntil(lambda: window.caseload is not None, timeout=20_000)
    dashboard = window.caseload
    assert dashboard is not None
    assert window.views.currentWidget() is window.splitter  # patients first
    assert window.views.tabText(window.views.indexOf(dashboard)) == "My &caseload"
    qtbot.waitUntil(lambda: dashboard.board is not None, timeout=30_000)
    assert not dashboard.therapist.isEnabled() and dashboard.board is not None
    assert [r.name for r in dashboard.board.therapists] == ["Chinedu Okafor, PT, DPT"]
    assert not dashboard.worklist.save.isVisible()  # therapists do not export clinic data


def test_the_figures_model_passes_qt_model_checks(qtmodeltester: ModelTester) -> None:
    model = FiguresModel(["Therapist", "Active cases", "Mean change"])
    model.set_rows([["Ana", 3, 1.5], ["Minh", 1, None]], [7, 8])
    qtmodeltester.check(model)
