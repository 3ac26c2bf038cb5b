"""The start window: one place for opening, first run and log in."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from casemanager.ui.startup.pages import BusyPage, CreateClinicPage, LoginPage, WelcomePage


class StartWindow(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CaseManager")
        self.setMinimumWidth(520)
        self.stack = QStackedWidget()
        self.busy = BusyPage()
        self.welcome = WelcomePage()
        self.create_clinic = CreateClinicPage()
        self.login = LoginPage()
        for page in (self.busy, self.welcome, self.create_clinic, self.login):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.resize(560, 520)

    def show_busy(self, message: str) -> None:
        self.busy.set_message(message)
        self.stack.setCurrentWidget(self.busy)

    def show_welcome(self) -> None:
        self.stack.setCurrentWidget(self.welcome)
        self.welcome.create_button.setFocus()

    def show_create_clinic(self) -> None:
        self.stack.setCurrentWidget(self.create_clinic)
        self.create_clinic.clinic_name.setFocus()

    def show_login(self, clinic_name: str, hint: str | None = None) -> None:
        self.stack.setCurrentWidget(self.login)
        self.login.prepare(clinic_name, hint)
