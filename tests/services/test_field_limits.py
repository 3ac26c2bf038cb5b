"""Every patient field has one limit, the size of its column: a value at the limit is stored
(on PostgreSQL too, which refuses anything longer than its column), one character more is
refused with a message naming the field, and hidden characters (control codes, NUL included,
and direction overrides) are refused in every field. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import String, Text

from casemanager.db.engine import Database
from casemanager.db.models import Clinic, Patient
from casemanager.domain import field_limits
from casemanager.domain.enums import Sex
from casemanager.domain.errors import ValidationError
from casemanager.services import patients
from tests.conftest import Staff

BASE = patients.PatientFields("Ines", "Duarte", date(1979, 5, 6), Sex.FEMALE)

# The longest valid value of each typed field, built to the limit from field_limits.
_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"
LONGEST: dict[str, str] = {
    "given_name": "Ñ" * field_limits.NAME,
    "family_name": "王" * field_limits.NAME,
    "preferred_name": "Ana" + "a" * (field_limits.NAME - 3),
    "email": _EMAIL,
    "address": "12 Main St\n" + "x" * (field_limits.ADDRESS - 11),
    "emergency_contact_name": "M" * field_limits.CONTACT_NAME,
    "referring_physician": "Dr " + "D" * (field_limits.CONTACT_NAME - 3),
}
PHONES = ("phone", "emergency_contact_phone")


def test_the_longest_email_is_one_the_limit_allows() -> None:
    assert len(_EMAIL) == field_limits.EMAIL


def test_columns_are_sized_from_the_limits() -> None:
    """The table the checks read is the one the columns are made from."""
    sized = {
        "mrn": field_limits.MRN,
        "given_name": field_limits.NAME,
        "family_name": field_limits.NAME,
        "preferred_name": field_limits.NAME,
        "search_name": field_limits.SEARCH_NAME,
        "phone": field_limits.PHONE,
        "phone_digits": field_limits.PHONE_DIGITS,
        "email": field_limits.EMAIL,
        "preferred_language": field_limits.LANGUAGE,
        "emergency_contact_name": field_limits.CONTACT_NAME,
        "emergency_contact_phone": field_limits.PHONE,
        "referring_physician": field_limits.CONTACT_NAME,
        "source_identifier": field_limits.SOURCE_IDENTIFIER,
    }
    columns = Patient.__table__.columns
    assert {name: columns[name].type.length for name in sized} == sized  # type: ignore[attr-defined]
    unbounded = [c.name for c in columns if isinstance(c.type, String) and c.type.length is None]
    assert set(unbounded) == {"address"} and isinstance(columns["address"].type, Text)
    assert Clinic.__table__.columns["email"].type.length == field_limits.EMAIL  # type: ignore[attr-defined]


def _create(db: Database, staff: Staff, **values: Any) -> patients.PatientRecord:
    return patients.create_patient(db, staff.therapist, replace(BASE, **values))


def test_values_at_the_limit_are_stored_exactly(db: Database, staff: Staff) -> None:
    record = _create(db, staff, **LONGEST)
    again = patients.get_patient(db, staff.therapist, record.id)
    for field, value in LONGEST.items():
        assert getattr(again.fields, field) == value, field


@pytest.mark.parametrize("field", sorted(LONGEST))
def test_one_character_over_the_limit_is_refused(db: Database, staff: Staff, field: str) -> None:
    value = LONGEST[field] + "z"
    if field == "email":
        value = "z" + value
    with pytest.raises(ValidationError) as refused:
        _create(db, staff, **{field: value})
    assert refused.value.field == field
    assert "too long" in refused.value.message and "or fewer" in refused.value.message
    assert patients.count_patients(db, staff.therapist) == 0


@pytest.mark.parametrize("field", PHONES)
def test_an_over_long_phone_is_refused_for_its_length(
    db: Database, staff: Staff, field: str
) -> None:
    """Eleven digits but 45 characters: the digit count alone would let it through."""
    value = "+1 (631)" + " " * 30 + "555-0100"
    assert len(value) > field_limits.PHONE
    with pytest.raises(ValidationError) as refused:
        _create(db, staff, **{field: value})
    assert refused.value.field == field and "too long (46 characters)" in refused.value.message


HIDDEN = {
    "NUL": "\x00",
    "escape": "\x1b",
    "C1 control": "\x85",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "first strong isolate": "\u2068",
}


@pytest.mark.parametrize("field", sorted([*LONGEST, *PHONES]))
def test_hidden_characters_are_refused_in_every_field(
    db: Database, staff: Staff, field: str
) -> None:
    for what, character in HIDDEN.items():
        value = ("555 01" if field in PHONES else "Ana") + character + "02"
        with pytest.raises(ValidationError) as refused:
            _create(db, staff, **{field: value})
        assert refused.value.field == field, what
    assert patients.count_patients(db, staff.therapist) == 0


@pytest.mark.parametrize("field", ["preferred_name", "emergency_contact_name", "email"])
def test_one_line_fields_refuse_line_breaks(db: Database, staff: Staff, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _create(db, staff, **{field: "Ana\nMaria"})
    assert refused.value.field == field


def test_a_name_whose_search_key_would_not_fit_is_refused(db: Database, staff: Staff) -> None:
    """ "ﷺ" is one character but eighteen letters once spelled out for searching."""
    with pytest.raises(ValidationError) as refused:
        _create(db, staff, given_name="Ana " + "\ufdfa" * 10)
    assert refused.value.field == "given_name" and "spelled out" in refused.value.message


def test_the_longest_names_fit_the_search_key(db: Database, staff: Staff) -> None:
    record = _create(
        db,
        staff,
        given_name="g" * field_limits.NAME,
        family_name="f" * field_limits.NAME,
        preferred_name="p" * field_limits.NAME,
    )
    assert record.fields.preferred_name == "p" * field_limits.NAME


def test_update_applies_the_same_limits(db: Database, staff: Staff) -> None:
    record = _create(db, staff)
    with pytest.raises(ValidationError) as refused:
        patients.update_patient(
            db,
            staff.therapist,
            record.id,
            record.version,
            replace(record.fields, referring_physician="x\x00y"),
        )
    assert refused.value.field == "referring_physician"


def test_the_duplicate_check_refuses_what_the_save_refuses(db: Database, staff: Staff) -> None:
    """It runs before the save with the names as typed: a NUL was a DataError on PostgreSQL."""
    for given, family in (("An\x00a", "Silva"), ("Ana", "S" * (field_limits.NAME + 1))):
        with pytest.raises(ValidationError) as refused:
            patients.possible_duplicates(db, staff.therapist, given, family, date(1979, 5, 6))
        assert refused.value.field == ("given_name" if "\x00" in given else "family_name")


def test_a_login_name_with_hidden_characters_is_a_failed_login(db: Database, staff: Staff) -> None:
    """Typed at the login page: an unknown user (and audited as one), never a DataError."""
    from casemanager.domain.errors import AuthenticationFailed
    from casemanager.services import accounts, audit_log

    for typed in ("riv\x00era", "rivera\u202e", "r" * 70_000):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(db, typed, "whatever", "ws")
    rows = audit_log.search(db, staff.admin, audit_log.AuditFilter(actor="(unknown user)"))
    assert len(rows) == 3


def test_clean_fields_keeps_every_field() -> None:
    """It builds the result afresh (fast for imports): a field it forgot would be lost."""
    from dataclasses import fields as dataclass_fields

    from casemanager.domain.enums import PatientStatus

    full = patients.PatientFields(
        "Ana", "Silva", date(1970, 3, 4), Sex.FEMALE, "631 555 0101", "ana@example.org",
        "1 Main St", "Annie", "es", "Rui Silva", "631 555 0102", "Dr Lee", 7, PatientStatus.ON_HOLD,
    )  # fmt: skip
    assert all(getattr(full, f.name) != f.default for f in dataclass_fields(full))
    assert patients.clean_fields(full, date(2026, 12, 1)) == full
