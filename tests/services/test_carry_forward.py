"""Carry-forward for a returning patient: the last episode's history, medications,
occupation and activities are offered with their origin and confirmed in one call."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry
from casemanager.domain.enums import DischargeReason, EvaluationKind, Sex
from casemanager.domain.errors import ConflictError, DomainError, PermissionDenied, ValidationError
from casemanager.services import carry_forward, evaluations, follow_up, patients, plans
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import _plan

DISCHARGED_ON = EVAL_DAY + timedelta(days=5)
RETURNS_ON = EVAL_DAY + timedelta(days=10)  # on or before today: no future dates


def _signed_episode(db: Database, staff: Staff, patient_id: int) -> tuple[int, int]:
    """An initial evaluation and its discharge summary, both signed; returns their ids."""
    therapist = staff.therapist
    draft = evaluations.start_initial_evaluation(db, therapist, patient_id, "Spasm", EVAL_DAY)
    history = _complete(
        past_medical_history="Asthma; high blood pressure",
        medications="Salbutamol inhaler",
        occupation="Roofer",
        activities="Golf on Sundays",
    )
    draft = evaluations.save_draft(db, therapist, draft.id, draft.version, history)
    plans.save_plan(db, therapist, draft.id, None, _plan(db))
    draft = evaluations.get_evaluation(db, therapist, draft.id)
    evaluations.sign(db, therapist, draft.id, draft.version)
    summary = follow_up.start_follow_up(
        db, therapist, draft.episode_id, EvaluationKind.DISCHARGE, DISCHARGED_ON,
        today=DISCHARGED_ON,
    )  # fmt: skip
    changed = replace(
        summary.content,
        occupation="Site supervisor (no roofing)",  # updated at discharge
        medications=None,  # stopped: the initial evaluation's list is the latest one
        assessment_note="Goals met.",
        discharge_reason=DischargeReason.GOALS_MET,
    )
    summary = evaluations.save_draft(db, therapist, summary.id, summary.version, changed)
    evaluations.sign(db, therapist, summary.id, summary.version)
    return draft.id, summary.id


@pytest.fixture
def returning(db: Database, staff: Staff) -> tuple[int, int, evaluations.EvaluationRecord]:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Aroha", "Ngata", date(1968, 8, 8), Sex.FEMALE)
    )
    initial_id, summary_id = _signed_episode(db, staff, patient.id)
    new = evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Back spasm again", RETURNS_ON
    )
    return initial_id, summary_id, new


def test_offer_names_where_each_value_came_from(
    db: Database, staff: Staff, returning: tuple[int, int, evaluations.EvaluationRecord]
) -> None:
    initial_id, summary_id, new = returning
    offer = carry_forward.carry_forward_offer(db, staff.therapist, new.id)
    by_field = {v.field: v for v in offer.values}
    assert set(by_field) == {"past_medical_history", "medications", "occupation", "activities"}
    assert by_field["occupation"].value == "Site supervisor (no roofing)"
    assert (by_field["occupation"].evaluation_id, by_field["occupation"].evaluation_date) == (
        summary_id,
        DISCHARGED_ON,
    )
    assert by_field["occupation"].evaluation_kind == EvaluationKind.DISCHARGE
    # Cleared on the discharge summary: the newest evaluation that holds one speaks.
    assert (by_field["medications"].value, by_field["medications"].evaluation_id) == (
        "Salbutamol inhaler",
        initial_id,
    )
    assert {v.author_name for v in offer.values} == {"Ana Rivera, PT"}
    # Offering writes nothing into the draft.
    assert evaluations.get_evaluation(db, staff.therapist, new.id).content == new.content


def test_confirm_fills_in_one_call_and_keeps_what_was_typed(
    db: Database, staff: Staff, returning: tuple[int, int, evaluations.EvaluationRecord]
) -> None:
    _initial_id, summary_id, new = returning
    typed = replace(new.content, occupation="Retired")
    new = evaluations.save_draft(db, staff.therapist, new.id, new.version, typed)
    done = carry_forward.confirm_carry_forward(db, staff.therapist, new.id, new.version)
    content = done.evaluation.content
    assert content.occupation == "Retired"
    assert content.past_medical_history == "Asthma; high blood pressure"
    assert content.medications == "Salbutamol inhaler"
    assert content.activities == "Golf on Sundays"
    assert set(done.filled.filled) == {"past_medical_history", "medications", "activities"}
    assert done.filled.kept == ("occupation",)
    assert evaluations.get_evaluation(db, staff.therapist, new.id).content == content
    with pytest.raises(ConflictError):
        carry_forward.confirm_carry_forward(db, staff.therapist, new.id, new.version)
    replaced = carry_forward.confirm_carry_forward(
        db, staff.therapist, new.id, done.evaluation.version, ["occupation"], overwrite=True
    )
    assert replaced.evaluation.content.occupation == "Site supervisor (no roofing)"
    with db.session() as session:
        details = list(session.scalars(select(AuditEntry.detail)))
    assert f"evaluation {new.id}: carried forward from evaluation {summary_id}" in details


def test_refusals(
    db: Database, staff: Staff, returning: tuple[int, int, evaluations.EvaluationRecord]
) -> None:
    initial_id, _summary_id, new = returning
    with pytest.raises(ValidationError):
        carry_forward.confirm_carry_forward(db, staff.therapist, new.id, new.version, ["nprs_now"])
    with pytest.raises(PermissionDenied):
        carry_forward.carry_forward_offer(db, staff.manager, new.id)
    with pytest.raises(PermissionDenied, match="Only the evaluating therapist"):
        carry_forward.confirm_carry_forward(db, staff.therapist2, new.id, new.version)
    with pytest.raises(DomainError, match="signed and locked"):
        carry_forward.carry_forward_offer(db, staff.therapist, initial_id)


def test_a_first_episode_has_nothing_to_carry(db: Database, staff: Staff) -> None:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Li", "Wei", date(1990, 1, 1), Sex.MALE)
    )
    draft = evaluations.start_initial_evaluation(db, staff.therapist, patient.id, "Spasm", EVAL_DAY)
    offer = carry_forward.carry_forward_offer(db, staff.therapist, draft.id)
    assert offer == carry_forward.CarryForwardOffer(None, ())
    done = carry_forward.confirm_carry_forward(db, staff.therapist, draft.id, draft.version)
    assert done.filled.filled == () and done.evaluation.content == draft.content


def test_follow_ups_still_carry_their_episode_forward(
    db: Database, staff: Staff, returning: tuple[int, int, evaluations.EvaluationRecord]
) -> None:
    """Within an episode a follow-up starts from the last signed values (services/follow_up);
    carry-forward from an earlier episode is refused there."""
    _initial_id, _summary_id, new = returning
    done = carry_forward.confirm_carry_forward(db, staff.therapist, new.id, new.version)
    finished = evaluations.save_draft(
        db,
        staff.therapist,
        new.id,
        done.evaluation.version,
        replace(
            _complete(),
            past_medical_history=done.evaluation.content.past_medical_history,
            activities=done.evaluation.content.activities,
        ),
    )
    plan = _plan(db)
    shifted = replace(
        plan,
        goals=tuple(
            replace(g, target_date=g.target_date + timedelta(days=10))  # type: ignore[operator]
            for g in plan.goals
        ),
        certification_start=RETURNS_ON,
        certification_end=RETURNS_ON + timedelta(days=60),
        next_appointment=None,
    )
    plans.save_plan(db, staff.therapist, new.id, None, shifted)
    finished = evaluations.get_evaluation(db, staff.therapist, new.id)
    evaluations.sign(db, staff.therapist, new.id, finished.version)
    report = follow_up.start_follow_up(
        db,
        staff.therapist,
        finished.episode_id,
        EvaluationKind.PROGRESS_REPORT,
        RETURNS_ON + timedelta(days=1),
        today=RETURNS_ON + timedelta(days=1),
    )
    assert report.content.past_medical_history == "Asthma; high blood pressure"
    assert report.content.activities == "Golf on Sundays"
    with pytest.raises(DomainError, match="Follow-ups already start"):
        carry_forward.carry_forward_offer(db, staff.therapist, report.id)
