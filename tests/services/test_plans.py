"""The plan of care: paths, goals, home exercises, certification; guideline notes; signing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import Exercise, Referral
from casemanager.domain.enums import (
    GoalTerm,
    HeatIce,
    ReferralKind,
    ReferralStatus,
    Sex,
    TreatmentPathKind,
    Urgency,
)
from casemanager.domain.errors import ConflictError, DomainError, ValidationError
from casemanager.domain.plan import GoalContent, HomeExerciseContent, PathContent, PlanContent
from casemanager.services import evaluations, patients, plans
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, _complete


@pytest.fixture
def evaluation(db: Database, staff: Staff) -> evaluations.EvaluationRecord:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Eun-ji", "Park", date(1980, 6, 1), Sex.FEMALE)
    )
    draft = evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Low back spasm", EVAL_DAY
    )
    return evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())


def _exercises(db: Database) -> list[int]:
    with db.session() as session:
        return list(session.scalars(select(Exercise.id).order_by(Exercise.id)))


def _plan(db: Database, **changes: object) -> PlanContent:
    first, second = _exercises(db)[:2]
    plan = PlanContent(
        paths=(
            PathContent(
                TreatmentPathKind.PT_PLAN,
                frequency_per_week=2,
                duration_weeks=6,
                interventions=("manual_therapy", "therapeutic_exercise"),
                heat_ice=HeatIce.HEAT,
                heat_ice_minutes=15,
                heat_ice_times_per_day=2,
            ),
            PathContent(
                TreatmentPathKind.MEDICATION_REFERRAL,
                muscle_relaxant=True,
                reason="Spasm stopping sleep",
                refer_to="Dr. Helen Brooks",
            ),
        ),
        goals=(
            GoalContent(GoalTerm.SHORT, "Sit 30 minutes at work", EVAL_DAY + timedelta(days=14)),
            GoalContent(GoalTerm.LONG, "Lift 10 kg floor to waist", EVAL_DAY + timedelta(days=42)),
        ),
        home_exercises=(
            HomeExerciseContent(first, sets=2, reps=10, hold_seconds=5, times_per_day=2),
            HomeExerciseContent(second, sets=1, reps=8),
        ),
        certification_start=EVAL_DAY,
        certification_end=EVAL_DAY + timedelta(days=60),
        # 9:30 in the morning two days on, wherever this workstation is.
        next_appointment=datetime.combine(EVAL_DAY + timedelta(days=2), time(9, 30)).astimezone(),
    )
    return replace(plan, **changes)  # type: ignore[arg-type]


def test_plan_saves_and_reloads(
    db: Database, staff: Staff, evaluation: evaluations.EvaluationRecord
) -> None:
    content = _plan(db)
    saved = plans.save_plan(db, staff.therapist, evaluation.id, None, content)
    assert saved.content == content
    again = plans.save_plan(
        db, staff.therapist, evaluation.id, saved.version, replace(content, goals=content.goals[1:])
    )
    assert again.version > saved.version
    stored = plans.get_plan(db, staff.manager, evaluation.id)
    assert stored is not None and stored.content.goals == content.goals[1:]
    # The evaluation's STarT Back answers put the patient at high risk: the plan says so.
    assert any("psychologically informed" in g.message for g in stored.guidance)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"certification_end": EVAL_DAY + timedelta(days=90)}, "certification_end"),
        ({"certification_start": EVAL_DAY - timedelta(days=1)}, "certification_start"),
        ({"goals": (GoalContent(GoalTerm.SHORT, "Walk", EVAL_DAY - timedelta(days=1)),)}, "goal_1"),
        ({"goals": (GoalContent(GoalTerm.SHORT, "  "),)}, "goal_1"),
        (
            {"paths": (PathContent(TreatmentPathKind.MEDICATION_REFERRAL),)},
            "path_medication_referral",
        ),
        (
            {"paths": (PathContent(TreatmentPathKind.PT_PLAN, frequency_per_week=9),)},
            "path_pt_plan_frequency",
        ),
        ({"paths": (PathContent(TreatmentPathKind.PT_PLAN),) * 2}, "paths"),
        ({"home_exercises": (HomeExerciseContent(999_999),)}, "exercise_1"),
        (
            {"next_appointment": datetime.combine(EVAL_DAY, time(8)).astimezone() - timedelta(1)},
            "next_appointment",
        ),
    ],
)
def test_plan_refusals_name_the_field(
    db: Database,
    staff: Staff,
    evaluation: evaluations.EvaluationRecord,
    change: dict[str, object],
    field: str,
) -> None:
    with pytest.raises(ValidationError) as error:
        plans.save_plan(db, staff.therapist, evaluation.id, None, _plan(db, **change))
    assert error.value.field == field
    assert plans.get_plan(db, staff.therapist, evaluation.id) is None


def test_guideline_notes(
    db: Database, staff: Staff, evaluation: evaluations.EvaluationRecord
) -> None:
    content = _plan(
        db,
        paths=(
            PathContent(TreatmentPathKind.STEROID_INJECTION_REFERRAL),
            PathContent(TreatmentPathKind.LUMBAR_SURGERY_REFERRAL),
        ),
    )
    saved = plans.save_plan(db, staff.therapist, evaluation.id, None, content)
    fields = {g.field for g in saved.guidance}
    assert "path_steroid_injection_referral" in fields  # no pain below the knee recorded
    assert "path_lumbar_surgery_referral_reason" in fields  # no reason documented


def test_stale_plan_save_is_refused(
    db: Database, staff: Staff, evaluation: evaluations.EvaluationRecord
) -> None:
    saved = plans.save_plan(db, staff.therapist, evaluation.id, None, _plan(db))
    plans.save_plan(db, staff.therapist, evaluation.id, saved.version, _plan(db))
    with pytest.raises(ConflictError):
        plans.save_plan(db, staff.therapist, evaluation.id, saved.version, _plan(db))


def test_signing_needs_a_complete_plan_and_creates_path_referrals(
    db: Database, staff: Staff, evaluation: evaluations.EvaluationRecord
) -> None:
    # Without the PT plan's weeks there is no period to follow: both are asked for.
    pt, medication = _plan(db).paths
    no_weeks = _plan(
        db,
        paths=(replace(pt, duration_weeks=None), medication),
        certification_start=None,
        certification_end=None,
    )
    plans.save_plan(db, staff.therapist, evaluation.id, None, no_weeks)
    current = evaluations.get_evaluation(db, staff.therapist, evaluation.id)
    with pytest.raises(evaluations.IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, evaluation.id, current.version)
    assert [m.field for m in refused.value.missing] == [
        "path_pt_plan_frequency",
        "certification_start",
    ]

    plan = plans.get_plan(db, staff.therapist, evaluation.id)
    assert plan is not None
    plans.save_plan(db, staff.therapist, evaluation.id, plan.version, _plan(db))
    current = evaluations.get_evaluation(db, staff.therapist, evaluation.id)
    evaluations.sign(db, staff.therapist, evaluation.id, current.version)
    with db.session() as session:
        referral = session.scalars(select(Referral)).one()
    assert (referral.kind, referral.to_whom, referral.urgency, referral.status) == (
        ReferralKind.MEDICATION,
        "Dr. Helen Brooks",
        Urgency.ROUTINE,
        ReferralStatus.OPEN,
    )
    plan = plans.get_plan(db, staff.therapist, evaluation.id)
    assert plan is not None
    with pytest.raises(DomainError, match="locked"):
        plans.save_plan(db, staff.therapist, evaluation.id, plan.version, _plan(db))


def test_only_the_evaluating_therapist_plans(
    db: Database, staff: Staff, evaluation: evaluations.EvaluationRecord
) -> None:
    from casemanager.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match=r"evaluating therapist \(Ana Rivera, PT\)"):
        plans.save_plan(db, staff.therapist2, evaluation.id, None, _plan(db))
