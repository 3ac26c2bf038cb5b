"""A titled, sortable, read-only table with its own "Save as CSV…" button (the caseload's
tables, the audit log)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casemanager.ui.caseload.table_model import SORT_ROLE, FiguresModel


class TableBlock(QWidget):
    """A titled, sortable table with its own "Save as CSV…" button."""

    export_requested = Signal(str, object, object)  # title, headers, rows as shown

    def __init__(self, title: str, headers: list[str], model: FiguresModel | None = None) -> None:
        super().__init__()
        self.title = title
        self.model = model if model is not None else FiguresModel(headers, self)
        self.model.setParent(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        # The service's order (worklist by urgency, shares by size) until a header is clicked.
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setAccessibleName(title)
        self.caption = QLabel(f"<b>{title}</b>")
        self.save = QPushButton("Save as CSV…")
        self.save.setAccessibleName(f"Save {title} as CSV")
        self.save.clicked.connect(self._export)
        top = QHBoxLayout()
        top.addWidget(self.caption, stretch=1)
        top.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view)

    def set_rows(self, rows: list[list[Any]], ids: list[int | None] | None = None) -> None:
        self.model.set_rows(rows, ids or [])
        self.view.resizeColumnsToContents()

    def shown_rows(self) -> list[list[str]]:
        """The rows in the order on screen, as displayed."""
        proxy = self.proxy
        return [
            [str(proxy.index(r, c).data() or "") for c in range(proxy.columnCount())]
            for r in range(proxy.rowCount())
        ]

    def _export(self) -> None:
        self.export_requested.emit(self.title, list(self.model.headers), self.shown_rows())
