"""Each controller, on `Ops.changed`, reads again exactly what its screen shows for that kind
of change, and nothing for changes it does not show. The real controllers and widgets over
recording operations (nothing runs, no database): the test answers what was asked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.domain.enums import Role
from casemanager.domain.errors import DomainError
from casemanager.domain.exercises import ExerciseContent
from casemanager.services.accounts import UserInfo
from casemanager.services.clinic import ClinicOverview
from casemanager.services.context import Actor
from casemanager.services.exercises import ExerciseRecord
from casemanager.ui.ops import Change, Changes
from casemanager.ui.workspace import Workspace
from tests.ui.conftest import cell
from tests.ui.fake_ports import RecordingOps, patient_rows

CHEN = Actor(7, "chen", "Wei Chen, PT", Role.THERAPIST, 1, "ws")
ADMIN = Actor(1, "admin", "Sam Admin", Role.ADMINISTRATOR, 1, "ws")
NO_DATABASE = cast(Database, None)  # the recording operations never run their work

OVERVIEW = "PatientsController.read_overview"
LIST_PAGE = "PatientsController._fetch"
CASELOAD = "CaseloadController._read"  # the figures, shown first
WORKLIST = "CaseloadController._read_worklist"  # then the worklist's first page
USERS = "AdminController._read_users"
AUDIT_ROWS = "AdminController._search_audit"
LIBRARY = "ExercisesController._read"


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
    assert ops.asked() == [LIST_PAGE, CASELOAD, WORKLIST]
    ops.answer(LIST_PAGE, patient_rows(range(1, 4)))
    ops.fail(CASELOAD, DomainError("not needed here"))
    ops.fail(WORKLIST, DomainError("not needed here"))  # the dashboard is ready again
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
    assert ops.asked() == [CASELOAD, WORKLIST]
    ops.fail(CASELOAD, DomainError("not needed here"))
    ops.fail(WORKLIST, DomainError("not needed here"))
    window.show_patients()
    window.views.setCurrentWidget(window.caseload)
    assert ops.asked() == []  # nothing changed meanwhile
    ops.changed.emit(Changes(Change.CASELOAD))  # in sight: at once
    assert ops.asked() == [CASELOAD, WORKLIST]


def test_refresh_reads_every_screen_once(qtbot: QtBot, ops: RecordingOps) -> None:
    workspace = _workspace(qtbot, ops, CHEN)
    ops.answer(LIST_PAGE, patient_rows(range(1, 4)))
    ops.fail(CASELOAD, DomainError("not needed here"))
    ops.fail(WORKLIST, DomainError("not needed here"))
    workspace.window.refresh_action.trigger()  # F5
    assert ops.asked() == [OVERVIEW, LIST_PAGE]  # the caseload's tab is out of sight
    ops.forget()
    assert workspace.window.caseload is not None
    workspace.window.views.setCurrentWidget(workspace.window.caseload)
    assert ops.asked() == [CASELOAD, WORKLIST]


def test_the_administrators_tab_hears_accounts_and_the_audit_log(
    qtbot: QtBot, ops: RecordingOps
) -> None:
    workspace = _workspace(qtbot, ops, ADMIN)
    assert ops.asked() == [USERS, AUDIT_ROWS, LIST_PAGE, CASELOAD]
    ops.forget()
    admin = workspace.admin()
    assert admin.tabs is not None and admin.audit is not None and admin.users is not None
    users = admin.users

    ops.changed.emit(Changes(Change.USERS))  # an account added
    assert ops.asked() == [USERS]
    ops.changed.emit(Changes(Change.PATIENTS))
    assert ops.asked() == [USERS, OVERVIEW, LIST_PAGE]
    ops.answer(USERS, [_user(1, "admin", Role.ADMINISTRATOR), _user(7, "chen", Role.THERAPIST)])
    ops.forget()
    workspace.window.views.setCurrentWidget(admin.tabs)
    admin.tabs.setCurrentWidget(users)

    # Deactivating an account: the list is read again and says what was done.
    users.table.selectRow(1)
    qtbot.mouseClick(users.active_button, Qt.MouseButton.LeftButton)
    assert ops.asked() == ["AdminController._set_active"]
    ops.answer("AdminController._set_active", None)
    assert ops.asked() == [USERS]
    ops.answer(
        USERS,
        [_user(1, "admin", Role.ADMINISTRATOR), _user(7, "chen", Role.THERAPIST, active=False)],
    )
    assert cell(users.table, 1, 4) == "deactivated"
    assert users.message.text() == "Deactivated: they can no longer log in."
    assert users.active_button.text() == "Re&activate"  # the same account still selected

    # Audit rows added while the log is out of sight are read when it is looked at.
    ops.changed.emit(Changes(Change.AUDIT))
    assert ops.asked() == []
    workspace.window.views.setCurrentWidget(admin.tabs)
    admin.tabs.setCurrentWidget(admin.audit)
    assert ops.asked() == [AUDIT_ROWS]


def _exercise(exercise_id: int, name: str, version: int = 1) -> ExerciseRecord:
    return ExerciseRecord(
        exercise_id, None, ExerciseContent(name, "1. Lie on your back."), False, version
    )


def test_an_open_library_reads_again_on_refresh_not_after_its_own_save(
    qtbot: QtBot, ops: RecordingOps
) -> None:
    workspace = _workspace(qtbot, ops, CHEN)
    ops.forget()
    controller = workspace.exercises()
    controller.open_library()
    assert ops.asked() == [LIBRARY]
    ops.answer(LIBRARY, [_exercise(1, "Bird dog"), _exercise(2, "Bridge")])
    dialog = controller.dialog
    assert dialog is not None and dialog.list.count() == 2
    dialog.list.setCurrentRow(1)

    dialog.reps.setValue(12)
    dialog.save_now()
    assert ops.asked() == ["ExercisesController.save"]
    ops.answer("ExercisesController.save", _exercise(2, "Bridge", version=2))
    assert ops.asked() == []  # it shows its own save already: nothing read again

    workspace.window.refresh_action.trigger()  # F5: someone else may have changed it
    assert LIBRARY in ops.asked()
    ops.forget()
    ops.changed.emit(Changes(Change.EXERCISES))
    assert ops.asked() == [LIBRARY]
    ops.answer(LIBRARY, [_exercise(1, "Bird dog"), _exercise(2, "Glute bridge", 3)])
    assert dialog.current is not None and dialog.current.content.name == "Glute bridge"

    dialog.reps.setValue(14)  # typing not yet saved is never replaced by a reload
    ops.changed.emit(Changes(Change.EXERCISES))
    assert ops.asked() == []
    dialog.close()


def _user(user_id: int, username: str, role: Role, active: bool = True) -> UserInfo:
    return UserInfo(user_id, username, username.title(), role, None, active, None)
