"""Searching as you type, on real widgets over a real database: the typing pause follows how
fast the last search answered, an answer to an older search never replaces a newer one, and
every list shown is audited, right after its rows are on screen (at quit too).

No timing is asserted: a clock the test moves says how long an answer took, and the database
worker is held at a gate so that answers arrive in the order the test needs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import AuditEntry
from casemanager.domain.enums import AuditAction, AuditOutcome, DataCategory
from casemanager.domain.patients import PatientQuery, PatientSummary
from casemanager.services import accounts, audit_log, demo, patients
from casemanager.ui.ops import Lane
from casemanager.ui.patients.list_widget import (
    SEARCH_DELAY_MS,
    SHORTEST_PAUSE_MS,
    PatientListWidget,
)
from casemanager.ui.patients.model import PatientIdRole, PatientTableModel
from casemanager.ui.shell import Shell
from tests.ui.conftest import log_in

TODAY = date(2026, 11, 26)
LISTED = "patient list:%"


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "clinic.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=60, seed=5, today=TODAY)
    db.dispose()
    yield path


class Clock:
    """Seconds, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_typing_pause_follows_how_fast_the_last_search_answered(
    qtbot: QtBot, clinic: Path
) -> None:
    db = Database(f"sqlite:///{clinic}")
    actor = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    asked: list[tuple[str, Callable[[], None]]] = []

    def fetch(query: PatientQuery, offset: int, limit: int, deliver: Callable) -> None:
        def answer() -> None:
            deliver(patients.find_patients(db, actor, query, offset=offset, limit=limit))

        asked.append((query.text, answer))

    clock = Clock()
    model = PatientTableModel(fetch, page_size=100, clock=clock)  # one page: 60 patients
    widget = PatientListWidget(model, [], my_user_id=None)
    qtbot.addWidget(widget)
    widget.show()
    pause = widget._debounce
    assert widget.typing_pause_ms() == SEARCH_DELAY_MS  # nothing answered yet: the longest

    def answer_after(seconds: float) -> None:
        clock.now += seconds
        asked[-1][1]()

    widget.apply_filters()
    answer_after(0.004)  # a 4 ms answer: twice that is under a keystroke's gap
    assert model.rowCount() > 0
    qtbot.keyClicks(widget.search, "a")
    assert pause.isActive() and pause.interval() == SHORTEST_PAUSE_MS

    qtbot.keyClick(widget.search, Qt.Key.Key_Return)  # asked at once
    assert not pause.isActive() and asked[-1][0] == "a"
    answer_after(0.040)
    qtbot.keyClicks(widget.search, "n")
    assert pause.interval() == 80  # twice 40 ms

    qtbot.keyClick(widget.search, Qt.Key.Key_Return)
    stale = asked[-1][1]
    qtbot.keyClicks(widget.search, "a")
    qtbot.keyClick(widget.search, Qt.Key.Key_Return)  # "ana" asked before "an" answered
    clock.now += 0.001
    stale()  # "an" answers after "ana" was asked: dropped, and its time not taken
    assert model.last_answer_seconds == pytest.approx(0.040)
    answer_after(0.500)  # a slow answer: the pause goes to its longest
    assert model.query.text == "ana"
    qtbot.keyClicks(widget.search, "a")
    assert pause.interval() == SEARCH_DELAY_MS
    db.dispose()


# -- the app: its controller, its database worker, its audit ----------------------------------


@pytest.fixture
def manager_list(
    qtbot: QtBot, clinic: Path, make_application: Callable[[str], Shell]
) -> tuple[Shell, PatientListWidget]:
    application = make_application(f"sqlite:///{clinic}")
    log_in(qtbot, application, "manager", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None and window.patient_list is not None
    patient_list = window.patient_list
    model = patient_list.model
    qtbot.waitUntil(lambda: model.rowCount() > 0 and not model.is_loading(), timeout=20_000)
    _settled(qtbot, application)
    return application, patient_list


def _settled(qtbot: QtBot, application: Shell) -> None:
    """Every list shown so far audited: nothing waits on the database worker."""
    workspace = application.workspace
    assert workspace is not None
    audit = workspace.listing_audit()
    assert audit is not None
    qtbot.waitUntil(
        lambda: audit.waiting() == 0 and not application.ops.is_busy(Lane.MAIN),
        timeout=20_000,
    )


def _listings(clinic: Path) -> list[AuditEntry]:
    db = Database(f"sqlite:///{clinic}")
    try:
        with db.session() as session:
            return list(
                session.scalars(
                    select(AuditEntry).where(AuditEntry.detail.like(LISTED)).order_by(AuditEntry.id)
                )
            )
    finally:
        db.dispose()


def _one_patient(clinic: Path) -> PatientSummary:
    db = Database(f"sqlite:///{clinic}")
    try:
        actor = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
        return patients.find_patients(db, actor, PatientQuery(), limit=1)[0]
    finally:
        db.dispose()


def _search(qtbot: QtBot, patient_list: PatientListWidget, text: str) -> None:
    """Type, then Return: asked at once, not after the typing pause."""
    patient_list.search.setText(text)
    qtbot.keyClick(patient_list.search, Qt.Key.Key_Return)


def _answered(qtbot: QtBot, model: PatientTableModel, text: str) -> None:
    qtbot.waitUntil(lambda: model.query.text == text and not model.is_loading(), timeout=20_000)


def test_an_answer_to_an_older_search_never_replaces_a_newer_one(
    qtbot: QtBot, clinic: Path, manager_list: tuple[Shell, PatientListWidget]
) -> None:
    application, patient_list = manager_list
    model = patient_list.model
    target = _one_patient(clinic)
    before = len(_listings(clinic))
    shown: list[list[int]] = []
    model.page_loaded.connect(
        lambda _n: shown.append([model.index(r, 0).data(PatientIdRole) for r in range(_n)])
    )
    gate = threading.Event()
    application.ops.read(lambda: gate.wait(30), lambda _opened: None)  # holds the worker

    _search(qtbot, patient_list, "a")  # waits behind the gate
    _search(qtbot, patient_list, target.mrn)  # asked before "a" is answered
    gate.set()
    qtbot.waitUntil(lambda: not model.is_loading() and model.rowCount() == 1, timeout=20_000)
    _settled(qtbot, application)

    assert shown == [[target.id]]  # the rows of "a" never reached the screen
    listed = _listings(clinic)[before:]
    assert len(listed) == 2  # yet both searches were read, so both are audited
    assert listed[-1].detail == "patient list: 1 patients listed"


def test_each_list_is_audited_right_after_its_rows_are_shown(
    qtbot: QtBot, clinic: Path, manager_list: tuple[Shell, PatientListWidget]
) -> None:
    application, patient_list = manager_list
    model = patient_list.model
    target = _one_patient(clinic)
    before = len(_listings(clinic))
    audited_when_shown: list[int] = []
    model.page_loaded.connect(lambda _n: audited_when_shown.append(len(_listings(clinic)) - before))

    counts = []
    for text in ("a", target.family_name, "no such patient"):
        _search(qtbot, patient_list, text)
        _answered(qtbot, model, text)
        counts.append(model.rowCount())
    _settled(qtbot, application)

    # Each list's own audit row was not written yet when its rows came on screen, and the
    # list before it had been audited by then.
    assert audited_when_shown == [0, 1, 2]
    listed = _listings(clinic)[before:]
    actor = application.actor
    assert actor is not None
    assert [
        (
            e.user_id,
            e.actor,
            e.workstation,
            e.patient_id,
            e.action,
            e.data_category,
            e.outcome,
            e.detail,
        )
        for e in listed
    ] == [
        (
            actor.user_id,
            "manager",
            application.workstation,
            None,
            AuditAction.READ,
            DataCategory.DEMOGRAPHICS,
            AuditOutcome.SUCCESS,
            f"patient list: {n} patients listed",
        )
        for n in counts
    ]
    assert counts[0] > counts[1] >= 1 and counts[2] == 0
    db = Database(f"sqlite:///{clinic}")
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD, "ws")
    assert audit_log.verify_chain(db, admin).broken is None
    db.dispose()


def test_lists_not_yet_audited_at_quit_are_audited_then(
    qtbot: QtBot,
    clinic: Path,
    manager_list: tuple[Shell, PatientListWidget],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    application, patient_list = manager_list
    model = patient_list.model
    workspace = application.workspace
    assert workspace is not None
    audit = workspace.listing_audit()
    assert audit is not None
    held: list[Callable[[], None]] = []
    monkeypatch.setattr(audit, "_schedule", held.append)  # the worker never gets to it
    before = len(_listings(clinic))

    _search(qtbot, patient_list, "a")
    _answered(qtbot, model, "a")
    shown = model.rowCount()
    assert len(held) == 1 and audit.waiting() == 1 and len(_listings(clinic)) == before

    window = application.main_window
    assert window is not None
    window.log_out_action.trigger()  # the login ends with its list not yet audited
    application.shutdown()

    listed = _listings(clinic)[before:]
    assert [(e.actor, e.detail) for e in listed] == [
        ("manager", f"patient list: {shown} patients listed")
    ]
    assert audit.waiting() == 0
