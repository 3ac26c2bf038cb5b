"""The patient intake: a therapist opens one for one patient and hands over the tablet; the
tablet holds only a secret token, and the functions it calls take that token and nothing
else, so they reach that patient's intake draft and no other record. The answers wait as a
draft; the therapist reviews them (positive red-flag answers first) and confirms them into
an evaluation draft.

Token-side calls are audited as "intake:<id>" (the patient answering), therapist-side calls
as the therapist.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import (
    AuditEntry,
    EpisodeOfCare,
    Evaluation,
    Patient,
    PatientIntake,
    User,
)
from casemanager.db.types import utcnow
from casemanager.domain import catalogs, onset
from casemanager.domain import evaluation as evaluation_rules
from casemanager.domain import intake as rules
from casemanager.domain.enums import (
    AuditAction,
    DataCategory,
    EpisodeStatus,
    EvaluationStatus,
    Role,
)
from casemanager.domain.errors import ConflictError, DomainError, NotFound, ValidationError
from casemanager.domain.filling import Filled, fill_content
from casemanager.domain.intake import IntakeAnswers, IntakeStatus
from casemanager.domain.intake_wording import IntakeWording, wording
from casemanager.domain.permissions import Permission
from casemanager.services import audit, clashes, new_episode
from casemanager.services.content_mappers import (
    EvaluationRecord,
    content_of,
    evaluation_record,
    write_content,
)
from casemanager.services.context import Actor
from casemanager.services.use_case import (
    Case,
    draft_case,
    patient_case,
    use_case,
)

OPEN_FOR = timedelta(hours=2)  # a waiting-room visit; the therapist can open another
_CLOSED = "This intake is closed. Please give the tablet back to the front desk."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IntakeTicket:
    """What the tablet is given: the token is shown once and kept nowhere else."""

    intake_id: int
    token: str
    language: str
    expires_at: datetime


@dataclass(frozen=True)
class IntakeForm:
    """What the tablet shows: the wording in the intake's language, the patient's first
    name for the welcome, and the answers so far (so a restart loses nothing)."""

    intake_id: int
    first_name: str
    wording: IntakeWording
    answers: IntakeAnswers
    expires_at: datetime


@dataclass(frozen=True)
class FlaggedAnswer:
    """A yes to a red-flag question, for the therapist to see first."""

    code: str
    question: str  # as the screen asks it
    finding: str  # in a clinician's words
    condition: str  # the serious condition it points to


@dataclass(frozen=True)
class IntakeReview:
    id: int
    patient_id: int
    status: IntakeStatus
    language: str
    opened_by_name: str
    opened_at: datetime
    submitted_at: datetime | None
    answers: IntakeAnswers
    positive_red_flags: tuple[FlaggedAnswer, ...]
    onset_date: date | None  # the onset as a date, counted from the day they answered
    evaluation_id: int | None  # the evaluation it was confirmed into


@dataclass(frozen=True)
class IntakeConfirmed:
    evaluation: EvaluationRecord
    filled: Filled  # evaluation field names; red flags as "red_flag_<code>"
    started: bool = False  # a new episode and its initial evaluation were started for it


# ---------------------------------------------------------------- the therapist's side


def open_intake(
    db: Database,
    actor: Actor,
    patient_id: int,
    language: str | None = None,
    *,
    now: datetime | None = None,
) -> IntakeTicket:
    """Open an intake for one patient (in their preferred language unless given; English or
    Spanish). An intake still open for them is cancelled: one tablet, one intake."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with patient_case(db, actor, patient_id, Permission.EDIT_CLINICAL, AuditAction.CREATE) as case:
        session = case.session
        patient = session.get(Patient, patient_id)
        if patient is None or patient.clinic_id != actor.clinic_id:
            raise NotFound("That patient is not in this clinic's records.")
        chosen = language or patient.preferred_language
        if chosen not in rules.LANGUAGES:
            if language is not None:
                raise ValidationError("language", "The intake is in English or Spanish.")
            chosen = "en"
        session.execute(
            update(PatientIntake)
            .where(
                PatientIntake.patient_id == patient_id,
                PatientIntake.status == IntakeStatus.OPEN,
            )
            .values(
                status=IntakeStatus.CANCELLED,
                token_hash=None,
                version=PatientIntake.version + 1,
            )
        )
        assert actor.user_id is not None
        row = PatientIntake(
            patient_id=patient_id,
            opened_by_id=actor.user_id,
            language=chosen,
            status=IntakeStatus.OPEN,
            token_hash=_hash(token),
            expires_at=now + OPEN_FOR,
        )
        session.add(row)
        session.flush()
        case.record(f"intake {row.id} opened")
        return IntakeTicket(row.id, token, chosen, row.expires_at)


def _load(session: Session, actor: Actor, intake_id: int) -> PatientIntake:
    row = session.get(PatientIntake, intake_id)
    if row is None:
        raise NotFound("That intake is not in this clinic's records.")
    patient = session.get(Patient, row.patient_id)
    if patient is None or patient.clinic_id != actor.clinic_id:
        raise NotFound("That intake is not in this clinic's records.")
    return row


def _intake_case(
    db: Database, actor: Actor, intake_id: int, permission: Permission, action: AuditAction
) -> AbstractContextManager[Case]:
    """use_case for an action on one intake: audited against its patient, looked up in the
    same transaction; a clash with another workstation says what it did to the intake."""
    return use_case(
        db,
        actor,
        permission,
        action,
        DataCategory.CLINICAL,
        find_patient=lambda session: session.scalar(
            select(PatientIntake.patient_id).where(PatientIntake.id == intake_id)
        ),
        clash=_moved_on(intake_id),
    )


def _moved_on(intake_id: int) -> clashes.Explain:
    """After a clash: what happened to the intake meanwhile on another workstation (or on
    the tablet), read in a fresh transaction; None when it did not change."""
    began = utcnow()

    def explain(session: Session) -> DomainError | None:
        row = session.get(PatientIntake, intake_id)
        if row is None:
            return None
        if row.status == IntakeStatus.CONFIRMED:
            who = session.get(User, row.confirmed_by_id or 0)
            return ConflictError(
                "This intake was confirmed on another workstation a moment ago"
                f"{_by(who.display_name if who else None, row.confirmed_at)}. Open the "
                "patient's chart to see the evaluation it went into; what you typed here is "
                "kept."
            )
        if row.status == IntakeStatus.CANCELLED:
            name, when = _cancelled_by(session, row)
            return ConflictError(
                f"This intake was cancelled on another workstation a moment ago{_by(name, when)}"
                ", so its answers were not put into an evaluation. Open the patient's chart to "
                "see it, and open a new intake if the patient should answer again."
            )
        if row.updated_at >= began:
            return ConflictError(
                "The patient changed their answers on the tablet a moment ago. Review the "
                "intake again to see them, then confirm it; what you typed here is kept."
            )
        return None

    return explain


def _by(name: str | None, when: datetime | None) -> str:
    if name is None or when is None:
        return ""
    return f" (by {name} at {when.astimezone():%H:%M})"


def _cancelled_by(session: Session, row: PatientIntake) -> tuple[str | None, datetime | None]:
    """Who cancelled the intake, and when, from its audit row (none when a newer intake
    replaced it)."""
    found = session.execute(
        select(User.display_name, AuditEntry.occurred_at)
        .join(User, User.id == AuditEntry.user_id)
        .where(
            AuditEntry.patient_id == row.patient_id,
            AuditEntry.detail == f"intake {row.id} cancelled",
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).one_or_none()
    return (found[0], found[1]) if found is not None else (None, None)


def _review(session: Session, row: PatientIntake) -> IntakeReview:
    answers = rules.from_data(row.answers)
    opener = session.get(User, row.opened_by_id)
    onset_date = None
    if answers.onset and row.answered_on is not None:
        try:
            onset_date = onset.parse_onset(answers.onset, row.answered_on, row.language)
        except ValidationError:
            onset_date = None  # checked when saved; the typed words stay in the review
    flagged = []
    for code in answers.positive_red_flags:
        item = catalogs.red_flag(code)
        flagged.append(
            FlaggedAnswer(
                code,
                item.question,
                item.finding,
                catalogs.red_flag_condition(item.condition).label,
            )
        )
    return IntakeReview(
        id=row.id,
        patient_id=row.patient_id,
        status=row.status,
        language=row.language,
        opened_by_name=opener.display_name if opener else "unknown",
        opened_at=row.created_at,
        submitted_at=row.submitted_at,
        answers=answers,
        positive_red_flags=tuple(flagged),
        onset_date=onset_date,
        evaluation_id=row.evaluation_id,
    )


def list_intakes(db: Database, actor: Actor, patient_id: int) -> list[IntakeReview]:
    """A patient's intakes, newest first (the chart shows one waiting to be confirmed)."""
    with patient_case(db, actor, patient_id, Permission.VIEW_CLINICAL, AuditAction.READ) as case:
        session = case.session
        patient = session.get(Patient, patient_id)
        if patient is None or patient.clinic_id != actor.clinic_id:
            raise NotFound("That patient is not in this clinic's records.")
        rows = session.scalars(
            select(PatientIntake)
            .where(PatientIntake.patient_id == patient_id)
            .order_by(PatientIntake.created_at.desc(), PatientIntake.id.desc())
        ).all()
        case.record(f"intake list: {len(rows)}")
        return [_review(session, row) for row in rows]


def review_intake(db: Database, actor: Actor, intake_id: int) -> IntakeReview:
    with _intake_case(db, actor, intake_id, Permission.VIEW_CLINICAL, AuditAction.READ) as case:
        row = _load(case.session, actor, intake_id)
        case.record(f"intake {intake_id}", patient_id=row.patient_id)
        return _review(case.session, row)


def confirm_intake(
    db: Database,
    actor: Actor,
    intake_id: int,
    evaluation_id: int,
    expected_version: int,
    *,
    overwrite: bool = False,
) -> IntakeConfirmed:
    """Copy the patient's answers into the therapist's evaluation draft of the same patient:
    each field where the therapist has entered nothing (everywhere when `overwrite`). A yes
    to a red flag comes without an action, so signing waits until the therapist chooses one.
    The intake is closed (its token stops working)."""
    with draft_case(
        db,
        actor,
        evaluation_id,
        Permission.EDIT_CLINICAL,
        AuditAction.UPDATE,
        clash=_moved_on(intake_id),
    ) as case:
        draft = case.draft
        session = case.session
        row = _load(session, actor, intake_id)
        if draft.episode.patient_id != row.patient_id:
            raise DomainError("This intake is another patient's: it cannot go into this chart.")
        _still_waiting(row)
        if draft.version != expected_version:
            raise audit.conflict(
                session,
                case.patient_id,
                DataCategory.CLINICAL,
                "This evaluation's contents",
                draft.updated_at,
            )
        return _fill(case, row, draft, overwrite, started=False)


def confirm_intake_from_chart(
    db: Database,
    actor: Actor,
    intake_id: int,
    *,
    overwrite: bool = False,
    today: date | None = None,
) -> IntakeConfirmed:
    """Confirm from the patient's chart, no evaluation open: into the therapist's own draft
    for the patient (the newest), or, when the patient has no episode open, into a new
    episode's initial evaluation started as a draft for it (dated `today`)."""
    # Confirmed (or a new episode started) at the same moment elsewhere: _intake_case says so.
    with _intake_case(db, actor, intake_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE) as case:
        session = case.session
        row = _load(session, actor, intake_id)
        _still_waiting(row)
        draft = _draft_to_fill(session, actor, row.patient_id)
        if draft is not None:
            return _fill(case, row, draft, overwrite, started=False)
        draft, detail = new_episode.open_initial_draft(
            session,
            actor,
            row.patient_id,
            "",  # the episode takes the evaluation's chief complaint: the patient's words
            today or date.today(),
            None,  # the patient's own words fill it
        )
        case.record(detail, action=AuditAction.CREATE)
        return _fill(case, row, draft, overwrite, started=True)


def _still_waiting(row: PatientIntake) -> None:
    if row.status not in (IntakeStatus.OPEN, IntakeStatus.SUBMITTED):
        raise DomainError(
            "This intake was already confirmed into an evaluation."
            if row.status == IntakeStatus.CONFIRMED
            else "This intake was cancelled."
        )


def _draft_to_fill(session: Session, actor: Actor, patient_id: int) -> Evaluation | None:
    """The actor's newest draft for the patient; None when a new episode may start (none is
    open). Another therapist's draft is theirs to fill."""
    drafts = session.execute(
        select(Evaluation, User.display_name)
        .join(EpisodeOfCare, EpisodeOfCare.id == Evaluation.episode_id)
        .join(User, User.id == Evaluation.therapist_id)
        .where(EpisodeOfCare.patient_id == patient_id, Evaluation.status == EvaluationStatus.DRAFT)
        .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
    ).all()
    mine = next((e for e, _name in drafts if e.therapist_id == actor.user_id), None)
    if mine is not None:
        return mine
    if drafts:
        theirs, name = drafts[0]
        kind = catalogs.EVALUATION_KIND_LABELS[theirs.kind].lower()
        raise DomainError(
            f"The draft {kind} open for this patient is {name}'s: only they can put the "
            "answers into it. Ask them to confirm the intake, or start your own evaluation "
            "once theirs is signed."
        )
    open_since = session.scalar(
        select(EpisodeOfCare.start_date).where(
            EpisodeOfCare.patient_id == patient_id, EpisodeOfCare.status == EpisodeStatus.OPEN
        )
    )
    if open_since is not None:
        raise DomainError(
            f"This patient's episode of care (since {open_since:%m/%d/%Y}) is open and has no "
            "draft of yours: start their re-evaluation or progress report from the chart, "
            "then put the answers into it."
        )
    return None


def _fill(
    case: Case, row: PatientIntake, draft: Evaluation, overwrite: bool, *, started: bool
) -> IntakeConfirmed:
    """The answers into the draft where it is blank (everywhere when `overwrite`); the intake
    closes and names the evaluation; the audit row in the same transaction."""
    session = case.session
    answers = rules.from_data(row.answers)
    answered_on = row.answered_on or draft.evaluation_date
    content, filled = fill_content(
        content_of(draft),
        rules.evaluation_values(answers, answered_on, row.language),
        overwrite,
    )
    flags, flags_filled, flags_kept = rules.merge_red_flags(content.red_flags, answers, overwrite)
    content = evaluation_rules.clean(replace(content, red_flags=flags), draft.evaluation_date)
    write_content(draft, content, evaluation_rules.compute_scores(content))
    row.status = IntakeStatus.CONFIRMED
    row.token_hash = None
    row.evaluation_id = draft.id
    row.confirmed_by_id = case.actor.user_id
    row.confirmed_at = utcnow()
    case.record(f"evaluation {draft.id} filled from intake {row.id}")
    session.flush()
    flagged = Filled(
        tuple(f"red_flag_{c}" for c in flags_filled),
        tuple(f"red_flag_{c}" for c in flags_kept),
    )
    return IntakeConfirmed(evaluation_record(session, draft), filled + flagged, started)


def cancel_intake(db: Database, actor: Actor, intake_id: int) -> None:
    """Close an intake without using it (the token stops working; the answers are kept)."""
    with _intake_case(db, actor, intake_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE) as case:
        row = _load(case.session, actor, intake_id)
        if row.status == IntakeStatus.CONFIRMED:
            raise DomainError("This intake is already in an evaluation.")
        row.status = IntakeStatus.CANCELLED
        row.token_hash = None
        case.record(f"intake {intake_id} cancelled", patient_id=row.patient_id)


# ---------------------------------------------------------------- the tablet's side


def _by_token(session: Session, token: str, now: datetime) -> PatientIntake:
    """The one intake this token opens, while it is open; anything else is refused alike."""
    row = session.scalar(select(PatientIntake).where(PatientIntake.token_hash == _hash(token)))
    if row is None or row.status != IntakeStatus.OPEN or row.expires_at <= now:
        raise NotFound(_CLOSED)
    return row


def _tablet(db: Database) -> AbstractContextManager[None]:
    """Around a tablet's write: the therapist confirmed, cancelled or replaced the intake at
    the same moment, so for the patient it is closed, as any other closed intake."""
    return clashes.translated(db, explain=lambda _session: NotFound(_CLOSED))


def _patient_actor(row: PatientIntake, clinic_id: int, workstation: str) -> Actor:
    """Who the audit names for the tablet's calls: the patient answering this intake. No
    account, so no permission: the token is the only key, and it opens this row alone."""
    return Actor(
        user_id=None,
        username=f"intake:{row.id}",
        display_name="Patient (intake)",
        role=Role.THERAPIST,  # never checked: tablet calls do not go through authorize
        clinic_id=clinic_id,
        workstation=workstation,
    )


def intake_form(
    db: Database, token: str, workstation: str, *, now: datetime | None = None
) -> IntakeForm:
    """The questions and the answers so far, for the token's intake only."""
    with db.session() as session:
        row = _by_token(session, token, now or utcnow())
        patient = session.get(Patient, row.patient_id)
        assert patient is not None
        audit.record(
            session,
            _patient_actor(row, patient.clinic_id, workstation),
            AuditAction.READ,
            DataCategory.CLINICAL,
            patient_id=row.patient_id,
            detail=f"intake {row.id} form",
        )
        return IntakeForm(
            row.id,
            patient.preferred_name or patient.given_name,
            wording(row.language),
            rules.from_data(row.answers),
            row.expires_at,
        )


def save_intake_answers(
    db: Database,
    token: str,
    answers: IntakeAnswers,
    workstation: str,
    *,
    now: datetime | None = None,
) -> IntakeAnswers:
    """Keep the answers so far (the tablet saves as the patient goes)."""
    now = now or utcnow()
    with _tablet(db), db.session() as session:
        row = _by_token(session, token, now)
        today = now.astimezone().date()
        cleaned = rules.clean(answers, today, row.language)
        row.answers = rules.to_data(cleaned)
        row.answered_on = today
        patient = session.get(Patient, row.patient_id)
        assert patient is not None
        audit.record(
            session,
            _patient_actor(row, patient.clinic_id, workstation),
            AuditAction.UPDATE,
            DataCategory.CLINICAL,
            patient_id=row.patient_id,
            detail=f"intake {row.id} answers",
        )
        return cleaned


def submit_intake(
    db: Database, token: str, workstation: str, *, now: datetime | None = None
) -> None:
    """The patient has finished: the intake waits for the therapist and the token closes."""
    now = now or utcnow()
    with _tablet(db), db.session() as session:
        row = _by_token(session, token, now)
        row.status = IntakeStatus.SUBMITTED
        row.submitted_at = now
        row.token_hash = None
        patient = session.get(Patient, row.patient_id)
        assert patient is not None
        audit.record(
            session,
            _patient_actor(row, patient.clinic_id, workstation),
            AuditAction.UPDATE,
            DataCategory.CLINICAL,
            patient_id=row.patient_id,
            detail=f"intake {row.id} submitted"
            + (f"; {len(rules.from_data(row.answers).positive_red_flags)} red flag(s) yes"),
        )
