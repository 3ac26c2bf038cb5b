"""A patient's rows: the checked fields as stored (the form and the import store the same),
the record and list-row views of a stored patient, and an import's rows written in bulk.
Shared by the patient use cases, the import and the chart."""

from __future__ import annotations

import pickle
import random
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from casemanager.db.bulk import BulkInsert
from casemanager.db.engine import Database
from casemanager.db.models import Clinic, Patient, User
from casemanager.db.types import utcnow
from casemanager.domain import catalogs, phones, validation
from casemanager.domain import field_limits as limits
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import NotFound, ValidationError
from casemanager.domain.mrn import random_mrn
from casemanager.domain.patients import PatientFields, PatientRecord, PatientSummary
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor, Progress, no_progress
from casemanager.services.use_case import patient_case

LANGUAGES = catalogs.LANGUAGE_LABELS  # languages the take-home plan prints in


def phone_region(session: Session, clinic_id: int) -> str:
    """The region whose phone numbers need no "+" (the clinic's setting)."""
    region = session.scalar(select(Clinic.phone_region).where(Clinic.id == clinic_id))
    return region or phones.DEFAULT_REGION


def clinic_phone_region(db: Database, actor: Actor) -> str:
    with db.session() as session:
        return phone_region(session, actor.clinic_id)


def clean_fields(
    fields: PatientFields, today: date, region: str = phones.DEFAULT_REGION
) -> PatientFields:
    """Validate and normalise; raises ValidationError naming the field to fix. Every limit
    comes from domain/field_limits.py, the table the columns are sized from, so whatever
    passes here also fits the database. Phone numbers without "+" are read as numbers of
    `region` (the clinic's)."""
    if fields.preferred_language not in LANGUAGES:
        raise ValidationError(
            "preferred_language",
            "Preferred language must be one the care plan prints in: "
            + ", ".join(LANGUAGES.values())
            + ".",
        )
    # Built afresh rather than with dataclasses.replace: an import runs this per row.
    return PatientFields(
        given_name=validation.validate_person_name("given_name", fields.given_name, "First name"),
        family_name=validation.validate_person_name("family_name", fields.family_name, "Last name"),
        preferred_name=validation.optional_person_name(
            "preferred_name", fields.preferred_name, "Preferred name"
        ),
        date_of_birth=validation.validate_date_of_birth(fields.date_of_birth, today),
        phone=_phone("phone", fields.phone, "Phone", region),
        email=validation.validate_email(
            "email", validation.optional_line("email", fields.email, "Email", limits.EMAIL)
        ),
        address=validation.optional_text("address", fields.address, "Address", limits.ADDRESS),
        emergency_contact_name=validation.optional_line(
            "emergency_contact_name",
            fields.emergency_contact_name,
            "Emergency contact",
            limits.CONTACT_NAME,
        ),
        emergency_contact_phone=_phone(
            "emergency_contact_phone", fields.emergency_contact_phone, "Emergency phone", region
        ),
        referring_physician=validation.optional_line(
            "referring_physician",
            fields.referring_physician,
            "Referring physician",
            limits.CONTACT_NAME,
        ),
        sex=fields.sex,
        preferred_language=fields.preferred_language,
        primary_therapist_id=fields.primary_therapist_id,
        status=fields.status,
    )


def _phone(field: str, value: str | None, label: str, region: str) -> str | None:
    """Length and hidden characters first (they would make a confusing digit count), then
    the phone number rules of the clinic's region."""
    return validation.validate_phone(
        field, validation.optional_line(field, value, label, limits.PHONE), region
    )


# The stored columns filled from a patient's fields, in the order _values gives them.
FIELD_COLUMNS = (
    "given_name",
    "family_name",
    "preferred_name",
    "search_name",
    "date_of_birth",
    "sex",
    "phone",
    "phone_digits",
    "phone_e164",
    "email",
    "address",
    "preferred_language",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_phone_e164",
    "referring_physician",
    "primary_therapist_id",
    "status",
)


def stored_values(fields: PatientFields, region: str) -> tuple[Any, ...]:
    """What is stored for checked fields (the form and the import store the same); phone
    numbers get their E.164 form read in the clinic's `region`."""
    return (
        fields.given_name,
        fields.family_name,
        fields.preferred_name,
        validation.normalize_for_search(
            f"{fields.given_name} {fields.family_name} {fields.preferred_name or ''}"
        ),
        fields.date_of_birth,
        fields.sex,
        fields.phone,
        validation.phone_digits(fields.phone) if fields.phone else None,
        phones.e164_or_none(fields.phone, region),
        fields.email,
        fields.address,
        fields.preferred_language,
        fields.emergency_contact_name,
        fields.emergency_contact_phone,
        phones.e164_or_none(fields.emergency_contact_phone, region),
        fields.referring_physician,
        fields.primary_therapist_id,
        fields.status,
    )


def summary_query() -> Select[Patient, str]:
    return select(Patient, User.display_name).outerjoin(
        User, User.id == Patient.primary_therapist_id
    )


def patient_summary(patient: Patient, therapist_name: str | None) -> PatientSummary:
    return PatientSummary(
        id=patient.id,
        mrn=patient.mrn,
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        phone=patient.phone,
        status=patient.status,
        primary_therapist_id=patient.primary_therapist_id,
        primary_therapist_name=therapist_name,
    )


def open_record(db: Database, actor: Actor, patient_id: int) -> PatientRecord:
    """A patient's record (demographics), refusing one of another clinic: one transaction,
    the read audited. Opening the record and opening the chart both start here."""
    with patient_case(
        db,
        actor,
        patient_id,
        Permission.VIEW_DEMOGRAPHICS,
        AuditAction.READ,
        DataCategory.DEMOGRAPHICS,
    ) as case:
        row = case.session.execute(summary_query().where(Patient.id == patient_id)).one_or_none()
        if row is None or row[0].clinic_id != actor.clinic_id:
            raise NotFound("That patient is not in this clinic's records.")
        case.record()
        return patient_record(row[0], row[1])


def patient_record(patient: Patient, therapist_name: str | None) -> PatientRecord:
    fields = PatientFields(
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        phone=patient.phone,
        email=patient.email,
        address=patient.address,
        preferred_name=patient.preferred_name,
        preferred_language=patient.preferred_language,
        emergency_contact_name=patient.emergency_contact_name,
        emergency_contact_phone=patient.emergency_contact_phone,
        referring_physician=patient.referring_physician,
        primary_therapist_id=patient.primary_therapist_id,
        status=patient.status,
    )
    return PatientRecord(
        patient.id, patient.mrn, fields, therapist_name, patient.version, patient.updated_at
    )


# Rows per statement for bulk work: well under SQLite's 32,766 bound parameters.
_CHUNK = 1000


def new_mrns(session: Session, count: int) -> list[str]:
    """`count` distinct fresh MRNs, none in use: drawn at once and checked a chunk at a time
    (one query per thousand, not one per patient)."""
    rng = random.SystemRandom()
    chosen: set[str] = set()
    while len(chosen) < count:
        drawn = {random_mrn(rng) for _ in range(count - len(chosen))} - chosen
        taken: set[str] = set()
        pending = sorted(drawn)
        for start in range(0, len(pending), _CHUNK):
            chunk = pending[start : start + _CHUNK]
            taken.update(session.scalars(select(Patient.mrn).where(Patient.mrn.in_(chunk))))
        chosen |= drawn - taken
    return list(chosen)


_HEAD_COLUMNS = ("clinic_id", "version", "created_at", "updated_at")
_IMPORT_COLUMNS = ("mrn", "source_identifier", *_HEAD_COLUMNS, *FIELD_COLUMNS)


class ImportRows:
    """The checked patients of an import, each held as the row the database will get, in
    the driver's terms and packed (pickle): 200,000 of them fit in tens of megabytes, and
    nothing is left to work out while the import holds the write lock."""

    def __init__(self, db: Database, actor: Actor, region: str) -> None:
        self.region = region  # phone numbers are read in it, and get their E.164 form
        dialect = db.engine.dialect
        self._insert = BulkInsert(dialect, Patient, _IMPORT_COLUMNS)
        self._fields = BulkInsert(dialect, Patient, FIELD_COLUMNS)
        now = utcnow()
        self._head = BulkInsert(dialect, Patient, _HEAD_COLUMNS).convert(
            (actor.clinic_id, 1, now, now)
        )
        self.packed: list[bytes] = []
        self.lines: dict[str, int] = {}  # source -> the file's row, in the order added

    def add(self, line: int, source: str, fields: PatientFields) -> None:
        row = (source, *self._fields.convert(stored_values(fields, self.region)))
        self.packed.append(pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL))
        self.lines[source] = line

    def __len__(self) -> int:
        return len(self.packed)

    def insert(self, session: Session, packed: list[bytes], mrns: list[str]) -> dict[str, int]:
        """Insert these rows with these MRNs; returns each new patient's id by MRN."""
        rows = []
        for mrn, data in zip(mrns, packed, strict=True):
            source, *fields = pickle.loads(data)  # noqa: S301 - packed by add() above
            rows.append((mrn, source, *self._head, *fields))
        # One statement returning the ids: a look-up after the insert could not rely on the
        # new rows' index statistics (PostgreSQL scanned the growing table for each chunk).
        return dict(self._insert.insert_returning(session, rows, ("mrn", "id")))


def add_imported(
    session: Session,
    actor: Actor,
    checked: ImportRows,
    skip: set[str],
    mrns: list[str],
    progress: Progress = no_progress,
) -> int:
    """An import's checked patients (but those whose source is in `skip`), in the importer's
    transaction, with one audit row each; `mrns` holds one fresh MRN for each. Inserted a
    thousand at a time, the audit rows chained in one go; `progress` hears the rows written.
    Returns how many were added."""
    new = [data for source, data in zip(checked.lines, checked.packed, strict=True)
           if source not in skip]  # fmt: skip
    for start in range(0, len(new), _CHUNK):
        numbers = mrns[start : start + _CHUNK]
        ids = checked.insert(session, new[start : start + _CHUNK], numbers)
        audit.record_many(
            session,
            actor,
            [
                audit.Entry(
                    AuditAction.CREATE, DataCategory.DEMOGRAPHICS, ids[mrn], detail="imported"
                )
                for mrn in numbers
            ],
        )
        progress(start + len(numbers), len(new), "importing")
    progress(len(new), len(new), "importing")
    return len(new)
