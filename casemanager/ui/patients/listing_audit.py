"""The access audit of the patient list, kept off the way between a search and its rows.

Every page of patients shown gets its audit row ("patient list: N patients listed"), as
before; it is written right after the rows are on screen, in a step of its own on the
database worker. The lists shown while that step waits for its turn join it, so a quick run
of searches costs one write, not one each.

Nothing is dropped: the counts wait here under a lock until a write takes them; a write that
fails gives them back for the next one, logging out writes them before the logout's row
(`flush`), and `write_waiting` writes what is left when the worker has stopped (at quit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

# write(counts): one audit row per list shown, in one transaction (the service call).
Write = Callable[[list[int]], None]
# schedule(step): run `step` on the database worker, after the work already queued there.
Schedule = Callable[[Callable[[], None]], None]


class ListingAudit:
    def __init__(self, write: Write, schedule: Schedule) -> None:
        self._write = write
        self._schedule = schedule
        self._lock = threading.Lock()
        self._waiting: list[int] = []  # patients listed, one count per list shown
        self._scheduled = False

    def shown(self, count: int) -> None:
        """A list of `count` patients is on screen (GUI thread): audit it next."""
        with self._lock:
            self._waiting.append(count)
            if self._scheduled:
                return  # the write on its way takes this one too
            self._scheduled = True
        self._schedule(self.write_waiting)

    def flush(self) -> None:
        """Write what is waiting next on the worker, if no write is on its way already (at
        logout, before the logout's own row; after a failed write gave the counts back)."""
        with self._lock:
            if not self._waiting or self._scheduled:
                return
            self._scheduled = True
        self._schedule(self.write_waiting)

    def waiting(self) -> int:
        """How many lists shown are not audited yet."""
        with self._lock:
            return len(self._waiting)

    def write_waiting(self) -> None:
        """Write every list shown so far (on the worker; at quit, on the GUI thread once the
        worker has stopped). A failed write keeps them waiting, first in line, and raises."""
        with self._lock:
            counts, self._waiting = self._waiting, []
            self._scheduled = False
        if not counts:
            return
        try:
            self._write(counts)
        except BaseException:
            with self._lock:
                self._waiting[:0] = counts
            raise
