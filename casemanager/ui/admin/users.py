"""User accounts for an administrator: who works here, their role, and the buttons to add an
account, change a role, deactivate or reactivate one, and set a new password. Every change
goes to the service (which checks and audits it) through the signals below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.enums import Role
from casemanager.domain.permissions import ROLE_LABELS
from casemanager.ui import palette
from casemanager.ui.widgets import wheel_changes_only_focused_boxes

if TYPE_CHECKING:  # records only: the services stay off the Qt start
    from casemanager.services.accounts import UserInfo

HEADERS = ["Name", "Username", "Role", "Licence", "Status", "Last login"]


class _PasswordForm(QDialog):
    """A form whose password is typed twice: Ok checks the two agree, and a refusal from the
    service shows under the fields with everything typed still there."""

    password: QLineEdit
    again: QLineEdit

    def _finish(self, form: QFormLayout) -> None:
        self.error = QLabel()
        self.error.setStyleSheet(palette.REFUSED_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        if self.password.text() != self.again.text():
            self.show_error("The two passwords differ. Type them again.")
            return
        self.accept()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


class UserDialog(_PasswordForm):
    """Add an account, or (with `user`) change one's role and licence number."""

    def __init__(self, parent: QWidget | None = None, user: UserInfo | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change role" if user else "Add a user")
        form = QFormLayout(self)
        self.full_name = QLineEdit(user.display_name if user else "")
        self.username = QLineEdit(user.username if user else "")
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(ROLE_LABELS[role], role)
        if user is not None:
            self.role.setCurrentIndex(list(Role).index(user.role))
            self.full_name.setReadOnly(True)
            self.username.setReadOnly(True)
        self.licence = QLineEdit((user.licence_number or "") if user else "")
        self.licence.setPlaceholderText("Needed for a therapist: it prints on signed notes")
        form.addRow("&Full name", self.full_name)
        form.addRow("&Username", self.username)
        form.addRow("&Role", self.role)
        form.addRow("&Licence number", self.licence)
        self.password = QLineEdit()
        self.again = QLineEdit()
        if user is None:
            for field in (self.password, self.again):
                field.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow("&Password", self.password)
            form.addRow("Password &again", self.again)
        self._finish(form)
        wheel_changes_only_focused_boxes(self)

    def chosen_role(self) -> Role:
        return Role(self.role.currentData())  # Qt hands the enum back as its plain text


class PasswordDialog(_PasswordForm):
    """A new password typed twice (and, for one's own, the current one)."""

    def __init__(self, title: str, *, ask_current: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.current = QLineEdit()
        self.password = QLineEdit()
        self.again = QLineEdit()
        for field in (self.current, self.password, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        if ask_current:
            form.addRow("&Current password", self.current)
        form.addRow("&New password", self.password)
        form.addRow("New password &again", self.again)
        self._finish(form)


class UsersPanel(QWidget):
    add_requested = Signal(object)  # UserDialog, accepted
    role_requested = Signal(int, object)  # user id, UserDialog
    active_requested = Signal(int, bool)
    reset_requested = Signal(int, str)  # user id, new password

    def __init__(self, own_user_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.own_user_id = own_user_id
        self.users: list[UserInfo] = []
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("User accounts")
        self.add_button = QPushButton("&Add user…")
        self.role_button = QPushButton("Change &role…")
        self.active_button = QPushButton("&Deactivate")
        self.reset_button = QPushButton("Set new &password…")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.role_button, self.active_button, self.reset_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        self.add_button.clicked.connect(self._add)
        self.role_button.clicked.connect(self._role)
        self.active_button.clicked.connect(self._toggle_active)
        self.reset_button.clicked.connect(self._reset)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def show_users(self, users: list[UserInfo], message: str = "") -> None:
        chosen = self.selected()
        self.users = users
        self.table.setRowCount(len(users))
        for row, user in enumerate(users):
            last = (
                user.last_login_at.astimezone().strftime("%m/%d/%Y %H:%M")
                if user.last_login_at
                else "never"
            )
            values = [
                user.display_name,
                user.username,
                ROLE_LABELS[user.role],
                user.licence_number or "",
                "active" if user.active else "deactivated",
                last,
            ]
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
            if chosen is not None and user.id == chosen.id:
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        self.message.setText(message)
        self._selection_changed()

    def selected(self) -> UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows and rows[0].row() < len(self.users) else None

    def _selection_changed(self) -> None:
        user = self.selected()
        for button in (self.role_button, self.active_button, self.reset_button):
            button.setEnabled(user is not None)
        if user is not None:
            self.active_button.setText("&Deactivate" if user.active else "Re&activate")
            self.active_button.setEnabled(user.id != self.own_user_id or not user.active)

    # Dialogs are kept on self so tests can answer them without a modal loop.
    def _add(self) -> None:
        self.dialog = UserDialog(self)
        self.dialog.accepted.connect(lambda: self.add_requested.emit(self.dialog))
        self.dialog.open()

    def _role(self) -> None:
        user = self.selected()
        if user is None:
            return
        self.dialog = UserDialog(self, user)
        self.dialog.accepted.connect(lambda: self.role_requested.emit(user.id, self.dialog))
        self.dialog.open()

    def _toggle_active(self) -> None:
        user = self.selected()
        if user is not None:
            self.active_requested.emit(user.id, not user.active)

    def _reset(self) -> None:
        user = self.selected()
        if user is None:
            return
        self.password_dialog = PasswordDialog(
            f"New password for {user.display_name}", ask_current=False, parent=self
        )
        self.password_dialog.accepted.connect(
            lambda: self.reset_requested.emit(user.id, self.password_dialog.password.text())
        )
        self.password_dialog.open()
