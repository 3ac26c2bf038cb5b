"""A complete evaluation snapshot built by hand: reports are tested without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from casemanager.domain import catalogs
from casemanager.domain.enums import (
    EvaluationKind,
    GoalTerm,
    HeatIce,
    ReferralKind,
    TreatmentPathKind,
    Urgency,
)
from casemanager.domain.evaluation import compute_scores
from casemanager.domain.plan import GoalContent, PathContent, PlanContent
from casemanager.reports.data import (
    ClinicHeader,
    EvaluationSnapshot,
    ExerciseSheet,
    PatientHeader,
    ReferralInfo,
)
from tests.services.test_evaluations import _complete

DAY = date(2026, 11, 20)
NAMES = {
    "accented Latin": ("Zoë", "Müller-Lüdenscheidt"),
    "Vietnamese": ("Nguyễn Thị", "Phương"),
    "Polish": ("Łucja", "Wiśniewska-Żółć"),
    "Greek": ("Ἀθηνᾶ", "Παπαδοπούλου"),
    "Cyrillic": ("Дмитрий", "Иванов"),
    "Chinese": ("秀英", "王"),
    "Japanese": ("花子", "山田はなこ"),
    "Korean": ("민준", "김"),
}


def make_snapshot(
    given: str = "Eun-ji", family: str = "Park", **changes: object
) -> EvaluationSnapshot:
    content = _complete(  # the evaluation the service tests sign, with a location
        chief_complaint="Low back spasm after lifting boxes",
        pain_location="Lower back, left",
        radiates_below_knee=False,
    )
    plan = PlanContent(
        paths=(
            PathContent(
                TreatmentPathKind.PT_PLAN,
                frequency_per_week=2,
                duration_weeks=6,
                interventions=("therapeutic_exercise", "manual_therapy"),
                heat_ice=HeatIce.HEAT,
                heat_ice_minutes=15,
                heat_ice_times_per_day=2,
            ),
            PathContent(
                TreatmentPathKind.MEDICATION_REFERRAL,
                muscle_relaxant=True,
                reason="Spasm stopping sleep",
                refer_to="Dr. Helen Brooks",
                urgency=Urgency.URGENT,
            ),
        ),
        goals=(
            GoalContent(GoalTerm.SHORT, "Sit 30 minutes at work", DAY + timedelta(days=14)),
            GoalContent(GoalTerm.LONG, "Lift 10 kg from floor to waist", DAY + timedelta(days=42)),
        ),
        certification_start=DAY,
        certification_end=DAY + timedelta(days=60),
        next_appointment=datetime(2026, 11, 24, 14, 30, tzinfo=UTC),
    )
    bridge = next(t for t in catalogs.STARTER_EXERCISES if t.key == "bridge")
    snapshot = EvaluationSnapshot(
        clinic=ClinicHeader("Harbor Spine & Sport PT", "(631) 555-0100", "120 Neck Rd", None),
        patient=PatientHeader(given, family, date(1980, 6, 1), "12345674"),
        therapist_name="Ana Rivera, PT",
        therapist_licence="PT-1001",
        kind=EvaluationKind.INITIAL,
        evaluation_date=DAY,
        signed_at=datetime(2026, 11, 20, 22, 0, tzinfo=UTC),
        content=content,
        scores=compute_scores(content),
        plan=plan,
        exercises=(
            ExerciseSheet(
                "bridge",
                bridge.name,
                bridge.instructions,
                bridge.precautions,
                2,
                10,
                5,
                2,
            ),
            ExerciseSheet(
                None,
                "Wall sit",
                "Slide down the wall.",
                None,
                1,
                None,
                20,
                1,
                is_starter_text=False,
            ),
        ),
        diagnoses=(
            ("S39.012A", "Strain of muscle, fascia and tendon of lower back, initial encounter"),
            ("M62.830", "Muscle spasm of back"),
        ),
        referring_physician="Dr. Helen Brooks",
        referrals=(
            ReferralInfo(
                7,
                ReferralKind.MEDICATION,
                "Dr. Helen Brooks",
                "primary care",
                "Spasm stopping sleep",
                Urgency.URGENT,
                DAY,
            ),
        ),
        printed_on=date(2026, 11, 27),
    )
    return replace(snapshot, **changes)  # type: ignore[arg-type]


@pytest.fixture
def snapshot() -> EvaluationSnapshot:
    return make_snapshot()
