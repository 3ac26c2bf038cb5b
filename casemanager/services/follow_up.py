"""Progress reports, re-evaluations and discharge summaries: each starts as a draft holding
the episode's last signed values (and the pain rating of the latest visit), so the therapist
measures again instead of retyping."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import Evaluation, TreatmentPlan, User, Visit
from casemanager.domain import catalogs
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import (
    AuditAction,
    EpisodeStatus,
    EvaluationKind,
    EvaluationStatus,
)
from casemanager.domain.errors import ConflictError, DomainError
from casemanager.domain.permissions import Permission
from casemanager.services import clashes
from casemanager.services.content_mappers import (
    EvaluationRecord,
    content_of,
    evaluation_record,
    read_plan,
    write_content,
    write_plan,
)
from casemanager.services.context import Actor
from casemanager.services.use_case import episode_case, load_episode

FOLLOW_UP_KINDS = rules.FOLLOW_UP_KINDS


def _latest_pain(session: Session, episode_id: int, source: Evaluation) -> int | None:
    """The pain rating of the newest visit after the evaluation carried forward, if any."""
    return session.scalar(
        select(Visit.nprs)
        .where(
            Visit.episode_id == episode_id,
            Visit.visit_date > source.evaluation_date,  # a later day: same-day order is unknown
            Visit.nprs.is_not(None),
        )
        .order_by(Visit.visit_date.desc(), Visit.id.desc())
        .limit(1)
    )


def _started_elsewhere(episode_id: int) -> clashes.Explain:
    """After a clash: the draft another workstation started in the episode meanwhile (the
    database keeps one per episode), named so the therapist finds it on the chart."""

    def explain(session: Session) -> DomainError | None:
        found = session.execute(
            select(Evaluation.kind, Evaluation.evaluation_date, User.display_name)
            .join(User, User.id == Evaluation.therapist_id)
            .where(Evaluation.episode_id == episode_id, Evaluation.status == EvaluationStatus.DRAFT)
        ).first()
        if found is None:
            return None
        kind, day, name = found
        return ConflictError(
            f"{name} has just started a {catalogs.EVALUATION_KIND_LABELS[kind].lower()} "
            f"({day:%m/%d/%Y}) in this episode on another workstation, and an episode holds "
            "one unsigned evaluation at a time. Refresh the chart and open it from there."
        )

    return explain


def start_follow_up(
    db: Database,
    actor: Actor,
    episode_id: int,
    kind: EvaluationKind,
    evaluation_date: date | None = None,
    *,
    today: date | None = None,
) -> EvaluationRecord:
    """A draft of `kind` for an open episode, filled from its latest signed evaluation."""
    if kind not in FOLLOW_UP_KINDS:
        raise ValueError(f"not a follow-up kind: {kind}")
    label = catalogs.EVALUATION_KIND_LABELS[kind].lower()
    today = today or date.today()
    day = evaluation_date or today
    with episode_case(
        db,
        actor,
        episode_id,
        Permission.EDIT_CLINICAL,
        AuditAction.CREATE,
        clash=_started_elsewhere(episode_id),
    ) as case:
        if day > today:
            raise DomainError(f"A {label} cannot be dated in the future.")
        session = case.session
        episode = load_episode(session, actor, episode_id)
        if episode.status != EpisodeStatus.OPEN:
            raise DomainError(f"This episode is discharged: a {label} needs an open episode.")
        if day < episode.start_date:
            raise DomainError("The date is before this episode began. Check the date.")
        evaluations = session.scalars(
            select(Evaluation)
            .where(Evaluation.episode_id == episode_id)
            .order_by(Evaluation.evaluation_date.desc(), Evaluation.id.desc())
        ).all()
        draft = next((e for e in evaluations if e.status == EvaluationStatus.DRAFT), None)
        if draft is not None:
            raise DomainError(
                f"This episode already has an unsigned "
                f"{catalogs.EVALUATION_KIND_LABELS[draft.kind].lower()} from "
                f"{draft.evaluation_date:%m/%d/%Y}. Open it from the chart and sign it first."
            )
        source = next(iter(evaluations), None)
        if source is None:
            raise DomainError("Sign the initial evaluation first.")
        if day < source.evaluation_date:
            raise DomainError(
                f"The {label} cannot be dated before the last evaluation "
                f"({source.evaluation_date:%m/%d/%Y}). Check the date."
            )
        last_visit = session.scalar(
            select(func.max(Visit.visit_date)).where(Visit.episode_id == episode_id)
        )
        if kind == EvaluationKind.DISCHARGE and last_visit is not None and day < last_visit:
            raise DomainError(
                f"The discharge cannot be dated before the last visit "
                f"({last_visit:%m/%d/%Y}). Check the date."
            )
        assert actor.user_id is not None
        evaluation = Evaluation(
            episode_id=episode.id,
            therapist_id=actor.user_id,
            kind=kind,
            evaluation_date=day,
            status=EvaluationStatus.DRAFT,
        )
        session.add(evaluation)
        carried = content_of(source)
        latest_pain = _latest_pain(session, episode_id, source)
        carried = replace(
            carried,
            # Billing complexity belongs to the initial evaluation; the summary is new writing.
            complexity=None,
            assessment_note=None,
            discharge_reason=None,
            red_flags_rechecked=False,  # carried answers are asked again before signing
            nprs_now=carried.nprs_now if latest_pain is None else latest_pain,
        )
        if kind not in rules.FULL_KINDS:
            # STarT Back is a first-contact screen: not measured again on these forms.
            carried = replace(carried, start_back=(None,) * rules.START_BACK_ITEMS)
        write_content(evaluation, carried, rules.compute_scores(carried))
        if source.plan is not None:
            plan = replace(read_plan(source.plan), next_appointment=None)  # book a new one
            if kind == EvaluationKind.RE_EVALUATION:
                # A re-evaluation sets a new plan of care: the therapist certifies it again.
                plan = replace(plan, certification_start=None, certification_end=None)
            session.flush()
            new_plan = TreatmentPlan(evaluation_id=evaluation.id)
            session.add(new_plan)
            write_plan(session, actor, new_plan, plan)
        session.flush()
        case.record(f"{kind.value} {evaluation.id} from evaluation {source.id}")
        return evaluation_record(session, evaluation)
