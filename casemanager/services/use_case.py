"""The preamble every use case shares: one session, the actor's role read again from their
account and checked, the record looked up within the actor's clinic, and the audit row
written in the same transaction as the work.

    with use_case(db, actor, Permission.EDIT_CLINICAL, AuditAction.UPDATE,
                  DataCategory.CLINICAL, patient_id=patient_id) as case:
        ...                            # the work, in case.session
        case.record(detail="...")      # the audit row, committed with the work

A refusal rolls the (empty) transaction back, is audited in a transaction of its own and
raised before the body runs. A write that clashes with another workstation's (the same
record changed, or the same row inserted, at the same moment) is rolled back whole and
raised as a ConflictError saying what happened there (services/clashes.py); `clash` gives a
use case's own words for it. An action that needs a second permission (saving a patient's
plan as a clinic template) asks for it with `case.require(...)` first thing in the body: a
refusal there is rolled back and audited alike. An action on a draft evaluation opens with
`draft_case`, which loads the draft (its author only, a signed one refused) in the same
transaction: `case.draft`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casemanager.db.engine import Database
from casemanager.db.models import EpisodeOfCare, Evaluation, Patient, User
from casemanager.db.types import utcnow
from casemanager.domain.enums import AuditAction, AuditOutcome, DataCategory, EvaluationStatus
from casemanager.domain.errors import (
    ClosedElsewhere,
    ConflictError,
    DomainError,
    NotFound,
    PermissionDenied,
)
from casemanager.domain.permissions import Permission
from casemanager.services import audit, clashes
from casemanager.services.context import Actor


@dataclass(frozen=True)
class Case:
    """One user action under way: its session, who acts, and what its audit row says."""

    session: Session
    actor: Actor
    action: AuditAction
    category: DataCategory
    patient_id: int | None

    def record(
        self,
        detail: str | None = None,
        *,
        patient_id: int | None = None,
        action: AuditAction | None = None,
        category: DataCategory | None = None,
        outcome: AuditOutcome = AuditOutcome.SUCCESS,
    ) -> None:
        """The action's audit row, in its transaction: about `patient_id` when given, else
        the patient the action was authorized for; `action` and `category` when they say
        more than the ones authorized (a permission change, a patient's record read for a
        clinic one)."""
        audit.record(
            self.session,
            self.actor,
            action or self.action,
            category or self.category,
            patient_id=self.patient_id if patient_id is None else patient_id,
            outcome=outcome,
            detail=detail,
        )

    def require(
        self,
        permission: Permission,
        action: AuditAction,
        category: DataCategory,
        *,
        patient_id: int | None = None,
    ) -> None:
        """A second permission the action needs, checked in its transaction (before any
        work): refused, the action is rolled back and the refusal audited as `action` on
        `category`, about `patient_id`."""
        refused = audit.refusal(self.session, self.actor, permission)
        if refused is not None:
            raise _AlsoRefused(refused, action, category, patient_id)


class _AlsoRefused(Exception):
    """A second permission refused inside a use case: use_case audits it once the work is
    rolled back."""

    def __init__(
        self,
        refused: audit.Refusal,
        action: AuditAction,
        category: DataCategory,
        patient_id: int | None,
    ) -> None:
        super().__init__(refused.detail)
        self.refused = refused
        self.action = action
        self.category = category
        self.patient_id = patient_id


@contextmanager
def use_case(
    db: Database,
    actor: Actor,
    permission: Permission,
    action: AuditAction,
    category: DataCategory,
    *,
    patient_id: int | None = None,
    find_patient: Callable[[Session], int | None] | None = None,
    clash: clashes.Explain | None = None,
) -> Iterator[Case]:
    """One transaction for one user action, entered only if the actor's role (read again
    now: a role change or deactivation applies at once) has `permission`. `find_patient`
    looks up, in the same transaction, the patient a refusal is audited against. `clash`
    says, after another workstation's write won, what it did."""
    began = utcnow()
    try:
        with db.session() as session:
            if find_patient is not None:
                patient_id = find_patient(session)
            refused = audit.refusal(session, actor, permission)
            if refused is None:
                yield Case(session, actor, action, category, patient_id)
                return
    except _AlsoRefused as also:
        raise audit.refuse(
            db, actor, also.refused, also.action, also.category, patient_id=also.patient_id
        ) from None
    except (StaleDataError, IntegrityError) as error:
        if not clashes.is_clash(error):
            raise  # another integrity error is a bug: it gets the report dialog
        raise clashes.refusal(
            db, error, patient_id=patient_id, category=category, explain=clash, since=began
        ) from None
    raise audit.refuse(db, actor, refused, action, category, patient_id=patient_id)


T = TypeVar("T")


def checked_read(
    db: Database,
    actor: Actor,
    permission: Permission,
    action: AuditAction,
    category: DataCategory,
    read: Callable[[Session, ColumnElement[bool]], T | None],
) -> T:
    """A read whose permission check rides in the one statement that reads. `read` is given
    the check as SQL (`audit.permitted`), reads nothing the check refuses, and returns None
    when the check said no. Then, and when `read` raises a DomainError (a refusal must come
    first, as in use_case), the read runs again as a use_case: the refusal is explained,
    audited and raised there as ever (or, allowed meanwhile, the read is answered there)."""
    try:
        with db.single_read() as session:
            found = read(session, audit.permitted(actor, permission))
    except DomainError:
        found = None
    if found is not None:
        return found
    with use_case(db, actor, permission, action, category) as case:
        found = read(case.session, true())
    if found is None:
        raise RuntimeError("a read refused its own checked permission")
    return found


def patient_case(
    db: Database,
    actor: Actor,
    patient_id: int,
    permission: Permission,
    action: AuditAction,
    category: DataCategory = DataCategory.CLINICAL,
    *,
    clash: clashes.Explain | None = None,
) -> AbstractContextManager[Case]:
    """use_case for an action on one patient's records, audited against them."""
    return use_case(db, actor, permission, action, category, patient_id=patient_id, clash=clash)


def evaluation_case(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    permission: Permission,
    action: AuditAction,
    category: DataCategory = DataCategory.CLINICAL,
    *,
    clash: clashes.Explain | None = None,
) -> AbstractContextManager[Case]:
    """use_case for an action on one evaluation: audited against its patient. A clash with
    the evaluation signed or discarded meanwhile on another workstation says so."""
    began = utcnow()

    def explain(session: Session) -> DomainError | None:
        return (clash(session) if clash is not None else None) or evaluation_moved_on(
            session, evaluation_id, began
        )

    return use_case(
        db,
        actor,
        permission,
        action,
        category,
        find_patient=lambda session: patient_of_evaluation(session, evaluation_id),
        clash=explain,
    )


# What a change to a signed evaluation is told, unless the use case says it better.
SIGNED_AND_LOCKED = "This evaluation is signed and locked. Add an addendum to correct it."


@dataclass(frozen=True)
class DraftCase(Case):
    """A user action on an evaluation still in draft: the draft, loaded in its session."""

    draft: Evaluation


@contextmanager
def draft_case(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    permission: Permission,
    action: AuditAction,
    *,
    locked: str = SIGNED_AND_LOCKED,
    clash: clashes.Explain | None = None,
) -> Iterator[DraftCase]:
    """evaluation_case for an action on a draft, loaded in its transaction: only its author
    may act, and a signed evaluation is refused with `locked` (which says what to do
    instead)."""
    with evaluation_case(db, actor, evaluation_id, permission, action, clash=clash) as case:
        draft = load_draft(case.session, actor, evaluation_id, locked)
        yield DraftCase(
            case.session, case.actor, case.action, case.category, case.patient_id, draft
        )


def evaluation_moved_on(
    session: Session, evaluation_id: int, since: datetime
) -> ConflictError | None:
    """After a clash: the evaluation discarded, or signed since `since`, on another
    workstation; None when it is still the draft it was (the general message says who
    changed it)."""
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        return ClosedElsewhere(
            "This draft was discarded on another workstation a moment ago, so there is "
            "nothing to save it into. Your text is still on screen: copy what you need, then "
            "open the patient's chart."
        )
    if (
        evaluation.status == EvaluationStatus.SIGNED
        and evaluation.signed_at is not None
        and evaluation.signed_at >= since
    ):
        signer = session.get(User, evaluation.signed_by_id or 0)
        name = signer.display_name if signer else "another user"
        return ClosedElsewhere(
            f"This evaluation was signed on another workstation a moment ago (by {name} at "
            f"{evaluation.signed_at.astimezone():%H:%M}) and is now locked, so this change "
            "was not saved. Your text is still on screen: add what differs as an addendum."
        )
    return None


def episode_case(
    db: Database,
    actor: Actor,
    episode_id: int,
    permission: Permission,
    action: AuditAction,
    *,
    clash: clashes.Explain | None = None,
) -> AbstractContextManager[Case]:
    """use_case for a clinical action on one episode of care: an episode of another clinic
    is not found (before the role is checked, as ever); a refusal is audited against its
    patient."""
    return use_case(
        db,
        actor,
        permission,
        action,
        DataCategory.CLINICAL,
        find_patient=lambda session: load_episode(session, actor, episode_id).patient_id,
        clash=clash,
    )


def actor_for(user: User, workstation: str) -> Actor:
    """The account as the actor of the calls that follow a login."""
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        clinic_id=user.clinic_id,
        workstation=workstation,
    )


# ---------------------------------------------------------------- records of the clinic


def patient_of_evaluation(session: Session, evaluation_id: int) -> int | None:
    return session.scalar(
        select(EpisodeOfCare.patient_id)
        .join(Evaluation, Evaluation.episode_id == EpisodeOfCare.id)
        .where(Evaluation.id == evaluation_id)
    )


def load_evaluation(session: Session, actor: Actor, evaluation_id: int) -> Evaluation:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.episode.patient.clinic_id != actor.clinic_id:
        raise NotFound("That evaluation is not in this clinic's records.")
    return evaluation


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


def load_episode(session: Session, actor: Actor, episode_id: int) -> EpisodeOfCare:
    """The episode, refusing one of another clinic."""
    row = session.execute(
        select(EpisodeOfCare, Patient.clinic_id)
        .join(Patient, Patient.id == EpisodeOfCare.patient_id)
        .where(EpisodeOfCare.id == episode_id)
    ).one_or_none()
    if row is None or row[1] != actor.clinic_id:
        raise NotFound("That episode of care is not in this clinic's records.")
    episode: EpisodeOfCare = row[0]
    return episode
