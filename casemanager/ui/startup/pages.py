"""The pages of the start window. They emit what the user asked for; the shell does the work."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCommandLinkButton,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casemanager.ui.widgets import (
    FieldError,
    ValidatedForm,
    line_edit,
    wheel_changes_only_focused_boxes,
)


def _title(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def _text(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class WelcomePage(QWidget):
    """First run on an empty database: create my clinic, or explore a demo clinic."""

    create_chosen = Signal()
    demo_chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_title("Welcome to CaseManager"))
        layout.addWidget(
            _text(
                "This database is empty. Set up your clinic to start recording evaluations, "
                "or look around a demo clinic filled with made-up patients first."
            )
        )
        self.create_button = QCommandLinkButton(
            "Create my clinic", "Enter your clinic's name and set up the first administrator."
        )
        self.demo_button = QCommandLinkButton(
            "Explore a demo clinic",
            "Made-up patients, therapists and visits to try every screen. "
            "Not for real patient records.",
        )
        self.create_button.clicked.connect(self.create_chosen)
        self.demo_button.clicked.connect(self.demo_chosen)
        layout.addWidget(self.create_button)
        layout.addWidget(self.demo_button)
        layout.addStretch()


class CreateClinicPage(QWidget):
    """The clinic and its first administrator account."""

    submitted = Signal()
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_title("Create my clinic"))
        layout.addWidget(
            _text(
                "You will be the clinic's first administrator: you add therapists and office "
                "managers afterwards."
            )
        )
        self.form = ValidatedForm()
        self.clinic_name = line_edit("e.g. Bayside Physical Therapy")
        self.phone = line_edit("Front desk phone (optional)")
        # Phone numbers typed without "+" are read as this region's (filled when first shown).
        self.phone_region = QComboBox()
        self.phone_region.setToolTip(
            'Where the clinic is: phone numbers typed without "+" are checked as its numbers.'
        )
        self.display_name = line_edit("Your full name")
        self.username = line_edit("e.g. jsmith")
        self.password = line_edit("At least 10 characters", password=True)
        self.confirm = line_edit("Type the password again", password=True)
        self.form.add_row("clinic_name", "&Clinic name", self.clinic_name)
        self.form.add_row("phone", "Clinic &phone", self.phone)
        self.form.add_row("phone_region", "Clinic's &region", self.phone_region)
        self.form.add_row("display_name", "&Your name", self.display_name)
        self.form.add_row("username", "&Username", self.username)
        self.form.add_row("password", "Pass&word", self.password)
        self.form.add_row("confirm", "Con&firm password", self.confirm)
        layout.addWidget(self.form)
        # Encryption at rest, offered where SQLCipher is installed (app.py decides).
        self.encrypt = QCheckBox("&Encrypt the clinic's database file with a passphrase")
        self.encrypt.setToolTip(
            "Without the passphrase nobody can read the file, not even clinic IT: keep it safe."
        )
        self.passphrase_form = ValidatedForm()
        self.passphrase = line_edit("At least 12 characters; a few unrelated words", password=True)
        self.passphrase_again = line_edit("Type the passphrase again", password=True)
        self.passphrase_form.add_row("passphrase", "Pass&phrase", self.passphrase)
        self.passphrase_form.add_row("passphrase_again", "Passphrase a&gain", self.passphrase_again)
        self.passphrase_form.hide()
        self.encrypt.toggled.connect(self.passphrase_form.setVisible)
        self.encrypt.hide()
        layout.addWidget(self.encrypt)
        layout.addWidget(self.passphrase_form)
        self.general_error = FieldError()
        layout.addWidget(self.general_error)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.create_button = QPushButton("Create clinic")
        self.create_button.setDefault(True)
        buttons.addWidget(self.back_button)
        buttons.addStretch()
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        layout.addStretch()
        self.back_button.clicked.connect(self.back)
        self.create_button.clicked.connect(self._submit)
        self.confirm.returnPressed.connect(self._submit)
        wheel_changes_only_focused_boxes(self)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if not self.phone_region.count():
            from casemanager.domain import phones

            for code, name in phones.regions().items():
                self.phone_region.addItem(f"{name} ({code})", code)
            self.phone_region.setCurrentIndex(self.phone_region.findData(phones.DEFAULT_REGION))
        super().showEvent(event)

    def chosen_region(self) -> str | None:
        """The region code chosen, or None before the list was filled (the default)."""
        code = self.phone_region.currentData()
        return code if isinstance(code, str) else None

    def _submit(self) -> None:
        self.form.clear_errors()
        self.general_error.show_message("")
        self.passphrase_form.clear_errors()
        if self.password.text() != self.confirm.text():
            self.form.show_error("confirm", "The two passwords differ. Type them again.")
            return
        if self.encrypt.isChecked() and self.passphrase.text() != self.passphrase_again.text():
            self.passphrase_form.show_error(
                "passphrase_again", "The two passphrases differ. Type them again."
            )
            return
        self.submitted.emit()

    def offer_encryption(self, available: bool) -> None:
        self.encrypt.setVisible(available)

    def chosen_passphrase(self) -> str | None:
        return self.passphrase.text() if self.encrypt.isChecked() else None

    def show_error(self, field: str | None, message: str) -> None:
        if field == "passphrase":
            self.passphrase_form.show_error(field, message)
        elif field is None or not self.form.show_error(field, message):
            self.general_error.show_message(message)

    def set_busy(self, busy: bool) -> None:
        self.create_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)


class LoginPage(QWidget):
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.heading = _title("Log in")
        layout.addWidget(self.heading)
        self.clinic_label = _text("")
        layout.addWidget(self.clinic_label)
        self.form = ValidatedForm()
        self.username = line_edit("Username")
        self.password = line_edit("Password", password=True)
        self.form.add_row("username", "&Username", self.username)
        self.form.add_row("password", "&Password", self.password)
        layout.addWidget(self.form)
        self.error = FieldError()
        layout.addWidget(self.error)
        self.hint = _text("")
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint.hide()
        layout.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch()
        self.login_button = QPushButton("Log in")
        self.login_button.setDefault(True)
        row.addWidget(self.login_button)
        layout.addLayout(row)
        layout.addStretch()
        self.login_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.username.returnPressed.connect(self.password.setFocus)

    def prepare(self, clinic_name: str, hint: str | None = None) -> None:
        self.clinic_label.setText(clinic_name)
        self.hint.setText(hint or "")
        self.hint.setVisible(bool(hint))
        self.error.show_message("")
        self.password.clear()
        (self.password if self.username.text() else self.username).setFocus()

    def _submit(self) -> None:
        self.error.show_message("")
        if not self.username.text().strip():
            self.error.show_message("Type your username.")
            self.username.setFocus()
            return
        self.submitted.emit()

    def show_error(self, message: str) -> None:
        """Keep the username; select the password so it can be retyped at once."""
        self.error.show_message(message)
        self.password.selectAll()
        self.password.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.login_button.setEnabled(not busy)
