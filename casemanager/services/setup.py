"""Opening the database and the first run: create my clinic, or explore a demo clinic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from casemanager.db import sqlite_files
from casemanager.db.engine import Database
from casemanager.db.migrate import UpgradeResult, upgrade
from casemanager.db.models import Clinic, Exercise, User
from casemanager.domain import field_limits as limits
from casemanager.domain import phones, validation
from casemanager.domain.accounts import validate_new_password, validate_username
from casemanager.domain.enums import AuditAction, DataCategory, Role
from casemanager.domain.errors import DomainError, WrongPassphrase
from casemanager.services import audit, clashes
from casemanager.services.audit import record_by_clinic_it as record_by_clinic_it
from casemanager.services.content_mappers import add_starter_templates, starter_exercise_rows
from casemanager.services.context import Actor
from casemanager.services.passwords import hash_password
from casemanager.services.use_case import actor_for


@dataclass(frozen=True)
class ClinicInfo:
    id: int
    name: str
    phone: str | None
    email: str | None
    address: str | None
    is_demo: bool
    phone_region: str = phones.DEFAULT_REGION


@dataclass(frozen=True)
class NewClinic:
    name: str
    admin_username: str
    admin_display_name: str
    admin_password: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    phone_region: str = phones.DEFAULT_REGION  # how numbers typed without "+" are read


def open_database(url: str, backup_dir: Path | None) -> tuple[Database, UpgradeResult]:
    """Connect and bring the schema up to date (backing up an existing SQLite file first).
    An existing SQLite file gets SQLite's quick check first: a damaged file is refused with
    what to do, before anything writes to it."""
    db = Database(url)
    try:
        _check_sqlite_file(db, backup_dir)
        result = upgrade(db, backup_dir)
    except BaseException:
        db.dispose()  # close what was opened before handing the failure back
        raise
    if result.from_revision != result.to_revision:
        audit.record_now(
            db,
            Actor.command_line(clinic_id=0),  # before any log-in: the operating-system user
            AuditAction.UPDATE,
            DataCategory.SYSTEM,
            detail=f"schema {result.from_revision or 'empty'} -> {result.to_revision}",
        )
    return db, result


def _check_sqlite_file(db: Database, backup_dir: Path | None) -> None:
    path = db.sqlite_path
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return
    problem = sqlite_files.problems(path, quick=True, key=db.passphrase)
    if problem is None:
        return
    if db.is_encrypted and problem.startswith("the passphrase"):
        raise WrongPassphrase(
            f"That passphrase does not open {path}. Type it again: capitals and spaces count."
        )
    where = f" The daily backups are in {backup_dir / 'daily'}." if backup_dir else ""
    raise DomainError(
        f"The database file {path} is damaged: {problem}. Nothing was changed. Ask clinic IT "
        f"to restore the latest backup with `casemanager-admin restore BACKUP_FILE`.{where}"
    )


def clinic_info(db: Database) -> ClinicInfo | None:
    """The clinic this database holds, or None on a fresh database."""
    with db.session() as session:
        clinic = session.scalars(select(Clinic).order_by(Clinic.id).limit(1)).one_or_none()
        if clinic is None:
            return None
        return ClinicInfo(
            clinic.id,
            clinic.name,
            clinic.phone,
            clinic.email,
            clinic.address,
            clinic.is_demo,
            clinic.phone_region,
        )


def create_clinic(db: Database, new: NewClinic, workstation: str) -> Actor:
    """Create the clinic and its first administrator; returns that administrator, logged in."""
    name = validation.require_text("clinic_name", new.name, "Clinic name", limits.CLINIC_NAME)
    username = validate_username(new.admin_username)
    display_name = validation.require_text(
        "display_name", new.admin_display_name, "Your name", limits.STAFF_NAME
    )
    validate_new_password(new.admin_password, username)
    region = phones.validate_region("phone_region", new.phone_region)
    phone = phones.parse("phone", new.phone, region)
    email = validation.validate_email("email", new.email)
    address = validation.optional_text("address", new.address, "Address", limits.CLINIC_ADDRESS)
    # Created on another workstation at the same moment: the database keeps one clinic.
    with clashes.translated(db, category=DataCategory.CLINIC), db.session() as session:
        if session.scalar(select(func.count()).select_from(Clinic)):
            raise DomainError("This database already holds a clinic.")
        clinic = Clinic(
            name=name,
            phone=phone.as_typed if phone else None,
            phone_e164=phone.e164 if phone else None,
            phone_region=region,
            email=email,
            address=address,
            is_demo=False,
        )
        session.add(clinic)
        session.flush()
        admin = User(
            clinic_id=clinic.id,
            username=username,
            display_name=display_name,
            role=Role.ADMINISTRATOR,
            password_hash=hash_password(new.admin_password),
            active=True,
        )
        session.add(admin)
        session.flush()
        actor = actor_for(admin, workstation)
        audit.record(
            session, actor, AuditAction.CREATE, DataCategory.CLINIC, detail="clinic created"
        )
        audit.record(session, actor, AuditAction.LOGIN, DataCategory.ACCOUNT)
        session.add_all(Exercise(**row) for row in starter_exercise_rows(clinic.id))
        add_starter_templates(session, clinic.id)
    return actor
