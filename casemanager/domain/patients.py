"""Patients as the forms and lists see them: plain data, no storage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from casemanager.domain.enums import PatientStatus, Sex


@dataclass(frozen=True, slots=True)  # slots: an import holds hundreds of thousands
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


_DATE_SEPARATORS = ("-", "/", ".")


def parse_search_date(text: str, today: date | None = None) -> date | None:
    """1988-02-29, 02/29/1988 or 2/29/88 (US order); a two-digit year is the most recent past
    one. Only text with separators counts, so an MRN or phone number is never read as a date."""
    text = text.strip()
    separator = next((s for s in _DATE_SEPARATORS if s in text), None)
    if separator is None:
        return None
    parts = text.split(separator)
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        if len(parts[0]) == 4:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        month, day, year = (int(p) for p in parts)
        if len(parts[2]) == 2:
            this_year = (today or date.today()).year
            year += 2000 if 2000 + year <= this_year else 1900
        elif len(parts[2]) != 4:
            return None
        return date(year, month, day)
    except ValueError:
        return None


_TYPED_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d+)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date_of_birth(text: str, label: str = "Date of birth") -> date:
    """A birth date as people type it or other systems export it: MM/DD/YYYY (also M/D/YYYY,
    with - or . between) or YYYY-MM-DD. A two-digit year is refused rather than guessed: a
    birth date could be in either century. Raises ValueError with a message saying what to
    write instead."""
    typed = text.strip()
    if not typed:
        raise ValueError(f"{label} is required.")
    iso = _ISO_DATE.match(typed)
    us = _TYPED_DATE.match(typed)
    if iso is not None:
        year, month, day = (int(iso.group(i)) for i in (1, 2, 3))
    elif us is not None:
        if len(us.group(4)) != 4:
            raise ValueError(
                f"{label} {typed} has a {len(us.group(4))}-digit year: write the year with "
                "four digits (MM/DD/YYYY, for example 03/27/1961), so 1925 and 2025 cannot "
                "be mixed up."
            )
        month, day, year = (int(us.group(i)) for i in (1, 3, 4))
    else:
        shown = typed if len(typed) <= 40 else typed[:40] + "…"
        raise ValueError(
            f"{label} {shown!r} is not a date: write it as MM/DD/YYYY, for example 03/27/1961 "
            "(or YYYY-MM-DD)."
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(
            f"There is no date {typed}. Check the month and the day (MM/DD/YYYY)."
        ) from None
