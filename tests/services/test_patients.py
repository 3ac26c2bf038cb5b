from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Patient
from casemanager.domain.enums import AuditAction, DataCategory, PatientStatus, Sex
from casemanager.domain.errors import ConflictError, PermissionDenied, ValidationError
from casemanager.domain.mrn import is_valid_mrn
from casemanager.services import clinic, patients
from casemanager.services.context import Actor
from tests.conftest import Staff

TODAY = date(2026, 11, 26)


def _fields(given: str, family: str, born: date = date(1970, 5, 17), **kw: object):
    return patients.PatientFields(given, family, born, Sex.FEMALE, **kw)  # type: ignore[arg-type]


def _add(db: Database, actor: Actor, given: str, family: str, **kw: object):
    return patients.create_patient(db, actor, _fields(given, family, **kw), today=TODAY)


def test_create_and_read_patient_with_audit(db: Database, staff: Staff) -> None:
    created = _add(
        db,
        staff.therapist,
        " José ",
        "Ñúñez-Łódź",
        phone="(631) 555-0142",
        primary_therapist_id=staff.therapist.user_id,
        preferred_language="es",
    )
    assert is_valid_mrn(created.mrn)
    assert created.fields.given_name == "José"
    assert created.primary_therapist_name == "Ana Rivera, PT"
    record = patients.get_patient(db, staff.manager, created.id)
    assert record.fields == created.fields and record.version == 1
    with db.session() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.data_category)
            .where(AuditEntry.patient_id == created.id)
            .order_by(AuditEntry.id)
        ).all()
    assert rows == [
        (AuditAction.CREATE, "rivera", DataCategory.DEMOGRAPHICS),
        (AuditAction.READ, "manager", DataCategory.DEMOGRAPHICS),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": "   "}, "given_name"),
        ({"date_of_birth": date(2027, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": date(1890, 1, 1)}, "date_of_birth"),
        ({"email": "not an email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"preferred_language": "xx"}, "preferred_language"),
    ],
)
def test_invalid_patient_names_the_field(
    db: Database, staff: Staff, change: dict[str, object], field: str
) -> None:
    fields = replace(_fields("Ana", "Silva"), **change)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as error:
        patients.create_patient(db, staff.therapist, fields, today=TODAY)
    assert error.value.field == field
    assert error.value.message  # a sentence for the form, not an empty string
    assert patients.count_patients(db, staff.therapist) == 0


def test_primary_therapist_must_be_an_active_therapist(db: Database, staff: Staff) -> None:
    with pytest.raises(ValidationError) as error:
        _add(db, staff.therapist, "Ana", "Silva", primary_therapist_id=staff.manager.user_id)
    assert error.value.field == "primary_therapist_id"


def test_search_by_name_accents_mrn_dob_phone(db: Database, staff: Staff) -> None:
    t = staff.therapist
    jose = _add(db, t, "José", "Núñez", phone="631-555-0142")
    _add(db, t, "Łukasz", "Wiśniewski", born=date(1988, 2, 29))
    _add(db, t, "秀英", "王")
    _add(db, t, "Дмитрий", "Иванов", status=PatientStatus.DISCHARGED)

    def names(text: str, **kw: object) -> list[str]:
        return [p.family_name for p in patients.search_patients(db, t, text, **kw)]  # type: ignore[arg-type]

    assert names("jose nun") == ["Núñez"]
    assert names("NÚÑEZ") == ["Núñez"]
    assert names("lukasz") == ["Wiśniewski"]
    assert names("王") == ["王"]
    assert names("дмитрий") == ["Иванов"]
    assert names(jose.mrn) == ["Núñez"]
    assert names("1988-02-29") == ["Wiśniewski"]
    assert names("02/29/1988") == ["Wiśniewski"]
    assert names("2/29/88") == ["Wiśniewski"]
    assert names("555 0142") == ["Núñez"]
    assert names("%") == []  # LIKE wildcards are escaped
    assert len(names("")) == 4
    assert names("", status=PatientStatus.DISCHARGED) == ["Иванов"]


def _stored_phones(db: Database, patient_id: int) -> tuple[str | None, ...]:
    with db.session() as session:
        row = session.get(Patient, patient_id)
        assert row is not None
        return row.phone, row.phone_e164, row.emergency_contact_phone_e164


def test_phone_kept_as_typed_with_e164_beside_it(db: Database, staff: Staff) -> None:
    created = _add(
        db,
        staff.therapist,
        "Ana",
        "Silva",
        phone=" 631.555.0142 ",
        emergency_contact_phone="+44 20 7946 0958",
    )
    assert created.fields.phone == "631.555.0142"  # what people read back
    assert _stored_phones(db, created.id) == ("631.555.0142", "+16315550142", "+442079460958")
    for bad, fragment in (("000 000 0000", "not a US number"), ("1234567", "no area code")):
        with pytest.raises(ValidationError, match=fragment) as refused:
            patients.update_patient(
                db, staff.therapist, created.id, 1, replace(created.fields, phone=bad)
            )
        assert refused.value.field == "phone"


def test_phone_search_finds_a_number_however_it_was_typed(db: Database, staff: Staff) -> None:
    _add(db, staff.therapist, "Ana", "Silva", phone="(631) 555-0142")

    def names(text: str) -> list[str]:
        return [p.family_name for p in patients.search_patients(db, staff.therapist, text)]

    # "1 631 555 0142" is not among the digits as typed: only the E.164 form has the 1.
    assert names("+1 631 555 0142") == names("1-631-555-0142") == ["Silva"]
    assert names("631 555 0142") == names("5550142") == ["Silva"]
    assert names("+1 631 555 0143") == []


def test_the_clinic_region_decides_how_numbers_are_read(db: Database, staff: Staff) -> None:
    """A London clinic types London numbers without +44; US numbers then need +1."""
    clinic.update_details(
        db, staff.admin, None, clinic.ClinicDetails("Harbor Spine & Sport PT", phone_region="GB")
    )
    london = _add(db, staff.therapist, "Ana", "Silva", phone="020 7946 0958")
    assert _stored_phones(db, london.id)[1] == "+442079460958"
    with pytest.raises(ValidationError, match="GB number"):
        _add(db, staff.therapist, "Bo", "Lee", phone="(631) 555-0142")
    _add(db, staff.therapist, "Bo", "Lee", phone="+1 (631) 555-0142")
    _add(db, staff.therapist, "Cy", "Ode", phone="+44 20 7946 0000")

    def names(text: str) -> list[str]:
        return [p.family_name for p in patients.search_patients(db, staff.therapist, text)]

    assert names("+44 20 7946 0958") == ["Silva"]
    # Typed with +44, searched the London way (trunk 0, no +44): the digits differ, the
    # clinic region's reading of the search finds it.
    assert names("020 7946 0000") == ["Ode"]
    assert names("(631) 555-0142") == ["Lee"]
    with pytest.raises(ValidationError, match="two-letter") as refused:
        clinic.update_details(db, staff.admin, None, clinic.ClinicDetails("C", phone_region="UK"))
    assert refused.value.field == "phone_region"


def test_search_is_audited_without_the_search_text(db: Database, staff: Staff) -> None:
    _add(db, staff.therapist, "Ana", "Silva")
    patients.search_patients(db, staff.manager, "silva")
    with db.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.action, last.actor, last.detail) == (
        AuditAction.READ,
        "manager",
        "patient list: 1 patients listed",
    )
    assert "silva" not in (last.detail or "").lower()


def test_digits_search_phone_even_when_they_look_like_an_mrn(db: Database, staff: Staff) -> None:
    from casemanager.domain.mrn import make_mrn

    lookalike = make_mrn(6315550)  # 8 digits with a valid check digit
    _add(db, staff.therapist, "Ana", "Silva", phone=f"({lookalike[:3]}) {lookalike[3:]}-99")
    assert [p.family_name for p in patients.search_patients(db, staff.therapist, lookalike)] == [
        "Silva"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1988-02-29", date(1988, 2, 29)),
        ("02/29/1988", date(1988, 2, 29)),
        ("5/12/80", date(1980, 5, 12)),
        ("5/12/19", date(2019, 5, 12)),
        ("12.05.1980", date(1980, 12, 5)),
        ("19880229", None),  # could be an MRN: never read as a date
        ("2/30/1988", None),
        ("jose", None),
        ("1/2/3/4", None),
    ],
)
def test_parse_search_date(text: str, expected: date | None) -> None:
    assert patients.parse_search_date(text, today=TODAY) == expected


def test_save_refused_when_another_workstation_saves_mid_edit(
    db: Database, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version check in the UPDATE itself catches a save that lands between our read and
    our write; the refused save leaves no audit row."""
    from sqlalchemy import text as sql

    created = _add(db, staff.therapist, "Ana", "Silva")
    original = patients._check_therapist

    def other_workstation_saves(*args: object) -> None:
        with db.engine.begin() as conn:
            conn.execute(sql("UPDATE patient SET phone = '(631) 555-0199', version = version + 1"))
        original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(patients, "_check_therapist", other_workstation_saves)
    mine = replace(created.fields, phone="(631) 555-0101")
    with pytest.raises(ConflictError, match="changed by"):
        patients.update_patient(db, staff.therapist, created.id, 1, mine, today=TODAY)
    with db.session() as session:
        updates = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.UPDATE)
        ).all()
    assert updates == []
    monkeypatch.setattr(patients, "_check_therapist", original)
    assert patients.get_patient(db, staff.therapist, created.id).fields.phone == "(631) 555-0199"


def test_possible_duplicates(db: Database, staff: Staff) -> None:
    _add(db, staff.therapist, "Maria", "Garcia", born=date(1960, 1, 2))
    found = patients.possible_duplicates(db, staff.therapist, "MARÍA", "García", date(1960, 1, 2))
    assert [p.family_name for p in found] == ["Garcia"]
    assert (
        patients.possible_duplicates(db, staff.therapist, "Maria", "Garcia", date(1960, 1, 3)) == []
    )


def test_conflicting_edit_from_another_workstation(db: Database, staff: Staff) -> None:
    created = _add(db, staff.therapist, "Ana", "Silva")
    mine = replace(created.fields, phone="(631) 555-0101")
    theirs = replace(created.fields, phone="(631) 555-0199")
    saved = patients.update_patient(db, staff.manager, created.id, 1, theirs, today=TODAY)
    assert saved.version == 2
    with pytest.raises(ConflictError, match="changed by manager"):
        patients.update_patient(db, staff.therapist, created.id, 1, mine, today=TODAY)
    assert patients.get_patient(db, staff.therapist, created.id).fields.phone == "(631) 555-0199"


def test_overview_and_caseload_counts(db: Database, staff: Staff) -> None:
    me = staff.therapist.user_id
    other = staff.therapist2.user_id
    _add(db, staff.therapist, "A", "One", primary_therapist_id=me)
    _add(db, staff.therapist, "B", "Two", primary_therapist_id=me)
    _add(db, staff.therapist, "C", "Three", primary_therapist_id=me, status=PatientStatus.ON_HOLD)
    _add(db, staff.therapist, "D", "Four", primary_therapist_id=other)
    mine = clinic.overview(db, staff.therapist)
    assert (mine.patients, mine.active_patients, mine.my_active_patients) == (4, 3, 2)
    load = {
        c.therapist_name: c.active_patients for c in clinic.caseload_by_therapist(db, staff.manager)
    }
    assert load == {"Ana Rivera, PT": 2, "Minh Nguyễn, PT": 1}
    assert patients.count_patients(db, staff.manager, status=PatientStatus.ON_HOLD) == 1


def test_roles_without_clinical_writing(staff: Staff) -> None:
    from casemanager.domain.permissions import Permission, require

    require(staff.therapist.role, Permission.EDIT_CLINICAL)  # allowed: no exception
    for actor in (staff.admin, staff.manager):
        with pytest.raises(PermissionDenied, match="may not write clinical records"):
            require(actor.role, Permission.EDIT_CLINICAL)


def test_list_pages_and_sorts_in_sql(db: Database, staff: Staff) -> None:
    t = staff.therapist
    for n, (given, family, born) in enumerate(
        [
            ("Zoë", "Adams", date(1990, 1, 1)),
            ("Ana", "Brown", date(1950, 1, 1)),
            ("Bo", "Adams", date(1970, 1, 1)),
            ("Cy", "Chen", date(1980, 1, 1)),
        ]
    ):
        _add(
            db,
            t,
            given,
            family,
            born=born,
            primary_therapist_id=t.user_id if n % 2 else staff.therapist2.user_id,
        )
    by_name = patients.PatientQuery()
    first = patients.list_patients(db, t, by_name, offset=0, limit=3)
    rest = patients.list_patients(db, t, by_name, offset=3, limit=3)
    assert [p.given_name for p in first + rest] == ["Bo", "Zoë", "Ana", "Cy"]
    oldest_first = patients.PatientQuery(sort=patients.PatientSort.DATE_OF_BIRTH)
    assert [p.given_name for p in patients.list_patients(db, t, oldest_first)] == [
        "Ana",
        "Bo",
        "Cy",
        "Zoë",
    ]
    youngest_first = replace(oldest_first, descending=True)
    assert patients.list_patients(db, t, youngest_first)[0].given_name == "Zoë"
    mine = patients.PatientQuery(therapist_id=t.user_id, sort=patients.PatientSort.THERAPIST)
    assert [p.given_name for p in patients.list_patients(db, t, mine)] == ["Ana", "Cy"]
