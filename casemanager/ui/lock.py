"""Locking the app when the workstation is left alone: after the idle time, every window is
covered (nothing on screen can be read) and the password is asked again. The windows stay
open underneath, so nothing typed is lost; autosave goes on as usual.

A window handed to a patient (the intake) is left to them, however slowly they answer: the
lock puts every other window out of sight beside it (a message that opened meanwhile
among them) and ends when the therapist's password closes it. See `Lock`.
"""

from __future__ import annotations

import shiboken6
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
    """Emits `idle` after `minutes` without keyboard, mouse or touch input in the app.

    Input on a patient-facing window counts like any other; while a patient answers
    slowly, the lock that follows leaves their window alone (see `Lock`).
    """

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, round(minutes * 60_000)))
        self.timer.timeout.connect(self.idle.emit)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()  # restart the count
        return False

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
    dialog; a window that appears while locked (a dialog or message box too) is covered as
    it shows, and the unlock dialog stays usable above it. `lift()` undoes it all.

    Beside a patient-facing window (the intake, handed to a patient) the lock shows no
    dialog (it would show the patient the therapist's name and a Log out button) and
    covers nothing of theirs: it puts every other window out of sight instead, a message
    box that opened while the patient answered among them, and any that opens later. The
    intake closes only with the therapist's password (a full, audited login), so its
    closing ends the lock (`lifted`) and brings those windows back: no second password.
    """

    TITLE = "CaseManager — locked"
    lifted = Signal()  # ended by itself: the patient-facing window it stood beside closed

    def __init__(self, display_name: str, username: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.covers: list[Cover] = []
        self.titles: dict[QWidget, str] = {}
        self.hidden: list[QWidget] = []  # put out of sight beside a patient's window
        self.patient = patient_facing_window()
        self._ended = False
        windows = [
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and not w.property(PATIENT_FACING)
        ]
        owner = next((w for w in windows if w.isWindow() and w.parent() is None), None)
        self.dialog = UnlockDialog(display_name, username, owner)
        for window in windows:
            if self.patient is not None:
                self._put_away(window)
            else:
                self._cover(window)
        if self.patient is None:
            self._show_dialog()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _show_dialog(self) -> None:
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.password.setFocus()

    def _cover(self, window: QWidget) -> None:
        if window in self.titles:
            return
        self.covers.append(Cover(window))
        self.titles[window] = window.windowTitle()
        window.setWindowTitle(self.TITLE)

    def _put_away(self, window: QWidget) -> None:
        """Out of sight until the lock ends (hidden, so a modal one blocks nothing)."""
        if window in self.hidden or not window.isVisible():
            return
        self.hidden.append(window)
        if isinstance(window, QDialog):  # finished meanwhile (done()): not shown again
            window.finished.connect(lambda _result, w=window: self._forget(w))
        window.hide()

    def _forget(self, window: QWidget) -> None:
        if window in self.hidden:
            self.hidden.remove(window)

    def _guards(self, window: QWidget) -> bool:
        """A window of the app's that the lock must keep from view as it shows."""
        kind = window.windowType()
        return (
            window.isWindow()
            and window is not self.dialog
            and not self.dialog.isAncestorOf(window)
            and kind not in (Qt.WindowType.Popup, Qt.WindowType.ToolTip)
            and not window.property(PATIENT_FACING)
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self._ended or not isinstance(watched, QWidget):
            return False
        kind = event.type()
        if kind == QEvent.Type.Show and self._guards(watched):
            # Covered at once, so nothing in it can be read even while it first draws.
            self._cover(watched)
            QTimer.singleShot(0, lambda w=watched: self._after_shown(w))
        elif kind == QEvent.Type.Hide and watched is self.patient:
            QTimer.singleShot(0, self._after_patient_left)
        elif kind == QEvent.Type.Close and watched in self.hidden:
            self._forget(watched)  # closed while out of sight: stays closed
        return False

    def _after_shown(self, window: QWidget) -> None:
        if self._ended or not shiboken6.isValid(window):
            return
        if self.patient is not None:
            if self._after_patient_left():  # it came with the intake's closing
                return
            self._put_away(window)
        elif window.isModal() and self.dialog.isVisible():
            # A modal window opened under the lock would block the unlock dialog: shown
            # again, the dialog is the newest modal window and the one that takes input.
            self.dialog.hide()
            self._show_dialog()

    def _after_patient_left(self) -> bool:
        """The patient-facing window closed (its therapist's password): the lock ends."""
        if self._ended or self.patient is None:
            return self._ended
        if shiboken6.isValid(self.patient) and self.patient.isVisible():
            return False
        self.lift()
        self.lifted.emit()
        return True

    def lift(self) -> None:
        if self._ended:
            return
        self._ended = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for cover in self.covers:
            if shiboken6.isValid(cover):  # (gone with its window, if that was deleted)
                cover.hide()
                cover.deleteLater()
        self.covers.clear()
        for window, title in self.titles.items():
            if shiboken6.isValid(window):
                window.setWindowTitle(title)
        self.titles.clear()
        hidden, self.hidden = self.hidden, []
        for window in hidden:
            if shiboken6.isValid(window):
                window.show()
        self.dialog.hide()
        self.dialog.deleteLater()
