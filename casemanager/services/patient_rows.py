"""A patient's rows: the checked fields as stored (the form and the import store the same),
the record and list-row views of a stored patient, and an import's rows written in bulk.
Shared by the patient use cases, the import and the chart."""

from __future__ import annotations

import pickle
import random
import zlib
from array import array
from collections.abc import Iterator, Sequence
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
from casemanager.domain.mrn import make_mrn
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


# The stored columns filled from a patient's fields, in the order stored_values gives them.
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


_FIRST_BODY, _BODIES = 1_000_000, 9_000_000  # an MRN's 7 random digits (domain/mrn.py)


def new_mrns(session: Session, count: int) -> array[int]:
    """`count` distinct fresh MRNs, none in use, as numbers (str() gives the MRN: it never
    starts with 0): drawn and checked a thousand at a time (one query each, not one per
    patient). Kept small for a big import: the numbers drawn are marked in a bitmap of the
    nine million possible (1.1 MB), the chosen ones in an array (4 bytes each)."""
    rng = random.SystemRandom()
    drawn_before = bytearray(_BODIES // 8 + 1)
    chosen: array[int] = array("I")
    while len(chosen) < count:
        wanted = min(_CHUNK, count - len(chosen))
        drawn: dict[str, int] = {}
        while len(drawn) < wanted:
            bit = rng.randrange(_BODIES)
            if not drawn_before[bit >> 3] & (1 << (bit & 7)):
                drawn[make_mrn(_FIRST_BODY + bit)] = bit
        taken = set(session.scalars(select(Patient.mrn).where(Patient.mrn.in_(list(drawn)))))
        for mrn, bit in drawn.items():
            drawn_before[bit >> 3] |= 1 << (bit & 7)  # taken or chosen: never drawn again
            if mrn not in taken:
                chosen.append(int(mrn))
    return chosen


_HEAD_COLUMNS = ("clinic_id", "version", "created_at", "updated_at")
_IMPORT_COLUMNS = ("mrn", "source_identifier", *_HEAD_COLUMNS, *FIELD_COLUMNS)


class ImportRows:
    """The checked patients of an import, each held as the row the database will get, in
    the driver's terms, packed a thousand at a time (pickled and compressed: 200,000 of them
    fit in about ten megabytes), so nothing is left to work out while the import holds the
    write lock."""

    def __init__(self, db: Database, actor: Actor, region: str) -> None:
        self.region = region  # phone numbers are read in it, and get their E.164 form
        dialect = db.engine.dialect
        self._insert = BulkInsert(dialect, Patient, _IMPORT_COLUMNS)
        self._fields = BulkInsert(dialect, Patient, FIELD_COLUMNS)
        now = utcnow()
        self._head = BulkInsert(dialect, Patient, _HEAD_COLUMNS).convert(
            (actor.clinic_id, 1, now, now)
        )
        self._packed: list[bytes] = []
        self._pending: list[tuple[Any, ...]] = []
        self.lines: dict[str, int] = {}  # source -> the file's row, in the order added

    def add(self, line: int, source: str, fields: PatientFields) -> None:
        self._pending.append((source, *self._fields.convert(stored_values(fields, self.region))))
        self.lines[source] = line
        if len(self._pending) == _CHUNK:
            self._pack()

    def _pack(self) -> None:
        data = pickle.dumps(self._pending, protocol=pickle.HIGHEST_PROTOCOL)
        self._packed.append(zlib.compress(data, 1))
        self._pending = []

    def __len__(self) -> int:
        return len(self._packed) * _CHUNK + len(self._pending)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """The rows in the order added: (source, the fields as the driver takes them)."""
        for data in self._packed:
            yield from pickle.loads(zlib.decompress(data))  # noqa: S301 - packed by _pack()
        yield from self._pending

    def insert(
        self, session: Session, rows: list[tuple[Any, ...]], mrns: list[str]
    ) -> dict[str, int]:
        """Insert these rows (from rows()) with these MRNs; returns each new patient's id by
        MRN."""
        full = [(mrn, row[0], *self._head, *row[1:]) for mrn, row in zip(mrns, rows, strict=True)]
        if self._insert.copies:  # PostgreSQL: ids drawn first, the rows copied in
            return dict(zip(mrns, self._insert.insert_with_new_ids(session, full), strict=True))
        # One statement returning the ids: a look-up after the insert could not rely on the
        # new rows' index statistics.
        return dict(self._insert.insert_returning(session, full, ("mrn", "id")))


def add_imported(
    session: Session,
    actor: Actor,
    checked: ImportRows,
    skip: set[str],
    mrns: Sequence[int],
    progress: Progress = no_progress,
) -> int:
    """An import's checked patients (but those whose source is in `skip`), in the importer's
    transaction, with one audit row each; `mrns` (new_mrns) holds one fresh MRN for each.
    Inserted a thousand at a time, the audit rows chained in one go; `progress` hears the
    rows written. Returns how many were added."""
    total = len(checked) - len(skip)
    added = 0

    def write(rows: list[tuple[Any, ...]]) -> None:
        nonlocal added
        numbers = [str(n) for n in mrns[added : added + len(rows)]]
        ids = checked.insert(session, rows, numbers)
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
        added += len(rows)
        progress(added, total, "importing")

    batch: list[tuple[Any, ...]] = []
    for row in checked.rows():
        if row[0] in skip:
            continue
        batch.append(row)
        if len(batch) == _CHUNK:
            write(batch)
            batch = []
    if batch:
        write(batch)
    progress(added, total, "importing")
    return added
