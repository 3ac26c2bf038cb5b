"""Rows to content and back: the ORM rows of an evaluation, its plan of care and the starter
exercises, read into the domain's dataclasses (and written from them). One definition for
every use case that reads or writes them: evaluations, plans, follow-ups, documents, the
chart and the batch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from casemanager.db.models import (
    ContributingCause,
    DiagnosisCode,
    Evaluation,
    EvaluationTemplate,
    Exercise,
    Goal,
    HomeExercise,
    PsfsActivity,
    RedFlagFinding,
    TreatmentPath,
    TreatmentPlan,
    User,
)
from casemanager.db.types import utcnow
from casemanager.domain import catalogs, codes, medicare, outcomes
from casemanager.domain import evaluation as rules
from casemanager.domain import field_limits as limits
from casemanager.domain import plan as plan_rules
from casemanager.domain import templates as template_rules
from casemanager.domain.enums import Cause, EvaluationKind, EvaluationStatus, Urgency
from casemanager.domain.errors import ValidationError
from casemanager.domain.evaluation import EvaluationContent, Guidance, PsfsEntry, RedFlagEntry
from casemanager.domain.plan import GoalContent, HomeExerciseContent, PathContent, PlanContent
from casemanager.domain.starter_templates import STARTER_TEMPLATES, starter_content
from casemanager.services.context import Actor

_Row = TypeVar("_Row")


@dataclass(frozen=True)
class AddendumInfo:
    id: int
    author_name: str
    created_at: datetime
    text: str


@dataclass(frozen=True)
class EvaluationRecord:
    id: int
    episode_id: int
    patient_id: int
    kind: EvaluationKind
    evaluation_date: date
    status: EvaluationStatus
    therapist_id: int
    therapist_name: str
    signed_by_name: str | None
    signed_at: datetime | None
    version: int
    updated_at: datetime
    content: EvaluationContent
    scores: rules.Scores
    addenda: tuple[AddendumInfo, ...]
    coding_warnings: tuple[str, ...] = ()  # Excludes1 pairs among the diagnosis codes
    outcomes: tuple[outcomes.Outcome, ...] = ()  # change since intake, on a follow-up

    @property
    def is_signed(self) -> bool:
        return self.status == EvaluationStatus.SIGNED


# ---------------------------------------------------------------- evaluations


def content_of(evaluation: Evaluation) -> EvaluationContent:
    return content_from(
        evaluation,
        red_flags=(
            RedFlagEntry(f.flag_code, f.answer, f.action, f.note, f.action_reason)
            for f in sorted(evaluation.red_flags, key=lambda f: f.id)
        ),
        psfs=(PsfsEntry(a.activity, a.score) for a in evaluation.psfs_activities),
        contributing_causes=(
            c.cause for c in sorted(evaluation.contributing_causes, key=lambda c: c.id)
        ),
        diagnosis_codes=(d.code for d in evaluation.diagnosis_codes),
    )


def content_from(
    fields: Evaluation | Row[Any],
    *,
    red_flags: Iterable[RedFlagEntry],
    psfs: Iterable[PsfsEntry],
    contributing_causes: Iterable[Cause],
    diagnosis_codes: Iterable[str],
) -> EvaluationContent:
    """The content of an evaluation from its own columns (an ORM row, or a Core row with the
    same column names: the documents read columns only) and its lists, in their order."""
    return EvaluationContent(
        chief_complaint=fields.chief_complaint,
        onset_date=fields.onset_date,
        mechanism_of_injury=fields.mechanism_of_injury,
        aggravating_factors=fields.aggravating_factors,
        easing_factors=fields.easing_factors,
        prior_episodes=fields.prior_episodes,
        past_medical_history=fields.past_medical_history,
        medications=fields.medications,
        occupation=fields.occupation,
        activities=fields.activities,
        patient_goals=fields.patient_goals,
        red_flags=tuple(red_flags),
        red_flags_rechecked=fields.red_flags_rechecked,
        nprs_now=fields.nprs_now,
        nprs_best=fields.nprs_best,
        nprs_worst=fields.nprs_worst,
        pain_location=fields.pain_location,
        pain_side=fields.pain_side,
        radiates_below_knee=fields.radiates_below_knee,
        odi_sections=tuple(getattr(fields, f"odi_s{i}") for i in range(1, 11)),
        start_back=tuple(getattr(fields, f"sbst_{i}") for i in range(1, 10)),
        psfs=tuple(psfs),
        primary_cause=fields.primary_cause,
        contributing_causes=tuple(contributing_causes),
        cause_note=fields.cause_note,
        diagnosis_codes=tuple(diagnosis_codes),
        complexity=fields.complexity,
        assessment_note=fields.assessment_note,
        discharge_reason=fields.discharge_reason,
    )


_PLAIN_FIELDS = (
    "chief_complaint",
    "onset_date",
    "mechanism_of_injury",
    "aggravating_factors",
    "easing_factors",
    "prior_episodes",
    "past_medical_history",
    "medications",
    "occupation",
    "activities",
    "patient_goals",
    "nprs_now",
    "nprs_best",
    "nprs_worst",
    "pain_location",
    "pain_side",
    "radiates_below_knee",
    "red_flags_rechecked",
    "primary_cause",
    "cause_note",
    "complexity",
    "assessment_note",
    "discharge_reason",
)


def write_content(evaluation: Evaluation, content: EvaluationContent, scores: rules.Scores) -> None:
    for name in _PLAIN_FIELDS:
        setattr(evaluation, name, getattr(content, name))
    if evaluation.kind == EvaluationKind.INITIAL:
        # The episode is named by its initial evaluation's chief complaint, in the patient's
        # words as they come (an evaluation starts before anyone has typed them).
        complaint = " ".join((content.chief_complaint or "").split())
        if len(complaint) > limits.COMPLAINT:
            complaint = complaint[: limits.COMPLAINT - 1].rstrip() + "…"
        evaluation.episode.complaint = complaint
    for index, value in enumerate(content.odi_sections, start=1):
        setattr(evaluation, f"odi_s{index}", value)
    for index, value in enumerate(content.start_back, start=1):
        setattr(evaluation, f"sbst_{index}", value)
    evaluation.odi_percent = scores.odi_percent
    evaluation.sbst_total = scores.start_back.total if scores.start_back else None
    evaluation.sbst_psychosocial = scores.start_back.psychosocial if scores.start_back else None
    evaluation.sbst_risk = scores.start_back.risk if scores.start_back else None
    evaluation.psfs_mean = scores.psfs_mean
    # Child rows are updated in place by their key: deleting and re-inserting in one flush
    # would collide with the unique constraints.
    flags = {f.flag_code: f for f in evaluation.red_flags}
    evaluation.red_flags = [
        _update(
            flags.get(e.code) or RedFlagFinding(flag_code=e.code),
            answer=e.answer,
            action=e.action,
            note=e.note,
            action_reason=e.reason,
        )
        for e in content.red_flags
    ]
    activities = list(evaluation.psfs_activities)
    evaluation.psfs_activities = [
        _update(
            activities[i] if i < len(activities) else PsfsActivity(),
            position=i,
            activity=e.activity,
            score=e.score,
        )
        for i, e in enumerate(content.psfs)
    ]
    causes = {c.cause: c for c in evaluation.contributing_causes}
    evaluation.contributing_causes = [
        causes.get(cause) or ContributingCause(cause=cause) for cause in content.contributing_causes
    ]
    existing = {d.code: d for d in evaluation.diagnosis_codes}
    evaluation.diagnosis_codes = [
        _update(
            existing.get(code) or DiagnosisCode(code=code),
            position=i,
            description=codes.describe(code),
        )
        for i, code in enumerate(content.diagnosis_codes)
    ]
    # A change to child rows alone must still bump the version (SQLAlchemy may bump it twice
    # in such a flush: harmless, the check is for equality).
    evaluation.updated_at = utcnow()


def _update(row: _Row, **values: object) -> _Row:
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
    return row


def measures_of(evaluation: Evaluation) -> outcomes.Measures:
    return outcomes.Measures(
        evaluation.nprs_now,
        evaluation.odi_percent,
        evaluation.psfs_mean,
        tuple((a.activity, a.score) for a in evaluation.psfs_activities),
    )


def intake_of(session: Session, episode_id: int) -> Evaluation | None:
    """The episode's signed initial evaluation: the baseline every change is measured from."""
    return session.scalar(
        select(Evaluation).where(
            Evaluation.episode_id == episode_id,
            Evaluation.kind == EvaluationKind.INITIAL,
            Evaluation.status == EvaluationStatus.SIGNED,
        )
    )


def _outcomes(session: Session, evaluation: Evaluation) -> tuple[outcomes.Outcome, ...]:
    if evaluation.kind == EvaluationKind.INITIAL:
        return ()
    intake = intake_of(session, evaluation.episode_id)
    if intake is None:
        return ()
    return outcomes.compare(measures_of(intake), measures_of(evaluation))


def evaluation_record(session: Session, evaluation: Evaluation) -> EvaluationRecord:
    names = user_names(
        session,
        {evaluation.therapist_id, evaluation.signed_by_id or 0}
        | {a.author_id for a in evaluation.addenda},
    )
    content = content_of(evaluation)
    return EvaluationRecord(
        id=evaluation.id,
        episode_id=evaluation.episode_id,
        patient_id=evaluation.episode.patient_id,
        kind=evaluation.kind,
        evaluation_date=evaluation.evaluation_date,
        status=evaluation.status,
        therapist_id=evaluation.therapist_id,
        therapist_name=names.get(evaluation.therapist_id, "unknown"),
        signed_by_name=names.get(evaluation.signed_by_id) if evaluation.signed_by_id else None,
        signed_at=evaluation.signed_at,
        version=evaluation.version,
        updated_at=evaluation.updated_at,
        content=content,
        scores=rules.compute_scores(content),
        coding_warnings=tuple(w.message for w in rules.coding_warnings(content)),
        addenda=tuple(
            AddendumInfo(a.id, names.get(a.author_id, "unknown"), a.created_at, a.text)
            for a in evaluation.addenda
        ),
        outcomes=_outcomes(session, evaluation),
    )


def user_names(session: Session, user_ids: set[int]) -> dict[int, str]:
    """The display names of these accounts only (a clinic may have many)."""
    return {
        uid: name
        for uid, name in session.execute(
            select(User.id, User.display_name).where(User.id.in_(user_ids))
        )
    }


# ---------------------------------------------------------------- plans of care


@dataclass(frozen=True)
class PlanRecord:
    evaluation_id: int
    version: int
    content: PlanContent
    guidance: tuple[Guidance, ...]
    # The physician's certification as recorded on this plan (None: not recorded here).
    certification: medicare.Certification | None = None


def plan_record(evaluation: Evaluation, plan: TreatmentPlan) -> PlanRecord:
    """The plan as the services that read or fill it return it, with its guidance notes."""
    content = read_plan(plan)
    notes = plan_rules.guidance(content, content_of(evaluation), evaluation.evaluation_date)
    return PlanRecord(evaluation.id, plan.version, content, tuple(notes), certification_of(plan))


def read_plan(plan: TreatmentPlan) -> PlanContent:
    return plan_from(
        plan,
        paths=(path_content(p) for p in sorted(plan.paths, key=lambda p: p.id)),
        goals=(
            GoalContent(g.term, g.description, g.target_date, g.status)
            for g in sorted(plan.goals, key=lambda g: g.id)
        ),
        home_exercises=(home_exercise_content(h) for h in plan.home_exercises),
    )


def plan_from(
    fields: TreatmentPlan | Row[Any],
    *,
    paths: Iterable[PathContent],
    goals: Iterable[GoalContent],
    home_exercises: Iterable[HomeExerciseContent],
) -> PlanContent:
    """A plan from its own columns (ORM or Core row alike) and its lists, in their order."""
    return PlanContent(
        paths=tuple(paths),
        goals=tuple(goals),
        home_exercises=tuple(home_exercises),
        certification_start=fields.certification_start,
        certification_end=fields.certification_end,
        next_appointment=fields.next_appointment,
        note=fields.note,
    )


def path_content(p: TreatmentPath | Row[Any]) -> PathContent:
    return PathContent(
        kind=p.kind,
        anti_inflammatory=p.anti_inflammatory,
        muscle_relaxant=p.muscle_relaxant,
        frequency_per_week=p.frequency_per_week,
        duration_weeks=p.duration_weeks,
        interventions=tuple(c for c in (p.interventions or "").split(",") if c),
        heat_ice=p.heat_ice,
        heat_ice_minutes=p.heat_ice_minutes,
        heat_ice_times_per_day=p.heat_ice_times_per_day,
        injection_level=p.injection_level,
        injection_side=p.injection_side,
        reason=p.reason,
        refer_to=p.refer_to,
        urgency=p.urgency or Urgency.ROUTINE,
    )


def home_exercise_content(h: HomeExercise | Row[Any]) -> HomeExerciseContent:
    return HomeExerciseContent(
        h.exercise_id, h.sets, h.reps, h.hold_seconds, h.times_per_day, h.note
    )


def certification_of(plan: TreatmentPlan | Row[Any]) -> medicare.Certification | None:
    if plan.certified_on is None:
        return None
    return medicare.Certification(
        plan.certified_by or "", plan.certified_on, plan.certification_delay_reason
    )


def write_plan(session: Session, actor: Actor, plan: TreatmentPlan, content: PlanContent) -> None:
    plan.certification_start = content.certification_start
    plan.certification_end = content.certification_end
    plan.next_appointment = content.next_appointment
    plan.note = content.note
    existing = {p.kind: p for p in plan.paths}
    paths = []
    for path in content.paths:
        row = existing.get(path.kind) or TreatmentPath(kind=path.kind)
        row.anti_inflammatory = path.anti_inflammatory
        row.muscle_relaxant = path.muscle_relaxant
        row.frequency_per_week = path.frequency_per_week
        row.duration_weeks = path.duration_weeks
        row.interventions = ",".join(path.interventions) or None
        row.heat_ice = path.heat_ice
        row.heat_ice_minutes = path.heat_ice_minutes
        row.heat_ice_times_per_day = path.heat_ice_times_per_day
        row.injection_level = path.injection_level
        row.injection_side = path.injection_side
        row.reason = path.reason
        row.refer_to = path.refer_to
        row.urgency = path.urgency if path.kind in plan_rules.REFERRAL_FOR_PATH else None
        paths.append(row)
    plan.paths = paths
    plan.goals = [
        Goal(term=g.term, description=g.description, target_date=g.target_date, status=g.status)
        for g in content.goals
    ]
    known = set(
        session.scalars(
            select(Exercise.id).where(
                Exercise.clinic_id == actor.clinic_id,
                Exercise.id.in_([h.exercise_id for h in content.home_exercises] or [0]),
            )
        )
    )
    for index, exercise in enumerate(content.home_exercises, start=1):
        if exercise.exercise_id not in known:
            raise ValidationError(f"exercise_{index}", "That exercise is not in the library.")
    plan.home_exercises = [
        HomeExercise(
            exercise_id=h.exercise_id,
            position=i,
            sets=h.sets,
            reps=h.reps,
            hold_seconds=h.hold_seconds,
            times_per_day=h.times_per_day,
            note=h.note,
        )
        for i, h in enumerate(content.home_exercises)
    ]


# ---------------------------------------------------------------- what a new clinic starts with


def starter_exercise_rows(clinic_id: int) -> list[dict[str, object]]:
    """The starter exercise library as rows for the clinic's own (editable) library."""
    return [
        {
            "clinic_id": clinic_id,
            "key": t.key,
            "name": t.name,
            "instructions": t.instructions,
            "precautions": t.precautions,
            "sets": t.sets,
            "reps": t.reps,
            "hold_seconds": t.hold_seconds,
            "times_per_day": t.times_per_day,
        }
        for t in catalogs.STARTER_EXERCISES
    ]


def add_starter_templates(session: Session, clinic_id: int) -> None:
    """A new clinic's own copies of the starter templates, using its starter exercises."""
    session.flush()
    ids: dict[str, int] = {}
    for key, exercise_id in session.execute(
        select(Exercise.key, Exercise.id)
        .where(Exercise.clinic_id == clinic_id, Exercise.key.is_not(None))
        .order_by(Exercise.active.desc(), Exercise.id)
    ):
        if key is not None:
            ids.setdefault(key, exercise_id)  # the active copy, else the oldest
    for starter in STARTER_TEMPLATES:
        content = starter_content(starter, ids)
        session.add(
            EvaluationTemplate(
                clinic_id=clinic_id,
                key=starter.key,
                cause=starter.cause,
                name=content.name,
                note=content.note,
                content=template_rules.to_data(content),
                active=True,
            )
        )
