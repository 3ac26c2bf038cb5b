"""When another workstation saved the same draft first: the fields where the two differ, side by
side, and the choice to keep what is on this screen (saved over theirs) or take theirs."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from casemanager.domain.evaluation import EvaluationContent


def _shown(value: Any) -> str:
    if value is None or value == ():
        return "—"
    if isinstance(value, date):
        return f"{value:%m/%d/%Y}"
    if isinstance(value, tuple):
        return "; ".join(_shown(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return ", ".join(_shown(getattr(value, f.name)) for f in fields(value))
    return str(getattr(value, "value", value))


_WORDS = {"nprs": "NPRS", "odi": "Oswestry", "psfs": "PSFS", "sbst": "STarT Back"}


def _label(name: str) -> str:
    words = [_WORDS.get(w, w) for w in name.split("_")]
    first = words[0] if words[0] in _WORDS.values() else words[0].capitalize()
    return " ".join([first, *words[1:]])


def differences(mine: EvaluationContent, theirs: EvaluationContent) -> list[tuple[str, str, str]]:
    """(field label, this screen, the other workstation) for each field that differs."""
    rows = []
    for field in fields(mine):
        a, b = getattr(mine, field.name), getattr(theirs, field.name)
        if a != b:
            rows.append((_label(field.name), _shown(a), _shown(b)))
    return rows


class CompareDialog(QDialog):
    keep_mine = Signal()
    take_theirs = Signal()

    def __init__(
        self,
        mine: EvaluationContent,
        theirs: EvaluationContent,
        who: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Two versions of this draft")
        self.setMinimumSize(760, 360)
        rows = differences(mine, theirs)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{who} saved this draft on another workstation while you were typing here. "
            f"{len(rows)} field{'s differ' if len(rows) != 1 else ' differs'}:"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Field", "On this screen", "Saved on the other"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeRowsToContents()
        self.table.setAccessibleName("Differences between the two versions")
        layout.addWidget(self.table)
        buttons = QDialogButtonBox()
        self.keep_button = buttons.addButton(
            "Keep mine (save it over theirs)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.take_button = buttons.addButton("Take theirs", QDialogButtonBox.ButtonRole.ResetRole)
        buttons.addButton("Decide later", QDialogButtonBox.ButtonRole.RejectRole)
        self.keep_button.clicked.connect(self._keep)
        self.take_button.clicked.connect(self._take)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _keep(self) -> None:
        self.accept()
        self.keep_mine.emit()

    def _take(self) -> None:
        self.accept()
        self.take_theirs.emit()
