"""Every action on a draft evaluation opens the same way (use_case.draft_case): a signed
evaluation is refused with the action's own words, and only the therapist who evaluated may
act on the draft. Each action, on both engines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casemanager.db.engine import Database
from casemanager.domain.errors import DomainError, PermissionDenied
from casemanager.services import (
    carry_forward,
    evaluation_defaults,
    evaluations,
    goal_progress,
    intake,
    plans,
    templates,
)
from casemanager.services.context import Actor
from casemanager.services.evaluations import EvaluationRecord
from tests.conftest import Staff
from tests.services.test_clashes import _ready_to_sign, _submitted_intake
from tests.services.test_evaluations import _complete
from tests.services.test_plans import _plan

SIGNED = "This evaluation is signed and locked. Add an addendum to correct it."
Action = Callable[[Database, Actor, EvaluationRecord, Staff], Any]


def _template_id(db: Database, staff: Staff) -> int:
    return templates.list_templates(db, staff.admin)[0].id


ACTIONS: dict[str, tuple[Action, str]] = {
    "save_draft": (
        lambda db, a, e, s: evaluations.save_draft(db, a, e.id, e.version, _complete()),
        SIGNED,
    ),
    "sign": (
        lambda db, a, e, s: evaluations.sign(db, a, e.id, e.version),
        "This evaluation is already signed.",
    ),
    "discard_draft": (
        lambda db, a, e, s: evaluations.discard_draft(db, a, e.id),
        "A signed evaluation is part of the record: correct it with an addendum.",
    ),
    "save_plan": (
        lambda db, a, e, s: plans.save_plan(db, a, e.id, None, _plan(db)),
        "The plan of a signed evaluation is locked. Add an addendum.",
    ),
    "save_goal_assessments": (
        lambda db, a, e, s: goal_progress.save_goal_assessments(db, a, e.id, ()),
        SIGNED,
    ),
    "accept_suggested_codes": (
        lambda db, a, e, s: evaluation_defaults.accept_suggested_codes(db, a, e.id, e.version),
        SIGNED,
    ),
    "apply_template": (
        lambda db, a, e, s: templates.apply_template(
            db, a, e.id, _template_id(db, s), e.version, None
        ),
        SIGNED,
    ),
    "carry_forward_offer": (
        lambda db, a, e, s: carry_forward.carry_forward_offer(db, a, e.id),
        SIGNED,
    ),
    "confirm_carry_forward": (
        lambda db, a, e, s: carry_forward.confirm_carry_forward(db, a, e.id, e.version),
        SIGNED,
    ),
    "confirm_intake": (
        lambda db, a, e, s: intake.confirm_intake(
            db, a, _submitted_intake(db, s, e.patient_id), e.id, e.version
        ),
        SIGNED,
    ),
}


@pytest.mark.parametrize("name", ACTIONS)
def test_a_signed_evaluation_is_refused_in_the_actions_words(
    db: Database, staff: Staff, name: str
) -> None:
    ready = _ready_to_sign(db, staff)
    signed = evaluations.sign(db, staff.therapist, ready.id, ready.version)
    action, locked = ACTIONS[name]
    with pytest.raises(DomainError) as refused:
        action(db, staff.therapist, signed, staff)
    assert refused.value.message == locked
    assert evaluations.get_evaluation(db, staff.therapist, signed.id).version == signed.version


@pytest.mark.parametrize("name", ACTIONS)
def test_only_the_evaluating_therapist_acts_on_the_draft(
    db: Database, staff: Staff, name: str
) -> None:
    draft = _ready_to_sign(db, staff)
    action, _locked = ACTIONS[name]
    with pytest.raises(PermissionDenied, match=r"Only the evaluating therapist \(Ana Rivera"):
        action(db, staff.therapist2, draft, staff)
    assert evaluations.get_evaluation(db, staff.therapist, draft.id).version == draft.version
