"""A read-only table of figures (or worklist items): raw values shown as text (numbers and days
stay numbers and days, so they sort as such), and an optional id per row (the worklist's
patient) for opening a chart. The worklist's model
holds a page at a time and asks for the next one when the view scrolls to its end."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from casemanager.domain.validation import format_date

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


class FiguresModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self._rows: list[list[Any]] = []  # raw values: numbers stay numbers for sorting
        self._ids: list[int | None] = []

    def set_rows(self, rows: Sequence[Sequence[Any]], ids: Sequence[int | None] = ()) -> None:
        self.beginResetModel()
        self._rows = [list(row) for row in rows]
        self._ids = list(ids) or [None] * len(self._rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value)
        if role == SORT_ROLE:
            return sort_key(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ID_ROLE:
            return self._ids[index.row()]
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None

    def values(self) -> list[list[Any]]:
        return [list(row) for row in self._rows]


class PagedModel(FiguresModel):
    """Rows that arrive a page at a time: `more_wanted` asks for the page after the last row
    (views call `fetchMore` as they scroll to the end), and `total` says how many the whole
    list holds."""

    more_wanted = Signal()

    def __init__(self, headers: Sequence[str], parent: Any = None) -> None:
        super().__init__(headers, parent)
        self.total = 0
        self._more = False
        self._loading = False

    def set_page(
        self, rows: Sequence[Sequence[Any]], ids: Sequence[int | None], total: int, more: bool
    ) -> None:
        """The first page, in place of every row shown so far."""
        self.total, self._more, self._loading = total, more, False
        self.set_rows(rows, ids)

    def add_page(
        self, rows: Sequence[Sequence[Any]], ids: Sequence[int | None], total: int, more: bool
    ) -> None:
        """The page after the last row."""
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(list(row) for row in rows)
            self._ids.extend(ids)
            self.endInsertRows()
        # Only now: views ask for more while rows are being inserted.
        self.total, self._more, self._loading = total, more, False

    def has_more(self) -> bool:
        return self._more

    def load_failed(self) -> None:
        """The page could not be read (the caller shows why): scrolling may ask again."""
        self._loading = False

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: Index) -> None:  # noqa: N802 - Qt API
        # The guard matters: views (and qtmodeltester) call this again while rows arrive.
        if parent.isValid() or not self._more or self._loading:
            return
        self._loading = True
        self.more_wanted.emit()


def display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def sort_key(value: Any) -> Any:
    """Numbers by value, days by date (their text is month first), the rest by text."""
    if isinstance(value, int | float):
        return value
    if isinstance(value, date):
        return value.isoformat()  # sorts as the days do
    return display(value).casefold()
