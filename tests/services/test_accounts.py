from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, User
from casemanager.domain.accounts import wait_after
from casemanager.domain.enums import AuditAction, AuditOutcome, Role
from casemanager.domain.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from casemanager.services import accounts, passwords, setup
from casemanager.services.context import Actor
from tests.conftest import TEST_PASSWORD, Staff


def _audit(db: Database) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_login_and_failed_login_are_audited(db: Database, staff: Staff) -> None:
    actor = accounts.authenticate(db, "  RIVERA ", TEST_PASSWORD, "front-desk")
    assert actor.username == "rivera" and actor.role == Role.THERAPIST
    with pytest.raises(AuthenticationFailed, match="username or password is not right"):
        accounts.authenticate(db, "rivera", "wrong password", "front-desk")
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(db, "nobody", TEST_PASSWORD, "front-desk")
    rows = _audit(db)[-3:]
    assert [(r.action, r.outcome, r.actor) for r in rows] == [
        (AuditAction.LOGIN, AuditOutcome.SUCCESS, "rivera"),
        (AuditAction.LOGIN_FAILED, AuditOutcome.FAILED, "rivera"),
        (AuditAction.LOGIN_FAILED, AuditOutcome.FAILED, "(unknown user)"),
    ]
    assert rows[0].workstation == "front-desk"


def test_deactivated_user_cannot_log_in(db: Database, staff: Staff) -> None:
    assert staff.therapist.user_id is not None
    accounts.set_active(db, staff.admin, staff.therapist.user_id, False)
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(db, "rivera", TEST_PASSWORD, "ws")
    assert _audit(db)[-1].detail == "account deactivated"
    accounts.set_active(db, staff.admin, staff.therapist.user_id, True)
    assert accounts.authenticate(db, "rivera", TEST_PASSWORD, "ws").user_id is not None


def test_a_deactivated_account_is_told_whom_to_ask(db: Database, staff: Staff) -> None:
    """A therapist asks an administrator; an administrator is not sent to ask one."""
    second = accounts.create_user(
        db, staff.admin, accounts.NewUser("ops2", "Second Admin", Role.ADMINISTRATOR, TEST_PASSWORD)
    )
    ops2 = accounts.authenticate(db, "ops2", TEST_PASSWORD, "ws")
    assert staff.therapist.user_id is not None
    for user_id in (staff.therapist.user_id, second.id):
        accounts.set_active(db, staff.admin, user_id, False)
    with pytest.raises(NotFound) as therapist_told:
        accounts.change_password(db, staff.therapist, TEST_PASSWORD, "another long password")
    assert "Ask an administrator" in therapist_told.value.message
    with pytest.raises(NotFound) as admin_told:
        accounts.change_password(db, ops2, TEST_PASSWORD, "another long password")
    assert "Ask an administrator" not in admin_told.value.message
    assert "Another administrator can turn it back on" in admin_told.value.message
    accounts.set_active(db, staff.admin, staff.therapist.user_id, True)


def test_only_administrators_manage_users(db: Database, staff: Staff) -> None:
    new = accounts.NewUser("kim", "Ji-woo Kim, PT", Role.THERAPIST, TEST_PASSWORD, "PT-9")
    with pytest.raises(PermissionDenied, match="may not manage user accounts"):
        accounts.create_user(db, staff.manager, new)
    denied = _audit(db)[-1]
    assert (denied.outcome, denied.actor) == (AuditOutcome.DENIED, "manager")
    created = accounts.create_user(db, staff.admin, new)
    assert created.username == "kim" and created.active


@pytest.mark.parametrize(
    ("username", "password", "licence", "field"),
    [
        ("", TEST_PASSWORD, "PT-1", "username"),
        ("has space", TEST_PASSWORD, "PT-1", "username"),
        ("rivera", TEST_PASSWORD, "PT-1", "username"),  # taken
        ("newbie", "short", "PT-1", "password"),
        ("newbie", "newbie", "PT-1", "password"),
        ("newbie", TEST_PASSWORD, None, "licence_number"),
    ],
)
def test_create_user_validation(
    db: Database, staff: Staff, username: str, password: str, licence: str | None, field: str
) -> None:
    new = accounts.NewUser(username, "New Person", Role.THERAPIST, password, licence)
    with pytest.raises(ValidationError) as error:
        accounts.create_user(db, staff.admin, new)
    assert error.value.field == field


def test_cannot_deactivate_self(db: Database, staff: Staff) -> None:
    assert staff.admin.user_id is not None
    with pytest.raises(ValidationError, match="your own account"):
        accounts.set_active(db, staff.admin, staff.admin.user_id, False)


def test_production_hash_is_argon2id(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher())
    setup.create_clinic(
        db, setup.NewClinic("Clinic", "owner", "Owner", TEST_PASSWORD), workstation="ws"
    )
    with db.session() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert TEST_PASSWORD not in stored
    assert accounts.authenticate(db, "owner", TEST_PASSWORD, "ws").username == "owner"


# -- waits after wrong passwords ------------------------------------------------------------


def _user(db: Database, username: str) -> User:
    with db.session() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def _wait_over(db: Database, username: str) -> None:
    """As if the wait had passed (the clock is not ours to move)."""
    with db.session() as session:
        session.execute(
            update(User)
            .where(User.username == username)
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )


def test_waits_grow_after_five_wrong_passwords(db: Database, staff: Staff) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed, match="not right"):
            accounts.authenticate(db, "rivera", "wrong password", "ws")
    assert _user(db, "rivera").locked_until is None
    with pytest.raises(AuthenticationFailed, match="not right"):
        accounts.authenticate(db, "rivera", "wrong password", "ws")
    user = _user(db, "rivera")
    assert user.failed_logins == 5 and user.locked_until is not None
    assert timedelta(seconds=25) < user.locked_until - datetime.now(UTC) <= timedelta(seconds=30)
    # Even the right password waits: that is what makes guessing slow.
    with pytest.raises(AuthenticationFailed, match="Wait 3\\d seconds|Wait 2\\d seconds"):
        accounts.authenticate(db, "rivera", TEST_PASSWORD, "ws")
    _wait_over(db, "rivera")
    with pytest.raises(AuthenticationFailed, match="not right"):
        accounts.authenticate(db, "rivera", "wrong again", "ws")
    user = _user(db, "rivera")
    assert user.failed_logins == 6 and user.locked_until is not None
    assert user.locked_until - datetime.now(UTC) > timedelta(seconds=55)
    _wait_over(db, "rivera")
    assert accounts.authenticate(db, "rivera", TEST_PASSWORD, "ws").username == "rivera"
    user = _user(db, "rivera")
    assert (user.failed_logins, user.locked_until) == (0, None)
    details = [e.detail for e in _audit(db) if e.action == AuditAction.LOGIN_FAILED]
    assert "wrong password 5 in a row, waits 30 seconds" in details
    assert "waiting after 5" in details


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (4, 0), (5, 30), (6, 60), (8, 240), (9, 480), (10, 900), (60, 900)],
)
def test_wait_after(failures: int, seconds: int) -> None:
    assert wait_after(failures) == timedelta(seconds=seconds)


def test_an_administrator_reset_lifts_the_wait(db: Database, staff: Staff) -> None:
    for _ in range(6):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(db, "nguyen", "wrong password", "ws")
    user_id = _user(db, "nguyen").id
    with pytest.raises(PermissionDenied):
        accounts.reset_password(db, staff.manager, user_id, "a brand new secret")
    with pytest.raises(ValidationError, match="at least"):
        accounts.reset_password(db, staff.admin, user_id, "short")
    accounts.reset_password(db, staff.admin, user_id, "a brand new secret")
    assert accounts.authenticate(db, "nguyen", "a brand new secret", "ws").username == "nguyen"
    assert f"user {user_id} password reset" in [e.detail for e in _audit(db)]


def test_changing_ones_own_password(db: Database, staff: Staff) -> None:
    with pytest.raises(ValidationError, match="current password is not right"):
        accounts.change_password(db, staff.therapist, "not it", "another long secret")
    with pytest.raises(ValidationError, match="at least"):
        accounts.change_password(db, staff.therapist, TEST_PASSWORD, "short")
    with pytest.raises(ValidationError, match="different"):
        accounts.change_password(db, staff.therapist, TEST_PASSWORD, TEST_PASSWORD)
    accounts.change_password(db, staff.therapist, TEST_PASSWORD, "another long secret")
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(db, "rivera", TEST_PASSWORD, "ws")
    assert accounts.authenticate(db, "rivera", "another long secret", "ws").username == "rivera"
    details = [(e.detail, e.outcome) for e in _audit(db) if e.actor == "rivera"]
    assert (
        "password change: current password wrong (wrong password 1 in a row)",
        AuditOutcome.FAILED,
    ) in details
    # Not round the current password: an administrator's own reset is refused.
    assert staff.admin.user_id is not None
    with pytest.raises(ValidationError, match="Change your own password"):
        accounts.reset_password(db, staff.admin, staff.admin.user_id, "new long password")
    assert ("password changed", AuditOutcome.SUCCESS) in details


def test_stored_hash_follows_new_parameters(
    db: Database, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _user(db, "rivera").password_hash
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=3, memory_cost=8192))
    accounts.authenticate(db, "rivera", TEST_PASSWORD, "ws")
    after = _user(db, "rivera").password_hash
    assert after != before and "m=8192,t=3" in after
    assert accounts.authenticate(db, "rivera", TEST_PASSWORD, "ws").username == "rivera"


# -- roles --------------------------------------------------------------------------------------


def test_changing_a_role_is_a_permission_change(db: Database, staff: Staff) -> None:
    nguyen = _user(db, "nguyen").id
    with pytest.raises(PermissionDenied):
        accounts.set_role(db, staff.manager, nguyen, Role.ADMINISTRATOR)
    changed = accounts.set_role(db, staff.admin, nguyen, Role.OFFICE_MANAGER)
    assert changed.role == Role.OFFICE_MANAGER
    assert accounts.authenticate(db, "nguyen", TEST_PASSWORD, "ws").role == Role.OFFICE_MANAGER
    entry = [e for e in _audit(db) if e.action == AuditAction.PERMISSION_CHANGE][-1]
    assert entry.detail == f"user {nguyen} role therapist -> office_manager"
    assert entry.actor == "admin"
    # Back to therapist keeps the licence number on record.
    assert accounts.set_role(db, staff.admin, nguyen, Role.THERAPIST).licence_number


def test_a_clinic_always_keeps_an_administrator(db: Database, staff: Staff) -> None:
    admin_id = staff.admin.user_id
    assert admin_id is not None
    with pytest.raises(ValidationError, match="own role"):
        accounts.set_role(db, staff.admin, admin_id, Role.OFFICE_MANAGER)
    # Clinic IT at the command line has no account of its own to fall back on.
    terminal = Actor.command_line(staff.admin.clinic_id)
    with pytest.raises(ValidationError, match="only active administrator"):
        accounts.set_role(db, terminal, admin_id, Role.OFFICE_MANAGER)
    with pytest.raises(ValidationError, match="only active administrator"):
        accounts.set_active(db, terminal, admin_id, False)
    manager = _user(db, "manager").id
    accounts.set_role(db, terminal, manager, Role.ADMINISTRATOR)
    accounts.set_role(db, terminal, admin_id, Role.OFFICE_MANAGER)  # another admin remains
    assert _user(db, "admin").role == Role.OFFICE_MANAGER


def test_role_changes_reach_a_session_already_open(db: Database, staff: Staff) -> None:
    from casemanager.services import evaluations, patients

    manager = _user(db, "manager").id
    accounts.set_active(db, staff.admin, manager, False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        patients.count_patients(db, staff.manager)  # logged in before the deactivation
    accounts.set_active(db, staff.admin, manager, True)
    assert patients.count_patients(db, staff.manager) == 0
    evaluations.search_codes(db, staff.therapist2, "spasm")
    accounts.set_role(db, staff.admin, _user(db, "nguyen").id, Role.OFFICE_MANAGER)
    with pytest.raises(PermissionDenied, match="office manager may not"):
        evaluations.search_codes(db, staff.therapist2, "spasm")
