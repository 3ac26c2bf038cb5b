"""Log in (with waits after repeated wrong passwords), change passwords, and manage user
accounts: create, deactivate, change role. Every change of who may do what is audited as a
permission change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import User
from casemanager.db.types import utcnow
from casemanager.domain import field_limits as limits
from casemanager.domain import validation
from casemanager.domain.accounts import (
    describe_wait,
    validate_new_password,
    validate_username,
    wait_after,
)
from casemanager.domain.enums import AuditAction, AuditOutcome, DataCategory, Role
from casemanager.domain.errors import AuthenticationFailed, ConflictError, NotFound, ValidationError
from casemanager.domain.permissions import Permission
from casemanager.services import audit, clashes, passwords
from casemanager.services.context import Actor
from casemanager.services.passwords import hash_password
from casemanager.services.use_case import actor_for, use_case

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


def authenticate(db: Database, username: str, password: str, workstation: str) -> Actor:
    """Check a password; every attempt, good or bad, is audited. After FREE_ATTEMPTS wrong
    passwords in a row the account waits (domain/accounts.wait_after) before it may try
    again; the right password resets the count."""
    name = (username or "").strip().lower()
    now = utcnow()
    with db.session() as session:
        user = _account(session, name)
        if user is not None and user.locked_until is not None and user.locked_until > now:
            _refuse_login(session, user, name, workstation, f"waiting after {user.failed_logins}")
            raise AuthenticationFailed(
                f"Too many wrong passwords for this account. Wait "
                f"{describe_wait(user.locked_until - now)} and try again, or ask an "
                "administrator to reset the password."
            )
        ok = passwords.matches(user.password_hash if user else None, password)
        if not ok or user is None or not user.active:
            detail = None
            if user is not None and not user.active:
                detail = "account deactivated"
            elif user is not None:
                detail = _count_wrong_password(session, user, now)
            _refuse_login(session, user, name, workstation, detail)
            raise AuthenticationFailed(LOGIN_FAILED_MESSAGE)
        _record_login(session, user, password, now)
        actor = actor_for(user, workstation)
        audit.record(session, actor, AuditAction.LOGIN, DataCategory.ACCOUNT)
        return actor


def _account(session: Session, name: str) -> User | None:
    """The account with this username; None for text that cannot be one (a NUL or a pasted
    page is an unknown user, not a database error)."""
    try:
        validate_username(name)
    except ValidationError:
        return None
    return session.scalars(select(User).where(User.username == name)).one_or_none()


def _record_login(session: Session, user: User, password: str, now: datetime) -> None:
    """Note the login on the account with a plain UPDATE: logging in is not an edit of the
    account, so it does not bump its version. Two workstations logging in to one account at
    once (or one while an administrator edits it) never conflict; the last time wins."""
    values: dict[str, object] = {"last_login_at": now, "failed_logins": 0, "locked_until": None}
    if passwords.needs_rehash(user.password_hash):
        values["password_hash"] = hash_password(password)
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _count_wrong_password(session: Session, user: User, now: datetime) -> str:
    """One more wrong password in a row (and the wait it brings); returns the audit detail."""
    failures = user.failed_logins + 1
    wait = wait_after(failures)
    # A plain UPDATE: counting a wrong password is not an edit of the account, so an
    # administrator's open edit of this user is not refused for it.
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1, locked_until=now + wait if wait else None)
        .execution_options(synchronize_session=False)
    )
    return f"wrong password {failures} in a row" + (
        f", waits {describe_wait(wait)}" if wait else ""
    )


def _refuse_login(
    session: Session, user: User | None, name: str, workstation: str, detail: str | None
) -> None:
    """Audit a refused login and commit it (with the count), before the refusal is raised."""
    failed = Actor(
        user_id=user.id if user is not None else None,
        # Never the typed text of an unknown name: people type passwords there.
        username=user.username if user is not None else "(unknown user)",
        display_name=name,
        role=Role.THERAPIST,
        clinic_id=user.clinic_id if user is not None else 0,
        workstation=workstation,
    )
    audit.record(
        session,
        failed,
        AuditAction.LOGIN_FAILED,
        DataCategory.ACCOUNT,
        outcome=AuditOutcome.FAILED,
        detail=detail,
    )
    session.commit()


def log_out(db: Database, actor: Actor) -> None:
    audit.record_now(db, actor, AuditAction.LOGOUT, DataCategory.ACCOUNT)


def create_user(db: Database, actor: Actor, new: NewUser) -> UserInfo:
    with use_case(
        db, actor, Permission.MANAGE_USERS, AuditAction.CREATE, DataCategory.ACCOUNT
    ) as case:
        username = validate_username(new.username)
        display_name = validation.require_text(
            "display_name", new.display_name, "Full name", limits.STAFF_NAME
        )
        validate_new_password(new.password, username)
        licence = validation.optional_text(
            "licence_number", new.licence_number, "Licence number", limits.LICENCE
        )
        if new.role == Role.THERAPIST and not licence:
            raise ValidationError(
                "licence_number", "A therapist needs a licence number: it prints on signed notes."
            )
        session = case.session
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
        case.record(
            f"created user {user.id} as {new.role.value}", action=AuditAction.PERMISSION_CHANGE
        )
        return _user_info(user)


def list_users(db: Database, actor: Actor, *, role: Role | None = None) -> list[UserInfo]:
    """Names and roles only: anyone logged in may see who works here (to pick a therapist)."""
    with db.session() as session:
        query = select(User).where(User.clinic_id == actor.clinic_id).order_by(User.display_name)
        if role is not None:
            query = query.where(User.role == role)
        return [_user_info(u) for u in session.scalars(query)]


def _managed_user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.clinic_id != actor.clinic_id:
        raise NotFound("That user account does not exist.")
    return user


def _keep_an_administrator(session: Session, user: User) -> None:
    """Refuse a change that would leave the clinic with no active administrator: nobody
    could manage accounts or read the audit log any more."""
    if user.role != Role.ADMINISTRATOR or not user.active:
        return
    others = session.scalar(
        select(func.count()).where(
            User.clinic_id == user.clinic_id,
            User.role == Role.ADMINISTRATOR,
            User.active.is_(True),
            User.id != user.id,
        )
    )
    if not others:
        raise ValidationError(
            "role",
            f"{user.display_name} is the clinic's only active administrator. Make another "
            "user an administrator first.",
        )


def set_active(db: Database, actor: Actor, user_id: int, active: bool) -> UserInfo:
    """Users are never deleted (their names stay on signed notes), only deactivated."""
    with use_case(
        db, actor, Permission.MANAGE_USERS, AuditAction.UPDATE, DataCategory.ACCOUNT
    ) as case:
        session = case.session
        user = _managed_user(session, actor, user_id)
        if user.id == actor.user_id and not active:
            raise ValidationError("active", "You cannot deactivate your own account.")
        if not active:
            _keep_an_administrator(session, user)
        user.active = active
        case.record(
            f"user {user.id} {'activated' if active else 'deactivated'}",
            action=AuditAction.PERMISSION_CHANGE,
        )
        session.flush()
        return _user_info(user)


def set_role(
    db: Database, actor: Actor, user_id: int, role: Role, licence_number: str | None = None
) -> UserInfo:
    """Change what a user may do. Takes effect at their next login."""
    with use_case(
        db, actor, Permission.MANAGE_USERS, AuditAction.UPDATE, DataCategory.ACCOUNT
    ) as case:
        licence = validation.optional_text(
            "licence_number", licence_number, "Licence number", limits.LICENCE
        )
        session = case.session
        user = _managed_user(session, actor, user_id)
        if user.role == role:
            return _user_info(user)
        if user.id == actor.user_id:
            raise ValidationError(
                "role", "You cannot change your own role: ask another administrator."
            )
        _keep_an_administrator(session, user)
        licence = licence or user.licence_number
        if role == Role.THERAPIST and not licence:
            raise ValidationError(
                "licence_number", "A therapist needs a licence number: it prints on signed notes."
            )
        before = user.role
        user.role, user.licence_number = role, licence
        case.record(
            f"user {user.id} role {before.value} -> {role.value}",
            action=AuditAction.PERMISSION_CHANGE,
        )
        session.flush()
        return _user_info(user)


def change_password(db: Database, actor: Actor, current: str, new: str) -> None:
    """A user changes their own password; the current one is checked first."""
    with clashes.translated(db, explain=_account_changed), db.session() as session:
        user = session.get(User, actor.user_id) if actor.user_id is not None else None
        if user is None or not user.active:
            raise NotFound(
                "Your account is not active any more."
                + (
                    " Another administrator can turn it back on."
                    if actor.role == Role.ADMINISTRATOR
                    else " Ask an administrator."
                )
            )
        if not passwords.matches(user.password_hash, current):
            # Counted like a wrong login: an unlocked session is no way round the waits.
            counted = _count_wrong_password(session, user, utcnow())
            audit.record(
                session,
                actor,
                AuditAction.UPDATE,
                DataCategory.ACCOUNT,
                outcome=AuditOutcome.FAILED,
                detail=f"password change: current password wrong ({counted})",
            )
            session.commit()
            raise ValidationError("current", "Your current password is not right. Try again.")
        validate_new_password(new, user.username)
        if new == current:
            raise ValidationError("password", "Choose a password different from the current one.")
        user.password_hash = hash_password(new)
        audit.record(
            session, actor, AuditAction.UPDATE, DataCategory.ACCOUNT, detail="password changed"
        )


def _account_changed(_session: Session) -> ConflictError:
    return ConflictError(
        "Your account was changed on another workstation at this very moment (by an "
        "administrator), so the new password was not saved. Type it again and save."
    )


def reset_password(db: Database, actor: Actor, user_id: int, new: str) -> UserInfo:
    """An administrator sets a new password for someone who forgot theirs (and so lifts any
    wait after wrong passwords). The user should change it at their next login."""
    with use_case(
        db, actor, Permission.MANAGE_USERS, AuditAction.UPDATE, DataCategory.ACCOUNT
    ) as case:
        if user_id == actor.user_id:
            raise ValidationError(
                "password",
                "Change your own password with File → Change password: it asks for the current "
                "one.",
            )
        session = case.session
        user = _managed_user(session, actor, user_id)
        validate_new_password(new, user.username)
        user.password_hash = hash_password(new)
        user.failed_logins, user.locked_until = 0, None
        case.record(f"user {user.id} password reset", action=AuditAction.PERMISSION_CHANGE)
        session.flush()
        return _user_info(user)
