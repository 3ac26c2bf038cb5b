"""Evaluations: start one, save the draft (autosave), sign it, correct it with addenda."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casemanager.db.engine import Database
from casemanager.db.models import (
    Addendum,
    ContributingCause,
    DiagnosisCode,
    EpisodeOfCare,
    Evaluation,
    GoalAssessment,
    Patient,
    PsfsActivity,
    RedFlagFinding,
    Referral,
    TreatmentPlan,
    User,
    Visit,
)
from casemanager.db.types import utcnow
from casemanager.domain import catalogs, codes, outcomes, validation
from casemanager.domain import evaluation as rules
from casemanager.domain import field_limits as limits
from casemanager.domain import plan as plan_rules
from casemanager.domain import red_flags as red_flag_rules
from casemanager.domain.enums import (
    AuditAction,
    DataCategory,
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
    PatientStatus,
    RedFlagAnswer,
    ReferralKind,
    ReferralStatus,
    Urgency,
)
from casemanager.domain.errors import DomainError, NotFound, PermissionDenied
from casemanager.domain.evaluation import EvaluationContent, PsfsEntry, RedFlagEntry
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.context import Actor

EMERGENCY_DEPARTMENT = "Emergency department"
PRIMARY_CARE = "Primary care physician"
_Row = TypeVar("_Row")


class IncompleteEvaluation(DomainError):
    """Signing refused; `missing` lists each item with the field to jump to."""

    def __init__(self, missing: list[rules.Missing]) -> None:
        lines = "\n".join(f"• {item.message}" for item in missing)
        super().__init__(f"The evaluation cannot be signed yet. Still missing:\n{lines}")
        self.missing = missing


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


# ---------------------------------------------------------------- reading and writing rows


def content_of(evaluation: Evaluation) -> EvaluationContent:
    return EvaluationContent(
        chief_complaint=evaluation.chief_complaint,
        onset_date=evaluation.onset_date,
        mechanism_of_injury=evaluation.mechanism_of_injury,
        aggravating_factors=evaluation.aggravating_factors,
        easing_factors=evaluation.easing_factors,
        prior_episodes=evaluation.prior_episodes,
        past_medical_history=evaluation.past_medical_history,
        medications=evaluation.medications,
        occupation=evaluation.occupation,
        activities=evaluation.activities,
        patient_goals=evaluation.patient_goals,
        red_flags=tuple(
            RedFlagEntry(f.flag_code, f.answer, f.action, f.note, f.action_reason)
            for f in sorted(evaluation.red_flags, key=lambda f: f.id)
        ),
        red_flags_rechecked=evaluation.red_flags_rechecked,
        nprs_now=evaluation.nprs_now,
        nprs_best=evaluation.nprs_best,
        nprs_worst=evaluation.nprs_worst,
        pain_location=evaluation.pain_location,
        pain_side=evaluation.pain_side,
        radiates_below_knee=evaluation.radiates_below_knee,
        odi_sections=tuple(getattr(evaluation, f"odi_s{i}") for i in range(1, 11)),
        start_back=tuple(getattr(evaluation, f"sbst_{i}") for i in range(1, 10)),
        psfs=tuple(PsfsEntry(a.activity, a.score) for a in evaluation.psfs_activities),
        primary_cause=evaluation.primary_cause,
        contributing_causes=tuple(
            c.cause for c in sorted(evaluation.contributing_causes, key=lambda c: c.id)
        ),
        cause_note=evaluation.cause_note,
        diagnosis_codes=tuple(d.code for d in evaluation.diagnosis_codes),
        complexity=evaluation.complexity,
        assessment_note=evaluation.assessment_note,
        discharge_reason=evaluation.discharge_reason,
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
    names: dict[int, str] = {
        uid: name for uid, name in session.execute(select(User.id, User.display_name))
    }
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


def load_evaluation(session: Session, actor: Actor, evaluation_id: int) -> Evaluation:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.episode.patient.clinic_id != actor.clinic_id:
        raise NotFound("That evaluation is not in this clinic's records.")
    return evaluation


def patient_of(db: Database, evaluation_id: int) -> int | None:
    with db.session() as session:
        return session.scalar(
            select(EpisodeOfCare.patient_id)
            .join(Evaluation, Evaluation.episode_id == EpisodeOfCare.id)
            .where(Evaluation.id == evaluation_id)
        )


def require_author(session: Session, evaluation: Evaluation, actor: Actor) -> None:
    """Only the therapist who evaluated may change or sign; the message names them."""
    if evaluation.therapist_id != actor.user_id:
        author = session.get(User, evaluation.therapist_id)
        name = author.display_name if author else "unknown"
        raise PermissionDenied(
            f"Only the evaluating therapist ({name}) may change or sign this evaluation. "
            "Other clinicians can add an addendum once it is signed."
        )


def load_draft(session: Session, actor: Actor, evaluation_id: int, locked: str) -> Evaluation:
    """The evaluation, if this actor wrote it and it is still a draft; `locked` is the
    message for a signed one (it says what to do instead)."""
    evaluation = load_evaluation(session, actor, evaluation_id)
    require_author(session, evaluation, actor)
    if evaluation.status == EvaluationStatus.SIGNED:
        raise DomainError(locked)
    return evaluation


def authorize_evaluation(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    permission: Permission,
    action: AuditAction,
) -> int | None:
    """Check the role may do this to an evaluation (refusals audited against its patient);
    returns the patient's id for the audit rows that follow."""
    patient_id = patient_of(db, evaluation_id)
    audit.authorize(db, actor, permission, action, DataCategory.CLINICAL, patient_id=patient_id)
    return patient_id


# ---------------------------------------------------------------- use cases


def start_initial_evaluation(
    db: Database,
    actor: Actor,
    patient_id: int,
    complaint: str,
    evaluation_date: date | None = None,
) -> EvaluationRecord:
    """Open an episode of care for the complaint and its initial evaluation as a draft."""
    audit.authorize(
        db,
        actor,
        Permission.EDIT_CLINICAL,
        AuditAction.CREATE,
        DataCategory.CLINICAL,
        patient_id=patient_id,
    )
    complaint = validation.require_text("complaint", complaint, "Complaint", limits.COMPLAINT)
    day = evaluation_date or date.today()
    if day > date.today():
        raise DomainError("An evaluation cannot be dated in the future.")
    try:
        with db.session() as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.clinic_id != actor.clinic_id:
                raise NotFound("That patient is not in this clinic's records.")
            open_since = session.scalar(
                select(EpisodeOfCare.start_date).where(
                    EpisodeOfCare.patient_id == patient_id,
                    EpisodeOfCare.status == EpisodeStatus.OPEN,
                )
            )
            if open_since is not None:
                raise DomainError(
                    f"This patient already has an open episode of care (since "
                    f"{open_since:%m/%d/%Y}). Write a re-evaluation for a change in their "
                    "condition, or discharge that episode before starting a new one."
                )
            assert actor.user_id is not None
            was = patient.status
            patient.status = PatientStatus.ACTIVE  # back in care, whatever they were before
            episode = EpisodeOfCare(
                patient_id=patient_id,
                therapist_id=actor.user_id,
                complaint=complaint,
                start_date=day,
                status=EpisodeStatus.OPEN,
            )
            evaluation = Evaluation(
                episode=episode,
                therapist_id=actor.user_id,
                kind=EvaluationKind.INITIAL,
                evaluation_date=day,
                status=EvaluationStatus.DRAFT,
                chief_complaint=complaint,
            )
            session.add_all([episode, evaluation])
            session.flush()
            audit.record(
                session,
                actor,
                AuditAction.CREATE,
                DataCategory.CLINICAL,
                patient_id=patient_id,
                detail=f"evaluation {evaluation.id}; episode {episode.id}"
                + ("" if was == PatientStatus.ACTIVE else f"; patient {was.value} -> active"),
            )
            return evaluation_record(session, evaluation)
    except IntegrityError:
        # Another workstation opened an episode between our check and our insert.
        raise DomainError(
            "Another workstation has just started an episode of care for this patient. "
            "Refresh the chart and continue from there."
        ) from None


def get_evaluation(db: Database, actor: Actor, evaluation_id: int) -> EvaluationRecord:
    authorize_evaluation(db, actor, evaluation_id, Permission.VIEW_CLINICAL, AuditAction.READ)
    with db.session() as session:
        evaluation = load_evaluation(session, actor, evaluation_id)
        audit.record(
            session,
            actor,
            AuditAction.READ,
            DataCategory.CLINICAL,
            patient_id=evaluation.episode.patient_id,
            detail=f"evaluation {evaluation_id}",
        )
        return evaluation_record(session, evaluation)


def save_draft(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    expected_version: int,
    content: EvaluationContent,
) -> EvaluationRecord:
    """Save what is on screen (autosave calls this). Incomplete is fine; wrong is not."""
    patient_id = authorize_evaluation(
        db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE
    )
    try:
        with db.session() as session:
            evaluation = load_draft(
                session,
                actor,
                evaluation_id,
                "This evaluation is signed and locked. Add an addendum to correct it.",
            )
            if evaluation.version != expected_version:
                raise _conflict(session, evaluation)
            cleaned = rules.clean(content, evaluation.evaluation_date)
            write_content(evaluation, cleaned, rules.compute_scores(cleaned))
            audit.record(
                session,
                actor,
                AuditAction.UPDATE,
                DataCategory.CLINICAL,
                patient_id=patient_id,
                detail=f"evaluation {evaluation_id}",
            )
            session.flush()
            return evaluation_record(session, evaluation)
    except StaleDataError:
        with db.session() as session:
            raise _conflict(session, load_evaluation(session, actor, evaluation_id)) from None


def _conflict(session: Session, evaluation: Evaluation) -> DomainError:
    return audit.conflict(
        session,
        evaluation.episode.patient_id,
        DataCategory.CLINICAL,
        "This evaluation's contents",
        evaluation.updated_at,
    )


def _goals_unjudged(session: Session, evaluation: Evaluation) -> list[rules.Missing]:
    from casemanager.services import goal_progress  # it builds on this module

    return goal_progress.missing_for_signing(session, evaluation)


def _plan_of(evaluation: Evaluation) -> plan_rules.PlanContent | None:
    from casemanager.services.plans import read_plan  # plans builds on this module

    return read_plan(evaluation.plan) if evaluation.plan is not None else None


_PATH_SPECIALTY = {
    ReferralKind.MEDICATION: "primary care",
    ReferralKind.STEROID_INJECTION: "pain management",
    ReferralKind.LUMBAR_SURGERY: "spine surgery",
}


def _path_referrals(
    session: Session,
    evaluation: Evaluation,
    plan: plan_rules.PlanContent,
    referring_physician: str | None,
) -> None:
    """Each referral path new to the episode becomes an open referral when the evaluation is
    signed. A path carried forward from the last signed plan was referred already (even if
    that referral is closed since); one still open is not referred twice."""
    still_open = set(
        session.scalars(
            select(Referral.kind).where(
                Referral.episode_id == evaluation.episode_id,
                Referral.status != ReferralStatus.CLOSED,
            )
        )
    )
    previous = session.scalar(
        select(TreatmentPlan)
        .join(Evaluation, Evaluation.id == TreatmentPlan.evaluation_id)
        .where(
            Evaluation.episode_id == evaluation.episode_id,
            Evaluation.status == EvaluationStatus.SIGNED,
            Evaluation.id != evaluation.id,
        )
        .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
        .limit(1)
    )
    carried = {p.kind for p in previous.paths} if previous is not None else set()
    for path in plan.paths:
        kind = plan_rules.REFERRAL_FOR_PATH.get(path.kind)
        if kind is None or kind in still_open or path.kind in carried:
            continue
        session.add(
            Referral(
                episode_id=evaluation.episode_id,
                evaluation_id=evaluation.id,
                kind=kind,
                to_whom=path.refer_to or referring_physician or PRIMARY_CARE,
                specialty=_PATH_SPECIALTY[kind],
                reason=path.reason or catalogs.treatment_path_info(path.kind).label,
                urgency=path.urgency,
                status=ReferralStatus.OPEN,
            )
        )


def sign(db: Database, actor: Actor, evaluation_id: int, expected_version: int) -> EvaluationRecord:
    """Lock the evaluation after checking it is complete; positive red flags get referrals."""
    authorize_evaluation(db, actor, evaluation_id, Permission.SIGN_CLINICAL, AuditAction.SIGN)
    with db.session() as session:
        evaluation = load_draft(session, actor, evaluation_id, "This evaluation is already signed.")
        if evaluation.version != expected_version:
            raise _conflict(session, evaluation)
        content = content_of(evaluation)
        missing = rules.missing_for_signing(content, evaluation.kind)
        plan = _plan_of(evaluation)
        if evaluation.kind in rules.PLAN_KINDS:
            missing += [rules.Missing(f, m) for f, m in plan_rules.missing_for_signing(plan)]
        missing += _goals_unjudged(session, evaluation)
        if missing:
            raise IncompleteEvaluation(missing)
        patient = evaluation.episode.patient
        if evaluation.kind == EvaluationKind.DISCHARGE:
            _check_no_later_visits(session, evaluation)
        if plan is not None:
            _path_referrals(session, evaluation, plan, patient.referring_physician)
        if evaluation.plan is not None:
            for prescribed in evaluation.plan.home_exercises:  # what was prescribed, as worded
                prescribed.signed_name = prescribed.exercise.name
                prescribed.signed_instructions = prescribed.exercise.instructions
                prescribed.signed_precautions = prescribed.exercise.precautions
        _red_flag_referrals(session, evaluation, content, patient.referring_physician)
        evaluation.status = EvaluationStatus.SIGNED
        evaluation.signed_by_id = actor.user_id
        evaluation.signed_at = utcnow()
        detail = f"evaluation {evaluation_id}"
        if evaluation.kind == EvaluationKind.DISCHARGE:
            detail += _discharge(session, evaluation)
        audit.record(
            session,
            actor,
            AuditAction.SIGN,
            DataCategory.CLINICAL,
            patient_id=patient.id,
            detail=detail,
        )
        session.flush()
        return evaluation_record(session, evaluation)


def _red_flag_referrals(
    session: Session,
    evaluation: Evaluation,
    content: EvaluationContent,
    referring_physician: str | None,
) -> None:
    """One referral per suspected condition the therapist referred. Follow-ups carry the
    answers forward, so a condition already referred in this episode is not referred again
    while that referral is open, nor after it was closed unless the condition is newly
    positive (its answers were all no on the previous signed evaluation)."""
    earlier = session.execute(
        select(Referral.red_flag_code, Referral.status).where(
            Referral.episode_id == evaluation.episode_id,
            Referral.kind == ReferralKind.RED_FLAG,
        )
    ).all()
    open_conditions = {
        red_flag_rules.condition_of(code)
        for code, status in earlier
        if status != ReferralStatus.CLOSED
    }
    closed_conditions = {
        red_flag_rules.condition_of(code)
        for code, status in earlier
        if status == ReferralStatus.CLOSED
    }
    previous = session.scalar(
        select(Evaluation)
        .where(
            Evaluation.episode_id == evaluation.episode_id,
            Evaluation.status == EvaluationStatus.SIGNED,
            Evaluation.id != evaluation.id,
        )
        .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
        .limit(1)
    )
    was_positive = (
        {
            red_flag_rules.condition_of(f.flag_code)
            for f in previous.red_flags
            if f.answer == RedFlagAnswer.YES
        }
        if previous is not None
        else set()
    )
    for needed in rules.red_flag_referrals(content):
        if needed.condition in open_conditions:
            continue
        if needed.condition in closed_conditions and needed.condition in was_positive:
            continue
        emergency = needed.urgency == Urgency.EMERGENCY
        session.add(
            Referral(
                episode_id=evaluation.episode_id,
                evaluation_id=evaluation.id,
                kind=ReferralKind.RED_FLAG,
                to_whom=EMERGENCY_DEPARTMENT
                if emergency
                else (needed.refer_to or referring_physician or PRIMARY_CARE),
                specialty="emergency medicine"
                if emergency
                else (needed.specialty or "primary care"),
                reason=needed.reason,
                urgency=needed.urgency,
                status=ReferralStatus.OPEN,
                red_flag_code=needed.code,
            )
        )


def _check_no_later_visits(session: Session, evaluation: Evaluation) -> None:
    last_visit = session.scalar(
        select(func.max(Visit.visit_date)).where(Visit.episode_id == evaluation.episode_id)
    )
    if last_visit is not None and last_visit > evaluation.evaluation_date:
        raise DomainError(
            f"A visit on {last_visit:%m/%d/%Y} comes after this discharge "
            f"({evaluation.evaluation_date:%m/%d/%Y}). Discard this draft and start the "
            "discharge again, so it follows the last visit."
        )


def _discharge(session: Session, evaluation: Evaluation) -> str:
    """A signed discharge summary closes its episode, and the patient when nothing else is
    open. Open referrals stay open: someone still has to close each one. Returns what
    changed, for the audit row."""
    episode = evaluation.episode
    episode.status = EpisodeStatus.DISCHARGED
    episode.end_date = evaluation.evaluation_date
    reason = evaluation.discharge_reason
    episode.discharge_reason = catalogs.DISCHARGE_REASON_LABELS[reason] if reason else None
    still_open = session.scalar(
        select(EpisodeOfCare.id).where(
            EpisodeOfCare.patient_id == episode.patient_id,
            EpisodeOfCare.id != episode.id,
            EpisodeOfCare.status == EpisodeStatus.OPEN,
        )
    )
    if still_open is None:
        episode.patient.status = PatientStatus.DISCHARGED
        return f"; episode {episode.id} and patient discharged"
    return f"; episode {episode.id} discharged"


def discard_draft(db: Database, actor: Actor, evaluation_id: int) -> None:
    """Throw away an unsigned draft (started by mistake, or dated wrongly). Only its author
    may; a signed evaluation is never removed. A discarded initial evaluation takes its
    still-empty episode with it."""
    patient_id = authorize_evaluation(
        db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.DISCARD
    )
    with db.session() as session:
        evaluation = load_draft(
            session,
            actor,
            evaluation_id,
            "A signed evaluation is part of the record: correct it with an addendum.",
        )
        episode = evaluation.episode
        label = catalogs.EVALUATION_KIND_LABELS[evaluation.kind].lower()
        # Its judgements of the goals go with it (they name the draft, not the goals' plan).
        session.execute(delete(GoalAssessment).where(GoalAssessment.evaluation_id == evaluation.id))
        if evaluation.plan is not None:
            session.delete(evaluation.plan)
        session.delete(evaluation)
        if evaluation.kind == EvaluationKind.INITIAL:
            session.flush()
            session.delete(episode)  # nothing else can hang on it before the initial is signed
        audit.record(
            session,
            actor,
            AuditAction.DISCARD,
            DataCategory.CLINICAL,
            patient_id=patient_id,
            detail=f"draft {label} {evaluation_id}",
        )


def add_addendum(db: Database, actor: Actor, evaluation_id: int, text: str) -> EvaluationRecord:
    """A correction or late entry on a signed evaluation, with its author and time."""
    patient_id = authorize_evaluation(
        db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE
    )
    body = validation.require_text("addendum", text, "Addendum", limits.FULL_NOTE)
    with db.session() as session:
        evaluation = load_evaluation(session, actor, evaluation_id)
        if evaluation.status != EvaluationStatus.SIGNED:
            raise DomainError("A draft can still be edited: change it directly, then sign.")
        assert actor.user_id is not None
        session.add(Addendum(evaluation_id=evaluation.id, author_id=actor.user_id, text=body))
        audit.record(
            session,
            actor,
            AuditAction.UPDATE,
            DataCategory.CLINICAL,
            patient_id=patient_id,
            detail=f"addendum to evaluation {evaluation_id}",
        )
        session.flush()
        session.refresh(evaluation)
        return evaluation_record(session, evaluation)


@dataclass(frozen=True)
class EvaluationSummary:
    id: int
    episode_id: int
    kind: EvaluationKind
    evaluation_date: date
    status: EvaluationStatus
    therapist_name: str


def list_evaluations(db: Database, actor: Actor, patient_id: int) -> list[EvaluationSummary]:
    """A patient's evaluations, newest first (for the chart and to reopen a draft)."""
    audit.authorize(
        db,
        actor,
        Permission.VIEW_CLINICAL,
        AuditAction.READ,
        DataCategory.CLINICAL,
        patient_id=patient_id,
    )
    with db.session() as session:
        rows = session.execute(
            select(Evaluation, User.display_name)
            .join(EpisodeOfCare, EpisodeOfCare.id == Evaluation.episode_id)
            .join(Patient, Patient.id == EpisodeOfCare.patient_id)
            .join(User, User.id == Evaluation.therapist_id)
            .where(EpisodeOfCare.patient_id == patient_id, Patient.clinic_id == actor.clinic_id)
            .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
        ).all()
        audit.record(
            session,
            actor,
            AuditAction.READ,
            DataCategory.CLINICAL,
            patient_id=patient_id,
            detail=f"evaluation list: {len(rows)}",
        )
        return [
            EvaluationSummary(e.id, e.episode_id, e.kind, e.evaluation_date, e.status, name)
            for e, name in rows
        ]


def search_codes(db: Database, actor: Actor, text: str, limit: int = 30) -> list[tuple[str, str]]:
    """Billable ICD-10-CM codes matching every word typed (code or description)."""
    audit.authorize(db, actor, Permission.EDIT_CLINICAL, AuditAction.READ, DataCategory.SYSTEM)
    return codes.search_codes(text, limit) if len(text.strip()) >= 2 else []
