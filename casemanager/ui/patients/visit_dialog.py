"""A visit in one small form: date, pain, interventions with minutes, note."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain import catalogs
from casemanager.domain.patients import parse_search_date
from casemanager.ui.widgets import FieldError, ValidatedForm, line_edit


class VisitDialog(QDialog):
    """Emits `submitted(dict)` with the typed values; the caller saves and reports back."""

    submitted = Signal(object)

    def __init__(self, progress_due: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record visit")
        self.form = ValidatedForm()
        self.visit_date = line_edit("MM/DD/YYYY")
        self.visit_date.setText(f"{date.today():%m/%d/%Y}")
        self.nprs = QSpinBox()
        self.nprs.setRange(-1, 10)
        self.nprs.setSpecialValueText("—")
        self.nprs.setValue(-1)
        interventions = QWidget()
        grid = QGridLayout(interventions)
        grid.setContentsMargins(0, 0, 0, 0)
        self.minutes: dict[str, tuple[QCheckBox, QSpinBox]] = {}
        for row, item in enumerate(catalogs.INTERVENTIONS):
            check = QCheckBox(item.label)
            spin = QSpinBox()
            spin.setRange(1, 240)
            spin.setValue(15)
            spin.setSuffix(" min")
            spin.setAccessibleName(f"{item.label} minutes")
            spin.setEnabled(False)
            check.toggled.connect(spin.setEnabled)
            grid.addWidget(check, row, 0)
            grid.addWidget(spin, row, 1)
            self.minutes[item.code] = (check, spin)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        self.progress_report = QCheckBox("This visit is the progress report")
        self.progress_report.setChecked(progress_due)
        self.form.add_row("visit_date", "&Date", self.visit_date)
        self.form.add_row("nprs", "&Pain now (0-10)", self.nprs)
        self.form.add_row("intervention_1", "&Interventions", interventions)
        self.form.add_row("note", "&Note", self.note)
        self.form.add_row("is_progress_report", "Progress report", self.progress_report)
        self.general_error = FieldError()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)

    def _submit(self) -> None:
        self.form.clear_errors()
        self.general_error.show_message("")
        day = parse_search_date(self.visit_date.text())
        if day is None:
            self.form.show_error("visit_date", "Type the visit date as MM/DD/YYYY.")
            return
        self.save_button.setEnabled(False)
        self.submitted.emit(
            {
                "visit_date": day,
                "nprs": None if self.nprs.value() < 0 else self.nprs.value(),
                "interventions": tuple(
                    (code, spin.value())
                    for code, (check, spin) in self.minutes.items()
                    if check.isChecked()
                ),
                "note": self.note.toPlainText() or None,
                "is_progress_report": self.progress_report.isChecked(),
            }
        )

    def show_error(self, field: str | None, message: str) -> None:
        self.save_button.setEnabled(True)
        if field is None or not self.form.show_error(field, message):
            self.general_error.show_message(message)
