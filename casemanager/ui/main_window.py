"""The main window: who is logged in, the clinic and its figures, and the patient list with
the selected patient's details."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.permissions import ROLE_LABELS
from casemanager.ui import palette

if TYPE_CHECKING:  # the screens are imported when first used, not with the window
    from casemanager.services.context import Actor
    from casemanager.ui.caseload.dashboard import CaseloadDashboard
    from casemanager.ui.patients.chart import ChartPanel
    from casemanager.ui.patients.list_widget import PatientListWidget


class _Figure(QFrame):
    """A labelled number on the home panel."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.value = QLabel("…")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.value.setAccessibleName(caption)

    def set_value(self, value: int | None) -> None:
        self.value.setText("—" if value is None else f"{value:,}")


class MainWindow(QMainWindow):
    log_out_requested = Signal()
    new_patient_requested = Signal()
    refresh_requested = Signal()
    exercise_library_requested = Signal()
    batch_export_requested = Signal()
    change_password_requested = Signal()
    import_requested = Signal()
    export_patient_requested = Signal()

    def __init__(self, actor: Actor, clinic_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = actor
        self.patient_list: PatientListWidget | None = None
        self.details: ChartPanel | None = None
        self.setWindowTitle(f"CaseManager — {clinic_name}")
        self._fit_to_screen()

        home = QWidget()
        layout = QVBoxLayout(home)
        self.clinic_label = QLabel(clinic_name)
        font = self.clinic_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.clinic_label.setFont(font)
        self.user_label = QLabel(f"Logged in as {actor.display_name} ({ROLE_LABELS[actor.role]})")
        self.user_label.setAccessibleName("Logged-in user")
        self.demo_label = QLabel(
            "Demo clinic: every patient here is made up. Do not enter real patient records."
        )
        self.demo_label.setStyleSheet(palette.WARNING_PANEL_STYLE)
        self.demo_label.hide()
        layout.addWidget(self.clinic_label)
        layout.addWidget(self.user_label)
        layout.addWidget(self.demo_label)
        grid = QGridLayout()
        self.patients = _Figure("patients on record")
        self.active = _Figure("active patients")
        self.mine = _Figure("in my caseload")
        grid.addWidget(self.patients, 0, 0)
        grid.addWidget(self.active, 0, 1)
        grid.addWidget(self.mine, 0, 2)
        layout.addLayout(grid)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        # Patients (list and chart) and, once loaded, the caseload review.
        self.views = QTabWidget()
        self.views.setDocumentMode(True)
        self.views.addTab(self.splitter, "&Patients")
        self.caseload: CaseloadDashboard | None = None
        self.admin: QTabWidget | None = None
        layout.addWidget(self.views, stretch=1)
        self.setCentralWidget(home)

        file_menu = self.menuBar().addMenu("&File")
        self.refresh_action = QAction("&Refresh", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self.refresh_requested)
        self.log_out_action = QAction("&Log out", self)
        self.log_out_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.log_out_action.triggered.connect(self.log_out_requested)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.new_patient_action = QAction("&New patient…", self)
        self.new_patient_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_patient_action.triggered.connect(self.new_patient_requested)
        self.new_patient_action.setEnabled(False)  # once the patient list is there
        file_menu.addAction(self.new_patient_action)
        file_menu.addAction(self.refresh_action)
        self.export_patient_action = QAction("E&xport this patient's record (FHIR)…", self)
        self.export_patient_action.triggered.connect(self.export_patient_requested)
        file_menu.addAction(self.export_patient_action)
        self.import_action = QAction("&Import patients from another system…", self)
        self.import_action.triggered.connect(self.import_requested)
        file_menu.addAction(self.import_action)
        self.change_password_action = QAction("Change &password…", self)
        self.change_password_action.triggered.connect(self.change_password_requested)
        file_menu.addAction(self.change_password_action)
        file_menu.addAction(self.log_out_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        clinic_menu = self.menuBar().addMenu("&Clinic")
        self.exercise_library_action = QAction("&Exercise library…", self)
        self.exercise_library_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.exercise_library_action.triggered.connect(self.exercise_library_requested)
        clinic_menu.addAction(self.exercise_library_action)
        self.print_action = QAction("&Print or save care plan…", self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.setEnabled(False)
        file_menu.insertAction(self.refresh_action, self.print_action)
        self.batch_action = QAction("&Export take-home plans of selected patients…", self)
        self.batch_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.batch_action.setEnabled(False)
        self.batch_action.triggered.connect(self.batch_export_requested)
        file_menu.insertAction(self.refresh_action, self.batch_action)
        self.find_action = QAction("&Find patient", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setEnabled(False)
        self.addAction(self.find_action)
        toolbar = self.addToolBar("Session")
        toolbar.setObjectName("session_toolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.new_patient_action)
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.log_out_action)
        # Qt's overflow button (shown when the window is narrow) is checkable and unnamed:
        # a screen reader announced it as an unnamed check box.
        overflow = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
        if overflow is not None:
            overflow.setAccessibleName("More session actions")
        self.statusBar().showMessage(f"{actor.display_name} · {clinic_name}")

    def set_caseload(self, dashboard: CaseloadDashboard, title: str, first: bool) -> None:
        """The caseload tab; first for an office manager, who opens the app for it."""
        self.caseload = dashboard
        index = self.views.insertTab(0 if first else 1, dashboard, title)
        if first:
            self.views.setCurrentIndex(index)
            # Start on the figures, not inside a date field that would take the keys.
            dashboard.setFocus()

    def set_admin(self, panel: QTabWidget) -> None:
        """Accounts and the audit log, for an administrator."""
        self.admin = panel
        self.views.addTab(panel, "&Administration")

    def show_patients(self) -> None:
        self.views.setCurrentWidget(self.splitter)

    def ask_save_path(self, title: str, suggested: str, kind: str) -> str:
        """Where an export goes (a method, so tests can answer without the modal dialog)."""
        path, _filter = QFileDialog.getSaveFileName(self, title, suggested, kind)
        return path

    def ask_open_path(self, title: str, kinds: str) -> str:
        """A file to read (a method, so tests can answer without the modal dialog)."""
        path, _filter = QFileDialog.getOpenFileName(self, title, "", kinds)
        return path

    def ask_folder(self, title: str = "Folder for the take-home plans") -> str:
        """Where a batch or an export goes (a method, so tests can answer without the modal
        dialog)."""
        return QFileDialog.getExistingDirectory(self, title)

    def _fit_to_screen(self) -> None:
        """Most of the screen, so list and chart sit side by side on a laptop too."""
        screen = self.screen()
        area = screen.availableGeometry() if screen is not None else None
        if area is None or area.width() < 800:
            self.resize(1280, 820)
            return
        self.resize(int(area.width() * 0.92), int(area.height() * 0.9))

    def widen_chart(self) -> None:
        """Once a chart is open it gets at least half of the room (the user may drag back)."""
        total = sum(self.splitter.sizes())
        chart = max(self.splitter.sizes()[1], min(720, total // 2))
        self.splitter.setSizes([total - chart, chart])

    def set_patient_list(self, patient_list: PatientListWidget, details: ChartPanel) -> None:
        self.patient_list = patient_list
        self.details = details
        self.splitter.addWidget(patient_list)
        self.splitter.addWidget(details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        total = max(self.splitter.width(), 1000)
        self.splitter.setSizes([total - 440, 440])  # the chart widens when one is opened
        self.find_action.triggered.connect(self.show_patients)
        self.find_action.triggered.connect(patient_list.setFocus)
        self.batch_action.setEnabled(True)
        self.print_action.triggered.connect(details.request_print)
        self.print_action.setEnabled(True)
        self.find_action.setEnabled(True)
        self.new_patient_action.setEnabled(True)
        patient_list.setFocus()

    def show_overview(self, patients: int, active: int, mine: int | None, is_demo: bool) -> None:
        self.patients.set_value(patients)
        self.active.set_value(active)
        self.mine.setVisible(mine is not None)
        self.mine.set_value(mine)
        self.demo_label.setVisible(is_demo)
