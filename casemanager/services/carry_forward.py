"""Carry-forward for a returning patient: a new episode's initial evaluation offers the past
history, medications, occupation and sports and activities recorded in the last episode,
each with where it came from, and the therapist confirms them into the draft in one action.
(Follow-ups within an episode carry everything forward already: services/follow_up.py.)"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import EpisodeOfCare, Evaluation, User
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import AuditAction, DataCategory, EvaluationKind, EvaluationStatus
from casemanager.domain.errors import DomainError, ValidationError
from casemanager.domain.filling import Filled, fill_content
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.content_mappers import (
    EvaluationRecord,
    content_of,
    evaluation_record,
    write_content,
)
from casemanager.services.context import Actor
from casemanager.services.use_case import draft_case

# What stays true of a person between episodes of back pain, with the form's labels.
CARRIED_FIELDS: dict[str, str] = {
    "past_medical_history": "Past medical history",
    "medications": "Medications",
    "occupation": "Occupation",
    "activities": "Sports and activities",
}


@dataclass(frozen=True)
class CarriedValue:
    """One value from the last episode and where it came from."""

    field: str
    label: str
    value: str
    evaluation_id: int
    evaluation_kind: EvaluationKind
    evaluation_date: date
    author_name: str


@dataclass(frozen=True)
class CarryForwardOffer:
    previous_episode_id: int | None  # None: no earlier episode with a signed evaluation
    values: tuple[CarriedValue, ...]


@dataclass(frozen=True)
class CarriedForward:
    evaluation: EvaluationRecord
    filled: Filled
    sources: tuple[CarriedValue, ...]  # the values offered, with their origin


def _offer(session: Session, draft: Evaluation) -> CarryForwardOffer:
    """Each field from the newest signed evaluation of the patient's last earlier episode
    that holds it (a discharge summary carries the history forward, so it usually is that)."""
    episode = draft.episode
    previous = session.scalar(
        select(EpisodeOfCare.id)
        .join(Evaluation, Evaluation.episode_id == EpisodeOfCare.id)
        .where(
            EpisodeOfCare.patient_id == episode.patient_id,
            EpisodeOfCare.id != episode.id,
            EpisodeOfCare.start_date <= episode.start_date,
            Evaluation.status == EvaluationStatus.SIGNED,
        )
        .order_by(EpisodeOfCare.start_date.desc(), EpisodeOfCare.id.desc())
        .limit(1)
    )
    if previous is None:
        return CarryForwardOffer(None, ())
    rows = session.execute(
        select(Evaluation, User.display_name)
        .join(User, User.id == Evaluation.therapist_id)
        .where(Evaluation.episode_id == previous, Evaluation.status == EvaluationStatus.SIGNED)
        .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
    ).all()
    values = []
    for name, label in CARRIED_FIELDS.items():
        source = next(((e, who) for e, who in rows if getattr(e, name)), None)
        if source is not None:
            evaluation, author = source
            values.append(
                CarriedValue(
                    name,
                    label,
                    getattr(evaluation, name),
                    evaluation.id,
                    evaluation.kind,
                    evaluation.evaluation_date,
                    author,
                )
            )
    return CarryForwardOffer(previous, tuple(values))


def _initial(draft: Evaluation) -> Evaluation:
    if draft.kind != EvaluationKind.INITIAL:
        raise DomainError(
            "Follow-ups already start from this episode's values; carry-forward from an "
            "earlier episode is for a new episode's initial evaluation."
        )
    return draft


def carry_forward_offer(db: Database, actor: Actor, evaluation_id: int) -> CarryForwardOffer:
    """What the last episode recorded that the new initial evaluation may take over."""
    with draft_case(db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.READ) as case:
        draft = case.draft
        session = case.session
        offer = _offer(session, _initial(draft))
        case.record(
            f"carry-forward for evaluation {evaluation_id}: "
            + (
                ", ".join(sorted({f"evaluation {v.evaluation_id}" for v in offer.values}))
                or "nothing"
            )
        )
        return offer


def confirm_carry_forward(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    expected_version: int,
    fields: Collection[str] | None = None,
    *,
    overwrite: bool = False,
) -> CarriedForward:
    """Put the offered values (all, or the `fields` named) into the draft where the therapist
    has typed nothing (everywhere when `overwrite`), as one saved change."""
    unknown = set(fields or ()) - set(CARRIED_FIELDS)
    if unknown:
        raise ValidationError(sorted(unknown)[0], "This field is not carried forward.")
    with draft_case(db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE) as case:
        draft = case.draft
        session = case.session
        _initial(draft)
        if draft.version != expected_version:
            raise audit.conflict(
                session,
                case.patient_id,
                DataCategory.CLINICAL,
                "This evaluation's contents",
                draft.updated_at,
            )
        offer = _offer(session, draft)
        chosen = [v for v in offer.values if fields is None or v.field in fields]
        content, filled = fill_content(
            content_of(draft), {v.field: v.value for v in chosen}, overwrite
        )
        cleaned = rules.clean(content, draft.evaluation_date)
        write_content(draft, cleaned, rules.compute_scores(cleaned))
        sources = sorted({v.evaluation_id for v in chosen if v.field in filled.filled})
        case.record(
            f"evaluation {evaluation_id}: carried forward from "
            + (", ".join(f"evaluation {s}" for s in sources) or "nothing")
        )
        session.flush()
        return CarriedForward(evaluation_record(session, draft), filled, tuple(chosen))
