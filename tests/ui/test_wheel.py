"""The mouse wheel scrolls a form; it changes a combo or spin box only once that box has the
focus. Driven with real wheel events sent to the widgets."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from casemanager.ui.evaluation.form import EvaluationForm
from tests.ui.test_keyboard import FORMS as SCREENS


def turn_wheel(widget: QWidget, notches: int) -> None:
    """As a mouse wheel over the middle of `widget` does (negative: towards the user)."""
    from PySide6.QtGui import QWheelEvent

    middle = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        middle,
        QPointF(widget.mapToGlobal(middle.toPoint())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def _value(box: QWidget) -> object:
    if isinstance(box, QComboBox):
        return box.currentIndex()
    if isinstance(box, QDateTimeEdit):
        return box.dateTime()
    assert isinstance(box, QAbstractSpinBox)
    return box.text()


def test_the_wheel_scrolls_the_evaluation_over_an_answer_it_does_not_change(
    qtbot: QtBot,
) -> None:
    form = EvaluationForm(date(2026, 11, 20), [])
    qtbot.addWidget(form)
    form.resize(1000, 700)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    form.chief_complaint.setFocus()
    bar = form.scroller.verticalScrollBar()
    spin = form.odi[2]
    form.scroller.ensureWidgetVisible(spin)
    combo = form.sbst[0]
    before = bar.value()
    turn_wheel(spin, -1)
    turn_wheel(spin, -1)
    assert form.content().odi_sections[2] is None  # still "—"
    assert bar.value() > before  # the form scrolled instead
    form.scroller.ensureWidgetVisible(combo)
    before = bar.value()
    turn_wheel(combo, -1)
    assert combo.currentText() == "—"
    assert bar.value() > before
    # A click gives the box the focus: then the wheel is its own.
    form.scroller.ensureWidgetVisible(spin)
    qtbot.mouseClick(spin, Qt.MouseButton.LeftButton, pos=QPoint(8, spin.height() // 2))
    assert spin.hasFocus()
    turn_wheel(spin, 1)
    assert form.content().odi_sections[2] is not None


@pytest.mark.parametrize("name", list(SCREENS))
def test_no_box_changes_under_a_wheel_without_the_focus(qtbot: QtBot, name: str) -> None:
    screen = SCREENS[name]()
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    boxes = [
        box
        for box in [*screen.findChildren(QComboBox), *screen.findChildren(QAbstractSpinBox)]
        if box.isVisible() and box.isEnabled()
    ]
    assert boxes or name in ("log in", "chart", "accounts", "change password")  # none there
    for box in boxes:
        # The wheel never gives the focus (a box off the Tab order takes it by a click).
        assert box.focusPolicy() in (
            Qt.FocusPolicy.StrongFocus,
            Qt.FocusPolicy.ClickFocus,
        ), box.accessibleName()
        before = _value(box)
        turn_wheel(box, 1)
        turn_wheel(box, -1)
        turn_wheel(box, -1)
        assert _value(box) == before, f"{box.accessibleName()} in {name}"
