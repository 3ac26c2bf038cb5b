"""Operations: every database call of the screens, run off the GUI thread, and for each change
what it touched.

A *read* fetches data for one screen. A *change* is one user action (a service call that
writes); it says what it changed (`Changes`), and once it has succeeded `Ops.changed` tells
every screen, whose controller refreshes what it shows. No screen tells another to refresh.

The work runs on a `TaskRunner` (one worker thread per lane, only task ids cross threads);
failures keep the three-way split of `messages`: a refusal the caller shows beside its field,
an environment problem in a calm dialog, a bug with a report.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Signal, SignalInstance

from casemanager.ui.tasks import ErrorCallback, TaskRunner

T = TypeVar("T")


class Change(enum.Flag):
    """What a change may have touched, as the screens see it."""

    NOTHING = 0
    PATIENTS = enum.auto()  # who is registered, their status, name or therapist (the list)
    CHART = enum.auto()  # one patient's chart: the ids are in `Changes.patient_ids`
    EPISODES = enum.auto()  # episodes opened or discharged, visits, evaluations signed
    CASELOAD = enum.auto()  # the caseload's figures and worklist
    EXERCISES = enum.auto()  # the exercise library
    USERS = enum.auto()  # accounts and roles
    AUDIT = enum.auto()  # the audit log: every change writes to it
    # A draft evaluation filled from outside its window (an intake confirmed from the chart):
    # a window showing that patient's draft reads it again. Its typing never says this.
    DRAFTS = enum.auto()


@dataclass(frozen=True)
class Changes:
    """What one change touched; `patient_ids` names the charts when `CHART` is in `what`
    (none named: every chart, as after Refresh)."""

    what: Change = Change.NOTHING
    patient_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, what: Change, patients: Iterable[int] = ()) -> Changes:
        ids = frozenset(patients)
        return cls(what | Change.CHART if ids else what, ids)

    @classmethod
    def chart(cls, patient_id: int, also: Change = Change.NOTHING) -> Changes:
        """One patient's chart, and whatever else the action moved."""
        return cls.of(also, (patient_id,))

    @classmethod
    def everything(cls) -> Changes:
        """Refresh: every screen reads again what it shows."""
        return cls(~Change.NOTHING)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.what | other.what, self.patient_ids | other.patient_ids)

    def touches(self, what: Change) -> bool:
        return bool(self.what & what)

    def touches_chart(self, patient_id: int | None) -> bool:
        if patient_id is None or not self.what & Change.CHART:
            return False
        return not self.patient_ids or patient_id in self.patient_ids


NO_CHANGE = Changes()

# What the usual actions touch, named once so every controller says the same.
EPISODE_MOVED = Change.PATIENTS | Change.EPISODES | Change.CASELOAD  # status may change too


class Lane(enum.Enum):
    """Which worker thread runs an operation. Each lane runs its work one at a time, in order;
    lanes run side by side, so a slow query or a batch never holds up typing and autosave."""

    MAIN = "database"
    CASELOAD = "caseload"
    ADMIN = "audit-log"
    BATCH = "batch"
    BACKUP = "backup"


def _ignore(_result: object) -> None:
    return None


class Ops(QObject):
    """The screens' one way to the database. `changed` carries a `Changes`."""

    changed = Signal(object)  # Changes (object: never a Signal(bool), see ECOSYSTEM-NOTES)

    def __init__(self, show_error: ErrorCallback, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show_error = show_error
        self._runners: dict[Lane, TaskRunner] = {}
        self.runner(Lane.MAIN)  # started now: opening the database runs on it

    def runner(self, lane: Lane) -> TaskRunner:
        """The lane's worker, started on first use."""
        runner = self._runners.get(lane)
        if runner is None:
            runner = TaskRunner(default_error=self._show_error, parent=self, name=lane.value)
            self._runners[lane] = runner
        return runner

    def progress(self, lane: Lane = Lane.MAIN) -> SignalInstance:
        """(done, total) from work that reports through `report_progress(lane)`."""
        return self.runner(lane).progress

    def report_progress(self, lane: Lane = Lane.MAIN) -> Callable[[int, int], None]:
        return self.runner(lane).report_progress

    def is_busy(self, lane: Lane) -> bool:
        runner = self._runners.get(lane)
        return runner is not None and runner.is_busy()

    def read(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: ErrorCallback | None = None,
        lane: Lane = Lane.MAIN,
    ) -> None:
        """Fetch something: `done(result)` on the GUI thread, or `failed(error)` (without
        `failed`, the error dialog)."""
        self.runner(lane).run(work, done, failed)

    def change(
        self,
        work: Callable[[], T],
        changes: Changes | Callable[[T], Changes],
        done: Callable[[T], None] = _ignore,
        failed: ErrorCallback | None = None,
        lane: Lane = Lane.MAIN,
    ) -> None:
        """Do one user action; once it succeeded, `done(result)`, then every screen hears what
        it changed (`changes`, or worked out from the result)."""

        def succeeded(result: T) -> None:
            done(result)
            said = changes(result) if callable(changes) else changes
            self.changed.emit(said | Changes(Change.AUDIT))

        self.runner(lane).run(work, succeeded, failed)

    def after_all_queued(self, step: Callable[[], None]) -> None:
        """Run `step` on every lane started so far, after the work already queued there (at
        logout: whatever a lane still had to do for the last user is done before it)."""
        for runner in self._runners.values():
            runner.run(step, _ignore)

    def once_all_queued(self, step: Callable[[], None]) -> None:
        """Run `step` once, on the last lane to finish the work already queued on every lane
        (at logout: the database pool is closed once no lane still holds a connection for the
        last user; closed on each lane in turn, one lane's would go back to the old pool)."""
        runners = list(self._runners.values())
        waiting = [len(runners)]
        lock = threading.Lock()

        def reached() -> None:
            with lock:
                waiting[0] -= 1
                last = waiting[0] == 0
            if last:
                step()

        for runner in runners:
            runner.run(reached, _ignore)

    def refresh_all(self) -> None:
        """The user asked for Refresh (F5): every screen reads again."""
        self.changed.emit(Changes.everything())

    def shutdown(self) -> None:
        for runner in self._runners.values():
            runner.shutdown()
