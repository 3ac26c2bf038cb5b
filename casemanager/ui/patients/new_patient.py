"""Register a patient: messages beside the fields, a possible duplicate shown before saving."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain import catalogs
from casemanager.domain.enums import PatientStatus, Sex
from casemanager.domain.patients import PatientFields, PatientSummary, parse_date_of_birth
from casemanager.ui import palette
from casemanager.ui.widgets import (
    FieldError,
    ValidatedForm,
    line_edit,
    wheel_changes_only_focused_boxes,
)


class NewPatientDialog(QDialog):
    """Emits `submitted` with the typed fields; the caller saves them and reports back with
    show_error / show_duplicates / accept. Nothing typed is cleared by an error."""

    submitted = Signal(object)  # PatientFields

    def __init__(
        self,
        therapists: list[tuple[int, str]],
        default_therapist: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New patient")
        self.setMinimumWidth(520)
        self.confirmed_duplicates = False
        self.form = ValidatedForm()
        self.given_name = line_edit()
        self.family_name = line_edit()
        self.preferred_name = line_edit("Optional")
        self.date_of_birth = line_edit("MM/DD/YYYY")
        self.sex = QComboBox()
        for sex, label in catalogs.SEX_LABELS.items():
            self.sex.addItem(label, sex.value)
        self.phone = line_edit("(631) 555-0100")
        self.email = line_edit("Optional")
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(54)
        self.language = QComboBox()
        for code, label in catalogs.LANGUAGE_LABELS.items():
            self.language.addItem(label, code)
        self.emergency_name = line_edit("Name (optional)")
        self.emergency_phone = line_edit("Phone (optional)")
        self.physician = line_edit("Optional")
        self.therapist = QComboBox()
        self.therapist.addItem("Not assigned yet", None)
        for therapist_id, name in therapists:
            self.therapist.addItem(name, therapist_id)
        if default_therapist is not None:
            self.therapist.setCurrentIndex(max(0, self.therapist.findData(default_therapist)))
        for name, label, widget in (
            ("given_name", "&First name", self.given_name),
            ("family_name", "&Last name", self.family_name),
            ("preferred_name", "Preferred &name", self.preferred_name),
            ("date_of_birth", "&Date of birth", self.date_of_birth),
            ("sex", "&Sex", self.sex),
            ("phone", "&Phone", self.phone),
            ("email", "&Email", self.email),
            ("address", "&Address", self.address),
            ("preferred_language", "Care plan lan&guage", self.language),
            ("emergency_contact_name", "Emergency &contact", self.emergency_name),
            ("emergency_contact_phone", "Emergency p&hone", self.emergency_phone),
            ("referring_physician", "&Referring physician", self.physician),
            ("primary_therapist_id", "Primary &therapist", self.therapist),
        ):
            self.form.add_row(name, label, widget)
        self.duplicates = QLabel()
        self.duplicates.setWordWrap(True)
        self.duplicates.setStyleSheet(palette.WARNING_PANEL_STYLE)
        self.duplicates.setAccessibleName("Possible duplicate")
        self.duplicates.hide()
        self.general_error = FieldError()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        for watched in (self.given_name, self.family_name, self.date_of_birth):
            watched.textChanged.connect(self._identity_changed)
        wheel_changes_only_focused_boxes(self)

    def _identity_changed(self) -> None:
        # A changed name or birth date needs a fresh duplicate check.
        self.confirmed_duplicates = False
        self.duplicates.hide()
        self.save_button.setText("Save")

    def fields(self) -> PatientFields | None:
        """The typed values, or None after showing why the date cannot be read."""
        try:
            born = parse_date_of_birth(self.date_of_birth.text())
        except ValueError as refused:
            self.form.show_error("date_of_birth", str(refused))
            return None
        return PatientFields(
            given_name=self.given_name.text(),
            family_name=self.family_name.text(),
            preferred_name=self.preferred_name.text() or None,
            date_of_birth=born,
            sex=Sex(self.sex.currentData()),
            phone=self.phone.text() or None,
            email=self.email.text() or None,
            address=self.address.toPlainText() or None,
            preferred_language=self.language.currentData(),
            emergency_contact_name=self.emergency_name.text() or None,
            emergency_contact_phone=self.emergency_phone.text() or None,
            referring_physician=self.physician.text() or None,
            primary_therapist_id=self.therapist.currentData(),
            status=PatientStatus.ACTIVE,
        )

    def _submit(self) -> None:
        self.form.clear_errors()
        self.general_error.show_message("")
        fields = self.fields()
        if fields is not None:
            self.set_busy(True)
            self.submitted.emit(fields)

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)

    def show_error(self, field: str | None, message: str) -> None:
        self.set_busy(False)
        if field is None or not self.form.show_error(field, message):
            self.general_error.show_message(message)

    def show_duplicates(self, found: list[PatientSummary], today: date | None = None) -> None:
        """Show who may already be registered; a second Save confirms it is someone else."""
        self.set_busy(False)
        self.confirmed_duplicates = True
        lines = "\n".join(
            f"• {p.given_name} {p.family_name}, born {p.date_of_birth:%m/%d/%Y}, MRN {p.mrn}"
            for p in found
        )
        self.duplicates.setText(
            "This may be a patient already registered:\n"
            f"{lines}\n"
            "If it is someone else, press Save again. Otherwise cancel and open that chart."
        )
        self.duplicates.show()
        self.save_button.setText("Save anyway")
