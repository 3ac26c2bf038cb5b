"""The first page on screen: 'Opening the clinic database…' with a progress bar.

It touches no `Qt.*` enum (so its text is not centred): the first use of the `Qt` namespace
builds its hundred Python enums (about 85 ms), which the other pages pay for once the window
is already on screen. Nor rich text, whose first use costs more still.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget


class BusyPage(QWidget):
    """'Opening the clinic database…' with an indefinite or counted progress bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch()
        self.message = QLabel("Opening the clinic database…")
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.message.setFont(font)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName("Progress")
        layout.addWidget(self.bar)
        layout.addStretch()

    def set_message(self, message: str) -> None:
        self.message.setText(message)
        self.bar.setRange(0, 0)

    def set_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
