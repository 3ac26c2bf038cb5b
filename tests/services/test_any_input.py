"""Property-based: whatever is typed into a service (any script, control characters, SQL-looking
text, huge values, impossible dates) is either stored exactly as the service cleans it, or
refused with a ValidationError that names the field. Nothing else may happen: no crash, no
database error, nothing half-saved. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casemanager.db.engine import Database
from casemanager.domain import exercises as exercise_rules
from casemanager.domain.enums import Role, Sex
from casemanager.domain.errors import ValidationError
from casemanager.domain.exercises import ExerciseContent
from casemanager.services import accounts, clinic, evaluations, exercises, patients, plans, visits
from casemanager.services.patients import clean_fields
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import _plan

SQLISH = st.sampled_from(
    ["'; DROP TABLE patient; --", "Robert'); DELETE FROM audit_log;--", "1 OR 1=1", "%_\\"]
)
# Every code point class, control characters and lone surrogates' neighbours included.
ANY_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(), max_size=400),
    st.text(st.sampled_from("\x00\x01\x07\x1b\t\r\n\u200b\u202e\ufeff"), max_size=10),
    SQLISH,
    st.text(st.sampled_from("Ωж王김ß😀é "), min_size=5000, max_size=12000),
)
NAME = st.one_of(ANY_TEXT, st.text(st.characters(), min_size=1, max_size=30))
DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EXAMPLES: dict[str, int] = {}  # examples run per test, for the closing note


def _counted(name: str) -> None:
    EXAMPLES[name] = EXAMPLES.get(name, 0) + 1


def _refusal_names_a_field(error: ValidationError, fields: set[str]) -> None:
    assert error.field in fields, error.field
    assert error.message and len(error.message) < 400


PATIENT_FIELDS = {
    "given_name",
    "family_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "preferred_name",
}


@SETTINGS
@given(
    given_name=NAME,
    family=NAME,
    born=DATES,
    phone=st.one_of(st.none(), ANY_TEXT, st.from_regex(r"\+?[0-9 ()-]{7,20}", fullmatch=True)),
    email=st.one_of(st.none(), ANY_TEXT, st.emails()),
    address=st.one_of(st.none(), ANY_TEXT),
    preferred=st.one_of(st.none(), ANY_TEXT),
)
def test_any_patient_is_stored_exactly_or_refused(
    db: Database,
    staff: Staff,
    given_name: str,
    family: str,
    born: date,
    phone: str | None,
    email: str | None,
    address: str | None,
    preferred: str | None,
) -> None:
    _counted("patients")
    typed = patients.PatientFields(
        given_name,
        family,
        born,
        Sex.UNKNOWN,
        phone=phone,
        email=email,
        address=address,
        preferred_name=preferred,
    )
    before = patients.count_patients(db, staff.therapist)
    try:
        created = patients.create_patient(db, staff.therapist, typed)
    except ValidationError as refused:
        _refusal_names_a_field(refused, PATIENT_FIELDS)
        assert patients.count_patients(db, staff.therapist) == before  # nothing half-saved
        return
    expected = clean_fields(typed, date.today())
    assert created.fields == expected
    assert patients.get_patient(db, staff.therapist, created.id).fields == expected


TEXT_FIELDS = ("chief_complaint", "mechanism_of_injury", "assessment_note", "cause_note")


@SETTINGS
@given(field=st.sampled_from(TEXT_FIELDS), text=ANY_TEXT, onset=st.one_of(st.none(), DATES))
def test_any_evaluation_text_is_stored_exactly_or_refused(
    db: Database, staff: Staff, field: str, text: str, onset: date | None
) -> None:
    _counted("evaluation drafts")
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Any", "Text", date(1970, 1, 1), Sex.MALE)
    )
    draft = evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Back spasm", EVAL_DAY
    )
    content = replace(_complete(), **{field: text, "onset_date": onset})
    try:
        saved = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, content)
    except ValidationError as refused:
        _refusal_names_a_field(refused, {field, "onset_date"})
        again = evaluations.get_evaluation(db, staff.therapist, draft.id)
        assert again.version == draft.version  # the refused save changed nothing
        return
    stored = evaluations.get_evaluation(db, staff.therapist, draft.id)
    assert getattr(stored.content, field) == getattr(saved.content, field)
    cleaned = text.strip() or None
    assert getattr(stored.content, field) in (cleaned, text)  # stripped, never altered inside


@pytest.fixture
def episode(db: Database, staff: Staff) -> int:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Visit", "Notes", date(1970, 1, 1), Sex.MALE)
    )
    draft = evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Back spasm", EVAL_DAY
    )
    saved = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())
    plans.save_plan(db, staff.therapist, saved.id, None, _plan(db))
    current = evaluations.get_evaluation(db, staff.therapist, saved.id)
    return evaluations.sign(db, staff.therapist, saved.id, current.version).episode_id


@SETTINGS
@given(note=ANY_TEXT, day=DATES, nprs=st.one_of(st.none(), st.integers(-(10**9), 10**9)))
def test_any_visit_is_stored_exactly_or_refused(
    db: Database, staff: Staff, episode: int, note: str, day: date, nprs: int | None
) -> None:
    _counted("visits")
    before = visits.progress(db, staff.therapist, episode).visits
    content = visits.VisitContent(day, nprs=nprs, note=note)
    try:
        saved = visits.record_visit(db, staff.therapist, episode, content)
    except ValidationError as refused:
        _refusal_names_a_field(refused, {"visit_date", "nprs", "note"})
        assert visits.progress(db, staff.therapist, episode).visits == before
        return
    assert saved.note in (note.strip() or None, note)
    assert visits.progress(db, staff.therapist, episode).visits == before + 1


@SETTINGS
@given(
    name=ANY_TEXT,
    instructions=ANY_TEXT,
    precautions=st.one_of(st.none(), ANY_TEXT),
    sets=st.one_of(st.none(), st.integers(-(10**12), 10**12)),
)
def test_any_exercise_is_stored_exactly_or_refused(
    db: Database,
    staff: Staff,
    name: str,
    instructions: str,
    precautions: str | None,
    sets: int | None,
) -> None:
    _counted("exercises")
    before = len(exercises.list_library(db, staff.therapist))
    content = ExerciseContent(name, instructions, precautions=precautions, sets=sets)
    try:
        saved = exercises.save_exercise(db, staff.therapist, None, None, content)
    except ValidationError as refused:
        _refusal_names_a_field(refused, {"name", "instructions", "precautions", "sets"})
        assert len(exercises.list_library(db, staff.therapist)) == before
        return
    stored = {e.id: e for e in exercises.list_library(db, staff.therapist)}[saved.id]
    assert stored.content == saved.content == exercise_rules.clean(content)


@SETTINGS
@given(username=ANY_TEXT, full_name=ANY_TEXT, password=ANY_TEXT)
def test_any_account_is_stored_or_refused(
    db: Database, staff: Staff, username: str, full_name: str, password: str
) -> None:
    _counted("accounts")
    new = accounts.NewUser(username, full_name, Role.OFFICE_MANAGER, password, None)
    try:
        created = accounts.create_user(db, staff.admin, new)
    except ValidationError as refused:
        _refusal_names_a_field(refused, {"username", "display_name", "password"})
        return
    assert accounts.authenticate(db, created.username, password, "ws").user_id == created.id


@SETTINGS
@given(text=ANY_TEXT, name=ANY_TEXT, phone=st.one_of(st.none(), ANY_TEXT))
def test_any_addendum_and_clinic_detail_is_stored_or_refused(
    db: Database, staff: Staff, episode: int, text: str, name: str, phone: str | None
) -> None:
    _counted("addenda and clinic details")
    signed = evaluations.list_evaluations(
        db, staff.therapist, visits.find_episode(db, staff.therapist, episode)[0]
    )[0]
    try:
        record = evaluations.add_addendum(db, staff.therapist, signed.id, text)
    except ValidationError as refused:
        _refusal_names_a_field(refused, {"text", "addendum"})
    else:
        assert record.addenda[-1].text == text.strip()
    try:
        clinic.update_details(db, staff.admin, None, clinic.ClinicDetails(name, phone=phone))
    except ValidationError as refused:
        _refusal_names_a_field(refused, {"name", "phone"})
    else:
        assert clinic.overview(db, staff.admin).clinic_name == name.strip()
