"""The running app, logged in: every control of the main window and the evaluation window
that the keyboard reaches has a name a screen reader can say, and no Alt+letter is shared."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QMenuBar,
    QTabBar,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from casemanager.services import demo
from casemanager.ui.shell import Shell
from tests.ui.conftest import (
    clinic_with_a_new_patient,
    log_in,
    open_patient_by_mrn,
    start_evaluation,
)
from tests.ui.test_keyboard import MNEMONIC, shared_mnemonics


def unnamed_focusable(root: QWidget) -> list[str]:
    """Each control Tab or a click can reach (and each button, focusable or not) with neither
    a name, a text nor a buddy label."""
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy()}
    missing = []
    for widget in root.findChildren(QWidget):
        reachable = widget.focusPolicy().value != 0 or isinstance(widget, QAbstractButton)
        if not widget.isVisibleTo(root) or not reachable:
            continue
        if widget.focusProxy() is not None or isinstance(widget, QHeaderView | QTabBar):
            continue  # the proxy is what gets named; tabs and headers carry their texts
        parent = widget.parentWidget()
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            continue  # the line edit inside a named box
        named = bool(widget.accessibleName()) or id(widget) in buddies
        if isinstance(widget, QAbstractButton):
            named = named or bool(widget.text().replace("&", "").strip())
        if isinstance(widget, QGroupBox):
            named = named or bool(widget.title())
        if not named:
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_main_and_evaluation_windows_name_every_control(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url, target = clinic_with_a_new_patient(tmp_path / "names.sqlite3")
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None and window.patient_list is not None
    qtbot.keyClicks(window.patient_list.search, "x")  # the clear button shows
    assert unnamed_focusable(window) == []
    window.patient_list.search.clear()
    # The Session toolbar's overflow button (shown on a narrow window) is a checkable button
    # a screen reader would otherwise call an unnamed check box.
    overflow = window.findChild(QToolButton, "qt_toolbar_ext_button")
    assert overflow is not None and overflow.accessibleName() == "More session actions"
    open_patient_by_mrn(qtbot, window, target.mrn)
    assert unnamed_focusable(window) == []
    menus = [action.text() for bar in window.findChildren(QMenuBar) for action in bar.actions()]
    marked = [found for text in menus if (found := MNEMONIC.search(text))]
    letters = [found.group(1).lower() for found in marked]
    assert len(letters) == len(set(letters)), menus
    screen = start_evaluation(qtbot, window)
    assert unnamed_focusable(screen) == []
    assert shared_mnemonics(screen) == {}
