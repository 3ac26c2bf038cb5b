"""The start window: one place for opening, first run and log in.

Only the busy page is built before the window is first on screen; the other pages (and the
module that holds them) come once it has been drawn, or when first needed. Their requests are
forwarded as the window's own signals, which exist from the start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from casemanager.ui.startup.busy import BusyPage

if TYPE_CHECKING:
    from casemanager.ui.startup.pages import CreateClinicPage, LoginPage, WelcomePage

# If the window is never drawn (hidden, or a platform that paints nothing), work waiting for
# the first paint starts anyway after this long.
DRAWN_AT_THE_LATEST_MS = 300


class StartWindow(QWidget):
    create_chosen = Signal()  # welcome: create my clinic
    demo_chosen = Signal()  # welcome: try a demo clinic
    create_back = Signal()  # create clinic: back to the welcome
    create_submitted = Signal()  # create clinic: the form is filled
    login_submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CaseManager")
        self.setMinimumWidth(520)
        self.stack = QStackedWidget()
        self.busy = BusyPage()
        self.stack.addWidget(self.busy)
        self._welcome: WelcomePage | None = None
        self._create_clinic: CreateClinicPage | None = None
        self._login: LoginPage | None = None
        self._offer_encryption = False
        self._drawn = False
        self._after_drawn: list[Callable[[], None]] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.resize(560, 520)

    # -- the first paint ------------------------------------------------------------------------
    def when_drawn(self, work: Callable[[], None]) -> None:
        """`work()` once the window has been drawn the first time: on screen before anything
        else runs (the database worker's imports would otherwise compete with the drawing)."""
        if self._drawn:
            QTimer.singleShot(0, work)
            return
        if not self._after_drawn:
            QTimer.singleShot(DRAWN_AT_THE_LATEST_MS, self._run_after_drawn)
        self._after_drawn.append(work)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._drawn:
            QTimer.singleShot(0, self._run_after_drawn)  # once this paint is on screen

    def _run_after_drawn(self) -> None:
        self._drawn = True
        waiting, self._after_drawn = self._after_drawn, []
        for work in waiting:
            work()

    # -- the pages, built when first needed ----------------------------------------------------
    @property
    def welcome(self) -> WelcomePage:
        if self._welcome is None:
            from casemanager.ui.startup.pages import WelcomePage

            self._welcome = WelcomePage()
            self._welcome.create_chosen.connect(self.create_chosen)
            self._welcome.demo_chosen.connect(self.demo_chosen)
            self.stack.addWidget(self._welcome)
        return self._welcome

    @property
    def create_clinic(self) -> CreateClinicPage:
        if self._create_clinic is None:
            from casemanager.ui.startup.pages import CreateClinicPage

            self._create_clinic = CreateClinicPage()
            self._create_clinic.offer_encryption(self._offer_encryption)
            self._create_clinic.back.connect(self.create_back)
            self._create_clinic.submitted.connect(self.create_submitted)
            self.stack.addWidget(self._create_clinic)
        return self._create_clinic

    @property
    def login(self) -> LoginPage:
        if self._login is None:
            from casemanager.ui.startup.pages import LoginPage

            self._login = LoginPage()
            self._login.submitted.connect(self.login_submitted)
            self.stack.addWidget(self._login)
        return self._login

    def prepare_pages(self) -> None:
        """The login page, built ahead while the database opens: ready when it is."""
        _ = self.login

    def offer_encryption(self, available: bool) -> None:
        """Whether a new clinic may be encrypted (said to the page once it exists)."""
        self._offer_encryption = available
        if self._create_clinic is not None:
            self._create_clinic.offer_encryption(available)

    def set_busy(self, busy: bool) -> None:
        for page in (self._login, self._create_clinic):
            if page is not None:
                page.set_busy(busy)

    # -- which page is shown -------------------------------------------------------------------
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
