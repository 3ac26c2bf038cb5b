"""Log in, create and deactivate user accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casemanager.db.engine import Database
from casemanager.db.models import User
from casemanager.db.types import utcnow
from casemanager.domain import validation
from casemanager.domain.accounts import validate_new_password, validate_username
from casemanager.domain.enums import AuditAction, AuditOutcome, DataCategory, Role
from casemanager.domain.errors import AuthenticationFailed, NotFound, ValidationError
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor

_hasher = PasswordHasher()  # argon2id with the library's defaults (above OWASP's minimum)

# Deliberately vague: never tell a stranger which usernames exist.
LOGIN_FAILED_MESSAGE = "The username or password is not right. Check Caps Lock and try again."


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: Role
    licence_number: str | None
    active: bool
    last_login_at: datetime | None


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: Role
    password: str
    licence_number: str | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_dummy: dict[PasswordHasher, str] = {}


def _dummy_hash() -> str:
    if _hasher not in _dummy:
        _dummy[_hasher] = _hasher.hash("not a real password")
    return _dummy[_hasher]


def _user_info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        licence_number=user.licence_number,
        active=user.active,
        last_login_at=user.last_login_at,
    )


def actor_for(user: User, workstation: str) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        clinic_id=user.clinic_id,
        workstation=workstation,
    )


def authenticate(db: Database, username: str, password: str, workstation: str) -> Actor:
    """Check a password; every attempt, good or bad, is audited."""
    name = (username or "").strip().lower()
    with db.session() as session:
        user = session.scalars(select(User).where(User.username == name)).one_or_none()
        ok = False
        try:
            # An unknown name still costs one hash, so timing does not reveal who exists.
            ok = _hasher.verify(user.password_hash if user else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None or not user.active:
            failed = Actor(
                user_id=user.id if user is not None else None,
                # Never the typed text of an unknown name: people type passwords there.
                username=user.username if user is not None else "(unknown user)",
                display_name=name,
                role=Role.THERAPIST,
                clinic_id=user.clinic_id if user is not None else 0,
                workstation=workstation,
            )
            detail = "account deactivated" if user is not None and not user.active else None
            audit.record(
                session,
                failed,
                AuditAction.LOGIN_FAILED,
                DataCategory.ACCOUNT,
                outcome=AuditOutcome.FAILED,
                detail=detail,
            )
            session.commit()
            raise AuthenticationFailed(LOGIN_FAILED_MESSAGE)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        actor = actor_for(user, workstation)
        audit.record(session, actor, AuditAction.LOGIN, DataCategory.ACCOUNT)
        return actor


def log_out(db: Database, actor: Actor) -> None:
    audit.record_now(db, actor, AuditAction.LOGOUT, DataCategory.ACCOUNT)


def create_user(db: Database, actor: Actor, new: NewUser) -> UserInfo:
    audit.authorize(db, actor, Permission.MANAGE_USERS, AuditAction.CREATE, DataCategory.ACCOUNT)
    username = validate_username(new.username)
    display_name = validation.require_text("display_name", new.display_name, "Full name")
    validate_new_password(new.password, username)
    licence = validation.optional_text("licence_number", new.licence_number, "Licence number", 64)
    if new.role == Role.THERAPIST and not licence:
        raise ValidationError(
            "licence_number", "A therapist needs a licence number: it prints on signed notes."
        )
    with db.session() as session:
        taken = session.scalar(select(func.count()).where(User.username == username))
        if taken:
            raise ValidationError("username", f"The username {username} is already taken.")
        user = User(
            clinic_id=actor.clinic_id,
            username=username,
            display_name=display_name,
            role=new.role,
            licence_number=licence,
            password_hash=hash_password(new.password),
            active=True,
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError:  # created at the same moment on another workstation
            raise ValidationError(
                "username", f"The username {username} is already taken."
            ) from None
        audit.record(
            session,
            actor,
            AuditAction.PERMISSION_CHANGE,
            DataCategory.ACCOUNT,
            detail=f"created user {user.id} as {new.role.value}",
        )
        return _user_info(user)


def list_users(db: Database, actor: Actor, *, role: Role | None = None) -> list[UserInfo]:
    """Names and roles only: anyone logged in may see who works here (to pick a therapist)."""
    with db.session() as session:
        query = select(User).where(User.clinic_id == actor.clinic_id).order_by(User.display_name)
        if role is not None:
            query = query.where(User.role == role)
        return [_user_info(u) for u in session.scalars(query)]


def set_active(db: Database, actor: Actor, user_id: int, active: bool) -> UserInfo:
    """Users are never deleted (their names stay on signed notes), only deactivated."""
    audit.authorize(db, actor, Permission.MANAGE_USERS, AuditAction.UPDATE, DataCategory.ACCOUNT)
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None or user.clinic_id != actor.clinic_id:
            raise NotFound("That user account does not exist.")
        if user.id == actor.user_id and not active:
            raise ValidationError("active", "You cannot deactivate your own account.")
        user.active = active
        audit.record(
            session,
            actor,
            AuditAction.PERMISSION_CHANGE,
            DataCategory.ACCOUNT,
            detail=f"user {user.id} {'activated' if active else 'deactivated'}",
        )
        session.flush()
        return _user_info(user)
