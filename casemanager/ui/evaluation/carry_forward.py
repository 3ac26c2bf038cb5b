"""The bar on a returning patient's new initial evaluation: what the last episode recorded
of their history (where each value came from), taken over in one action (Alt+K). A widget:
its controller runs the operations."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from casemanager.ui import palette
from casemanager.ui.evaluation.template_offer import readable


class CarryForwardBar(QFrame):
    """`confirm_requested` on Keep these."""

    confirm_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("From the last episode")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.sources = QLabel()
        self.sources.setWordWrap(True)
        self.sources.setAccessibleName("Where each value comes from")
        self.keep_button = QPushButton("&Keep these")
        self.keep_button.setToolTip(
            "Put these values in this evaluation where you have typed nothing yet"
        )
        row = QHBoxLayout()
        row.addWidget(self.summary, stretch=1)
        row.addWidget(self.keep_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(row)
        layout.addWidget(self.sources)
        self.keep_button.clicked.connect(self._confirm)
        self.hide()

    def offer(self, values: list[tuple[str, str, date, str, str]]) -> None:
        """Each value as (field, label, evaluation date, author, kind label); none: hidden."""
        if not values:
            self.hide()
            return
        newest = max(values, key=lambda v: v[2])
        labels = ", ".join(v[1].lower() for v in values)
        self.summary.setText(
            f"From the last episode ({newest[2]:%m/%d/%Y}, {newest[3]}): {labels}."
        )
        self.sources.setText(
            "\n".join(
                f"{label}: {kind} of {day:%m/%d/%Y}, {who}" for _f, label, day, who, kind in values
            )  # fmt: skip
        )
        self.keep_button.setEnabled(True)
        self.keep_button.show()
        self.show()

    def _confirm(self) -> None:
        self.keep_button.setEnabled(False)
        self.confirm_requested.emit()

    def show_kept(self, filled: list[str], kept: list[str]) -> None:
        text = f"Taken from the last episode: {readable(filled) or 'nothing new'}."
        if kept:
            text += f" Kept what you typed: {readable(kept)}."
        self.summary.setStyleSheet("")
        self.summary.setText(text)
        self.keep_button.hide()

    def show_error(self, message: str) -> None:
        self.summary.setStyleSheet(palette.DANGER_STYLE)
        self.summary.setText(message)
        self.keep_button.setEnabled(True)
