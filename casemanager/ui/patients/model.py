"""The patient list model: rows arrive a page at a time from the service, sorted in SQL.

It holds only the rows scrolled into view so far, so a clinic with 100,000 patients costs
no more to open than one with 100.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from casemanager.domain.catalogs import PATIENT_STATUS_LABELS
from casemanager.domain.patients import PatientQuery, PatientSort, PatientSummary

Index = QModelIndex | QPersistentModelIndex
# fetch(query, offset, limit, deliver): runs the service off the GUI thread, then calls
# deliver(rows) back on the GUI thread.
Fetch = Callable[[PatientQuery, int, int, Callable[[list[PatientSummary]], None]], None]

PatientIdRole = Qt.ItemDataRole.UserRole + 1


def _name(p: PatientSummary) -> str:
    return f"{p.family_name}, {p.given_name}"


# (header, sort key or None when the column is not sortable, text)
COLUMNS: tuple[tuple[str, PatientSort | None, Callable[[PatientSummary], str]], ...] = (
    ("Name", PatientSort.NAME, _name),
    ("MRN", PatientSort.MRN, lambda p: p.mrn),
    ("Date of birth", PatientSort.DATE_OF_BIRTH, lambda p: p.date_of_birth.strftime("%m/%d/%Y")),
    ("Phone", None, lambda p: p.phone or ""),
    ("Status", PatientSort.STATUS, lambda p: PATIENT_STATUS_LABELS[p.status]),
    ("Primary therapist", PatientSort.THERAPIST, lambda p: p.primary_therapist_name or ""),
)


_TEXT_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole})
_ANSWERED = _TEXT_ROLES | {PatientIdRole, Qt.ItemDataRole.ToolTipRole}


def _texts(patient: PatientSummary) -> tuple[str, ...]:
    return tuple(show(patient) for _header, _sort, show in COLUMNS)


class PatientTableModel(QAbstractTableModel):
    loading_changed = Signal()
    page_loaded = Signal(int)  # rows now shown
    reloaded = Signal()  # `reload` has put the rows read again in place

    def __init__(
        self,
        fetch: Fetch,
        page_size: int = 200,
        parent: Any = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._clock = clock
        self.page_size = page_size
        self.query = PatientQuery()
        self._rows: list[PatientSummary] = []
        self._texts: list[tuple[str, ...]] = []  # each row's cells as shown, made once
        self._exhausted = False
        self._loading = False
        self._generation = 0  # answers to an older query are dropped
        self._asked_at: float | None = None  # when the query shown was asked, until answered
        # Seconds from asking for a query to its first rows in place, for the last one
        # answered (None before any): the list's typing pause follows it.
        self.last_answer_seconds: float | None = None

    # -- what to show ----------------------------------------------------------------------
    def set_query(self, query: PatientQuery) -> None:
        self.beginResetModel()
        self.query = query
        self._rows = []
        self._texts = []
        self._exhausted = False
        self._loading = False
        self._generation += 1
        self.endResetModel()
        self._asked_at = self._clock()
        self.fetchMore(QModelIndex())

    def reload(self) -> None:
        """Read again the rows shown so far, in one page, after a change: the old rows stay
        on screen meanwhile, and `reloaded` says when the new ones are in place (the list keeps
        its selection and scroll position across it)."""
        self._generation += 1  # a page still on its way belongs to the old rows
        self._asked_at = None  # a reload's time says nothing about a search's
        self._loading = True
        self.loading_changed.emit()
        generation, limit = self._generation, max(self.page_size, len(self._rows))
        self._fetch(self.query, 0, limit, lambda rows: self._read_again(generation, limit, rows))

    def _read_again(self, generation: int, limit: int, rows: list[PatientSummary]) -> None:
        if generation != self._generation:
            return  # a newer search or reload was asked for meanwhile
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [_texts(p) for p in rows]
        self._exhausted = len(rows) < limit
        self._loading = False
        self.endResetModel()
        self.loading_changed.emit()
        self.page_loaded.emit(len(self._rows))
        self.reloaded.emit()

    def row_of(self, patient_id: int) -> int | None:
        """Where this patient is among the rows loaded, if there."""
        return next((r for r, p in enumerate(self._rows) if p.id == patient_id), None)

    def patient(self, row: int) -> PatientSummary:
        return self._rows[row]

    def is_loading(self) -> bool:
        return self._loading

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every cell painted or measured: the roles answered are
        # told apart first, and the text is made once per row, not once per call.
        if role not in _ANSWERED or not index.isValid():
            return None
        row = index.row()
        if row >= len(self._rows):
            return None
        if role in _TEXT_ROLES:
            return self._texts[row][index.column()]
        patient = self._rows[row]
        if role == PatientIdRole:
            return patient.id
        if index.column() == 0:  # the tooltip
            return f"{patient.given_name} {patient.family_name}, MRN {patient.mrn}"
        return None

    def text(self, row: int, column: int) -> str:
        """A cell as shown (for measuring columns without a call per role)."""
        return self._texts[row][column]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section][0]
        return None

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index) -> None:
        # The guard matters: views (and qtmodeltester) call this again while rows arrive.
        if parent.isValid() or self._exhausted or self._loading:
            return
        self._loading = True
        self.loading_changed.emit()
        generation = self._generation
        self._fetch(
            self.query,
            len(self._rows),
            self.page_size,
            lambda rows: self._arrived(generation, rows),
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.query.sort, self.query.descending):
            self.set_query(replace(self.query, sort=key, descending=descending))

    def _arrived(self, generation: int, rows: list[PatientSummary]) -> None:
        if generation != self._generation:
            return  # the user typed on: this page belongs to an older search
        if len(rows) < self.page_size:
            self._exhausted = True
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self._texts.extend(_texts(p) for p in rows)
            self.endInsertRows()
        self._loading = False  # only now: views ask for more while rows are being inserted
        if self._asked_at is not None:  # the first page of a new query
            self.last_answer_seconds = self._clock() - self._asked_at
            self._asked_at = None
        self.loading_changed.emit()
        self.page_loaded.emit(len(self._rows))

    def load_failed(self) -> None:
        """A page could not be loaded (the caller shows why): scrolling may try again."""
        self._loading = False
        self._asked_at = None
        self.loading_changed.emit()
