"""Every text a person types, through the service that saves it, on SQLite and PostgreSQL:
a value as long as its limit in domain/field_limits.py is stored exactly (PostgreSQL would
refuse one longer than its column), one character more is refused with a message that names
the field and its limit, and a control or direction-changing character is refused and
nothing is stored. The cases come from field_limits.TYPED: a field added there without a way
to save it here fails the first test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from sqlalchemy import String as SqlString
from sqlalchemy import bindparam, column, func, select, table

from casemanager.db.engine import Database
from casemanager.db.models import Referral
from casemanager.domain import catalogs, field_limits
from casemanager.domain.enums import (
    Cause,
    GoalTerm,
    RedFlagAction,
    RedFlagAnswer,
    Role,
    Sex,
    TreatmentPathKind,
)
from casemanager.domain.errors import ValidationError
from casemanager.domain.evaluation import PsfsEntry, RedFlagEntry
from casemanager.domain.exercises import ExerciseContent
from casemanager.domain.medicare import Certification, GoalAssessment, GoalProgress
from casemanager.domain.plan import GoalContent, HomeExerciseContent, PathContent
from casemanager.domain.templates import TemplateContent
from casemanager.interop.patient_files import Candidate
from casemanager.services import (
    accounts,
    clinic,
    evaluations,
    exercises,
    patient_import,
    patients,
    plans,
    referrals,
    templates,
    visits,
)
from tests.conftest import TEST_PASSWORD, Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import _exercises, _plan

TODAY = EVAL_DAY + timedelta(days=40)
PERSON = patients.PatientFields("Ines", "Duarte", date(1979, 5, 6), Sex.FEMALE)
HIDDEN = {
    "NUL": "\x00",
    "escape": "\x1b",
    "DEL": "\x7f",
    "C1 control": "\x9b",
    "left-to-right embedding": "\u202a",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "pop directional isolate": "\u2069",
}

Write = Callable[[Database, Staff, str], None]


def _letters(length: int) -> str:
    return "a" * length


def _email(length: int) -> str:
    """A well-formed address of `length` characters: a 64-letter local part, then labels of
    at most 63 letters before ".org"."""
    room = length - 64 - 1 - len(".org")
    labels = []
    while room > 63:
        size = 62 if room == 64 else 63  # never leave an empty label
        labels.append("b" * size)
        room -= size + 1
    labels.append("b" * room)
    return "a" * 64 + "@" + ".".join(labels) + ".org"


def _phone(length: int) -> str:
    """A real number padded with spaces to `length` characters."""
    return "+1 (631)" + " " * (length - 16) + "555-0100"


@dataclass(frozen=True)
class Case:
    field: str  # the field the refusal names (the form shows the message beside it)
    label: str  # how the message names it
    write: Write
    value: Callable[[int], str] = _letters  # a valid value of exactly this many characters
    hidden: Callable[[str], str] = lambda character: "ab" + character + "cd"


# -- what each save needs ---------------------------------------------------------------------


def _patient_id(db: Database, staff: Staff) -> int:
    return patients.create_patient(db, staff.therapist, PERSON).id


def _draft(db: Database, staff: Staff) -> evaluations.EvaluationRecord:
    return evaluations.start_initial_evaluation(
        db, staff.therapist, _patient_id(db, staff), "Low back spasm", EVAL_DAY
    )


def _save_evaluation(**content: object) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        draft = _draft(db, staff)
        filled = {k: (value if v is None else v(value)) for k, v in content.items()}  # type: ignore[operator]
        evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete(**filled))

    return write


def _flags(entry: Callable[[str, str], RedFlagEntry]) -> Callable[[str], object]:
    first = catalogs.RED_FLAGS[0].code
    return lambda value: tuple(
        entry(item.code, value) if item.code == first else RedFlagEntry(item.code, RedFlagAnswer.NO)
        for item in catalogs.RED_FLAGS
    )


def _save_plan(change: Callable[[Database, str], dict[str, object]]) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        draft = _draft(db, staff)
        plans.save_plan(db, staff.therapist, draft.id, None, _plan(db, **change(db, value)))

    return write


def _signed(db: Database, staff: Staff) -> evaluations.EvaluationRecord:
    draft = _draft(db, staff)
    record = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())
    plans.save_plan(db, staff.therapist, record.id, None, _plan(db))
    return evaluations.sign(db, staff.therapist, record.id, record.version)


def _medication_referral(db: Database, signed: evaluations.EvaluationRecord) -> int:
    with db.session() as session:
        found = session.scalar(select(Referral.id).where(Referral.episode_id == signed.episode_id))
    assert found is not None
    return found


def _referral_outcome(seen_by: bool) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        signed = _signed(db, staff)
        outcome = referrals.ReferralOutcome(
            value if seen_by else "Dr. Helen Brooks",
            EVAL_DAY + timedelta(days=5),
            True,
            None if seen_by else value,
        )
        referrals.record_outcome(
            db, staff.therapist, _medication_referral(db, signed), outcome, today=TODAY
        )

    return write


def _certification(physician: bool) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        signed = _signed(db, staff)
        if physician:
            given = Certification(value, EVAL_DAY + timedelta(days=10))
        else:  # certified after day 30: the delay needs a reason
            given = Certification("Dr. Helen Brooks", EVAL_DAY + timedelta(days=35), value)
        plans.record_certification(db, staff.therapist, signed.id, given, today=TODAY)

    return write


def _visit(progress_report: bool) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        episode = _signed(db, staff).episode_id
        judged: tuple[GoalAssessment, ...] = ()
        if progress_report:
            goals = visits.goals_to_assess(db, staff.therapist, episode)
            judged = tuple(GoalAssessment(g.id, GoalProgress.PROGRESSING, value) for g in goals)
        content = visits.VisitContent(
            EVAL_DAY + timedelta(days=3),
            note=None if progress_report else value,
            is_progress_report=progress_report,
            goal_assessments=judged,
        )
        visits.record_visit(db, staff.therapist, episode, content, today=TODAY)

    return write


def _exercise(**fields: object) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        content = ExerciseContent("Bridge, slow", "Lie on your back and lift the hips.")
        content = replace(content, **{k: value for k in fields})  # type: ignore[arg-type]
        exercises.save_exercise(db, staff.admin, None, None, content)

    return write


def _template(field: str) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        content = TemplateContent("Desk worker, first week", Cause.TISSUE_INJURY)
        templates.save_template(db, staff.admin, None, None, replace(content, **{field: value}))

    return write


def _clinic(field: str) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        details = clinic.ClinicDetails("Harbor Spine & Sport PT")
        clinic.update_details(db, staff.admin, None, replace(details, **{field: value}))

    return write


def _user(field: str) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        new = accounts.NewUser("okafor", "Chidi Okafor, PT", Role.THERAPIST, TEST_PASSWORD, "PT-9")
        accounts.create_user(db, staff.admin, replace(new, **{field: value}))

    return write


def _patient(field: str) -> Write:
    def write(db: Database, staff: Staff, value: str) -> None:
        patients.create_patient(db, staff.therapist, replace(PERSON, **{field: value}))

    return write


def _import(db: Database, staff: Staff, value: str) -> None:
    report = patient_import.import_patients(
        db, staff.therapist, [Candidate(2, value, PERSON)], dry_run=False
    )
    if report.problems:  # a row's problem, as the import reports it
        raise ValidationError("source_identifier", report.problems[0].message)


def _complaint(db: Database, staff: Staff, value: str) -> None:
    evaluations.start_initial_evaluation(
        db, staff.therapist, _patient_id(db, staff), value, EVAL_DAY
    )


def _addendum(db: Database, staff: Staff, value: str) -> None:
    evaluations.add_addendum(db, staff.therapist, _signed(db, staff).id, value)


def _path(
    kind: TreatmentPathKind, **fields: object
) -> Callable[[Database, str], dict[str, object]]:
    def change(db: Database, value: str) -> dict[str, object]:
        pt = _plan(db).paths[0]
        path = PathContent(kind, **{k: value if v is None else v for k, v in fields.items()})  # type: ignore[arg-type]
        return {"paths": (pt, path)}

    return change


_MEDICATION = TreatmentPathKind.MEDICATION_REFERRAL
_INJECTION = TreatmentPathKind.STEROID_INJECTION_REFERRAL
_EVALUATION_TEXTS = {
    "chief_complaint": "Chief complaint",
    "mechanism_of_injury": "Mechanism of injury",
    "aggravating_factors": "Aggravating factors",
    "easing_factors": "Easing factors",
    "prior_episodes": "Prior episodes",
    "past_medical_history": "Past medical history",
    "medications": "Medications",
    "occupation": "Occupation",
    "activities": "Sports and activities",
    "patient_goals": "Patient's goals",
    "pain_location": "Pain location",
    "cause_note": "Cause note",
    "assessment_note": "Assessment",
}
_FIRST_FLAG = catalogs.RED_FLAGS[0].code

CASES: dict[str, Case] = {
    "clinic.name": Case("name", "Clinic name", _clinic("name")),
    "clinic.phone": Case(
        "phone", "Phone number", _clinic("phone"), _phone, lambda c: "631 555" + c + "0100"
    ),
    "clinic.email": Case("email", "Email", _clinic("email"), _email, lambda c: "a" + c + "@b.org"),
    "clinic.address": Case("address", "Address", _clinic("address")),
    "evaluation_template.name": Case("template_name", "Template name", _template("name")),
    "evaluation_template.note": Case("template_note", "Template note", _template("note")),
    "users.username": Case("username", "username", _user("username")),
    "users.display_name": Case("display_name", "Full name", _user("display_name")),
    "users.licence_number": Case("licence_number", "Licence number", _user("licence_number")),
    "patient.given_name": Case("given_name", "First name", _patient("given_name")),
    "patient.family_name": Case("family_name", "Last name", _patient("family_name")),
    "patient.preferred_name": Case("preferred_name", "Preferred name", _patient("preferred_name")),
    "patient.phone": Case(
        "phone", "Phone", _patient("phone"), _phone, lambda c: "631 555" + c + "0100"
    ),
    "patient.email": Case(
        "email", "Email", _patient("email"), _email, lambda c: "a" + c + "@b.org"
    ),
    "patient.address": Case("address", "Address", _patient("address")),
    "patient.emergency_contact_name": Case(
        "emergency_contact_name", "Emergency contact", _patient("emergency_contact_name")
    ),
    "patient.emergency_contact_phone": Case(
        "emergency_contact_phone",
        "phone",
        _patient("emergency_contact_phone"),
        _phone,
        lambda c: "631 555" + c + "0100",
    ),
    "patient.referring_physician": Case(
        "referring_physician", "Referring physician", _patient("referring_physician")
    ),
    "patient.source_identifier": Case("source_identifier", "record number", _import),
    "episode_of_care.complaint": Case("complaint", "Complaint", _complaint),
    **{
        f"evaluation.{name}": Case(name, label, _save_evaluation(**{name: None}))
        for name, label in _EVALUATION_TEXTS.items()
    },
    "red_flag_finding.note": Case(
        f"red_flag_note_{_FIRST_FLAG}",
        "Red-flag note",
        _save_evaluation(
            red_flags=_flags(lambda code, value: RedFlagEntry(code, RedFlagAnswer.NO, note=value))
        ),
    ),
    "red_flag_finding.action_reason": Case(
        f"red_flag_reason_{_FIRST_FLAG}",
        "Reason for the red-flag action",
        _save_evaluation(
            red_flags=_flags(
                lambda code, value: RedFlagEntry(
                    code, RedFlagAnswer.YES, RedFlagAction.MONITOR, reason=value
                )
            )
        ),
    ),
    "psfs_activity.activity": Case(
        "psfs_1",
        "PSFS activity 1",
        _save_evaluation(psfs=lambda value: (PsfsEntry(value, 3),)),
    ),
    "addendum.text": Case("addendum", "Addendum", _addendum),
    "treatment_plan.note": Case("plan_note", "Plan note", _save_plan(lambda db, v: {"note": v})),
    "treatment_plan.certified_by": Case(
        "certified_by", "Certifying physician", _certification(physician=True)
    ),
    "treatment_plan.certification_delay_reason": Case(
        "certification_delay_reason", "Reason for the delay", _certification(physician=False)
    ),
    "treatment_path.injection_level": Case(
        "path_steroid_injection_referral_level",
        "Level",
        _save_plan(_path(_INJECTION, injection_level=None)),
    ),
    "treatment_path.reason": Case(
        "path_medication_referral_reason",
        "Reason",
        _save_plan(_path(_MEDICATION, muscle_relaxant=True, reason=None)),
    ),
    "treatment_path.refer_to": Case(
        "path_medication_referral_refer_to",
        "Refer to",
        _save_plan(_path(_MEDICATION, muscle_relaxant=True, refer_to=None)),
    ),
    "goal.description": Case(
        "goal_1",
        "Goal 1",
        _save_plan(lambda db, v: {"goals": (GoalContent(GoalTerm.SHORT, v),)}),
    ),
    "home_exercise.note": Case(
        "exercise_1_note",
        "Exercise 1 note",
        _save_plan(
            lambda db, v: {"home_exercises": (HomeExerciseContent(_exercises(db)[0], note=v),)}
        ),
    ),
    "exercise.name": Case("name", "Name", _exercise(name=None)),
    "exercise.instructions": Case("instructions", "How to do it", _exercise(instructions=None)),
    "exercise.precautions": Case("precautions", "Take care", _exercise(precautions=None)),
    "referral.seen_by": Case("seen_by", "Seen by", _referral_outcome(seen_by=True)),
    "referral.outcome_note": Case("outcome_note", "Outcome note", _referral_outcome(seen_by=False)),
    "visit.note": Case("note", "Visit note", _visit(progress_report=False)),
    "goal_assessment.note": Case("goal_1", "Goal 1 note", _visit(progress_report=True)),
}


def test_every_typed_field_has_a_case() -> None:
    assert set(CASES) == set(field_limits.TYPED)


def _stored(db: Database, key: str, value: str, hidden: str | None = None) -> int:
    """How many rows hold exactly this value in this column; with `hidden`, the value with
    any one character in its place (PostgreSQL cannot even be asked about a NUL)."""
    name, _, column_name = key.partition(".")
    value_column = column(column_name, SqlString())
    matches = (
        value_column == bindparam("value", value, type_=SqlString())
        if hidden is None
        else value_column.like(value.replace(hidden, "_"))
    )
    query = select(func.count()).select_from(table(name, value_column)).where(matches)
    with db.session() as session:
        return int(session.scalar(query) or 0)


@pytest.mark.parametrize("key", sorted(CASES))
def test_the_limit_is_stored_and_one_more_is_refused(db: Database, staff: Staff, key: str) -> None:
    case, limit = CASES[key], field_limits.COLUMNS[key]
    longest = case.value(limit)
    assert len(longest) == limit
    case.write(db, staff, longest)
    assert _stored(db, key, longest) >= 1  # a progress report's note on each of two goals

    too_long = case.value(limit + 1)
    assert len(too_long) == limit + 1
    with pytest.raises(ValidationError) as refused:
        case.write(db, staff, too_long)
    assert refused.value.field == case.field
    message = refused.value.message
    assert case.label.lower() in message.lower() and str(limit) in message, message
    assert _stored(db, key, too_long) == 0


@pytest.mark.parametrize("key", sorted(CASES))
def test_hidden_characters_are_refused(db: Database, staff: Staff, key: str) -> None:
    case = CASES[key]
    for what, character in HIDDEN.items():
        value = case.hidden(character)
        with pytest.raises(ValidationError) as refused:
            case.write(db, staff, value)
        assert refused.value.field == case.field, what
        assert case.label.lower() in refused.value.message.lower(), (what, refused.value.message)
        assert _stored(db, key, value, hidden=character) == 0, what
