"""The clinic: what the main window shows on arrival (how many patients it cares for), and
its name and contact details, which an administrator keeps up to date."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from casemanager.db.engine import Database
from casemanager.db.models import Clinic, EpisodeOfCare, Patient, User
from casemanager.domain import field_limits as limits
from casemanager.domain import phones, validation
from casemanager.domain.enums import (
    AuditAction,
    DataCategory,
    EpisodeStatus,
    PatientStatus,
    Role,
)
from casemanager.domain.errors import ConflictError, NotFound
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor
from casemanager.services.use_case import use_case


@dataclass(frozen=True)
class ClinicOverview:
    clinic_name: str
    is_demo: bool
    patients: int
    active_patients: int
    my_active_patients: int | None  # for a therapist: their own caseload


@dataclass(frozen=True)
class TherapistCaseload:
    therapist_id: int
    therapist_name: str
    active_patients: int
    open_episodes: int


def overview(db: Database, actor: Actor) -> ClinicOverview:
    with db.session() as session:
        clinic = session.get(Clinic, actor.clinic_id)
        if clinic is None:
            raise NotFound("This clinic no longer exists in the database.")
        active = Patient.status == PatientStatus.ACTIVE
        mine = Patient.primary_therapist_id == actor.user_id
        total, active_count, my_count = session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((active, 1), else_=0)), 0),
                func.coalesce(func.sum(case((active & mine, 1), else_=0)), 0),
            ).where(Patient.clinic_id == actor.clinic_id)
        ).one()
        return ClinicOverview(
            clinic_name=clinic.name,
            is_demo=clinic.is_demo,
            patients=int(total),
            active_patients=int(active_count),
            my_active_patients=int(my_count) if actor.role == Role.THERAPIST else None,
        )


def caseload_by_therapist(db: Database, actor: Actor) -> list[TherapistCaseload]:
    """Active patients and open episodes per therapist: two grouped counts, joined by id."""
    with use_case(
        db, actor, Permission.VIEW_CASELOAD, AuditAction.READ, DataCategory.CLINICAL
    ) as case:
        session = case.session
        patients = (
            select(Patient.primary_therapist_id.label("tid"), func.count().label("n"))
            .where(Patient.clinic_id == actor.clinic_id, Patient.status == PatientStatus.ACTIVE)
            .group_by(Patient.primary_therapist_id)
            .subquery()
        )
        episodes = (
            select(EpisodeOfCare.therapist_id.label("tid"), func.count().label("n"))
            .where(EpisodeOfCare.status == EpisodeStatus.OPEN)
            .group_by(EpisodeOfCare.therapist_id)
            .subquery()
        )
        rows = session.execute(
            select(
                User.id,
                User.display_name,
                func.coalesce(patients.c.n, 0),
                func.coalesce(episodes.c.n, 0),
            )
            .outerjoin(patients, patients.c.tid == User.id)
            .outerjoin(episodes, episodes.c.tid == User.id)
            .where(User.clinic_id == actor.clinic_id, User.role == Role.THERAPIST)
            .order_by(User.display_name)
        )
        return [TherapistCaseload(r[0], r[1], int(r[2]), int(r[3])) for r in rows]


@dataclass(frozen=True)
class ClinicDetails:
    """What prints in every document's header."""

    name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    # How phone numbers typed without "+" are read in every form of the clinic (a region
    # code such as US or PR); None keeps the clinic's current one.
    phone_region: str | None = None


_CHANGED_ELSEWHERE = (
    "The clinic details were changed on another workstation while you were editing. Your "
    "text is kept: reload to see theirs, then save again."
)


def update_details(
    db: Database, actor: Actor, expected_version: int | None, details: ClinicDetails
) -> int:
    """Change the clinic's name and contact details; returns the new version. Documents
    printed from then on carry them (signed records themselves do not change)."""
    with use_case(
        db,
        actor,
        Permission.MANAGE_CLINIC,
        AuditAction.UPDATE,
        DataCategory.SYSTEM,
        clash=lambda _session: ConflictError(_CHANGED_ELSEWHERE),  # at the same moment
    ) as case:
        name = validation.require_text("name", details.name, "Clinic name", limits.CLINIC_NAME)
        email = validation.validate_email("email", details.email)
        address = validation.optional_text(
            "address", details.address, "Address", limits.CLINIC_ADDRESS
        )
        session = case.session
        clinic = session.get(Clinic, actor.clinic_id)
        if clinic is None:
            raise NotFound("This clinic no longer exists in the database.")
        if expected_version is not None and clinic.version != expected_version:
            raise ConflictError(_CHANGED_ELSEWHERE)
        region = (
            clinic.phone_region
            if details.phone_region is None
            else phones.validate_region("phone_region", details.phone_region)
        )
        phone = phones.parse("phone", details.phone, region)
        clinic.name, clinic.email, clinic.address = name, email, address
        clinic.phone = phone.as_typed if phone else None
        clinic.phone_e164 = phone.e164 if phone else None
        clinic.phone_region = region
        audit.record(
            session, actor, AuditAction.UPDATE, DataCategory.SYSTEM, detail="clinic details"
        )
        session.flush()
        return clinic.version
