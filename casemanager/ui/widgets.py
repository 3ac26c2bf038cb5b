"""Small widgets shared by several screens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from casemanager.ui import palette


class FieldError(QLabel):
    """A message shown right under the field it is about; hidden while there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(palette.ERROR_STYLE)
        self.setAccessibleName("Field error")
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))


class ValidatedForm(QWidget):
    """A QFormLayout whose rows each carry an error label, addressed by field name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors: dict[str, FieldError] = {}
        self.fields: dict[str, QWidget] = {}

    def add_row(self, name: str, label: str, field: QWidget) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(field)
        error = FieldError()
        column.addWidget(error)
        caption = QLabel(label)
        # The label names the field for screen readers, and its Alt+key goes to the field
        # (to the first input of a group of inputs: a bare container takes no focus).
        caption.setBuddy(_takes_focus(field))
        field.setAccessibleName(label.replace("&", ""))
        self.form.addRow(caption, holder)
        self.errors[name] = error
        self.fields[name] = field

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.show_message("")

    def show_error(self, name: str, message: str) -> bool:
        """Show beside the field and focus it; False if no such field (caller shows it)."""
        if name not in self.errors:
            return False
        self.errors[name].show_message(message)
        self.fields[name].setFocus()
        return True


def _takes_focus(field: QWidget) -> QWidget:
    if field.focusPolicy() != Qt.FocusPolicy.NoFocus:
        return field
    inputs = [w for w in field.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    return inputs[0] if inputs else field


def name_clear_button(edit: QLineEdit, name: str) -> None:
    """Give the clear button Qt draws in `edit` (setClearButtonEnabled) a name to be read."""
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):
        button.setAccessibleName(name)


def resize_within_screen(window: QWidget, width: int, height: int) -> None:
    """Open at `width` x `height`, or smaller on a small screen (a 1366x768 laptop): a
    window taller than the screen hides its buttons."""
    screen = window.screen()
    if screen is not None:
        area = screen.availableGeometry()
        width = min(width, int(area.width() * 0.92))
        height = min(height, int(area.height() * 0.92))
    window.resize(width, height)


def line_edit(placeholder: str = "", *, password: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def on_any_edit(root: QWidget, slot: Callable[..., None]) -> None:
    """Call `slot` whenever the user changes any input below `root` (for autosave).

    Programmatic fills must run under QSignalBlocker so they are not mistaken for typing.
    """
    for edit in root.findChildren(QLineEdit):
        edit.textEdited.connect(slot)
    for box in root.findChildren(QPlainTextEdit):
        box.textChanged.connect(slot)
    for spin in root.findChildren(QSpinBox):
        spin.valueChanged.connect(slot)
    for moment in root.findChildren(QDateTimeEdit):  # QTimeEdit too: arrows change it
        moment.dateTimeChanged.connect(slot)
    for combo in root.findChildren(QComboBox):
        combo.currentIndexChanged.connect(slot)
    for check in root.findChildren(QCheckBox):
        check.toggled.connect(slot)
    for group in root.findChildren(QGroupBox):
        if group.isCheckable():
            group.toggled.connect(slot)


class _WheelNeedsFocus(QObject):
    """Lets a wheel turned over an unfocused combo or spin box scroll the form instead."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() != QEvent.Type.Wheel
            or not isinstance(watched, QWidget)
            or watched.hasFocus()
        ):
            return False
        area = watched.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None and area.viewport() is not None:
            # Handed straight to the scroll area: Qt passes an ignored wheel on to the parents
            # only for a real wheel, not for one a program (or a test) sends.
            QCoreApplication.sendEvent(area.viewport(), event)
        else:
            event.ignore()
        return True


def wheel_changes_only_focused_boxes(root: QWidget) -> None:
    """Every combo and spin box below `root` changes on the wheel only once it has the focus
    (a click or Tab gives it): scrolling a long form over one must not change an answer."""
    guard = _WheelNeedsFocus(root)
    boxes: list[QWidget] = [*root.findChildren(QComboBox), *root.findChildren(QAbstractSpinBox)]
    for box in boxes:
        box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel does not give it the focus
        box.installEventFilter(guard)
