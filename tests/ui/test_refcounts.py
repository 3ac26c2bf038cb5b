"""The Qt binding must not leak or drop references to None, True and False.

PySide6 6.12.0 on Python 3.11 dropped one reference to None on each call of a Qt method that
returns void (and to True/False on signal emits). An app session makes millions of such
calls: the interpreter aborted (none_dealloc / bool_dealloc) after a morning of use, or at
the end of a long test run. Python 3.12 makes these objects immortal and hides the bug; 3.11
does not, so this test fails on such a binding before a clinician meets it.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

CALLS = 500


class _Emitter(QObject):
    flag = Signal(bool)
    number = Signal(int)


def _counts() -> tuple[int, int, int]:
    gc.collect()
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


def test_qt_calls_and_signals_keep_the_singletons_alive(qtbot: QtBot) -> None:
    label = QLabel()
    button = QPushButton("Sign")
    tree = QTreeWidget()
    qtbot.addWidget(label)
    qtbot.addWidget(button)
    qtbot.addWidget(tree)
    item = QTreeWidgetItem(["Episode"])
    tree.addTopLevelItem(item)
    seen: list[object] = []
    button.clicked.connect(lambda checked: seen.append(checked))
    emitter = _Emitter()
    emitter.flag.connect(seen.append)
    emitter.number.connect(seen.append)
    before = _counts()
    for _ in range(CALLS):
        label.setText("x")  # returns void
        item.setExpanded(True)
        button.click()  # a C++ signal carrying a bool into Python
        emitter.flag.emit(False)
        emitter.number.emit(3)
    seen.clear()
    after = _counts()
    # Other threads may hold a few references for a moment; a drop of one per call is not that.
    drift = [b - a for a, b in zip(before, after, strict=True)]
    assert all(abs(d) < CALLS // 10 for d in drift), f"None/True/False refcount drift: {drift}"
