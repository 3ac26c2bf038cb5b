"""The caseload screen on its own, no database: what it asks the controller for (its
signals are its port), what it shows of an answer, and a worklist row opening a chart."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.domain.caseload import (
    CaseloadFilter,
    Dashboard,
    TherapistRow,
    Totals,
    WorkItem,
    WorkKind,
    default_period,
)
from casemanager.ui.caseload.dashboard import CaseloadDashboard

TODAY = date(2026, 11, 26)
THERAPISTS = [(7, "Wei Chen, PT"), (8, "Anna Nowak, PT")]


def _board(filt: CaseloadFilter) -> Dashboard:
    return Dashboard(
        filter=filt,
        today=TODAY,
        totals=Totals(
            active_episodes=40,
            new_evaluations=6,
            discharges=4,
            visits=1234,
            visits_of_discharged=30,
        ),
        therapists=(TherapistRow(7, "Wei Chen, PT", 21, 30, 1, 2, 0, 1),),
        causes=(),
        paths=(),
        outcomes_by_therapist=(),
        outcomes_by_cause=(),
        worklist=(
            WorkItem(
                WorkKind.URGENT_REFERRAL,
                42,
                "Rivera, Ana",
                "MRN-00042",
                "Wei Chen, PT",
                date(2026, 11, 20),
                "Saddle numbness",
            ),
        ),
        filter_words="All therapists",
    )


def _dashboard(qtbot: QtBot, own: int | None = None) -> tuple[CaseloadDashboard, list[object]]:
    dashboard = CaseloadDashboard(THERAPISTS, today=TODAY, own_therapist_id=own)
    qtbot.addWidget(dashboard)
    asked: list[object] = []
    dashboard.refresh_requested.connect(asked.append)
    dashboard.show()
    return dashboard, asked


def test_it_asks_for_the_period_and_shows_the_answer(qtbot: QtBot) -> None:
    dashboard, asked = _dashboard(qtbot)
    dashboard.request_refresh()
    assert asked == [CaseloadFilter(*default_period(TODAY))]
    assert dashboard.state.text() == "Loading the caseload…"
    dashboard.show_dashboard(_board(CaseloadFilter(*default_period(TODAY))))
    assert dashboard.figures["visits"].value.text() == "1,234"
    assert dashboard.figures["per_active"].value.text() == "30.9"  # 1,234 visits / 40
    assert dashboard.figures["per_discharged"].value.text() == "7.5"
    assert dashboard.worklist.model.rowCount() == 1
    assert dashboard.state.text() == "All therapists · as of 11/26/2026"

    with qtbot.waitSignal(dashboard.open_patient) as opened:
        view = dashboard.worklist.view
        view.setFocus()
        view.setCurrentIndex(view.model().index(0, 0))
        qtbot.keyClick(dashboard.worklist.view, Qt.Key.Key_Return)
    assert opened.args == [42]


def test_a_second_filter_while_one_is_read_is_asked_once_the_first_is_back(
    qtbot: QtBot,
) -> None:
    dashboard, asked = _dashboard(qtbot)
    dashboard.request_refresh()
    dashboard.therapist.setCurrentIndex(dashboard.therapist.findData(8))
    dashboard.request_refresh()  # as the typing pause would
    assert len(asked) == 1  # one query at a time
    dashboard.show_dashboard(_board(CaseloadFilter(*default_period(TODAY))))
    assert len(asked) == 2
    latest = asked[-1]
    assert isinstance(latest, CaseloadFilter) and latest.therapist_id == 8
    dashboard.load_failed("The database did not answer in time.")
    assert "could not be updated: The database did not answer" in dashboard.state.text()
    assert dashboard.figures["visits"].value.text() == "1,234"  # the last figures stay


def test_a_therapists_screen_is_their_own_caseload(qtbot: QtBot) -> None:
    dashboard, asked = _dashboard(qtbot, own=7)
    dashboard.request_refresh()
    latest = asked[-1]
    assert isinstance(latest, CaseloadFilter) and latest.therapist_id == 7
    assert not dashboard.therapist.isEnabled()
