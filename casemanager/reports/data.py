"""What a document needs, gathered by services from the database; reports never query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from casemanager.domain.enums import (
    EvaluationKind,
    GoalTerm,
    ReferralKind,
    ReferralStatus,
    Urgency,
)
from casemanager.domain.evaluation import EvaluationContent, Scores
from casemanager.domain.medicare import Certification, GoalProgress
from casemanager.domain.plan import PlanContent


@dataclass(frozen=True)
class ClinicHeader:
    name: str
    phone: str | None = None
    address: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class PatientHeader:
    given_name: str
    family_name: str
    date_of_birth: date
    mrn: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class ExerciseSheet:
    """A home exercise as prescribed: the library's text with this plan's dose."""

    starter_key: str | None  # the built-in drawing and translations, for a starter exercise
    name: str
    instructions: str
    precautions: str | None
    sets: int | None
    reps: int | None
    hold_seconds: int | None
    times_per_day: int | None
    image: bytes | None = None  # the clinic's own picture, when it has one
    is_starter_text: bool = True  # unchanged from the starter set: translations apply


@dataclass(frozen=True)
class ReferralInfo:
    id: int
    kind: ReferralKind
    to_whom: str
    specialty: str | None
    reason: str
    urgency: Urgency
    made_on: date
    # How it stands now (documents print the current state, whenever they are printed).
    status: ReferralStatus = ReferralStatus.OPEN
    seen_by: str | None = None
    seen_on: date | None = None
    cleared_for_therapy: bool | None = None
    red_flag_code: str | None = None  # the screening item a red-flag referral was made for

    @property
    def is_open(self) -> bool:
        return self.status != ReferralStatus.CLOSED


@dataclass(frozen=True)
class GoalVerdict:
    """A progress report's judgement of one goal of the plan in force (s. 220.3.D)."""

    term: GoalTerm
    description: str
    progress: GoalProgress
    note: str  # what the therapist measured


@dataclass(frozen=True)
class EvaluationSnapshot:
    """One signed evaluation with its plan, as every document of it sees it."""

    clinic: ClinicHeader
    patient: PatientHeader
    therapist_name: str
    therapist_licence: str | None
    kind: EvaluationKind
    evaluation_date: date
    signed_at: datetime | None
    content: EvaluationContent
    scores: Scores
    plan: PlanContent | None
    exercises: tuple[ExerciseSheet, ...]
    diagnoses: tuple[tuple[str, str], ...]  # (ICD-10-CM code, description)
    referring_physician: str | None
    referrals: tuple[ReferralInfo, ...]
    printed_on: date
    episode_open: bool = True  # discharged: the plan says treatment is complete
    # The physician's certification, once recorded (Medicare ch. 15 s. 220.1.3).
    certification: Certification | None = None
    # Every red-flag referral of the episode, as it stands on the day of printing.
    red_flag_referrals: tuple[ReferralInfo, ...] = ()
    # A progress report's or re-evaluation's verdict on each goal of the plan it reported on.
    goal_verdicts: tuple[GoalVerdict, ...] = ()

    @property
    def waiting_for_a_doctor(self) -> tuple[ReferralInfo, ...]:
        """Open emergency or urgent red-flag referrals: therapy waits until they are seen."""
        return tuple(
            r
            for r in self.red_flag_referrals
            if r.is_open and r.urgency in (Urgency.EMERGENCY, Urgency.URGENT)
        )
