"""The patient list against a fake port, no database: what it asks for, what it shows, and
that a reload after a change keeps the selected patients and the scroll position."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from casemanager.domain.enums import PatientStatus
from casemanager.domain.patients import PatientQuery
from casemanager.ui.patients.list_widget import PatientListWidget
from casemanager.ui.patients.model import PatientIdRole, PatientTableModel
from tests.ui.fake_ports import RecordingPatientFetch, patient_rows

PAGE = 50
LOADED = 90  # two pages scrolled into view, the second short: the list's end


def _list(qtbot: QtBot) -> tuple[PatientListWidget, RecordingPatientFetch]:
    port = RecordingPatientFetch()
    model = PatientTableModel(port, page_size=PAGE)
    widget = PatientListWidget(model, [(7, "Wei Chen, PT")], my_user_id=7)
    qtbot.addWidget(widget)
    widget.resize(700, 300)
    widget.show()
    widget.apply_filters()
    return widget, port


def _shown_ids(widget: PatientListWidget) -> list[int]:
    model = widget.model
    return [model.index(r, 0).data(PatientIdRole) for r in range(model.rowCount())]


def test_it_asks_for_my_active_patients_then_for_what_is_typed(qtbot: QtBot) -> None:
    widget, port = _list(qtbot)
    query, offset, limit = port.calls[-1].args
    assert query == PatientQuery(status=PatientStatus.ACTIVE, therapist_id=7)
    assert (offset, limit) == (0, PAGE)
    assert widget.summary.text() == "Searching…"
    port.calls[-1].done(patient_rows(range(1, 4)))
    assert _shown_ids(widget) == [1, 2, 3]
    assert widget.model.index(0, 0).data() == "Family00001, Given"

    qtbot.keyClicks(widget.search, "Family00002")
    qtbot.keyClick(widget.search, Qt.Key.Key_Return)  # at once, without the typing pause
    query, offset, _limit = port.calls[-1].args
    assert query.text == "Family00002" and query.status is None  # a search sees every status
    port.calls[-1].done(patient_rows(range(2, 3), PatientStatus.DISCHARGED))
    assert widget.model.index(0, 4).data() == "Discharged"
    with qtbot.waitSignal(widget.open_patient) as opened:
        qtbot.keyClick(widget.search, Qt.Key.Key_Return)  # the only match: open it
    assert opened.args == [2]


def test_nothing_found_says_what_to_do(qtbot: QtBot) -> None:
    widget, port = _list(qtbot)
    port.calls[-1].done([])
    assert "No patients match" in widget.summary.text()


def test_a_reload_keeps_the_selected_patients_and_the_scroll_position(qtbot: QtBot) -> None:
    widget, port = _list(qtbot)
    port.calls[-1].done(patient_rows(range(1, PAGE + 1)))
    widget.model.fetchMore(QModelIndex())  # the user scrolled on: a second page
    _query, offset, _limit = port.calls[-1].args
    assert offset == PAGE
    port.calls[-1].done(patient_rows(range(PAGE + 1, LOADED + 1)))
    table = widget.table
    table.selectRow(60)
    table.selectionModel().select(
        widget.model.index(62, 0),
        table.selectionModel().SelectionFlag.Select | table.selectionModel().SelectionFlag.Rows,
    )
    scrollbar = table.verticalScrollBar()
    scrollbar.setValue(scrollbar.maximum() // 2)
    scrolled = scrollbar.value()
    assert scrolled > 0 and widget.selected_patient_ids() == [61, 63]
    calls = len(port.calls)

    widget.reload()  # a patient-level change was heard
    assert len(port.calls) == calls + 1
    query, offset, limit = port.calls[-1].args
    assert query == widget.model.query and offset == 0 and limit == LOADED
    assert widget.model.rowCount() == LOADED  # the old rows stay meanwhile
    # A new patient sorts first: every row moves down one.
    port.calls[-1].done(patient_rows(range(0, LOADED)))

    assert widget.selected_patient_ids() == [61, 63]  # the same patients, one row lower
    assert table.currentIndex().data(PatientIdRole) == 61
    assert scrollbar.value() == scrolled
    assert _shown_ids(widget)[:2] == [0, 1]


def test_a_page_asked_before_a_reload_is_dropped(qtbot: QtBot) -> None:
    widget, port = _list(qtbot)
    port.calls[-1].done(patient_rows(range(1, PAGE + 1)))
    widget.model.fetchMore(QModelIndex())
    second_page = port.calls[-1]
    widget.reload()
    second_page.done(patient_rows(range(PAGE + 1, PAGE + 5)))  # arrives late: belongs to before
    assert widget.model.rowCount() == PAGE
    port.calls[-1].done(patient_rows(range(1, PAGE + 1)))
    assert widget.model.rowCount() == PAGE and widget.model.canFetchMore(QModelIndex())
