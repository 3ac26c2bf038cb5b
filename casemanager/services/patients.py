"""Register, find, read and update patients (demographics; clinical records live elsewhere)."""

from __future__ import annotations

import pickle
import random
import zlib
from array import array
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casemanager.db import patient_search
from casemanager.db.bulk import BulkInsert
from casemanager.db.engine import Database
from casemanager.db.models import Clinic, Patient, User
from casemanager.db.types import utcnow
from casemanager.domain import catalogs, phones, validation
from casemanager.domain import field_limits as limits
from casemanager.domain.enums import AuditAction, DataCategory, PatientStatus, Role
from casemanager.domain.errors import ConflictError, NotFound, ValidationError
from casemanager.domain.mrn import is_valid_mrn, make_mrn, random_mrn
from casemanager.domain.patients import (
    PatientFields,
    PatientQuery,
    PatientRecord,
    PatientSort,
    PatientSummary,
    parse_search_date,
)
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor, Progress, no_progress

LANGUAGES = catalogs.LANGUAGE_LABELS  # languages the take-home plan prints in

__all__ = [
    "PatientFields",
    "PatientQuery",
    "PatientRecord",
    "PatientSort",
    "PatientSummary",
]


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


def _check_therapist(session: Session, actor: Actor, therapist_id: int | None) -> None:
    if therapist_id is None:
        return
    therapist = session.get(User, therapist_id)
    if (
        therapist is None
        or therapist.clinic_id != actor.clinic_id
        or therapist.role != Role.THERAPIST
        or not therapist.active
    ):
        raise ValidationError(
            "primary_therapist_id",
            "Choose an active therapist of this clinic as primary therapist.",
        )


# The stored columns filled from a patient's fields, in the order _values gives them.
_FIELD_COLUMNS = (
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


def _values(fields: PatientFields, region: str) -> tuple[Any, ...]:
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


def _apply(patient: Patient, fields: PatientFields, region: str) -> None:
    for name, value in zip(_FIELD_COLUMNS, _values(fields, region), strict=True):
        setattr(patient, name, value)


def _new_mrn(session: Session) -> str:
    rng = random.SystemRandom()
    while True:
        mrn = random_mrn(rng)
        if not session.scalar(select(func.count()).where(Patient.mrn == mrn)):
            return mrn


def _summary_query() -> Select[Patient, str]:
    return select(Patient, User.display_name).outerjoin(
        User, User.id == Patient.primary_therapist_id
    )


def _summary(patient: Patient, therapist_name: str | None) -> PatientSummary:
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


def _record(patient: Patient, therapist_name: str | None) -> PatientRecord:
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


def possible_duplicates(
    db: Database, actor: Actor, given_name: str, family_name: str, date_of_birth: date
) -> list[PatientSummary]:
    """Patients with the same name (ignoring case and accents) and date of birth. The names
    are checked as the save will check them (a NUL would be a database error on PostgreSQL)."""
    audit.authorize(
        db, actor, Permission.VIEW_DEMOGRAPHICS, AuditAction.READ, DataCategory.DEMOGRAPHICS
    )
    given_name = validation.validate_person_name("given_name", given_name, "First name")
    family_name = validation.validate_person_name("family_name", family_name, "Last name")
    key = validation.normalize_for_search(f"{given_name} {family_name}")
    with db.session() as session:
        rows = session.execute(
            _summary_query().where(
                Patient.clinic_id == actor.clinic_id,
                Patient.date_of_birth == date_of_birth,
                or_(Patient.search_name == key, Patient.search_name.startswith(key + " ")),
            )
        )
        found = [_summary(p, name) for p, name in rows]
        _audit_list(session, actor, "duplicate check", found)
        return found


def _audit_list(session: Session, actor: Actor, what: str, shown: list[PatientSummary]) -> None:
    """A list shows names and birth dates: record that it was shown, not what was typed."""
    audit.record(
        session,
        actor,
        AuditAction.READ,
        DataCategory.DEMOGRAPHICS,
        detail=f"{what}: {len(shown)} patients listed",
    )


def create_patient(
    db: Database, actor: Actor, fields: PatientFields, *, today: date | None = None
) -> PatientRecord:
    audit.authorize(
        db, actor, Permission.EDIT_DEMOGRAPHICS, AuditAction.CREATE, DataCategory.DEMOGRAPHICS
    )
    region = clinic_phone_region(db, actor)
    fields = clean_fields(fields, today or date.today(), region)
    for attempt in range(_MRN_ATTEMPTS):
        try:
            with db.session() as session:
                _check_therapist(session, actor, fields.primary_therapist_id)
                patient = _insert(session, actor, fields, region)
                therapist = session.get(User, patient.primary_therapist_id or 0)
                return _record(patient, therapist.display_name if therapist else None)
        except IntegrityError:
            # Another workstation took the same random MRN in the same instant: draw again.
            if attempt == _MRN_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


_MRN_ATTEMPTS = 3


def _insert(
    session: Session, actor: Actor, fields: PatientFields, region: str, source: str | None = None
) -> Patient:
    """A new patient with a fresh MRN, audited: from the form, or (with `source`) an import."""
    patient = Patient(clinic_id=actor.clinic_id, mrn=_new_mrn(session), source_identifier=source)
    _apply(patient, fields, region)
    session.add(patient)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.CREATE,
        DataCategory.DEMOGRAPHICS,
        patient_id=patient.id,
        detail="imported" if source else None,
    )
    return patient


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
_IMPORT_COLUMNS = ("mrn", "source_identifier", *_HEAD_COLUMNS, *_FIELD_COLUMNS)


class ImportRows:
    """The checked patients of an import, each held as the row the database will get, in
    the driver's terms, packed a thousand at a time (pickled and compressed: 200,000 of them
    fit in about ten megabytes), so nothing is left to work out while the import holds the
    write lock."""

    def __init__(self, db: Database, actor: Actor, region: str) -> None:
        self.region = region  # phone numbers are read in it, and get their E.164 form
        dialect = db.engine.dialect
        self._insert = BulkInsert(dialect, Patient, _IMPORT_COLUMNS)
        self._fields = BulkInsert(dialect, Patient, _FIELD_COLUMNS)
        now = utcnow()
        self._head = BulkInsert(dialect, Patient, _HEAD_COLUMNS).convert(
            (actor.clinic_id, 1, now, now)
        )
        self._packed: list[bytes] = []
        self._pending: list[tuple[Any, ...]] = []
        self.lines: dict[str, int] = {}  # source -> the file's row, in the order added

    def add(self, line: int, source: str, fields: PatientFields) -> None:
        self._pending.append((source, *self._fields.convert(_values(fields, self.region))))
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


def find_by_mrn(db: Database, actor: Actor, typed: str) -> PatientSummary:
    """The patient with this MRN, as typed on a command line: checked to be an MRN first, so
    a pasted page or a stray character gets a message, not a database error."""
    mrn = typed.strip()
    if not is_valid_mrn(mrn):
        shown = mrn if len(mrn) <= 20 else f"{mrn[:20]}… ({len(mrn):,} characters)"
        raise ValidationError(
            "mrn",
            f"No patient has the MRN {shown!r}: an MRN is the 8 digits printed on the chart "
            "and on every document. Check the number.",
        )
    audit.authorize(
        db, actor, Permission.VIEW_DEMOGRAPHICS, AuditAction.READ, DataCategory.DEMOGRAPHICS
    )
    with db.session() as session:
        row = session.execute(
            _summary_query().where(Patient.clinic_id == actor.clinic_id, Patient.mrn == mrn)
        ).one_or_none()
        found = [] if row is None else [_summary(row[0], row[1])]
        _audit_list(session, actor, "MRN look-up", found)
    if not found:
        raise NotFound(f"No patient has the MRN {mrn}. Check the number.")
    return found[0]


def get_patient(db: Database, actor: Actor, patient_id: int) -> PatientRecord:
    """Open a patient's record; the read is audited."""
    audit.authorize(
        db,
        actor,
        Permission.VIEW_DEMOGRAPHICS,
        AuditAction.READ,
        DataCategory.DEMOGRAPHICS,
        patient_id=patient_id,
    )
    with db.session() as session:
        row = session.execute(_summary_query().where(Patient.id == patient_id)).one_or_none()
        if row is None or row[0].clinic_id != actor.clinic_id:
            raise NotFound("That patient is not in this clinic's records.")
        audit.record(
            session, actor, AuditAction.READ, DataCategory.DEMOGRAPHICS, patient_id=patient_id
        )
        return _record(row[0], row[1])


def update_patient(
    db: Database,
    actor: Actor,
    patient_id: int,
    expected_version: int,
    fields: PatientFields,
    *,
    today: date | None = None,
) -> PatientRecord:
    """Save changes made to the version the user opened; refuses if someone saved since."""
    audit.authorize(
        db,
        actor,
        Permission.EDIT_DEMOGRAPHICS,
        AuditAction.UPDATE,
        DataCategory.DEMOGRAPHICS,
        patient_id=patient_id,
    )
    region = clinic_phone_region(db, actor)
    fields = clean_fields(fields, today or date.today(), region)
    try:
        with db.session() as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.clinic_id != actor.clinic_id:
                raise NotFound("That patient is not in this clinic's records.")
            if patient.version != expected_version:
                raise _conflict(session, patient)
            _check_therapist(session, actor, fields.primary_therapist_id)
            _apply(patient, fields, region)
            audit.record(
                session, actor, AuditAction.UPDATE, DataCategory.DEMOGRAPHICS, patient_id=patient_id
            )
            session.flush()  # the version check happens here, against the row in the database
            therapist = session.get(User, patient.primary_therapist_id or 0)
            return _record(patient, therapist.display_name if therapist else None)
    except StaleDataError:
        with db.session() as session:
            current = session.get(Patient, patient_id)
            assert current is not None
            raise _conflict(session, current) from None


def _conflict(session: Session, patient: Patient) -> ConflictError:
    return audit.conflict(
        session, patient.id, DataCategory.DEMOGRAPHICS, "This patient's details", patient.updated_at
    )


def count_patients(db: Database, actor: Actor, *, status: PatientStatus | None = None) -> int:
    audit.authorize(
        db, actor, Permission.VIEW_DEMOGRAPHICS, AuditAction.READ, DataCategory.DEMOGRAPHICS
    )
    with db.session() as session:
        query = (
            select(func.count()).select_from(Patient).where(Patient.clinic_id == actor.clinic_id)
        )
        if status is not None:
            query = query.where(Patient.status == status)
        return int(session.scalar(query) or 0)


_SORT_COLUMNS: dict[PatientSort, tuple[Any, ...]] = {
    PatientSort.NAME: (Patient.family_name, Patient.given_name),
    PatientSort.MRN: (Patient.mrn,),
    PatientSort.DATE_OF_BIRTH: (Patient.date_of_birth,),
    PatientSort.STATUS: (Patient.status, Patient.family_name, Patient.given_name),
    PatientSort.THERAPIST: (User.display_name, Patient.family_name, Patient.given_name),
}


def find_patients(
    db: Database, actor: Actor, query: PatientQuery, *, offset: int = 0, limit: int = 200
) -> list[PatientSummary]:
    """One page of the patient list, read without writing anything, so nothing waits for the
    audit log's turn between the search and its rows. Whoever shows the rows must then call
    `record_listed` (list_patients does both). Search matches any part of the name (any
    script, accents ignored), the MRN, the date of birth or the phone number."""
    audit.authorize(
        db, actor, Permission.VIEW_DEMOGRAPHICS, AuditAction.READ, DataCategory.DEMOGRAPHICS
    )
    needle = checked_search(query.text)
    with db.session() as session:
        select_rows = (
            select(*LIST_COLUMNS)
            .outerjoin(User, User.id == Patient.primary_therapist_id)
            .where(Patient.clinic_id == actor.clinic_id)
        )
        if needle:
            select_rows = select_rows.where(*_match(session, needle, actor))
        if query.status is not None:
            select_rows = select_rows.where(Patient.status == query.status)
        if query.therapist_id is not None:
            select_rows = select_rows.where(Patient.primary_therapist_id == query.therapist_id)
        order = [c.desc() if query.descending else c.asc() for c in _SORT_COLUMNS[query.sort]]
        order.append(Patient.id.desc() if query.descending else Patient.id.asc())  # stable pages
        select_rows = select_rows.order_by(*order).offset(offset).limit(limit)
        # Plain rows, not ORM objects: building 200 of those cost more than the query.
        return [
            PatientSummary(
                id=r[0],
                mrn=r[1],
                given_name=r[2],
                family_name=r[3],
                date_of_birth=r[4],
                sex=r[5],
                phone=r[6],
                status=r[7],
                primary_therapist_id=r[8],
                primary_therapist_name=r[9],
            )
            for r in session.execute(select_rows)
        ]


# What a list row shows (PatientSummary's fields, in order).
LIST_COLUMNS = (
    Patient.id,
    Patient.mrn,
    Patient.given_name,
    Patient.family_name,
    Patient.date_of_birth,
    Patient.sex,
    Patient.phone,
    Patient.status,
    Patient.primary_therapist_id,
    User.display_name,
)


def record_listed(
    db: Database, actor: Actor, shown: list[PatientSummary], what: str = "patient list"
) -> None:
    """The audit row for a list shown: who saw how many patients (never what was typed)."""
    audit.record_now(
        db,
        actor,
        AuditAction.READ,
        DataCategory.DEMOGRAPHICS,
        detail=f"{what}: {len(shown)} patients listed",
    )


def list_patients(
    db: Database, actor: Actor, query: PatientQuery, *, offset: int = 0, limit: int = 200
) -> list[PatientSummary]:
    """One page of the patient list (see find_patients), audited."""
    found = find_patients(db, actor, query, offset=offset, limit=limit)
    record_listed(db, actor, found)
    return found


MAX_SEARCH_LENGTH = 400  # more than the three name fields together


def checked_search(text: str) -> str:
    """The search box's text, or a message saying what to change: no hidden characters (a
    pasted NUL is not text, and PostgreSQL refuses it) and no more than any record holds
    (a pasted page would make a query the database refuses to run)."""
    return validation.optional_text("search", text, "The search", MAX_SEARCH_LENGTH) or ""


def search_patients(
    db: Database,
    actor: Actor,
    text: str,
    *,
    status: PatientStatus | None = None,
    therapist_id: int | None = None,
    limit: int = 200,
) -> list[PatientSummary]:
    """The first `limit` matches in name order (see list_patients)."""
    return list_patients(db, actor, PatientQuery(text, status, therapist_id), offset=0, limit=limit)


def _match(session: Session, needle: str, actor: Actor) -> list[ColumnElement[bool]]:
    """The WHERE conditions for one search box entry. A phone number is found however either
    side typed it: "+1 631 555 0142" finds "(631) 555-0142" through its E.164 form."""
    parsed = parse_search_date(needle)
    if parsed is not None:
        return [Patient.date_of_birth == parsed]
    compact = needle.replace(" ", "")
    digits = validation.phone_digits(needle)
    if digits and len(digits) >= len(compact) - 4:  # mostly digits: an MRN or a phone number
        by_phone = or_(
            Patient.phone_digits.contains(digits, autoescape=True),
            Patient.phone_e164.contains(digits, autoescape=True),
        )
        # Read only for a number: "0151 2345678" in a German clinic finds "+49 151 2345678".
        whole = phones.e164_or_none(needle, phone_region(session, actor.clinic_id))
        if whole is not None:
            by_phone = or_(by_phone, Patient.phone_e164 == whole)
        return [or_(Patient.mrn == digits, by_phone) if is_valid_mrn(digits) else by_phone]
    words = validation.normalize_for_search(needle).split()
    if not words:
        return []
    narrowed = patient_search.narrowing(session, words)
    found = patient_search.words_condition(words)
    return [found] if narrowed is None else [narrowed, found]
