"""The selected patient's details, read-only (opening them is audited by the service)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.patients import PatientRecord
from casemanager.ui.patients.model import STATUS_LABELS

_SEX = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"}
_LANGUAGE = {"en": "English", "es": "Spanish"}


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class PatientDetails(QGroupBox):
    start_evaluation = Signal(int)  # patient id
    open_evaluation = Signal(int)
    record_visit = Signal(int)

    def __init__(self, can_evaluate: bool = True, parent: QWidget | None = None) -> None:
        super().__init__("Patient", parent)
        self.patient_id: int | None = None
        self.can_evaluate = can_evaluate
        self.setMinimumWidth(280)
        outer = QVBoxLayout(self)
        self.placeholder = QLabel("Select a patient and press Enter to see their details.")
        self.placeholder.setWordWrap(True)
        outer.addWidget(self.placeholder)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        outer.addWidget(self.form_host)
        outer.addStretch()
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("name", "Name"),
            ("mrn", "MRN"),
            ("born", "Date of birth"),
            ("sex", "Sex"),
            ("status", "Status"),
            ("therapist", "Primary therapist"),
            ("phone", "Phone"),
            ("email", "Email"),
            ("address", "Address"),
            ("language", "Preferred language"),
            ("emergency", "Emergency contact"),
            ("physician", "Referring physician"),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setAccessibleName(label)
            self.form.addRow(f"{label}:", value)
            self.values[key] = value
        self.progress = QLabel()
        self.progress.setWordWrap(True)
        self.progress.setAccessibleName("Episode progress")
        self.start_button = QPushButton("Start evaluation")
        self.open_button = QPushButton("Open latest evaluation")
        self.visit_button = QPushButton("Record visit")
        self.start_button.clicked.connect(lambda: self._emit(self.start_evaluation))
        self.open_button.clicked.connect(lambda: self._emit(self.open_evaluation))
        self.visit_button.clicked.connect(lambda: self._emit(self.record_visit))
        for position, widget in enumerate(
            (self.progress, self.start_button, self.open_button, self.visit_button), start=2
        ):
            outer.insertWidget(position, widget)
            widget.hide()
        self.form_host.hide()

    def _emit(self, signal: SignalInstance) -> None:
        if self.patient_id is not None:
            signal.emit(self.patient_id)

    def show_record(self, record: PatientRecord, today: date | None = None) -> None:
        f = record.fields
        today = today or date.today()
        emergency = " ".join(x for x in (f.emergency_contact_name, f.emergency_contact_phone) if x)
        shown = {
            "name": f"{f.given_name} {f.family_name}"
            + (f" (“{f.preferred_name}”)" if f.preferred_name else ""),
            "mrn": record.mrn,
            "born": f"{f.date_of_birth:%m/%d/%Y} (age {age_on(f.date_of_birth, today)})",
            "sex": _SEX[f.sex.value],
            "status": STATUS_LABELS[f.status],
            "therapist": record.primary_therapist_name or "—",
            "phone": f.phone or "—",
            "email": f.email or "—",
            "address": f.address or "—",
            "language": _LANGUAGE.get(f.preferred_language, f.preferred_language),
            "emergency": emergency or "—",
            "physician": f.referring_physician or "—",
        }
        for key, text in shown.items():
            self.values[key].setText(text)
        self.setTitle(f"{f.family_name}, {f.given_name}")
        self.patient_id = record.id
        self.placeholder.hide()
        self.form_host.show()
        self.start_button.setVisible(self.can_evaluate)
        self.open_button.show()
        self.visit_button.setVisible(self.can_evaluate)

    def show_progress(self, progress: object | None) -> None:
        """The open episode's visits and warnings (services.visits.EpisodeProgress)."""
        if progress is None:
            self.progress.setText("No open episode of care.")
            self.progress.setStyleSheet("")
            self.progress.show()
            return
        p: Any = progress
        lines = [f"Visits this episode: {p.visits}"]
        if p.last_visit:
            lines[0] += f" (last {p.last_visit:%m/%d/%Y})"
        warnings = []
        if p.progress_report_due:
            warnings.append(
                f"Progress report due: {p.visits_since_progress_report} visits since the last."
            )
        if p.certification_ends_soon:
            warnings.append(f"Certification ends {p.certification_end:%m/%d/%Y}: recertify.")
        self.progress.setText("\n".join(lines + warnings))
        self.progress.setStyleSheet(
            "background: #fff4ce; color: #5c4400; padding: 4px;" if warnings else ""
        )
        self.progress.show()
