"""Evaluation templates by suspected cause: list them for a cause, apply one to a draft in one
action, save a signed plan as a new one, and edit or retire them. Templates are clinic
records (no patient data): their changes are audited in the clinic category."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import (
    Evaluation,
    EvaluationTemplate,
    Exercise,
    TreatmentPlan,
    User,
)
from casemanager.db.types import utcnow
from casemanager.domain import evaluation as evaluation_rules
from casemanager.domain import evaluation_defaults
from casemanager.domain import plan as plan_rules
from casemanager.domain import templates as rules
from casemanager.domain.enums import (
    AuditAction,
    Cause,
    DataCategory,
    EvaluationKind,
    EvaluationStatus,
)
from casemanager.domain.errors import ConflictError, DomainError, NotFound, ValidationError
from casemanager.domain.filling import Filled, fill_content
from casemanager.domain.permissions import Permission
from casemanager.domain.templates import TemplateContent
from casemanager.services import audit, clashes
from casemanager.services.content_mappers import (
    EvaluationRecord,
    PlanRecord,
    content_of,
    evaluation_record,
    plan_record,
    read_plan,
    write_content,
    write_plan,
)
from casemanager.services.content_mappers import add_starter_templates as add_starter_templates
from casemanager.services.context import Actor
from casemanager.services.use_case import (
    draft_case,
    load_evaluation,
    patient_of_evaluation,
    use_case,
)


@dataclass(frozen=True)
class TemplateRecord:
    id: int
    key: str | None  # the starter template it began as, else None
    content: TemplateContent
    active: bool
    version: int
    updated_at: datetime
    created_by_name: str | None  # None for a starter template
    source_evaluation_id: int | None  # the signed evaluation it was saved from, if any


@dataclass(frozen=True)
class TemplateApplied:
    """A template filled into a draft: the evaluation and plan as saved, and what was filled
    and what kept (form field names), with notes such as an exercise no longer in use."""

    evaluation: EvaluationRecord
    plan: PlanRecord
    filled: Filled


def _record(session: Session, row: EvaluationTemplate) -> TemplateRecord:
    author = session.get(User, row.created_by_id) if row.created_by_id else None
    return TemplateRecord(
        id=row.id,
        key=row.key,
        content=rules.from_data(row.name, row.cause, row.note, row.content),
        active=row.active,
        version=row.version,
        updated_at=row.updated_at,
        created_by_name=author.display_name if author else None,
        source_evaluation_id=row.source_evaluation_id,
    )


def list_templates(
    db: Database, actor: Actor, cause: Cause | None = None, *, include_retired: bool = False
) -> list[TemplateRecord]:
    """The clinic's templates, for a cause or all, by name; retired ones only when asked
    (the template editor shows them to restore)."""
    with db.session() as session:
        query = select(EvaluationTemplate).where(EvaluationTemplate.clinic_id == actor.clinic_id)
        if cause is not None:
            query = query.where(EvaluationTemplate.cause == cause)
        if not include_retired:
            query = query.where(EvaluationTemplate.active.is_(True))
        rows = session.scalars(
            query.order_by(func.lower(EvaluationTemplate.name), EvaluationTemplate.id)
        )
        return [_record(session, row) for row in rows]


def _load(session: Session, actor: Actor, template_id: int) -> EvaluationTemplate:
    row = session.get(EvaluationTemplate, template_id)
    if row is None or row.clinic_id != actor.clinic_id:
        raise NotFound("That template is not in this clinic's templates.")
    return row


def get_template(db: Database, actor: Actor, template_id: int) -> TemplateRecord:
    with db.session() as session:
        return _record(session, _load(session, actor, template_id))


def _check_exercises(session: Session, actor: Actor, content: TemplateContent) -> None:
    wanted = [h.exercise_id for h in content.home_exercises]
    known = set(
        session.scalars(
            select(Exercise.id).where(
                Exercise.clinic_id == actor.clinic_id,
                Exercise.active.is_(True),
                Exercise.id.in_(wanted or [0]),
            )
        )
    )
    for index, exercise_id in enumerate(wanted, start=1):
        if exercise_id not in known:
            raise ValidationError(
                f"exercise_{index}", "That exercise is not in the library (or is retired)."
            )


def _same_name(session: Session, actor: Actor, name: str, other_than: int | None) -> None:
    clash = session.scalar(
        select(EvaluationTemplate.id).where(
            EvaluationTemplate.clinic_id == actor.clinic_id,
            EvaluationTemplate.active.is_(True),
            func.lower(EvaluationTemplate.name) == name.lower(),
            EvaluationTemplate.id != (other_than or 0),
        )
    )
    if clash is not None:
        raise ValidationError("template_name", "Another template in use has this name.")


def _conflict(session: Session, row: EvaluationTemplate) -> ConflictError:
    return audit.conflict(
        session,
        None,
        DataCategory.CLINIC,
        "This template",
        row.updated_at,
        details=tuple(f"template {row.id}{also}" for also in ("", " retired", " restored")),
    )


def _clash(actor: Actor, template_id: int | None) -> clashes.Explain:
    """After a clash: who changed this template last (its own audit rows), and when."""
    return lambda session: _conflict(session, _load(session, actor, template_id or 0))


def _write(row: EvaluationTemplate, content: TemplateContent) -> None:
    row.name = content.name
    row.cause = content.cause
    row.note = content.note
    row.content = rules.to_data(content)  # a new dict: the JSON column sees the change
    row.updated_at = utcnow()


def save_template(
    db: Database,
    actor: Actor,
    template_id: int | None,
    expected_version: int | None,
    content: TemplateContent,
) -> TemplateRecord:
    """Add a template (template_id None) or change one as it was when opened."""
    action = AuditAction.CREATE if template_id is None else AuditAction.UPDATE
    with use_case(
        db,
        actor,
        Permission.EDIT_TEMPLATES,
        action,
        DataCategory.CLINIC,
        clash=_clash(actor, template_id),
    ) as case:
        session = case.session
        cleaned = rules.clean(content)
        _same_name(session, actor, cleaned.name, template_id)
        _check_exercises(session, actor, cleaned)
        if template_id is None:
            row = EvaluationTemplate(
                clinic_id=actor.clinic_id, key=None, created_by_id=actor.user_id, active=True
            )
            session.add(row)
        else:
            row = _load(session, actor, template_id)
            if row.version != expected_version:
                raise _conflict(session, row)
        _write(row, cleaned)
        session.flush()
        case.record(f"template {row.id}")
        return _record(session, row)


def retire_template(
    db: Database, actor: Actor, template_id: int, expected_version: int, *, retired: bool = True
) -> TemplateRecord:
    """Take a template out of use (it is kept, and can be restored with retired=False)."""
    with use_case(
        db,
        actor,
        Permission.EDIT_TEMPLATES,
        AuditAction.UPDATE,
        DataCategory.CLINIC,
        clash=_clash(actor, template_id),
    ) as case:
        session = case.session
        row = _load(session, actor, template_id)
        if row.version != expected_version:
            raise _conflict(session, row)
        if not retired:
            _same_name(session, actor, row.name, row.id)
        row.active = not retired
        row.updated_at = utcnow()
        session.flush()
        case.record(f"template {row.id} {'retired' if retired else 'restored'}")
        return _record(session, row)


def save_plan_as_template(
    db: Database, actor: Actor, evaluation_id: int, name: str, cause: Cause | None = None
) -> TemplateRecord:
    """A new template from a signed evaluation's codes and plan of care (for its primary
    cause unless another is given). The patient's physician, appointment, plan note and
    certification dates stay behind; the goals keep their weeks from the evaluation."""
    with use_case(
        db, actor, Permission.EDIT_TEMPLATES, AuditAction.CREATE, DataCategory.CLINIC
    ) as case:
        session = case.session
        # The template is the clinic's; the plan it is read from is the patient's record.
        patient_id = patient_of_evaluation(session, evaluation_id)
        case.require(
            Permission.VIEW_CLINICAL,
            AuditAction.READ,
            DataCategory.CLINICAL,
            patient_id=patient_id,
        )
        evaluation = load_evaluation(session, actor, evaluation_id)
        if evaluation.status != EvaluationStatus.SIGNED:
            raise DomainError("Sign the evaluation first: a template is saved from a signed plan.")
        if evaluation.plan is None:
            raise DomainError("This evaluation has no plan of care to save as a template.")
        content = content_of(evaluation)
        chosen = cause or content.primary_cause
        if chosen is None:
            raise ValidationError("primary_cause", "Choose the cause this template is for.")
        template = rules.clean(
            rules.from_plan(
                name,
                chosen,
                content.diagnosis_codes,
                read_plan(evaluation.plan),
                evaluation.evaluation_date,
            )
        )
        _same_name(session, actor, template.name, None)
        active = set(
            session.scalars(
                select(Exercise.id).where(
                    Exercise.clinic_id == actor.clinic_id, Exercise.active.is_(True)
                )
            )
        )
        template = replace(
            template,
            home_exercises=tuple(h for h in template.home_exercises if h.exercise_id in active),
        )
        row = EvaluationTemplate(
            clinic_id=actor.clinic_id,
            key=None,
            created_by_id=actor.user_id,
            source_evaluation_id=evaluation.id,
            active=True,
        )
        session.add(row)
        _write(row, template)
        session.flush()
        case.record(f"template {row.id}")
        case.record(
            f"plan of evaluation {evaluation_id} saved as template {row.id}",
            patient_id=patient_id,
            action=AuditAction.READ,
            category=DataCategory.CLINICAL,
        )
        return _record(session, row)


def apply_template(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    template_id: int,
    expected_version: int,
    expected_plan_version: int | None,
    *,
    overwrite: bool = False,
) -> TemplateApplied:
    """Fill a draft initial evaluation or re-evaluation from a template, in one transaction:
    the primary cause and codes, and the plan's paths, goals (targets from the evaluation
    date), home exercises and certification period. What the therapist already entered is
    kept unless `overwrite`. Red flags are never filled: signing still needs the screen."""
    # A clash with the draft or its plan saved elsewhere: use_case names which one.
    with draft_case(db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE) as case:
        evaluation = case.draft
        session, patient_id = case.session, case.patient_id
        if evaluation.kind not in evaluation_rules.FULL_KINDS:
            raise DomainError(
                "Templates fill an initial evaluation or a re-evaluation, which set a "
                "new plan of care."
            )
        if evaluation.version != expected_version:
            raise _evaluation_conflict(session, evaluation)
        plan_row = evaluation.plan
        if plan_row is not None and plan_row.version != expected_plan_version:
            raise audit.conflict(
                session,
                patient_id,
                DataCategory.CLINICAL,
                "This plan of care",
                plan_row.updated_at,
            )
        if plan_row is None and expected_plan_version is not None:
            raise NotFound("That plan no longer exists; reopen the evaluation.")
        row = _load(session, actor, template_id)
        template = rules.from_data(row.name, row.cause, row.note, row.content)
        template, notes = _usable_exercises(session, actor, template)
        day = evaluation.evaluation_date
        content, filled = fill_content(
            content_of(evaluation),
            {"primary_cause": template.cause, "diagnosis_codes": template.diagnosis_codes},
            overwrite,
        )
        if content.primary_cause is not None:
            content = replace(
                content,
                contributing_causes=tuple(
                    c for c in content.contributing_causes if c != content.primary_cause
                ),
            )
        cleaned = evaluation_rules.clean(content, day)
        previous = read_plan(plan_row) if plan_row is not None else None
        plan, plan_filled = rules.fill_plan(previous, template, day, overwrite)
        period = (plan.certification_start, plan.certification_end)
        plan = evaluation_defaults.with_default_certification(plan, day, previous)
        if (plan.certification_start, plan.certification_end) != period:
            plan_filled += Filled(("certification_start",))
        follow_up = evaluation.kind != EvaluationKind.INITIAL
        plan = plan_rules.clean(plan, day, evaluation.episode.start_date if follow_up else None)
        write_content(evaluation, cleaned, evaluation_rules.compute_scores(cleaned))
        if plan_row is None:
            plan_row = TreatmentPlan(evaluation=evaluation)
            session.add(plan_row)
        write_plan(session, actor, plan_row, plan)
        plan_row.updated_at = utcnow()
        case.record(f"evaluation {evaluation_id} filled from template {row.id}")
        session.flush()
        session.refresh(plan_row)
        return TemplateApplied(
            evaluation_record(session, evaluation),
            plan_record(evaluation, plan_row),
            filled + plan_filled + Filled(notes=notes),
        )


def _evaluation_conflict(session: Session, evaluation: Evaluation) -> ConflictError:
    return audit.conflict(
        session,
        evaluation.episode.patient_id,
        DataCategory.CLINICAL,
        "This evaluation's contents",
        evaluation.updated_at,
    )


def _usable_exercises(
    session: Session, actor: Actor, template: TemplateContent
) -> tuple[TemplateContent, tuple[str, ...]]:
    """The template without exercises retired from the library since it was written, and a
    note naming each one left out."""
    wanted = [h.exercise_id for h in template.home_exercises]
    rows = {
        e.id: e
        for e in session.scalars(
            select(Exercise).where(
                Exercise.clinic_id == actor.clinic_id, Exercise.id.in_(wanted or [0])
            )
        )
    }
    usable = tuple(
        h for h in template.home_exercises if h.exercise_id in rows and rows[h.exercise_id].active
    )
    notes = tuple(
        f"{rows[i].name} is retired from the exercise library: left out of the home program."
        if i in rows
        else "An exercise of this template is no longer in the library: left out."
        for i in wanted
        if i not in {h.exercise_id for h in usable}
    )
    return replace(template, home_exercises=usable), notes
