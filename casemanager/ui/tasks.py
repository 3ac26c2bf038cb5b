"""One background worker for every database call: the GUI thread never waits on storage.

Calls run one at a time, in order, on a single thread (one writer path, as SQLite wants);
their results come back to callbacks on the GUI thread.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, SignalInstance, Slot

T = TypeVar("T")
Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class _Worker(QObject):
    """Runs each task; its outcome waits in `outcomes` and only the task id crosses threads,
    so no Python object (a result, an exception and its traceback) is marshalled by Qt."""

    done = Signal(int)
    progress = Signal(int, int)

    def __init__(self) -> None:
        super().__init__()
        self.functions: dict[int, Callable[[], Any]] = {}
        self.outcomes: dict[int, tuple[Any, BaseException | None]] = {}

    @Slot(int)
    def run(self, task_id: int) -> None:
        function = self.functions.pop(task_id)
        try:
            self.outcomes[task_id] = (function(), None)
        except Exception as error:  # noqa: BLE001 - handed to the GUI thread, never swallowed
            self.outcomes[task_id] = (None, error)
        self.done.emit(task_id)


class TaskRunner(QObject):
    """`run(fn, on_done, on_error)`: fn runs on the worker thread, callbacks on the GUI thread."""

    _submit = Signal(int)

    def __init__(
        self,
        default_error: ErrorCallback,
        parent: QObject | None = None,
        name: str = "database",
    ) -> None:
        super().__init__(parent)
        self._default_error = default_error
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Callback, ErrorCallback | None]] = {}
        self._thread = QThread(self)
        self._thread.setObjectName(f"{name}-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._submit.connect(self._worker.run)
        self._worker.done.connect(self._finished)
        self._thread.start()

    @property
    def progress(self) -> SignalInstance:
        """Emitted (done, total) by tasks that report progress through `report_progress`."""
        return self._worker.progress

    def report_progress(self, done: int, total: int) -> None:
        """Thread-safe: call from inside a task."""
        self._worker.progress.emit(done, total)

    def run(
        self,
        function: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: ErrorCallback | None = None,
    ) -> None:
        task_id = next(self._ids)
        self._pending[task_id] = (on_done, on_error)
        self._worker.functions[task_id] = function
        self._submit.emit(task_id)

    def is_busy(self) -> bool:
        return bool(self._pending)

    @Slot(int)
    def _finished(self, task_id: int) -> None:
        result, error = self._worker.outcomes.pop(task_id)
        on_done, on_error = self._pending.pop(task_id)
        if error is None:
            on_done(result)
        else:
            (on_error or self._default_error)(error)

    def shutdown(self) -> None:
        self._thread.quit()
        self._thread.wait()
