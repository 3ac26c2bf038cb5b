"""Locking the app when the workstation is left alone: after the idle time, every window is
covered (nothing on screen can be read) and the password is asked again. The windows stay
open underneath, so nothing typed is lost; autosave goes on as usual.

A window handed to a patient (the intake) is not left alone while it is up, however slowly
they answer: see `IdleWatcher`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casemanager.ui import palette

# Set (True) on a window handed to a patient, such as the intake screen.
PATIENT_FACING = "casemanagerPatientFacing"

# What counts as someone at the keyboard: input, not timers or repaints.
_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


def patient_facing_window() -> QWidget | None:
    """The window a patient is using now, if one is on screen."""
    for window in QApplication.topLevelWidgets():
        if window.isVisible() and window.property(PATIENT_FACING):
            return window
    return None


class IdleWatcher(QObject):
    """Emits `idle` after `minutes` without keyboard, mouse or touch input in the app, except
    while a patient-facing window is on screen.

    The intake is a lock of its own: the staff windows are hidden behind it and only the
    therapist's password (a full, audited login) closes it and brings them back. A lock over
    it would stop a patient who reads slowly, show them the therapist's name and a Log out
    button, and ask the therapist for the password twice. So the count starts again while it
    is up, and the staff windows lock as usual once it is closed.
    """

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, round(minutes * 60_000)))
        self.timer.timeout.connect(self._quiet)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()  # restart the count
        return False

    def _quiet(self) -> None:
        if patient_facing_window() is not None:
            self.timer.start()  # a patient at the intake: not left alone
            return
        self.idle.emit()

    def pause(self) -> None:
        self.timer.stop()

    def resume(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class Cover(QWidget):
    """An opaque sheet over one window while the app is locked."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockCover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            f"#lockCover {{ background: {palette.LOCK_BACKGROUND}; }} QLabel {{ color: white; }}"
        )
        layout = QVBoxLayout(self)
        label = QLabel("CaseManager is locked")
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        label.setFont(font)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(label)
        window.installEventFilter(self)
        self.setGeometry(window.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False


class UnlockDialog(QDialog):
    """Asks the locked user's password; `submitted` carries it to the caller's check."""

    submitted = Signal(str)

    def __init__(self, display_name: str, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CaseManager is locked")
        self.setModal(True)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        layout = QVBoxLayout(self)
        explanation = QLabel(
            f"Locked after a quiet spell. {display_name} ({username}): enter your password "
            "to carry on where you left off. Nothing you typed is lost."
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.setMinimumWidth(420)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setPlaceholderText("Password")
        layout.addWidget(self.password)
        self.error = QLabel()
        self.error.setStyleSheet(palette.REFUSED_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.unlock_button = buttons.addButton("Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.log_out_button = buttons.addButton(
            "Log out", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        layout.addWidget(buttons)
        # Return presses Unlock (the default), never Log out.
        self.unlock_button.setDefault(True)
        self.log_out_button.setAutoDefault(False)
        self.unlock_button.clicked.connect(self._submit)

    def _submit(self) -> None:
        if not self.password.text():
            self.show_error("Enter your password.")
            return
        self.set_busy(True)
        self.submitted.emit(self.password.text())

    def set_busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
        self.password.setEnabled(not busy)

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.password.clear()
        self.password.setFocus()
        self.error.setText(message)
        self.error.show()

    def reject(self) -> None:  # Escape must not unlock: only the password or Log out
        return


class Lock(QObject):
    """Covers every visible window (titles too: they name patients) and shows the unlock
    dialog; a window that appears while locked is covered as it shows. `lift()` undoes it.
    A patient-facing window is never covered (an intake opened just as the app locked): it
    shows only that patient's questions and closes only with the therapist's password."""

    TITLE = "CaseManager — locked"

    def __init__(self, display_name: str, username: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.covers: list[Cover] = []
        self.titles: dict[QWidget, str] = {}
        windows = [
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and not w.property(PATIENT_FACING)
        ]
        for window in windows:
            self._cover(window)
        owner = next((w for w in windows if w.isWindow() and w.parent() is None), None)
        self.dialog = UnlockDialog(display_name, username, owner)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.password.setFocus()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _cover(self, window: QWidget) -> None:
        self.covers.append(Cover(window))
        self.titles[window] = window.windowTitle()
        window.setWindowTitle(self.TITLE)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Message boxes and dialogs stay usable (an app-modal one would otherwise block the
        # unlock dialog unseen); windows that show records get covered.
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and not isinstance(watched, QDialog)
            and not watched.property(PATIENT_FACING)
            and watched not in self.titles
        ):
            self._cover(watched)
        return False

    def lift(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for cover in self.covers:
            cover.hide()
            cover.deleteLater()
        self.covers.clear()
        for window, title in self.titles.items():
            window.setWindowTitle(title)
        self.titles.clear()
        self.dialog.hide()
        self.dialog.deleteLater()
