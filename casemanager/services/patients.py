"""Register, find, read and update patients (demographics; clinical records live elsewhere)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select, true
from sqlalchemy.orm import Session, aliased

from casemanager.db import patient_search
from casemanager.db.engine import Database
from casemanager.db.models import Patient, User
from casemanager.domain import phones, validation
from casemanager.domain.enums import AuditAction, DataCategory, PatientStatus, Role
from casemanager.domain.errors import ConflictError, NotFound, ValidationError
from casemanager.domain.mrn import is_valid_mrn, random_mrn
from casemanager.domain.patients import (
    PatientFields,
    PatientQuery,
    PatientRecord,
    PatientSort,
    PatientSummary,
    parse_search_date,
)
from casemanager.domain.permissions import Permission
from casemanager.services import audit, clashes
from casemanager.services.context import Actor
from casemanager.services.patient_rows import (
    FIELD_COLUMNS,
    clean_fields,
    open_record,
    patient_record,
    patient_summary,
    phone_region,
    stored_values,
    summary_query,
)
from casemanager.services.patient_rows import LANGUAGES as LANGUAGES
from casemanager.services.patient_rows import ImportRows as ImportRows
from casemanager.services.patient_rows import add_imported as add_imported
from casemanager.services.patient_rows import clinic_phone_region as clinic_phone_region
from casemanager.services.patient_rows import new_mrns as new_mrns
from casemanager.services.use_case import checked_read, patient_case, use_case

__all__ = [
    "PatientFields",
    "PatientQuery",
    "PatientRecord",
    "PatientSort",
    "PatientSummary",
]


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


def _apply(patient: Patient, fields: PatientFields, region: str) -> None:
    for name, value in zip(FIELD_COLUMNS, stored_values(fields, region), strict=True):
        setattr(patient, name, value)


def _new_mrn(session: Session) -> str:
    rng = random.SystemRandom()
    while True:
        mrn = random_mrn(rng)
        if not session.scalar(select(func.count()).where(Patient.mrn == mrn)):
            return mrn


def possible_duplicates(
    db: Database, actor: Actor, given_name: str, family_name: str, date_of_birth: date
) -> list[PatientSummary]:
    """Patients with the same name (ignoring case and accents) and date of birth. The names
    are checked as the save will check them (a NUL would be a database error on PostgreSQL)."""
    with use_case(
        db, actor, Permission.VIEW_DEMOGRAPHICS, AuditAction.READ, DataCategory.DEMOGRAPHICS
    ) as case:
        given_name = validation.validate_person_name("given_name", given_name, "First name")
        family_name = validation.validate_person_name("family_name", family_name, "Last name")
        key = validation.normalize_for_search(f"{given_name} {family_name}")
        session = case.session
        rows = session.execute(
            summary_query().where(
                Patient.clinic_id == actor.clinic_id,
                Patient.date_of_birth == date_of_birth,
                or_(Patient.search_name == key, Patient.search_name.startswith(key + " ")),
            )
        )
        found = [patient_summary(p, name) for p, name in rows]
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


def _checked(
    session: Session, actor: Actor, fields: PatientFields, today: date | None
) -> tuple[PatientFields, str]:
    """The fields checked, phone numbers read in the clinic's region (returned with them)."""
    region = phone_region(session, actor.clinic_id)
    return clean_fields(fields, today or date.today(), region), region


def create_patient(
    db: Database, actor: Actor, fields: PatientFields, *, today: date | None = None
) -> PatientRecord:
    for attempt in range(_MRN_ATTEMPTS):
        try:
            with use_case(
                db,
                actor,
                Permission.EDIT_DEMOGRAPHICS,
                AuditAction.CREATE,
                DataCategory.DEMOGRAPHICS,
            ) as case:
                session = case.session
                fields, region = _checked(session, actor, fields, today)
                _check_therapist(session, actor, fields.primary_therapist_id)
                patient = _insert(session, actor, fields, region)
                therapist = session.get(User, patient.primary_therapist_id or 0)
                return patient_record(patient, therapist.display_name if therapist else None)
        except clashes.SavedTwice as twice:
            # Another workstation took the same random MRN in the same instant: draw again.
            if twice.table != "patient" or attempt == _MRN_ATTEMPTS - 1:
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
    with use_case(
        db, actor, Permission.VIEW_DEMOGRAPHICS, AuditAction.READ, DataCategory.DEMOGRAPHICS
    ) as case:
        session = case.session
        row = session.execute(
            summary_query().where(Patient.clinic_id == actor.clinic_id, Patient.mrn == mrn)
        ).one_or_none()
        found = [] if row is None else [patient_summary(row[0], row[1])]
        _audit_list(session, actor, "MRN look-up", found)
    if not found:
        raise NotFound(f"No patient has the MRN {mrn}. Check the number.")
    return found[0]


def get_patient(db: Database, actor: Actor, patient_id: int) -> PatientRecord:
    """Open a patient's record; the read is audited."""
    return open_record(db, actor, patient_id)


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
    with patient_case(
        db,
        actor,
        patient_id,
        Permission.EDIT_DEMOGRAPHICS,
        AuditAction.UPDATE,
        DataCategory.DEMOGRAPHICS,
    ) as case:
        session = case.session
        fields, region = _checked(session, actor, fields, today)
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
        session.flush()  # the version check: a clash comes out of use_case as a message
        therapist = session.get(User, patient.primary_therapist_id or 0)
        return patient_record(patient, therapist.display_name if therapist else None)


def _conflict(session: Session, patient: Patient) -> ConflictError:
    return audit.conflict(
        session, patient.id, DataCategory.DEMOGRAPHICS, "This patient's details", patient.updated_at
    )


def count_patients(db: Database, actor: Actor, *, status: PatientStatus | None = None) -> int:
    with use_case(
        db, actor, Permission.VIEW_DEMOGRAPHICS, AuditAction.READ, DataCategory.DEMOGRAPHICS
    ) as case:
        session = case.session
        query = (
            select(func.count()).select_from(Patient).where(Patient.clinic_id == actor.clinic_id)
        )
        if status is not None:
            query = query.where(Patient.status == status)
        return int(session.scalar(query) or 0)


# The therapist a row is sorted by (its name), apart from the one the row shows.
_SORT_THERAPIST = aliased(User)
_SORT_COLUMNS: dict[PatientSort, tuple[Any, ...]] = {
    PatientSort.NAME: (Patient.family_name, Patient.given_name),
    PatientSort.MRN: (Patient.mrn,),
    PatientSort.DATE_OF_BIRTH: (Patient.date_of_birth,),
    PatientSort.STATUS: (Patient.status, Patient.family_name, Patient.given_name),
    PatientSort.THERAPIST: (
        _SORT_THERAPIST.display_name,
        Patient.family_name,
        Patient.given_name,
    ),
}


def find_patients(
    db: Database, actor: Actor, query: PatientQuery, *, offset: int = 0, limit: int = 200
) -> list[PatientSummary]:
    """One page of the patient list, read without writing anything, so nothing waits for the
    audit log's turn between the search and its rows. Whoever shows the rows must then call
    `record_listed` (list_patients does both). Search matches any part of the name (any
    script, accents ignored), the MRN, the date of birth or the phone number.

    On PostgreSQL one statement reads the page with the permission check (checked_read),
    outside a transaction: one round trip where BEGIN, the check, a count, a setting, the
    page and COMMIT took six."""

    def read(session: Session, permitted: ColumnElement[bool]) -> list[PatientSummary] | None:
        needle = checked_search(query.text)
        wanted: list[ColumnElement[bool]] = [Patient.clinic_id == actor.clinic_id]
        if query.status is not None:
            wanted.append(Patient.status == query.status)
        if query.therapist_id is not None:
            wanted.append(Patient.primary_therapist_id == query.therapist_id)
        matches = _match(session, needle, actor) if needle else patient_search.Matches(true())
        # Core, not the ORM's execution: its rows cost less to make, and these are plain rows.
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # One statement, one round trip: the permission check and the page.
            where = [permitted, *wanted, *matches.where()]
            page = _page(session, where, query, offset, limit, permitted)
            with patient_search.planned_for_its_words(session):
                rows = connection.execute(page).all()
            if not rows[0][0]:
                return None  # refused: checked_read explains and audits it
            # Nothing matched: the one row says only that the check passed.
            found: Sequence[Sequence[Any]] = [r[1:] for r in rows if r[1] is not None]
        else:
            # In process, statements cost no round trip: the check and the choice of way
            # (the index's count) come first, so a refusal reads no patient.
            few = true() if matches.few is None else matches.few
            allowed, is_few = connection.execute(select(permitted, few)).one()
            if not allowed:
                return None
            where = [*wanted, *matches.where(bool(is_few))]
            found = connection.execute(_page(session, where, query, offset, limit, true())).all()
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
            for r in found
        ]

    return checked_read(
        db,
        actor,
        Permission.VIEW_DEMOGRAPHICS,
        AuditAction.READ,
        DataCategory.DEMOGRAPHICS,
        read,
    )


def _page(
    session: Session,
    where: list[ColumnElement[bool]],
    query: PatientQuery,
    offset: int,
    limit: int,
    permitted: ColumnElement[bool],
) -> Select[Any]:
    """The page's rows (LIST_COLUMNS, then the sort keys on SQLite; on PostgreSQL after
    `permitted`, in the one statement of a search).

    On PostgreSQL in two steps: which patients are on the page, in the list's order, read
    from the list index alone where the order is by name (a common piece of a name is checked
    against thousands of index entries, never against their table rows), then the rows of
    those patients only. On SQLite, in one: the second step only cost it (10-40% slower at
    100,000 patients, measured side by side)."""
    keys = _SORT_COLUMNS[query.sort]

    def ordered(column: Any) -> Any:
        return column.desc() if query.descending else column.asc()

    two_steps = session.get_bind().dialect.name == "postgresql"
    columns = [Patient.id.label("id")] if two_steps else list(LIST_COLUMNS)
    chosen: Select[Any] = select(*columns, *(k.label(f"key{i}") for i, k in enumerate(keys)))
    if not two_steps:
        chosen = chosen.outerjoin(User, User.id == Patient.primary_therapist_id)
    if query.sort == PatientSort.THERAPIST:
        chosen = chosen.outerjoin(
            _SORT_THERAPIST, _SORT_THERAPIST.id == Patient.primary_therapist_id
        )
    chosen = (
        chosen.where(*where)
        .order_by(*map(ordered, keys), ordered(Patient.id))  # the id: stable pages
        .offset(offset)
        .limit(limit)
    )
    if not two_steps:
        return chosen
    page = chosen.subquery("page")
    sorted_by = [page.c[f"key{i}"] for i in range(len(keys))]
    patients = page.join(Patient, Patient.id == page.c.id).outerjoin(
        User, User.id == Patient.primary_therapist_id
    )
    # The rows after whether the actor may read them, and one row saying so when nothing
    # matches (the page's own conditions hold the check too: a refusal reads nothing).
    one = select(literal_column("1").label("one")).subquery("one")
    rows = (
        select(permitted.label("permitted"), *LIST_COLUMNS)
        .select_from(one.outerjoin(patients, true()))
        .order_by(*map(ordered, sorted_by), ordered(page.c.id))
    )
    return cast("Select[Any]", rows)


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
    record_listings(db, actor, [len(shown)], what)


def record_listings(
    db: Database, actor: Actor, counts: Sequence[int], what: str = "patient list"
) -> None:
    """The audit rows for several lists shown, one row per list as `record_listed` writes it,
    in one transaction and one turn at the audit chain: a quick run of searches is audited
    in one step right after its rows are on screen, not one write between each search and
    its rows."""
    if not counts:
        return
    entries = [
        audit.Entry(
            AuditAction.READ, DataCategory.DEMOGRAPHICS, detail=f"{what}: {n} patients listed"
        )
        for n in counts
    ]
    with db.session() as session:
        audit.record_many(session, actor, entries)


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


def _match(session: Session, needle: str, actor: Actor) -> patient_search.Matches:
    """How one search box entry's matches are found. A phone number is found however either
    side typed it: "+1 631 555 0142" finds "(631) 555-0142" through its E.164 form."""
    parsed = parse_search_date(needle)
    if parsed is not None:
        return patient_search.Matches(Patient.date_of_birth == parsed)
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
        found = or_(Patient.mrn == digits, by_phone) if is_valid_mrn(digits) else by_phone
        return patient_search.Matches(found)
    words = validation.normalize_for_search(needle).split()
    if not words:
        return patient_search.Matches(true())
    return patient_search.name_search(session, words)
