"""Defaults a therapist accepts in one action: the diagnosis codes suggested for the
suspected cause, and the complexity the findings support (domain/evaluation_defaults.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from casemanager.db.engine import Database
from casemanager.domain import evaluation as rules
from casemanager.domain import evaluation_defaults
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import ValidationError
from casemanager.domain.evaluation_defaults import ComplexitySuggestion
from casemanager.domain.filling import Filled
from casemanager.domain.permissions import Permission
from casemanager.services import audit
from casemanager.services.content_mappers import (
    EvaluationRecord,
    content_of,
    evaluation_record,
    write_content,
)
from casemanager.services.context import Actor
from casemanager.services.use_case import (
    draft_case,
    evaluation_case,
    load_evaluation,
)


@dataclass(frozen=True)
class CodesAccepted:
    evaluation: EvaluationRecord  # its coding_warnings name any Excludes1 pair
    filled: Filled  # "diagnosis_codes" when a code was added; notes name each code added


def accept_suggested_codes(
    db: Database,
    actor: Actor,
    evaluation_id: int,
    expected_version: int,
    codes: Sequence[str] | None = None,
) -> CodesAccepted:
    """Add the codes suggested for the draft's primary cause (or the `codes` picked from the
    suggestions) after any already there, in one saved change; nothing is removed."""
    with draft_case(db, actor, evaluation_id, Permission.EDIT_CLINICAL, AuditAction.UPDATE) as case:
        draft = case.draft
        session = case.session
        if draft.version != expected_version:
            raise audit.conflict(
                session,
                case.patient_id,
                DataCategory.CLINICAL,
                "This evaluation's contents",
                draft.updated_at,
            )
        content = content_of(draft)
        if content.primary_cause is None:
            raise ValidationError(
                "primary_cause", "Choose the primary suspected cause first: codes follow it."
            )
        offered = (
            tuple(codes)
            if codes is not None
            else evaluation_defaults.suggested_codes(content.primary_cause, content)
        )
        added = tuple(c for c in offered if c not in content.diagnosis_codes)
        cleaned = rules.clean(
            replace(content, diagnosis_codes=content.diagnosis_codes + added),
            draft.evaluation_date,
        )
        write_content(draft, cleaned, rules.compute_scores(cleaned))
        case.record(f"evaluation {evaluation_id}: suggested codes accepted")
        session.flush()
        filled = Filled(
            ("diagnosis_codes",) if added else (),
            notes=tuple(f"{code} added." for code in cleaned.diagnosis_codes[-len(added) :])
            if added
            else (),
        )
        return CodesAccepted(evaluation_record(session, draft), filled)


def suggested_complexity(db: Database, actor: Actor, evaluation_id: int) -> ComplexitySuggestion:
    """The complexity the saved findings support, with the reason for each criterion; the
    therapist picks the level (the form preselects this one)."""
    with evaluation_case(
        db, actor, evaluation_id, Permission.VIEW_CLINICAL, AuditAction.READ
    ) as case:
        evaluation = load_evaluation(case.session, actor, evaluation_id)
        suggestion = evaluation_defaults.suggest_complexity(
            content_of(evaluation), evaluation.evaluation_date
        )
        case.record(f"complexity suggestion for evaluation {evaluation_id}")
        return suggestion
