"""The onset date as the patient says it: "3 days ago", "2 weeks ago", "yesterday" or a
date, read by `domain.onset` from the evaluation's date, with the date it read shown under
the field so the therapist sees what will be saved."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout

from casemanager.domain.errors import ValidationError
from casemanager.domain.onset import parse_onset
from casemanager.domain.patients import parse_search_date

HINT = 'MM/DD/YYYY, or e.g. "3 days ago", "2 weeks ago", "yesterday"'


def read_onset(text: str, evaluation_date: date) -> date | None:
    """The date `text` names, counted back from the evaluation; None if it names none. A
    date the clinic refuses (after the evaluation) is still returned, for the form's check
    to say why."""
    if not text.strip():
        return None
    try:
        return parse_onset(text, evaluation_date)
    except ValidationError:
        return parse_search_date(text)


def attach_reading(field: QLineEdit, evaluation_date: date) -> QLabel:
    """A line under `field` (placed in its form row) saying which date it read."""
    reading = QLabel()
    reading.setAccessibleName("Onset date read as")
    field.setPlaceholderText(HINT)

    def show() -> None:
        text = field.text().strip()
        found = read_onset(text, evaluation_date)
        if not text or (found is not None and text == f"{found:%m/%d/%Y}"):
            reading.setText("")  # a typed date needs no repeating
        elif found is None:
            reading.setText("Not a date yet: " + HINT)
        else:
            reading.setText(f"Read as {found:%A, %m/%d/%Y}")
        reading.setVisible(bool(reading.text()))

    field.textChanged.connect(show)
    holder = field.parentWidget()
    column = holder.layout() if holder is not None else None
    if isinstance(column, QVBoxLayout):
        column.insertWidget(1, reading)
    show()
    return reading
