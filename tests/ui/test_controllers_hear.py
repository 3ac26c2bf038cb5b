"""Each controller, on `Ops.changed`, reads again exactly what its screen shows for that kind
of change, and nothing for changes it does not show. The real controllers and widgets over
recording operations (nothing runs, no database): the test answers what was asked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.domain.enums import Role
from casemanager.domain.errors import DomainError
from casemanager.services.clinic import ClinicOverview
from casemanager.services.context import Actor
from casemanager.ui.ops import Change, Changes
from casemanager.ui.workspace import Workspace
from tests.ui.fake_ports import RecordingOps
from tests.ui.test_patient_list_fast import _patients

CHEN = Actor(7, "chen", "Wei Chen, PT", Role.THERAPIST, 1, "ws")
ADMIN = Actor(1, "admin", "Sam Admin", Role.ADMINISTRATOR, 1, "ws")
NO_DATABASE = cast(Database, None)  # the recording operations never run their work

OVERVIEW = "PatientsController.read_overview"
LIST_PAGE = "PatientsController._fetch"
CASELOAD = "CaseloadController._read"
USERS = "AdminController._read_users"
AUDIT_ROWS = "AdminController._search_audit"


@pytest.fixture
def ops() -> Iterator[RecordingOps]:
    recording = RecordingOps()
    yield recording
    recording.shutdown()


def _workspace(qtbot: QtBot, ops: RecordingOps, actor: Actor) -> Workspace:
    errors: list[BaseException] = []
    workspace = Workspace(ops, NO_DATABASE, actor, "Riverside PT", errors.append)
    qtbot.addWidget(workspace.window)
    workspace.window.show()
    workspace.load()
    ops.answer(OVERVIEW, ClinicOverview("Riverside PT", False, 120, 80, 12))
    ops.answer("PatientsController.read_therapists", [(7, "Wei Chen, PT")])
    return workspace


def test_a_therapists_screens_each_hear_what_they_show(qtbot: QtBot, ops: RecordingOps) -> None:
    workspace = _workspace(qtbot, ops, CHEN)
    window = workspace.window
    assert window.active.value.text() == "80" and window.mine.value.text() == "12"
    assert ops.asked() == [LIST_PAGE, CASELOAD]
    ops.answer(LIST_PAGE, _patients(range(1, 4)))
    ops.fail(CASELOAD, DomainError("not needed here"))  # the dashboard is ready again
    assert window.views.currentWidget() is not window.caseload  # the patients tab in front

    ops.changed.emit(Changes(Change.PATIENTS))  # e.g. a new patient
    assert ops.asked() == [OVERVIEW, LIST_PAGE]
    ops.answer(OVERVIEW, ClinicOverview("Riverside PT", False, 121, 81, 13))
    assert window.patients.value.text() == "121"
    ops.forget()

    ops.changed.emit(Changes(Change.EPISODES))  # a new episode: the counts may move
    assert ops.asked() == [OVERVIEW]
    ops.forget()

    for unrelated in (Change.EXERCISES, Change.USERS, Change.AUDIT):
        ops.changed.emit(Changes(unrelated))
        assert ops.asked() == [], unrelated
    ops.changed.emit(Changes.chart(99))  # a chart nobody has open
    assert ops.asked() == []

    # The caseload's figures are read when they can be seen, once.
    ops.changed.emit(Changes(Change.CASELOAD))
    assert ops.asked() == []
    assert window.caseload is not None
    window.views.setCurrentWidget(window.caseload)
    assert ops.asked() == [CASELOAD]
    ops.fail(CASELOAD, DomainError("not needed here"))
    window.show_patients()
    window.views.setCurrentWidget(window.caseload)
    assert ops.asked() == []  # nothing changed meanwhile
    ops.changed.emit(Changes(Change.CASELOAD))  # in sight: at once
    assert ops.asked() == [CASELOAD]


def test_refresh_reads_every_screen_once(qtbot: QtBot, ops: RecordingOps) -> None:
    workspace = _workspace(qtbot, ops, CHEN)
    ops.answer(LIST_PAGE, _patients(range(1, 4)))
    ops.fail(CASELOAD, DomainError("not needed here"))
    workspace.window.refresh_action.trigger()  # F5
    assert ops.asked() == [OVERVIEW, LIST_PAGE]  # the caseload's tab is out of sight
    ops.forget()
    assert workspace.window.caseload is not None
    workspace.window.views.setCurrentWidget(workspace.window.caseload)
    assert ops.asked() == [CASELOAD]


def test_the_administrators_tab_hears_accounts_and_the_audit_log(
    qtbot: QtBot, ops: RecordingOps
) -> None:
    workspace = _workspace(qtbot, ops, ADMIN)
    assert ops.asked() == [USERS, AUDIT_ROWS, LIST_PAGE, CASELOAD]
    ops.forget()
    admin = workspace.admin()
    assert admin.tabs is not None and admin.audit is not None

    ops.changed.emit(Changes(Change.USERS))  # an account added
    assert ops.asked() == [USERS]
    ops.forget()
    ops.changed.emit(Changes(Change.PATIENTS))
    assert USERS not in ops.asked()
    ops.forget()

    # Audit rows added while the log is out of sight are read when it is looked at.
    ops.changed.emit(Changes(Change.AUDIT))
    assert ops.asked() == []
    workspace.window.views.setCurrentWidget(admin.tabs)
    admin.tabs.setCurrentWidget(admin.audit)
    assert ops.asked() == [AUDIT_ROWS]
