from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, User
from casemanager.domain.enums import AuditAction, AuditOutcome, Role
from casemanager.domain.errors import AuthenticationFailed, PermissionDenied, ValidationError
from casemanager.services import accounts, setup
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
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher())
    setup.create_clinic(
        db, setup.NewClinic("Clinic", "owner", "Owner", TEST_PASSWORD), workstation="ws"
    )
    with db.session() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert TEST_PASSWORD not in stored
    assert accounts.authenticate(db, "owner", TEST_PASSWORD, "ws").username == "owner"
