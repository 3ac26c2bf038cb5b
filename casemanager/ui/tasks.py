"""One background worker for every database call: the GUI thread never waits on storage.

Calls run one at a time, in order, on a single thread (one writer path, as SQLite wants);
their results come back to callbacks on the GUI thread.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, SignalInstance, Slot

Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class _Worker(QObject):
    done = Signal(int, object, object)  # task id, result, exception
    progress = Signal(int, int)

    @Slot(int, object)
    def run(self, task_id: int, function: Callable[..., Any]) -> None:
        try:
            result = function()
        except Exception as error:  # noqa: BLE001 - handed to the GUI thread, never swallowed
            self.done.emit(task_id, None, error)
        else:
            self.done.emit(task_id, result, None)


class TaskRunner(QObject):
    """`run(fn, on_done, on_error)`: fn runs on the worker thread, callbacks on the GUI thread."""

    _submit = Signal(int, object)
    busy_changed = Signal(bool)

    def __init__(self, default_error: ErrorCallback, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._default_error = default_error
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Callback, ErrorCallback | None]] = {}
        self._thread = QThread()
        self._thread.setObjectName("database-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
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
        function: Callable[[], Any],
        on_done: Callback,
        on_error: ErrorCallback | None = None,
    ) -> None:
        task_id = next(self._ids)
        self._pending[task_id] = (on_done, on_error)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._submit.emit(task_id, function)

    def is_busy(self) -> bool:
        return bool(self._pending)

    @Slot(int, object, object)
    def _finished(self, task_id: int, result: Any, error: BaseException | None) -> None:
        on_done, on_error = self._pending.pop(task_id)
        if not self._pending:
            self.busy_changed.emit(False)
        if error is None:
            on_done(result)
        else:
            (on_error or self._default_error)(error)

    def shutdown(self) -> None:
        self._thread.quit()
        self._thread.wait()
