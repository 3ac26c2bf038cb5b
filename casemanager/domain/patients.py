"""Patients as the forms and lists see them: plain data, no storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from casemanager.domain.enums import PatientStatus, Sex


@dataclass(frozen=True)
class PatientFields:
    """What the front desk or therapist types for a patient."""

    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    preferred_name: str | None = None
    preferred_language: str = "en"
    emergency_contact_name: str | None = None
    emergency_contact_phone: str | None = None
    referring_physician: str | None = None
    primary_therapist_id: int | None = None
    status: PatientStatus = PatientStatus.ACTIVE


@dataclass(frozen=True)
class PatientSummary:
    """One row of the patient list."""

    id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    phone: str | None
    status: PatientStatus
    primary_therapist_id: int | None
    primary_therapist_name: str | None

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class PatientRecord:
    """The whole demographic record, with the version to hand back on update."""

    id: int
    mrn: str
    fields: PatientFields
    primary_therapist_name: str | None
    version: int
    updated_at: datetime


class PatientSort(StrEnum):
    """Columns the patient list sorts by, in SQL (never by loading every row)."""

    NAME = "name"
    MRN = "mrn"
    DATE_OF_BIRTH = "date_of_birth"
    STATUS = "status"
    THERAPIST = "therapist"


@dataclass(frozen=True)
class PatientQuery:
    """What the patient list shows: the search box, its filters and its sort order."""

    text: str = ""
    status: PatientStatus | None = None
    therapist_id: int | None = None
    sort: PatientSort = PatientSort.NAME
    descending: bool = False
