"""Filling a draft (an intake, a template, the last episode, suggested codes) and editing
templates go through the shared use-case preamble like every other action: the role is
checked, the work done and its audit rows written in one transaction; a refusal is audited
(against the patient it concerns) and changes nothing. Each use case, on both engines: the
exact audit rows of a refusal and of a success."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry
from casemanager.domain.enums import AuditAction, AuditOutcome, Cause, DataCategory, Sex
from casemanager.domain.errors import PermissionDenied
from casemanager.domain.intake import IntakeStatus
from casemanager.services import (
    carry_forward,
    evaluation_defaults,
    evaluations,
    intake,
    patients,
    plans,
    templates,
)
from tests.conftest import Staff
from tests.services.test_carry_forward import RETURNS_ON, _signed_episode
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_intake import ANSWERS
from tests.services.test_one_transaction import watched
from tests.services.test_plans import _plan

T = TypeVar("T")
Row = tuple[AuditAction, AuditOutcome, DataCategory, int | None, str | None]

UPDATE, READ, CREATE = AuditAction.UPDATE, AuditAction.READ, AuditAction.CREATE
DENIED, SUCCESS = AuditOutcome.DENIED, AuditOutcome.SUCCESS
CLINICAL, CLINIC = DataCategory.CLINICAL, DataCategory.CLINIC


def _count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _rows_since(db: Database, before: int) -> list[Row]:
    with db.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(before))
        return [(r.action, r.outcome, r.data_category, r.patient_id, r.detail) for r in rows]


def _refused(db: Database, attempt: Callable[[], object], match: str) -> list[Row]:
    """The audit rows a refused attempt leaves (in a transaction of their own)."""
    before = _count(db)
    with pytest.raises(PermissionDenied, match=match):
        attempt()
    return _rows_since(db, before)


def _done(db: Database, action: Callable[[], T]) -> tuple[T, list[Row]]:
    """The result of an action that succeeds, and its audit rows; it takes one transaction."""
    before = _count(db)
    with watched(db) as traffic:
        result = action()
    assert traffic.transactions == 1
    return result, _rows_since(db, before)


def _patient(db: Database, staff: Staff, given: str = "Maile") -> int:
    fields = patients.PatientFields(given, "Kahale", date(1977, 3, 9), Sex.FEMALE)
    return patients.create_patient(db, staff.therapist, fields).id


def _draft(db: Database, staff: Staff, patient_id: int) -> evaluations.EvaluationRecord:
    return evaluations.start_initial_evaluation(db, staff.therapist, patient_id, "Spasm", EVAL_DAY)


def _submitted_intake(db: Database, staff: Staff, patient_id: int) -> int:
    ticket = intake.open_intake(db, staff.therapist, patient_id)
    intake.save_intake_answers(db, ticket.token, ANSWERS, "tablet")
    intake.submit_intake(db, ticket.token, "tablet")
    return ticket.intake_id


# ---------------------------------------------------------------- intake


def test_confirm_intake(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff)
    n = _submitted_intake(db, staff, ana)
    draft = _draft(db, staff, ana)

    def confirm(actor: object) -> Callable[[], intake.IntakeConfirmed]:
        return lambda: intake.confirm_intake(db, actor, n, draft.id, draft.version)  # type: ignore[arg-type]

    assert _refused(db, confirm(staff.manager), "may not write clinical records") == [
        (UPDATE, DENIED, CLINICAL, ana, "needs edit_clinical")
    ]
    assert intake.review_intake(db, staff.therapist, n).status == IntakeStatus.SUBMITTED
    confirmed, rows = _done(db, confirm(staff.therapist))
    assert rows == [
        (UPDATE, SUCCESS, CLINICAL, ana, f"evaluation {draft.id} filled from intake {n}")
    ]
    assert confirmed.evaluation.content.occupation == "Cook" and not confirmed.started


def test_confirm_intake_from_the_chart(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff)
    n = _submitted_intake(db, staff, ana)
    assert _refused(
        db, lambda: intake.confirm_intake_from_chart(db, staff.manager, n), "may not write"
    ) == [(UPDATE, DENIED, CLINICAL, ana, "needs edit_clinical")]
    assert evaluations.list_evaluations(db, staff.therapist, ana) == []  # nothing started
    confirmed, rows = _done(db, lambda: intake.confirm_intake_from_chart(db, staff.therapist, n))
    made = confirmed.evaluation
    assert confirmed.started
    assert rows == [
        (CREATE, SUCCESS, CLINICAL, ana, f"evaluation {made.id}; episode {made.episode_id}"),
        (UPDATE, SUCCESS, CLINICAL, ana, f"evaluation {made.id} filled from intake {n}"),
    ]


# ---------------------------------------------------------------- templates


def test_save_template(db: Database, staff: Staff) -> None:
    (starter,) = templates.list_templates(db, staff.therapist, Cause.ARTHRITIS)
    copy = replace(starter.content, name="Arthritis, gentle start")
    assert _refused(
        db, lambda: templates.save_template(db, staff.manager, None, None, copy), "may not"
    ) == [(CREATE, DENIED, CLINIC, None, "needs edit_templates")]
    added, rows = _done(db, lambda: templates.save_template(db, staff.therapist, None, None, copy))
    assert rows == [(CREATE, SUCCESS, CLINIC, None, f"template {added.id}")]
    renamed = replace(copy, name="Arthritis, very gentle start")
    assert _refused(
        db,
        lambda: templates.save_template(db, staff.manager, added.id, added.version, renamed),
        "may not",
    ) == [(UPDATE, DENIED, CLINIC, None, "needs edit_templates")]
    edited, rows = _done(
        db, lambda: templates.save_template(db, staff.admin, added.id, added.version, renamed)
    )
    assert rows == [(UPDATE, SUCCESS, CLINIC, None, f"template {added.id}")]
    assert edited.content.name == "Arthritis, very gentle start"


def test_retire_template(db: Database, staff: Staff) -> None:
    (starter,) = templates.list_templates(db, staff.therapist, Cause.OTHER)
    assert _refused(
        db, lambda: templates.retire_template(db, staff.manager, starter.id, starter.version), "may"
    ) == [(UPDATE, DENIED, CLINIC, None, "needs edit_templates")]
    retired, rows = _done(
        db, lambda: templates.retire_template(db, staff.admin, starter.id, starter.version)
    )
    assert rows == [(UPDATE, SUCCESS, CLINIC, None, f"template {starter.id} retired")]
    assert not retired.active


def test_apply_template(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff)
    draft = _draft(db, staff, ana)
    (template,) = templates.list_templates(db, staff.therapist, Cause.HEAVY_LIFTING)
    assert _refused(
        db,
        lambda: templates.apply_template(db, staff.manager, draft.id, template.id, 1, None),
        "may not write clinical records",
    ) == [(UPDATE, DENIED, CLINICAL, ana, "needs edit_clinical")]
    applied, rows = _done(
        db,
        lambda: templates.apply_template(
            db, staff.therapist, draft.id, template.id, draft.version, None
        ),
    )
    assert rows == [
        (
            UPDATE,
            SUCCESS,
            CLINICAL,
            ana,
            f"evaluation {draft.id} filled from template {template.id}",
        )
    ]
    assert applied.evaluation.content.primary_cause == Cause.HEAVY_LIFTING


def test_save_plan_as_template_needs_both_permissions(db: Database, staff: Staff) -> None:
    """A clinic record made from a patient's: the template permission, then the chart's."""
    ana = _patient(db, staff)
    draft = _draft(db, staff, ana)
    draft = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())
    plans.save_plan(db, staff.therapist, draft.id, None, _plan(db))
    signed = evaluations.sign(db, staff.therapist, draft.id, draft.version)

    def save(actor: object, name: str) -> Callable[[], templates.TemplateRecord]:
        return lambda: templates.save_plan_as_template(db, actor, signed.id, name)  # type: ignore[arg-type]

    assert _refused(
        db, save(staff.manager, "Front desk copy"), "may not change the evaluation"
    ) == [(CREATE, DENIED, CLINIC, None, "needs edit_templates")]
    assert _refused(db, save(staff.admin, "Admin copy"), "may not open clinical records") == [
        (READ, DENIED, CLINICAL, ana, "needs view_clinical")
    ]
    assert [t.content.name for t in templates.list_templates(db, staff.admin)].count(
        "Admin copy"
    ) == 0  # the refused one left nothing behind
    saved, rows = _done(db, save(staff.therapist, "Lifting, from a real plan"))
    assert rows == [
        (CREATE, SUCCESS, CLINIC, None, f"template {saved.id}"),
        (
            READ,
            SUCCESS,
            CLINICAL,
            ana,
            f"plan of evaluation {signed.id} saved as template {saved.id}",
        ),
    ]


# ---------------------------------------------------------------- carry-forward


def test_carry_forward_offer_and_confirm(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff)
    initial_id, summary_id = _signed_episode(db, staff, ana)
    new = evaluations.start_initial_evaluation(db, staff.therapist, ana, "Again", RETURNS_ON)
    sources = f"evaluation {initial_id}, evaluation {summary_id}"
    assert _refused(
        db, lambda: carry_forward.carry_forward_offer(db, staff.manager, new.id), "may not"
    ) == [(READ, DENIED, CLINICAL, ana, "needs edit_clinical")]
    offer, rows = _done(db, lambda: carry_forward.carry_forward_offer(db, staff.therapist, new.id))
    assert rows == [
        (READ, SUCCESS, CLINICAL, ana, f"carry-forward for evaluation {new.id}: {sources}")
    ]
    assert len(offer.values) == 4

    assert _refused(
        db,
        lambda: carry_forward.confirm_carry_forward(db, staff.manager, new.id, new.version),
        "may not",
    ) == [(UPDATE, DENIED, CLINICAL, ana, "needs edit_clinical")]
    carried, rows = _done(
        db, lambda: carry_forward.confirm_carry_forward(db, staff.therapist, new.id, new.version)
    )
    assert rows == [
        (UPDATE, SUCCESS, CLINICAL, ana, f"evaluation {new.id}: carried forward from {sources}")
    ]
    assert carried.evaluation.content.medications == "Salbutamol inhaler"


# ---------------------------------------------------------------- suggested defaults


def test_accept_suggested_codes_and_suggested_complexity(db: Database, staff: Staff) -> None:
    ana = _patient(db, staff)
    draft = _draft(db, staff, ana)
    draft = evaluations.save_draft(
        db, staff.therapist, draft.id, draft.version, _complete(diagnosis_codes=())
    )
    assert _refused(
        db,
        lambda: evaluation_defaults.accept_suggested_codes(db, staff.manager, draft.id, 1),
        "may not write clinical records",
    ) == [(UPDATE, DENIED, CLINICAL, ana, "needs edit_clinical")]
    accepted, rows = _done(
        db,
        lambda: evaluation_defaults.accept_suggested_codes(
            db, staff.therapist, draft.id, draft.version
        ),
    )
    assert rows == [
        (UPDATE, SUCCESS, CLINICAL, ana, f"evaluation {draft.id}: suggested codes accepted")
    ]
    assert accepted.evaluation.content.diagnosis_codes != ()

    assert _refused(
        db,
        lambda: evaluation_defaults.suggested_complexity(db, staff.admin, draft.id),
        "may not open clinical records",
    ) == [(READ, DENIED, CLINICAL, ana, "needs view_clinical")]
    _suggestion, rows = _done(
        db, lambda: evaluation_defaults.suggested_complexity(db, staff.manager, draft.id)
    )
    assert rows == [
        (READ, SUCCESS, CLINICAL, ana, f"complexity suggestion for evaluation {draft.id}")
    ]
