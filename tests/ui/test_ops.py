"""Operations on the real worker thread: a change is heard by every screen once it has
succeeded, with what it changed; a read or a refused change is heard by none."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from casemanager.domain.errors import ValidationError
from casemanager.ui.ops import Change, Changes, Lane, Ops


def _ops(qtbot: QtBot) -> tuple[Ops, list[BaseException], list[Changes]]:
    errors: list[BaseException] = []
    ops = Ops(show_error=errors.append)
    heard: list[Changes] = []
    ops.changed.connect(heard.append)
    return ops, errors, heard


def test_a_change_is_heard_after_its_own_callback(qtbot: QtBot) -> None:
    ops, errors, heard = _ops(qtbot)
    order: list[str] = []
    worker: list[str] = []

    def work() -> int:
        worker.append(threading.current_thread().name)
        return 7

    ops.changed.connect(lambda _changes: order.append("heard"))
    ops.change(work, Changes.chart(7, Change.PATIENTS), lambda value: order.append(f"done {value}"))
    qtbot.waitUntil(lambda: len(heard) == 1)
    assert order == ["done 7", "heard"]
    assert worker != [threading.current_thread().name]  # ran off the GUI thread
    (changes,) = heard
    assert changes.touches(Change.PATIENTS) and changes.touches(Change.AUDIT)
    assert changes.touches_chart(7) and not changes.touches_chart(8)
    assert not changes.touches(Change.CASELOAD) and errors == []
    ops.shutdown()


def test_what_changed_can_come_from_the_result(qtbot: QtBot) -> None:
    ops, _errors, heard = _ops(qtbot)
    ops.change(lambda: 42, lambda patient_id: Changes.chart(patient_id))
    qtbot.waitUntil(lambda: len(heard) == 1)
    assert heard[0].patient_ids == frozenset({42})
    ops.shutdown()


def test_reads_and_refused_changes_are_heard_by_nobody(qtbot: QtBot) -> None:
    ops, errors, heard = _ops(qtbot)
    got: list[str] = []
    refused: list[BaseException] = []

    def refuse() -> None:
        raise ValidationError("date_of_birth", "Date of birth is in the future.")

    ops.read(lambda: "rows", got.append)
    ops.change(refuse, Changes(Change.PATIENTS), failed=refused.append)
    ops.change(refuse, Changes(Change.PATIENTS))  # no handler: the error dialog's callback
    ops.read(lambda: "last", got.append, lane=Lane.CASELOAD)
    qtbot.waitUntil(lambda: len(got) == 2 and len(errors) == 1)
    qtbot.wait(50)
    assert heard == [] and sorted(got) == ["last", "rows"]
    assert isinstance(refused[0], ValidationError) and isinstance(errors[0], ValidationError)
    ops.shutdown()


def test_refresh_reaches_every_chart(qtbot: QtBot) -> None:
    ops, _errors, heard = _ops(qtbot)
    ops.refresh_all()
    assert heard[0].touches_chart(12345) and heard[0].touches(Change.CASELOAD | Change.USERS)
    assert not Changes(Change.PATIENTS).touches_chart(12345)
    ops.shutdown()
