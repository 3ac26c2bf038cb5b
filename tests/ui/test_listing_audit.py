"""The patient list's access audit, written after the rows: a failed write is never the end
of it, and a logout has what its user saw written first."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from casemanager.ui.patients.listing_audit import ListingAudit


class Worker:
    """Steps queued as the database worker would run them, in order, when the test says."""

    def __init__(self) -> None:
        self.queue: list[Callable[[], None]] = []

    def schedule(self, step: Callable[[], None]) -> None:
        self.queue.append(step)

    def run(self) -> None:
        queue, self.queue = self.queue, []
        for step in queue:
            step()


def test_a_failed_write_is_written_again_when_flushed_and_lists_join_one_write() -> None:
    worker, written, fail = Worker(), [], [True]

    def write(counts: list[int]) -> None:
        if fail[0]:
            raise OSError("disk full")
        written.append(list(counts))

    audit = ListingAudit(write, worker.schedule)
    audit.shown(12)
    audit.shown(3)  # joins the write already on its way
    assert len(worker.queue) == 1
    with pytest.raises(OSError):
        worker.run()
    assert audit.waiting() == 2 and written == []  # given back, not dropped
    fail[0] = False
    audit.flush()  # e.g. at logout
    audit.flush()  # a second flush while one is on its way queues nothing more
    assert len(worker.queue) == 1
    worker.run()
    assert written == [[12, 3]] and audit.waiting() == 0


def test_flush_with_nothing_waiting_queues_nothing() -> None:
    worker = Worker()
    audit = ListingAudit(lambda _counts: None, worker.schedule)
    audit.flush()
    assert worker.queue == []
