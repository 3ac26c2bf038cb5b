"""Search as you type, filter by status and therapist, sort by any column, Enter opens."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.catalogs import PATIENT_STATUS_LABELS
from casemanager.domain.enums import PatientStatus
from casemanager.domain.patients import PatientQuery
from casemanager.ui.patients.model import PatientIdRole, PatientTableModel
from casemanager.ui.widgets import name_clear_button, wheel_changes_only_focused_boxes

# The list waits for a pause in typing before asking the database: twice as long as the
# last search took to answer, from asking to its rows in place (so searching takes at most
# a third of the typing time, and a fast answer shows within a blink of the last key),
# never shorter than a fast typist's gap between two keys of a word, never longer than a
# quarter of a second.
SEARCH_DELAY_MS = 250
SHORTEST_PAUSE_MS = 30
PAUSE_PER_ANSWER = 2
ALL = -1  # combo data for "no filter"
MINE = -2  # combo data for "my caseload"
PHONE_COLUMN = 3  # the column left out when the list is narrow


@dataclass(frozen=True)
class _Place:
    """Where the user was in the list: kept across a reload."""

    selected: tuple[int, ...]
    current: int | None
    scrolled: int


class PatientTable(QTableView):
    """Enter or Return opens the selected patient, as a double-click does."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class PatientListWidget(QWidget):
    open_patient = Signal(int)  # patient id

    def __init__(
        self,
        model: PatientTableModel,
        therapists: list[tuple[int, str]],
        my_user_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.my_user_id = my_user_id

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name, MRN, date of birth or phone")
        self.search.setAccessibleName("Search patients")
        name_clear_button(self.search, "Clear search")
        self.status = QComboBox()
        self.status.setAccessibleName("Status filter")
        self.status.setToolTip(
            "Narrows the list while the search box is empty; a search looks at every status"
        )
        self.status.addItem("All statuses", ALL)
        for status, label in PATIENT_STATUS_LABELS.items():
            self.status.addItem(label, status.value)
        self.therapist = QComboBox()
        self.therapist.setAccessibleName("Therapist filter")
        if my_user_id is not None and any(t[0] == my_user_id for t in therapists):
            self.therapist.addItem("My caseload", MINE)
        self.therapist.addItem("All therapists", ALL)
        for therapist_id, name in therapists:
            self.therapist.addItem(name, therapist_id)
        # A therapist starts on their own active patients; others on everyone active.
        self.status.setCurrentIndex(self.status.findData(PatientStatus.ACTIVE.value))
        self.therapist.setCurrentIndex(0)

        self.table = PatientTable()
        self.table.setModel(model)
        self.table.setAccessibleName("Patients")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows for a batch (Ctrl/Shift+click); Enter still opens the current one.
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # By name, as the model starts: enabling sorting sorts by the indicator, and any other
        # indicator would send the database a query only to drop its answer.
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        # One line per patient: a therapist's name is never wrapped, a header never cut.
        # Each column is as wide as its header and the rows loaded so far; a
        # list narrower than that scrolls sideways rather than cutting a column.
        # A narrow list (the chart open beside it) leaves out the phone column first.
        # The widths are measured here, from each row's text as it arrives: Qt's own
        # fitting to contents asks the model for every role of every cell, twice a search,
        # which took longer than the search.
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._widest = [0] * model.columnCount()  # the widest text of each column, in pixels
        self._advances: dict[str, int] = {}  # texts measured, in this font:
        self._advances_font = self.table.font().key()
        self.summary = QLabel("")
        self.summary.setAccessibleName("Patient list status")

        filters = QHBoxLayout()
        filters.addWidget(self.search, stretch=3)
        filters.addWidget(self.status, stretch=1)
        filters.addWidget(self.therapist, stretch=1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)
        self.setFocusProxy(self.search)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._typed)
        self.search.returnPressed.connect(self._search_now_or_open)
        self.status.currentIndexChanged.connect(self.apply_filters)
        self.therapist.currentIndexChanged.connect(self.apply_filters)
        self.table.activated_row.connect(self._open_row)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        model.loading_changed.connect(self._show_state)
        model.page_loaded.connect(self._show_state)
        model.modelReset.connect(self._measure_all)
        model.rowsInserted.connect(self._measure_rows)
        model.page_loaded.connect(self._fit_columns)
        model.reloaded.connect(self._restore_place)
        self._place: _Place | None = None  # what to show again once a reload is in
        wheel_changes_only_focused_boxes(self)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def forget_measured(self) -> None:
        """At logout: the texts measured are patients' names and phone numbers."""
        self._advances.clear()

    def _measure_all(self) -> None:
        self._widest = [0] * self.model.columnCount()
        self._measure_rows(QModelIndex(), 0, self.model.rowCount() - 1)

    def _measure_rows(self, _parent: QModelIndex, first: int, last: int) -> None:
        advance = self.table.fontMetrics().horizontalAdvance
        known = self._advances  # statuses and therapists repeat: each measured once
        font = self.table.font().key()
        if len(known) > 5000 or font != self._advances_font:
            known.clear()
            self._advances_font = font
        for column in range(len(self._widest)):
            widest = self._widest[column]
            for row in range(first, last + 1):
                text = self.model.text(row, column)
                width = known.get(text)
                if width is None:
                    width = known[text] = advance(text)
                widest = max(widest, width)
            self._widest[column] = widest

    def _needed(self) -> dict[int, int]:
        """Each column's width to show its header and every row loaded so far whole: the
        widest text, the cell's margins as the table draws them (asked of its delegate for
        one cell), a pixel of rounding either way, and the grid line."""
        header, table = self.table.horizontalHeader(), self.table
        margins = 2
        if self.model.rowCount():
            option = QStyleOptionViewItem()
            table.initViewItemOption(option)
            sample = self.model.index(0, 0)
            hint = table.itemDelegate().sizeHint(option, sample).width()
            margins += hint - table.fontMetrics().horizontalAdvance(self.model.text(0, 0))
        grid = 1 if table.showGrid() else 0
        return {
            column: max(
                header.sectionSizeHint(column),
                self._widest[column] + margins + grid if self._widest[column] else 0,
            )
            for column in range(header.count())
        }

    def _fit_columns(self, *_args: object) -> None:
        """Show the phone column only when every column fits whole; the last column takes
        the room left over."""
        header = self.table.horizontalHeader()
        room = self.table.viewport().width()
        needed = self._needed()
        self.table.setColumnHidden(PHONE_COLUMN, sum(needed.values()) > room)
        shown = {c: w for c, w in needed.items() if not self.table.isColumnHidden(c)}
        header.setStretchLastSection(False)  # each column its own width first
        for column, width in shown.items():
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        header.setStretchLastSection(sum(shown.values()) < room)

    def current_query(self) -> PatientQuery:
        """A typed search looks at every status: the person at the desk is most often a
        returning (discharged) patient, whom an "Active" filter would hide. The status filter
        narrows the list only while nothing is typed."""
        status = self.status.currentData()
        therapist = self.therapist.currentData()
        if therapist == MINE:
            therapist = self.my_user_id
        return replace(
            self.model.query,
            text=self.search.text(),
            status=None if status == ALL or self._searching() else PatientStatus(status),
            therapist_id=None if therapist == ALL else therapist,
        )

    def typing_pause_ms(self) -> int:
        """How long to wait after a key before searching: follows the last answer's time."""
        answered = self.model.last_answer_seconds
        if answered is None:
            return SEARCH_DELAY_MS
        pause = round(PAUSE_PER_ANSWER * answered * 1000)
        return max(SHORTEST_PAUSE_MS, min(SEARCH_DELAY_MS, pause))

    def _typed(self) -> None:
        self._debounce.start(self.typing_pause_ms())

    def _searching(self) -> bool:
        return bool(self.search.text().strip())

    def apply_filters(self) -> None:
        self._debounce.stop()
        query = self.current_query()
        if query != self.model.query or not self.model.rowCount():
            self.model.set_query(query)

    def _search_now_or_open(self) -> None:
        """Return in the search box: search at once; if that is already shown, open the
        only match or move into the list."""
        if self._debounce.isActive() or self.current_query() != self.model.query:
            self.apply_filters()
            return
        if self.model.rowCount() == 1:
            self._open_row(0)
        elif self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def reload(self) -> None:
        """The rows shown, read again after a change: the selected patients stay selected
        (by id, wherever they moved) and the list stays scrolled where it was."""
        current = self.table.currentIndex()
        self._place = _Place(
            tuple(self.selected_patient_ids()),
            current.data(PatientIdRole) if current.isValid() else None,
            self.table.verticalScrollBar().value(),
        )
        self.model.reload()

    def _restore_place(self) -> None:
        place, self._place = self._place, None
        if place is None:
            return
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        for patient_id in place.selected:
            row = self.model.row_of(patient_id)
            if row is not None:
                selection.select(self.model.index(row, 0), flags.Select | flags.Rows)
        current = self.model.row_of(place.current) if place.current is not None else None
        if current is not None:
            selection.setCurrentIndex(self.model.index(current, 0), flags.NoUpdate)
        self.table.verticalScrollBar().setValue(place.scrolled)

    def selected_patient_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.index(row, 0).data(PatientIdRole) for row in rows]

    def _open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_patient.emit(self.model.index(row, 0).data(PatientIdRole))

    def _show_state(self, *_args: object) -> None:
        shown = self.model.rowCount()
        more = "+" if self.model.canFetchMore(QModelIndex()) else ""
        if self.model.is_loading():
            self.summary.setText(
                "Searching…" if shown == 0 else f"{shown:,} patients, loading more…"
            )
        elif shown == 0:
            self.summary.setText("No patients match. Check the spelling, or clear the filters.")
        else:
            noun = "patient" if shown == 1 and not more else "patients"
            self.summary.setText(f"{shown:,}{more} {noun}{self._status_note()}")

    def _status_note(self) -> str:
        """Say so when a search looked past the status filter (so nobody wonders why a
        discharged patient shows under "Active")."""
        if self._searching() and self.status.currentData() != ALL:
            return f", every status (a search looks past “{self.status.currentText()}”)"
        return ""
