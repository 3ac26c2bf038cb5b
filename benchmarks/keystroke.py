"""Keystroke to rows shown: the patient list as the app builds it after a login (main window,
patients controller, operations over the database worker, the listing audit after the rows),
offscreen, driven by typing into its search box.

One run: the search box holds the search without its last character, whose rows are shown
and audited, as after a pause in typing; then the last key, timed until its rows are in the
list and the window has laid them out and painted (one more turn of the event loop). The
typing pause is the app's own (it follows the last answer's time), so it is in the figure.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from casemanager.db.engine import Database
from casemanager.services.context import Actor

GOAL_MS = 100.0  # keystroke to rows shown, the typing pause included


@dataclass(frozen=True)
class Typed:
    median_ms: float
    pause_ms: int  # the typing pause in force for the last key (median)


def _wait(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    from PySide6.QtCore import QCoreApplication

    deadline = time.perf_counter() + timeout_s
    while not condition():
        QCoreApplication.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("the patient list did not show its rows in time")
        time.sleep(0.0002)


def _quiet_offscreen(_kind: object, _context: object, message: str) -> None:
    """The offscreen platform's note on every window shown is not news; anything else is."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def keystroke_to_rows(
    db: Database, actor: Actor, searches: Iterable[str], repeat: int
) -> dict[str, Typed]:
    """The median time from the last key of each search to its rows on screen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from casemanager.ui.ops import Lane, Ops
    from casemanager.ui.workspace import Workspace

    app = QApplication.instance() or QApplication([])
    qInstallMessageHandler(_quiet_offscreen)
    errors: list[BaseException] = []
    ops = Ops(show_error=errors.append)
    workspace = Workspace(ops, db, actor, "Benchmark clinic", errors.append)
    workspace.window.resize(1366, 768)
    workspace.window.show()
    controller = workspace.patients()
    controller.show_list([])  # no therapist filter: every patient, as the service call reads
    patient_list = controller.patient_list
    assert patient_list is not None
    model, audit, search = patient_list.model, controller.listing_audit, patient_list.search

    def settled(text: str) -> Callable[[], bool]:
        def done() -> bool:
            if errors:
                raise RuntimeError(f"the list failed: {errors[0]!r}")
            return (
                model.query.text == text
                and not model.is_loading()
                and audit.waiting() == 0
                and not ops.is_busy(Lane.MAIN)
            )

        return done

    def type_last_key(text: str) -> tuple[float, int]:
        search.setText(text[:-1])
        _wait(settled(text[:-1]))  # its rows shown and audited: a pause in typing
        pause = patient_list.typing_pause_ms()
        started = time.perf_counter()
        search.insert(text[-1])
        _wait(lambda: model.query.text == text and not model.is_loading())
        QCoreApplication.processEvents()  # laid out and painted
        return (time.perf_counter() - started) * 1000, pause

    figures: dict[str, Typed] = {}
    try:
        _wait(settled(""))
        for text in searches:
            type_last_key(text)  # warm
            runs = [type_last_key(text) for _ in range(repeat)]
            figures[text] = Typed(
                statistics.median(ms for ms, _pause in runs),
                round(statistics.median(pause for _ms, pause in runs)),
            )
        _wait(settled(search.text()))
    finally:
        workspace.close()
        ops.shutdown()
        audit.write_waiting()
        QCoreApplication.processEvents()
    del app
    return figures
