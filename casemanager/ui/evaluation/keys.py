"""Keys that save a therapist's hands: one digit answers a score item and moves on, Enter
in a one-line field goes to the next field, Ctrl+digit jumps to a section, a letter goes to
the tick box it starts, and Tab passes by what a fill has completed.

Scores (Oswestry 0-5, STarT Back 0-1 or 0-4, pain 0-10) are answered with one digit key
each; the focus then moves to the next item by itself. Pain 10 is "1" then "0" within
`TEN_WINDOW_MS`; after "1" alone the focus moves on once that pause has passed (or at the
next key). Backspace or Delete clears an answer back to "—".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QScrollArea, QSpinBox, QWidget

TEN_WINDOW_MS = 900  # "1" then "0" within this is 10

_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(10)}
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_CLEAR = (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)


def next_stop(widget: QWidget) -> QWidget | None:
    """The Tab stop after `widget` in its focus chain (shown, enabled, taking Tab)."""
    following = widget.nextInFocusChain()
    seen: set[int] = set()
    while following is not None and id(following) not in seen and following is not widget:
        seen.add(id(following))
        if (
            following.isVisible()
            and following.isEnabled()
            and following.focusPolicy() & Qt.FocusPolicy.TabFocus
            and following.focusProxy() is None
        ):
            return following
        following = following.nextInFocusChain()
    return None


def move_on(widget: QWidget) -> None:
    """The focus to the next Tab stop after `widget` (as Tab would), if it still has it."""
    if widget.hasFocus():
        following = next_stop(widget)
        if following is not None:
            following.setFocus(Qt.FocusReason.TabFocusReason)


class OneKeyAnswers(QObject):
    """Installed on score boxes (spin boxes with "—" below 0, or combos whose data is the
    score): a digit in range answers, then the focus moves to the next item."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._waiting_ten: QSpinBox | None = None  # a pain box that took "1", may take "0"
        self._ten_timer = QTimer(self)
        self._ten_timer.setSingleShot(True)
        self._ten_timer.setInterval(TEN_WINDOW_MS)
        self._ten_timer.timeout.connect(self._ten_not_typed)

    def watch(self, *boxes: QSpinBox | QComboBox) -> None:
        for box in boxes:
            box.installEventFilter(self)
            hint = "one digit key answers and moves on"
            if isinstance(box, QSpinBox) and box.maximum() >= 10:
                hint += "; 10 is 1 then 0"
            box.setToolTip(f"{box.toolTip()} ({hint}; Backspace clears)".strip())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False  # Ctrl+digit and Alt+letter keep their meaning
        key = event.key()
        if isinstance(watched, QSpinBox):
            return self._spin_key(watched, key)
        if isinstance(watched, QComboBox):
            return self._combo_key(watched, key)
        return False

    def _spin_key(self, spin: QSpinBox, key: int) -> bool:
        if key in _CLEAR:
            self._finish_ten()
            spin.setValue(spin.minimum())
            return True
        digit = _DIGITS.get(Qt.Key(key))
        if digit is None:
            self._finish_ten()
            return False
        if self._waiting_ten is spin and digit == 0 and spin.maximum() >= 10:
            self._ten_timer.stop()
            self._waiting_ten = None
            spin.setValue(10)
            move_on(spin)
            return True
        self._finish_ten()
        if digit > spin.maximum():
            return True  # out of range: refused, the answer stays
        spin.setValue(digit)
        if digit == 1 and spin.maximum() >= 10:
            self._waiting_ten = spin  # maybe the start of 10
            self._ten_timer.start()
        else:
            move_on(spin)
        return True

    def _ten_not_typed(self) -> None:
        spin, self._waiting_ten = self._waiting_ten, None
        if spin is not None:
            move_on(spin)

    def _finish_ten(self) -> None:
        """Another key after a "1": the "1" stands and the focus moves on now."""
        if self._waiting_ten is not None:
            self._ten_timer.stop()
            self._ten_not_typed()

    def _combo_key(self, combo: QComboBox, key: int) -> bool:
        if key in _CLEAR:
            combo.setCurrentIndex(max(0, combo.findData(None)))
            return True
        digit = _DIGITS.get(Qt.Key(key))
        if digit is None:
            return False
        index = combo.findData(digit)
        if index >= 0:
            combo.setCurrentIndex(index)
            move_on(combo)
        return True  # a digit out of range changes nothing


class EnterMovesOn(QObject):
    """Enter in a one-line field or a number box goes to the next field, as Tab does; where
    the next thing to fill is not the next Tab stop (a home exercise's dose comes filled in),
    `jump` names where Enter goes instead."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jumps: dict[QWidget, Callable[[], QWidget | None]] = {}

    def watch(self, *widgets: QLineEdit | QSpinBox | QComboBox) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def jump(self, widget: QWidget, to: Callable[[], QWidget | None]) -> None:
        self._jumps[widget] = to

    def next_for(self, widget: QWidget) -> QWidget | None:
        """Where Enter in `widget` goes (None: the next Tab stop)."""
        to = self._jumps.get(widget)
        return to() if to is not None else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and isinstance(watched, QWidget)
        ):
            if isinstance(watched, QComboBox) and watched.view().isVisible():
                return False  # Enter picks from the open list
            target = self.next_for(watched)
            if target is not None and target.isEnabled() and target.isVisible():
                target.setFocus(Qt.FocusReason.TabFocusReason)
            else:
                move_on(watched)
            return True
        return False


class ArrowGroup(QObject):
    """Tick boxes of one question (the contributing causes, the interventions) as one Tab
    stop: Tab reaches the group once, the arrows (or a box's first letter) move between its
    boxes, Space ticks."""

    def __init__(self, boxes: list[QCheckBox], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.boxes = boxes
        self.stop = boxes[0]  # the box Tab reaches: the last one visited
        for box in boxes:
            box.installEventFilter(self)
            box.setToolTip(
                f"{box.toolTip()} (arrows or a first letter move between the boxes; "
                "Space ticks)".strip()
            )
        self._place_stop(self.stop)

    def _place_stop(self, stop: QCheckBox) -> None:
        self.stop = stop
        for box in self.boxes:
            box.setFocusPolicy(
                Qt.FocusPolicy.StrongFocus if box is stop else Qt.FocusPolicy.ClickFocus
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in self.boxes:
            if watched is not self.stop and isinstance(watched, QCheckBox):
                self._place_stop(watched)
            return False
        if (
            event.type() != QEvent.Type.KeyPress
            or not isinstance(event, QKeyEvent)
            or watched not in self.boxes
            or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            return False
        if event.text().isalpha():
            return self._jump_to_letter(watched, event.text())
        step = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_Left: -1,
        }.get(Qt.Key(event.key()))
        if step is None:
            return False
        index = self.boxes.index(watched) + step
        if 0 <= index < len(self.boxes):
            self.boxes[index].setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def _jump_to_letter(self, watched: QObject, letter: str) -> bool:
        """A letter goes to the next box whose label starts with it (as in a list), after
        the one with the focus and round again; Space still ticks."""
        here = self.boxes.index(watched)  # type: ignore[arg-type]
        count = len(self.boxes)
        for step in range(1, count + 1):
            box = self.boxes[(here + step) % count]
            if box.text().replace("&", "").casefold().startswith(letter.casefold()):
                box.setFocus(Qt.FocusReason.TabFocusReason)
                break
        return True


class SkippedUntilVisited(QObject):
    """Fields a fill has completed (the last episode's history, a template's codes) leave
    the Tab order, so Tab goes to what is still to fill; a click or the field's Alt+letter
    reaches one, and from then on it is a Tab stop again."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kept: dict[QWidget, Qt.FocusPolicy] = {}  # field -> its own focus policy

    def skip(self, widgets: list[QWidget]) -> None:
        for widget in widgets:
            if widget in self._kept or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                continue
            self._kept[widget] = widget.focusPolicy()
            widget.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            widget.installEventFilter(self)

    def is_skipped(self, widget: QWidget) -> bool:
        return widget in self._kept

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in self._kept:
            assert isinstance(watched, QWidget)
            watched.setFocusPolicy(self._kept.pop(watched))
            watched.removeEventFilter(self)
        return False


class KeepInView(QObject):
    """The field the keyboard moved to is scrolled into view, and the one Tab goes to next
    with it when both fit (a one-key answer, Enter, a shortcut or a fill moves the focus, not
    only Tab; the scroll area follows Tab alone). A click leaves the view where it is: the
    field is under the pointer already."""

    def __init__(self, scroller: QScrollArea, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scroller = scroller

    def watch(self, *widgets: QWidget) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.FocusIn
            and isinstance(event, QFocusEvent)
            and isinstance(watched, QWidget)
            and event.reason()
            in (
                Qt.FocusReason.TabFocusReason,
                Qt.FocusReason.BacktabFocusReason,
                Qt.FocusReason.ShortcutFocusReason,
                Qt.FocusReason.OtherFocusReason,
            )
        ):
            self._show(watched)
        return False

    def _show(self, field: QWidget) -> None:
        body, viewport = self.scroller.widget(), self.scroller.viewport()
        following = next_stop(field)
        if following is not None and body is not None and body.isAncestorOf(following):
            top = field.mapTo(body, QPoint(0, 0)).y()
            bottom = following.mapTo(body, QPoint(0, following.height())).y()
            if 0 <= bottom - top <= viewport.height() - 20:
                self.scroller.ensureWidgetVisible(following, 50, 10)
        self.scroller.ensureWidgetVisible(field, 50, 10)


class TypeOverBlank(QObject):
    """A number box showing "—" takes a typed digit wherever the caret is (a click leaves it
    after the dash, where the digit would be refused)."""

    def watch(self, *spins: QSpinBox) -> None:
        for spin in spins:
            spin.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QSpinBox)
            and event.text().isdigit()
            and watched.specialValueText()
            and watched.value() == watched.minimum()
        ):
            line = watched.lineEdit()
            if line is not None:
                line.selectAll()  # the digit replaces the dash
        return False
