"""Defaults through the services: the certification period follows the plan's weeks when
not typed, the cause's codes are accepted in one call, the complexity is suggested."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from casemanager.db.engine import Database
from casemanager.domain.enums import Cause, Complexity, TreatmentPathKind
from casemanager.domain.errors import ValidationError
from casemanager.domain.evaluation_defaults import certification_period
from casemanager.domain.plan import PathContent, PlanContent
from casemanager.services import evaluation_defaults, evaluations, plans
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import evaluation  # noqa: F401 - the fixture


def _pt(weeks: int | None) -> PathContent:
    return PathContent(TreatmentPathKind.PT_PLAN, frequency_per_week=2, duration_weeks=weeks)


def test_certification_follows_the_weeks_until_typed(
    db: Database,
    staff: Staff,
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    saved = plans.save_plan(db, staff.therapist, evaluation.id, None, PlanContent(paths=(_pt(6),)))
    period = (saved.content.certification_start, saved.content.certification_end)
    assert period == certification_period(EVAL_DAY, 6)
    # The weeks change and the period, still the default, follows them.
    longer = replace(saved.content, paths=(_pt(16),))
    saved = plans.save_plan(db, staff.therapist, evaluation.id, saved.version, longer)
    assert saved.content.certification_end == EVAL_DAY + timedelta(days=89)  # at most 90 days
    # A period the therapist types stays, whatever the weeks.
    typed = replace(saved.content, certification_end=EVAL_DAY + timedelta(days=30))
    saved = plans.save_plan(db, staff.therapist, evaluation.id, saved.version, typed)
    shorter = replace(saved.content, paths=(_pt(4),))
    saved = plans.save_plan(db, staff.therapist, evaluation.id, saved.version, shorter)
    assert saved.content.certification_end == EVAL_DAY + timedelta(days=30)


def test_codes_for_the_cause_accepted_in_one_call(
    db: Database,
    staff: Staff,
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    content = _complete(diagnosis_codes=(), primary_cause=Cause.HEAVY_LIFTING)
    draft = evaluations.save_draft(db, staff.therapist, evaluation.id, evaluation.version, content)
    accepted = evaluation_defaults.accept_suggested_codes(
        db, staff.therapist, draft.id, draft.version
    )
    assert accepted.evaluation.content.diagnosis_codes == ("S39.012A", "M62.830")
    assert accepted.filled.filled == ("diagnosis_codes",)
    again = evaluation_defaults.accept_suggested_codes(
        db, staff.therapist, draft.id, accepted.evaluation.version
    )
    assert again.evaluation.content.diagnosis_codes == ("S39.012A", "M62.830")
    assert again.filled.filled == ()
    # A code picked from the suggestions is added after those there; the Excludes1 pair with
    # the strain code is named (M54.5- is not coded with S39.012-).
    picked = evaluation_defaults.accept_suggested_codes(
        db, staff.therapist, draft.id, again.evaluation.version, ["M54.50"]
    )
    assert picked.evaluation.content.diagnosis_codes[-1] == "M54.50"
    assert any("Excludes1" in w for w in picked.evaluation.coding_warnings)


def test_codes_need_a_cause_first(
    db: Database,
    staff: Staff,
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    content = _complete(diagnosis_codes=(), primary_cause=None, contributing_causes=())
    draft = evaluations.save_draft(db, staff.therapist, evaluation.id, evaluation.version, content)
    with pytest.raises(ValidationError) as refused:
        evaluation_defaults.accept_suggested_codes(db, staff.therapist, draft.id, draft.version)
    assert refused.value.field == "primary_cause"


def test_complexity_suggested_from_the_saved_findings(
    db: Database,
    staff: Staff,
    evaluation: evaluations.EvaluationRecord,  # noqa: F811
) -> None:
    suggestion = evaluation_defaults.suggested_complexity(db, staff.therapist, evaluation.id)
    # One personal factor (STarT Back subscale 4), pain, Oswestry and PSFS measured, worst
    # pain 9/10 (evolving), high STarT Back risk: moderate, the lowest all four support.
    levels = [c.level for c in suggestion.criteria]
    assert levels == [Complexity.MODERATE] * 3 + [Complexity.HIGH]
    assert "psychosocial" in suggestion.criteria[0].because
    assert suggestion.level == Complexity.MODERATE
