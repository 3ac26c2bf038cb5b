"""What a printed document of one signed evaluation holds (reports.data.EvaluationSnapshot),
assembled from rows already read. One definition for the single print (services/documents.py)
and the batch (services/batch_reading.py), which only read their rows differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from casemanager.db.models import Evaluation, Exercise, Referral, User
from casemanager.domain import catalogs
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import EpisodeStatus, ReferralKind
from casemanager.reports.data import (
    ClinicHeader,
    EvaluationSnapshot,
    ExerciseSheet,
    GoalVerdict,
    PatientHeader,
    ReferralInfo,
)
from casemanager.services.content_mappers import certification_of, content_of, read_plan
from casemanager.services.goal_mappers import AssessedGoal


class DocumentKind(StrEnum):
    TAKE_HOME = "take-home"
    PLAN_OF_CARE = "plan-of-care"
    REFERRAL = "referral"


def referral_info(referral: Referral, made_on: dict[int, date]) -> ReferralInfo:
    """A referral as documents print it; `made_on` gives each evaluation's date by id."""
    return ReferralInfo(
        referral.id,
        referral.kind,
        referral.to_whom,
        referral.specialty,
        referral.reason,
        referral.urgency,
        made_on.get(referral.evaluation_id or 0) or referral.created_at.date(),
        status=referral.status,
        seen_by=referral.seen_by,
        seen_on=referral.closed_on,
        cleared_for_therapy=referral.cleared_for_therapy,
        red_flag_code=referral.red_flag_code,
    )


def assemble(
    evaluation: Evaluation,
    clinic: ClinicHeader,
    therapist: User,
    library: dict[int, Exercise],
    episode_referrals: Sequence[Referral],
    made_on: dict[int, date],
    today: date,
    judged: Sequence[AssessedGoal] = (),
) -> EvaluationSnapshot:
    """The snapshot of `evaluation`. `library` holds (at least) its prescribed exercises,
    `episode_referrals` every referral of its episode in id order (its own are printed as
    its referrals; the episode's red-flag ones as they stand today), `made_on` the date of
    each evaluation of the episode by id, `judged` its signed verdicts on the goals."""
    patient = evaluation.episode.patient
    content = content_of(evaluation)
    plan = read_plan(evaluation.plan) if evaluation.plan is not None else None
    starters = {t.key: t for t in catalogs.STARTER_EXERCISES}
    prescribed_rows = (
        {h.exercise_id: h for h in evaluation.plan.home_exercises} if evaluation.plan else {}
    )
    sheets = []
    for prescribed in plan.home_exercises if plan else ():
        exercise = library[prescribed.exercise_id]
        starter = starters.get(exercise.key or "")
        row = prescribed_rows.get(prescribed.exercise_id)
        # A signed plan prints the wording it was signed with, whatever the library says now.
        name, instructions, precautions = (
            (row.signed_name, row.signed_instructions, row.signed_precautions)
            if row is not None and row.signed_name is not None
            else (exercise.name, exercise.instructions, exercise.precautions)
        )
        sheets.append(
            ExerciseSheet(
                starter_key=exercise.key,
                name=name,
                instructions=instructions or "",
                precautions=precautions,
                sets=prescribed.sets,
                reps=prescribed.reps,
                hold_seconds=prescribed.hold_seconds,
                times_per_day=prescribed.times_per_day,
                image=exercise.image,
                is_starter_text=starter is not None
                and (starter.name, starter.instructions) == (exercise.name, exercise.instructions),
            )
        )
    printed = [(r.evaluation_id, referral_info(r, made_on)) for r in episode_referrals]
    return EvaluationSnapshot(
        clinic=clinic,
        patient=PatientHeader(
            patient.given_name, patient.family_name, patient.date_of_birth, patient.mrn
        ),
        therapist_name=therapist.display_name,
        therapist_licence=therapist.licence_number,
        kind=evaluation.kind,
        evaluation_date=evaluation.evaluation_date,
        signed_at=evaluation.signed_at,
        content=content,
        scores=rules.compute_scores(content),
        plan=plan,
        exercises=tuple(sheets),
        diagnoses=tuple((d.code, d.description) for d in evaluation.diagnosis_codes),
        referring_physician=patient.referring_physician,
        referrals=tuple(info for owner, info in printed if owner == evaluation.id),
        printed_on=today,
        episode_open=evaluation.episode.status == EpisodeStatus.OPEN,
        certification=certification_of(evaluation.plan) if evaluation.plan else None,
        red_flag_referrals=tuple(
            info for _owner, info in printed if info.kind == ReferralKind.RED_FLAG
        ),
        goal_verdicts=tuple(
            GoalVerdict(a.goal.term, a.goal.description, a.progress, a.note) for a in judged
        ),
    )
