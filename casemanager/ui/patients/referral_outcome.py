"""Record how a red-flag referral ended: who saw the patient, when, and whether therapy may
go on. Saving it takes the flag off the chart's banner and onto the timeline."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.patients import parse_search_date
from casemanager.ui.widgets import (
    FieldError,
    ValidatedForm,
    line_edit,
    wheel_changes_only_focused_boxes,
)

if TYPE_CHECKING:  # records only: the services stay off the Qt start
    from casemanager.services.chart import OpenRedFlag


class ReferralOutcomeDialog(QDialog):
    """Emits `submitted(dict)`; the caller saves it and reports back with `show_error`."""

    submitted = Signal(object)

    def __init__(self, open_flags: list[OpenRedFlag], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record red-flag referral outcome")
        self.form = ValidatedForm()
        self.referral = QComboBox()
        for flag in open_flags:  # services.chart.OpenRedFlag
            self.referral.addItem(flag.text, flag.referral_id)
        self.seen_by = line_edit("e.g. Dr. Helen Brooks")
        self.seen_on = line_edit("MM/DD/YYYY")
        self.seen_on.setText(f"{date.today():%m/%d/%Y}")
        self.outcome = QComboBox()
        self.outcome.addItem("Cleared: therapy may go on", True)
        self.outcome.addItem("Not cleared for therapy", False)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        self.form.add_row("referral_id", "&Referral", self.referral)
        self.form.add_row("seen_by", "Seen &by", self.seen_by)
        self.form.add_row("seen_on", "&Date seen", self.seen_on)
        self.form.add_row("cleared_for_therapy", "&Outcome", self.outcome)
        self.form.add_row("outcome_note", "&Note", self.note)
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
        wheel_changes_only_focused_boxes(self)

    def _submit(self) -> None:
        self.form.clear_errors()
        self.general_error.show_message("")
        day = parse_search_date(self.seen_on.text())
        if day is None:
            self.form.show_error("seen_on", "Type the date seen as MM/DD/YYYY.")
            return
        self.save_button.setEnabled(False)
        self.submitted.emit(
            {
                "referral_id": int(self.referral.currentData()),
                "seen_by": self.seen_by.text(),
                "seen_on": day,
                "cleared_for_therapy": bool(self.outcome.currentData()),
                "note": self.note.toPlainText() or None,
            }
        )

    def show_error(self, field: str | None, message: str) -> None:
        """Keep everything typed; show the message beside its field when there is one."""
        self.save_button.setEnabled(True)
        if field is None or not self.form.show_error(field, message):
            self.general_error.show_message(message)
