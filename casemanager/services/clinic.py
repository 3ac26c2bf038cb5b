"""What the main window shows on arrival: the clinic, and how many patients it cares for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from casemanager.db.engine import Database
from casemanager.db.models import Clinic, EpisodeOfCare, Patient, User
from casemanager.domain.enums import (
    AuditAction,
    DataCategory,
    EpisodeStatus,
    PatientStatus,
    Role,
)
from casemanager.domain.errors import NotFound
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor


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
    audit.authorize(db, actor, Permission.VIEW_CASELOAD, AuditAction.READ, DataCategory.CLINICAL)
    with db.session() as session:
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
