"""The audit log for an administrator: filter by days, user, patient (MRN) and action; sort
by any column; save what is shown as CSV; check the hash chain."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.enums import AuditAction
from casemanager.ui import palette
from casemanager.ui.table_block import TableBlock
from casemanager.ui.widgets import wheel_changes_only_focused_boxes

if TYPE_CHECKING:  # records only: the services stay off the Qt start
    from casemanager.services.audit_log import AuditRow, ChainReport

HEADERS = ["Row", "When", "User", "Workstation", "Patient", "Action", "Data", "Outcome", "Detail"]
ACTION_LABELS = {
    AuditAction.CREATE: "created",
    AuditAction.READ: "viewed",
    AuditAction.UPDATE: "changed",
    AuditAction.SIGN: "signed",
    AuditAction.DISCARD: "discarded",
    AuditAction.PRINT: "printed",
    AuditAction.EXPORT: "exported",
    AuditAction.LOGIN: "logged in",
    AuditAction.LOGIN_FAILED: "login refused",
    AuditAction.LOGOUT: "logged out",
    AuditAction.PERMISSION_CHANGE: "permission change",
}


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class AuditPanel(QWidget):
    search_requested = Signal(object)  # dict of AuditFilter fields
    export_requested = Signal(str, object, object)  # title, headers, rows as shown
    verify_requested = Signal()

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.use_dates = QCheckBox("&From")
        self.use_dates.setChecked(True)
        self.start = QDateEdit(_qdate(today))
        self.end = QDateEdit(_qdate(today))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("MM/dd/yyyy")
        self.start.setAccessibleName("From date")
        self.end.setAccessibleName("To date")
        self.user = QLineEdit()
        self.user.setPlaceholderText("username")
        self.user.setAccessibleName("User")
        self.mrn = QLineEdit()
        self.mrn.setPlaceholderText("patient MRN")
        self.mrn.setAccessibleName("Patient MRN")
        self.action = QComboBox()
        self.action.setAccessibleName("Action")
        self.action.addItem("any action", None)
        for action, label in ACTION_LABELS.items():
            self.action.addItem(label, action)
        self.show_button = QPushButton("&Show")
        self.verify_button = QPushButton("Check the &chain")
        filters = QHBoxLayout()
        filters.addWidget(self.use_dates)
        filters.addWidget(self.start)
        filters.addWidget(QLabel("to"))
        filters.addWidget(self.end)
        filters.addWidget(self.user)
        filters.addWidget(self.mrn)
        filters.addWidget(self.action)
        filters.addWidget(self.show_button)
        filters.addStretch(1)
        filters.addWidget(self.verify_button)
        self.table = TableBlock("Audit log", HEADERS)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Audit log status")
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.table, stretch=1)
        self.use_dates.toggled.connect(self.start.setEnabled)
        self.use_dates.toggled.connect(self.end.setEnabled)
        self.show_button.clicked.connect(self.request)
        for field in (self.user, self.mrn):
            field.returnPressed.connect(self.request)
        self.verify_button.clicked.connect(self._verify)
        self.table.export_requested.connect(self.export_requested)
        wheel_changes_only_focused_boxes(self)

    def filters(self) -> dict[str, Any]:
        dated = self.use_dates.isChecked()
        action = self.action.currentData()  # Qt hands the enum back as its plain text
        return {
            "start": self.start.date().toPython() if dated else None,
            "end": self.end.date().toPython() if dated else None,
            "actor": self.user.text().strip().lower() or None,
            "patient_mrn": self.mrn.text().strip() or None,
            "action": None if action is None else AuditAction(action),
        }

    def request(self) -> None:
        filters = self.filters()
        if filters["start"] and filters["end"] and filters["start"] > filters["end"]:
            self.status.setText("The From date is after the To date. Swap them.")
            return
        self.status.setText("Reading the audit log…")
        self.show_button.setEnabled(False)
        self.search_requested.emit(filters)

    def show_rows(self, rows: list[AuditRow], limit: int) -> None:
        self.show_button.setEnabled(True)
        self.table.set_rows(
            [
                [
                    r.id,
                    r.occurred_at.astimezone().strftime("%m/%d/%Y %H:%M:%S"),
                    r.actor,
                    r.workstation,
                    r.patient,
                    ACTION_LABELS.get(r.action, r.action.value),
                    r.category.value,
                    r.outcome.value,
                    r.detail,
                ]
                for r in rows
            ]
        )
        more = (
            " (the newest ones; narrow the filters to see older rows)" if len(rows) >= limit else ""
        )
        self.status.setText(f"{len(rows):,} rows{more}.")

    def load_failed(self, message: str) -> None:
        self.show_button.setEnabled(True)
        self.verify_button.setEnabled(True)
        self.status.setText(message)

    def _verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.status.setText("Checking every row's hash…")
        self.verify_requested.emit()

    def show_verdict(self, report: ChainReport) -> None:
        self.verify_button.setEnabled(True)
        notes = [f"Warning: {problem}." for problem in report.missing_safeguards]
        notes += [
            f"Note: the chain was re-anchored at row {mark.row_id} by {mark.actor} after its "
            "chain record had been removed; rows cut off before then cannot be ruled out."
            for mark in report.reanchored
        ]
        recorded = (
            f" This check was recorded as row {report.recorded_as}."
            if report.recorded_as is not None
            else " This check could not be recorded."
        )
        if report.broken is None and not report.missing_safeguards:
            checked = (
                f"rows {report.first_id} to {report.last_id} ({report.rows:,} rows)"
                if report.last_id is not None
                else "an empty log"
            )
            self.status.setText(
                f"The chain is intact: checked {checked}, hash {report.last_hash}."
                + recorded
                + "".join(f" {note}" for note in notes)
            )
            self.status.setStyleSheet(f"color: {palette.OK_TEXT};")
        else:
            broken = (
                f"The chain is broken at row {report.broken.row_id}: {report.broken.reason}. "
                if report.broken is not None
                else f"The {report.rows:,} rows are chained, but the log is not protected. "
            )
            self.status.setText(
                broken
                + " ".join(notes)
                + " Keep a copy of this database and tell whoever is responsible for the "
                "clinic's records." + recorded
            )
            self.status.setStyleSheet(f"{palette.REFUSED_STYLE} font-weight: bold;")
