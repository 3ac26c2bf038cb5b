"""Evaluations: start one, save the draft (autosave), sign it, correct it with addenda."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import (
    Addendum,
    EpisodeOfCare,
    Evaluation,
    GoalAssessment,
    Patient,
    Referral,
    TreatmentPlan,
    User,
    Visit,
)
from casemanager.db.types import utcnow
from casemanager.domain import catalogs, codes, validation
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
from casemanager.domain.errors import DomainError
from casemanager.domain.evaluation import EvaluationContent
from casemanager.domain.permissions import Permission
from casemanager.services import audit, goal_mappers, new_episode
from casemanager.services.content_mappers import AddendumInfo as AddendumInfo
from casemanager.services.content_mappers import (
    EvaluationRecord,
    content_of,
    evaluation_record,
    read_plan,
    write_content,
)
from casemanager.services.content_mappers import intake_of as intake_of
from casemanager.services.content_mappers import measures_of as measures_of
from casemanager.services.context import Actor
from casemanager.services.use_case import (
    draft_case,
    evaluation_case,
    load_evaluation,
    patient_case,
    patient_of_evaluation,
)
from casemanager.services.use_case import require_author as require_author

EMERGENCY_DEPARTMENT = "Emergency department"
PRIMARY_CARE = "Primary care physician"


class IncompleteEvaluation(DomainError):
    """Signing refused; `missing` lists each item with the field to jump to."""

    def __init__(self, missing: list[rules.Missing]) -> None:
        lines = "\n".join(f"• {item.message}" for item in missing)
        super().__init__(f"The evaluation cannot be signed yet. Still missing:\n{lines}")
        self.missing = missing


def patient_of(db: Database, evaluation_id: int) -> int | None:
    with db.session() as session:
        return patient_of_evaluation(session, evaluation_id)


# ---------------------------------------------------------------- use cases


def start_initial_evaluation(
    db: Database,
    actor: Actor,
    patient_id: int,
    complaint: str | None = None,
    evaluation_date: date | None = None,
) -> EvaluationRecord:
    """Open an episode of care and its initial evaluation as a draft. The chief complaint is
    the patient's words: blank until the therapist (or the patient's intake) gives it, and
    the episode is named by it (content_mappers.write_content keeps the two in step)."""
    # A second open episode started at the same moment elsewhere: the database refuses it,
    # and use_case says so (clashes.STARTED_ELSEWHERE).
    with patient_case(db, actor, patient_id, Permission.EDIT_CLINICAL, AuditAction.CREATE) as case:
        complaint = validation.optional_text("complaint", complaint, "Complaint", limits.COMPLAINT)
        day = evaluation_date or date.today()
        if day > date.today():
            raise DomainError("An evaluation cannot be dated in the future.")
        evaluation, detail = new_episode.open_initial_draft(
            case.session, actor, patient_id, complaint or "", day, complaint
        )
        case.record(detail)
        return evaluation_record(case.session, evaluation)


def get_evaluation(db: Database, actor: Actor, evaluation_id: int) -> EvaluationRecord:
    with evaluation_case(
        db, actor, evaluation_id, Permission.VIEW_CLINICAL, AuditAction.READ
    ) as case:
        evaluation = load_evaluation(case.session, actor, evaluation_id)
        case.record(f"evaluation {evaluation_id}")
        return evaluation_record(case.session, evaluation)


def save_draft(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    expected_version: int,
    content: EvaluationContent,
) -> EvaluationRecord:
    """Save what is on screen (autosave calls this). Incomplete is fine; wrong is not."""
    with draft_case(db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE) as case:
        evaluation = case.draft
        session = case.session
        if evaluation.version != expected_version:
            raise _conflict(session, evaluation)
        cleaned = rules.clean(content, evaluation.evaluation_date)
        write_content(evaluation, cleaned, rules.compute_scores(cleaned))
        case.record(f"evaluation {evaluation_id}")
        session.flush()  # a clash with another workstation's save: use_case words it
        return evaluation_record(session, evaluation)


def _conflict(session: Session, evaluation: Evaluation) -> DomainError:
    return audit.conflict(
        session,
        evaluation.episode.patient_id,
        DataCategory.CLINICAL,
        "This evaluation's contents",
        evaluation.updated_at,
    )


def _plan_of(evaluation: Evaluation) -> plan_rules.PlanContent | None:
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
    with draft_case(
        db,
        actor,
        evaluation_id,
        Permission.SIGN_CLINICAL,
        AuditAction.SIGN,
        locked="This evaluation is already signed.",
    ) as case:
        evaluation = case.draft
        session = case.session
        if evaluation.version != expected_version:
            raise _conflict(session, evaluation)
        content = content_of(evaluation)
        missing = rules.missing_for_signing(content, evaluation.kind)
        plan = _plan_of(evaluation)
        if evaluation.kind in rules.PLAN_KINDS:
            missing += [rules.Missing(f, m) for f, m in plan_rules.missing_for_signing(plan)]
        missing += goal_mappers.missing_for_signing(session, evaluation)
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
        case.record(detail, patient_id=patient.id)
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
    with draft_case(
        db,
        actor,
        evaluation_id,
        Permission.EDIT_CLINICAL,
        AuditAction.DISCARD,
        locked="A signed evaluation is part of the record: correct it with an addendum.",
    ) as case:
        evaluation = case.draft
        session = case.session
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
        case.record(f"draft {label} {evaluation_id}")


def add_addendum(db: Database, actor: Actor, evaluation_id: int, text: str) -> EvaluationRecord:
    """A correction or late entry on a signed evaluation, with its author and time."""
    with evaluation_case(
        db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE
    ) as case:
        body = validation.require_text("addendum", text, "Addendum", limits.FULL_NOTE)
        session = case.session
        evaluation = load_evaluation(session, actor, evaluation_id)
        if evaluation.status != EvaluationStatus.SIGNED:
            raise DomainError("A draft can still be edited: change it directly, then sign.")
        assert actor.user_id is not None
        session.add(Addendum(evaluation_id=evaluation.id, author_id=actor.user_id, text=body))
        case.record(f"addendum to evaluation {evaluation_id}")
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
    with patient_case(db, actor, patient_id, Permission.VIEW_CLINICAL, AuditAction.READ) as case:
        rows = case.session.execute(
            select(Evaluation, User.display_name)
            .join(EpisodeOfCare, EpisodeOfCare.id == Evaluation.episode_id)
            .join(Patient, Patient.id == EpisodeOfCare.patient_id)
            .join(User, User.id == Evaluation.therapist_id)
            .where(EpisodeOfCare.patient_id == patient_id, Patient.clinic_id == actor.clinic_id)
            .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
        ).all()
        case.record(f"evaluation list: {len(rows)}")
        return [
            EvaluationSummary(e.id, e.episode_id, e.kind, e.evaluation_date, e.status, name)
            for e, name in rows
        ]


def search_codes(db: Database, actor: Actor, text: str, limit: int = 30) -> list[tuple[str, str]]:
    """Billable ICD-10-CM codes matching every word typed (code or description)."""
    audit.authorize(db, actor, Permission.EDIT_CLINICAL, AuditAction.READ, DataCategory.SYSTEM)
    return codes.search_codes(text, limit) if len(text.strip()) >= 2 else []
