"""Evaluation templates: every clinic starts with one per cause; applying one fills a draft
in one call without overwriting the therapist; red flags and guideline checks still apply;
a signed plan becomes a template; edits and retirement are permitted and audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Exercise
from casemanager.domain import catalogs
from casemanager.domain.enums import (
    Cause,
    EvaluationKind,
    GoalTerm,
    RedFlagAnswer,
    Sex,
    TreatmentPathKind,
)
from casemanager.domain.errors import (
    ConflictError,
    DomainError,
    PermissionDenied,
    ValidationError,
)
from casemanager.domain.evaluation import RedFlagEntry
from casemanager.domain.evaluation_defaults import certification_period
from casemanager.domain.plan import GoalContent, PathContent, PlanContent
from casemanager.services import evaluations, exercises, follow_up, patients, plans, templates
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import evaluation  # noqa: F401 - the fixture
from tests.services.test_visits import episode_id  # noqa: F401 - the fixture


@pytest.fixture
def draft(db: Database, staff: Staff) -> evaluations.EvaluationRecord:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Tomás", "Ruiz", date(1975, 5, 2), Sex.MALE)
    )
    return evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Back spasm after lifting", EVAL_DAY
    )


def _template(db: Database, staff: Staff, cause: Cause) -> templates.TemplateRecord:
    (found,) = templates.list_templates(db, staff.therapist, cause)
    return found


def _audit_details(db: Database) -> list[str]:
    with db.session() as session:
        return [d or "" for d in session.scalars(select(AuditEntry.detail))]


def test_a_new_clinic_has_a_starter_template_per_cause(db: Database, staff: Staff) -> None:
    listed = templates.list_templates(db, staff.therapist)
    assert sorted(t.content.cause for t in listed) == sorted(Cause)
    with db.session() as session:
        library = {i: k for i, k in session.execute(select(Exercise.id, Exercise.key))}
    for template in listed:
        assert template.key is not None and template.created_by_name is None
        keys = [library[h.exercise_id] for h in template.content.home_exercises]
        assert len(keys) == 3 and all(k is not None for k in keys)


def test_apply_fills_a_blank_draft_in_one_call(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    template = _template(db, staff, Cause.HEAVY_LIFTING)
    applied = templates.apply_template(
        db, staff.therapist, draft.id, template.id, draft.version, None
    )
    content = applied.evaluation.content
    assert content.primary_cause == Cause.HEAVY_LIFTING
    assert content.diagnosis_codes == ("S39.012A", "M62.830")
    assert content.chief_complaint == "Back spasm after lifting"  # untouched
    plan = applied.plan.content
    assert [p.kind for p in plan.paths] == [
        TreatmentPathKind.PT_PLAN,
        TreatmentPathKind.MEDICATION_REFERRAL,
    ]
    assert [g.target_date for g in plan.goals] == [
        EVAL_DAY + timedelta(weeks=2),
        EVAL_DAY + timedelta(weeks=4),
    ]
    assert len(plan.home_exercises) == 3
    assert (plan.certification_start, plan.certification_end) == certification_period(EVAL_DAY, 4)
    assert set(applied.filled.filled) == {
        "primary_cause",
        "diagnosis_codes",
        "path_pt_plan",
        "path_medication_referral",
        "goals",
        "home_exercises",
        "certification_start",
    }
    assert applied.filled.kept == ()
    # What the service returned is what is stored.
    assert evaluations.get_evaluation(db, staff.therapist, draft.id).content == content
    assert plans.get_plan(db, staff.therapist, draft.id).content == plan  # type: ignore[union-attr]
    assert f"evaluation {draft.id} filled from template {template.id}" in _audit_details(db)


def test_apply_keeps_what_the_therapist_entered_unless_asked(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    mine = replace(draft.content, primary_cause=Cause.OTHER, diagnosis_codes=("M54.50",))
    draft = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, mine)
    own_goal = GoalContent(GoalTerm.LONG, "Back to roofing", EVAL_DAY + timedelta(days=50))
    plan = plans.save_plan(
        db,
        staff.therapist,
        draft.id,
        None,
        PlanContent(
            paths=(PathContent(TreatmentPathKind.PT_PLAN, frequency_per_week=3),),
            goals=(own_goal,),
        ),
    )
    template = _template(db, staff, Cause.HEAVY_LIFTING)
    applied = templates.apply_template(
        db, staff.therapist, draft.id, template.id, draft.version, plan.version
    )
    assert applied.evaluation.content.primary_cause == Cause.OTHER
    assert applied.evaluation.content.diagnosis_codes == ("M54.50",)
    pt = applied.plan.content.paths[0]
    assert (pt.frequency_per_week, pt.duration_weeks) == (3, 4)  # theirs kept, blank filled
    assert applied.plan.content.goals == (own_goal,)
    assert {"primary_cause", "diagnosis_codes", "goals", "path_pt_plan"} <= set(applied.filled.kept)
    # Asked to replace: the template wins everywhere it speaks.
    replaced = templates.apply_template(
        db,
        staff.therapist,
        draft.id,
        template.id,
        applied.evaluation.version,
        applied.plan.version,
        overwrite=True,
    )
    assert replaced.evaluation.content.diagnosis_codes == ("S39.012A", "M62.830")
    assert replaced.plan.content.paths[0].frequency_per_week == 2
    assert replaced.filled.kept == ()


def test_red_flags_and_guideline_notes_still_apply(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    # Everything but the red-flag screen; the pain began 20 weeks ago (chronic).
    content = _complete(red_flags=(), onset_date=EVAL_DAY - timedelta(weeks=20))
    content = replace(content, diagnosis_codes=(), primary_cause=None, contributing_causes=())
    draft = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, content)
    template = _template(db, staff, Cause.HEAVY_LIFTING)
    applied = templates.apply_template(
        db, staff.therapist, draft.id, template.id, draft.version, None
    )
    assert applied.evaluation.content.red_flags == ()  # a template never answers them
    with pytest.raises(evaluations.IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, draft.id, applied.evaluation.version)
    fields = {m.field for m in refused.value.missing}
    assert fields == {f"red_flag_{item.code}" for item in catalogs.RED_FLAGS}
    # The muscle relaxant of the template earns the chronic-pain note (ACP 2017).
    assert any("chronic" in g.message for g in applied.plan.guidance)
    # A positive answer without an action still blocks.
    flags = tuple(
        RedFlagEntry(i.code, RedFlagAnswer.YES if i.code == "fever_chills" else RedFlagAnswer.NO)
        for i in catalogs.RED_FLAGS
    )
    screened = evaluations.save_draft(
        db,
        staff.therapist,
        draft.id,
        applied.evaluation.version,
        replace(applied.evaluation.content, red_flags=flags),
    )
    with pytest.raises(evaluations.IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, draft.id, screened.version)
    assert [m.field for m in refused.value.missing] == ["red_flag_fever_chills"]


def test_stale_versions_are_refused(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    template = _template(db, staff, Cause.OTHER)
    applied = templates.apply_template(
        db, staff.therapist, draft.id, template.id, draft.version, None
    )
    with pytest.raises(ConflictError):
        templates.apply_template(
            db, staff.therapist, draft.id, template.id, draft.version, applied.plan.version
        )
    with pytest.raises(ConflictError):
        templates.apply_template(
            db,
            staff.therapist,
            draft.id,
            template.id,
            applied.evaluation.version,
            applied.plan.version - 1,
        )


def test_only_the_author_applies_and_only_to_a_draft(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    template = _template(db, staff, Cause.OTHER)
    with pytest.raises(PermissionDenied, match="Only the evaluating therapist"):
        templates.apply_template(db, staff.therapist2, draft.id, template.id, draft.version, None)
    with pytest.raises(PermissionDenied):
        templates.apply_template(db, staff.manager, draft.id, template.id, draft.version, None)


def test_a_retired_exercise_is_left_out_with_a_note(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    template = _template(db, staff, Cause.TISSUE_INJURY)
    first = template.content.home_exercises[0].exercise_id
    record = next(e for e in exercises.list_library(db, staff.admin) if e.id == first)
    exercises.save_exercise(
        db, staff.admin, first, record.version, replace(record.content, active=False)
    )
    applied = templates.apply_template(
        db, staff.therapist, draft.id, template.id, draft.version, None
    )
    assert [h.exercise_id for h in applied.plan.content.home_exercises] == [
        h.exercise_id for h in template.content.home_exercises[1:]
    ]
    assert applied.filled.notes == (
        f"{record.content.name} is retired from the exercise library: left out of the home "
        "program.",
    )


def test_save_a_signed_plan_as_a_template(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    template = _template(db, staff, Cause.HEAVY_LIFTING)
    draft = evaluations.save_draft(
        db, staff.therapist, draft.id, draft.version, _complete(diagnosis_codes=())
    )
    applied = templates.apply_template(
        db, staff.therapist, draft.id, template.id, draft.version, None
    )
    with pytest.raises(DomainError, match="Sign the evaluation first"):
        templates.save_plan_as_template(db, staff.therapist, draft.id, "Too early")
    evaluations.sign(db, staff.therapist, draft.id, applied.evaluation.version)
    with pytest.raises(PermissionDenied):  # administrators do not open clinical records
        templates.save_plan_as_template(db, staff.admin, draft.id, "Admin copy")
    saved = templates.save_plan_as_template(db, staff.therapist2, draft.id, "Roofers' lifting")
    assert saved.content.cause == Cause.HEAVY_LIFTING and saved.key is None
    assert saved.created_by_name == "Minh Nguyễn, PT" and saved.source_evaluation_id == draft.id
    assert saved.content.paths == template.content.paths
    assert saved.content.goals == template.content.goals  # the same weeks again
    assert saved.content.home_exercises == template.content.home_exercises
    with pytest.raises(ValidationError, match="has this name"):
        templates.save_plan_as_template(db, staff.therapist, draft.id, "roofers' LIFTING")
    assert len(templates.list_templates(db, staff.therapist, Cause.HEAVY_LIFTING)) == 2


def test_edit_and_retire_templates(db: Database, staff: Staff) -> None:
    template = _template(db, staff, Cause.ARTHRITIS)
    changed = replace(template.content, name="Spinal arthritis, older adults")
    edited = templates.save_template(db, staff.therapist, template.id, template.version, changed)
    assert edited.content.name == "Spinal arthritis, older adults" and edited.key == "arthritis"
    with pytest.raises(ConflictError):
        templates.save_template(db, staff.admin, template.id, template.version, changed)
    with pytest.raises(PermissionDenied):
        templates.retire_template(db, staff.manager, template.id, edited.version)
    with pytest.raises(ValidationError) as refused:
        templates.save_template(
            db, staff.therapist, None, None, replace(changed, diagnosis_codes=("M54",))
        )
    assert refused.value.field == "diagnosis_codes"
    retired = templates.retire_template(db, staff.admin, template.id, edited.version)
    assert not retired.active
    assert templates.list_templates(db, staff.therapist, Cause.ARTHRITIS) == []
    assert [t.id for t in templates.list_templates(db, staff.admin, include_retired=True)].count(
        template.id
    ) == 1
    restored = templates.retire_template(
        db, staff.therapist, template.id, retired.version, retired=False
    )
    assert restored.active
    details = _audit_details(db)
    for expected in (
        f"template {template.id}",
        f"template {template.id} retired",
        f"template {template.id} restored",
    ):
        assert expected in details


def test_templates_of_another_clinic_are_out_of_reach(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    template = _template(db, staff, Cause.OTHER)
    stranger = replace(staff.therapist, clinic_id=staff.therapist.clinic_id + 1)
    assert templates.list_templates(db, stranger) == []
    with pytest.raises(DomainError, match="not in this clinic"):
        templates.get_template(db, stranger, template.id)


def test_a_re_evaluation_keeps_its_carried_plan_and_gets_a_new_period(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    day = EVAL_DAY + timedelta(days=3)
    re_evaluation = follow_up.start_follow_up(
        db, staff.therapist, episode_id, EvaluationKind.RE_EVALUATION, day
    )
    carried = plans.get_plan(db, staff.therapist, re_evaluation.id)
    assert carried is not None and carried.content.certification_start is None
    template = _template(db, staff, Cause.HEAVY_LIFTING)
    applied = templates.apply_template(
        db, staff.therapist, re_evaluation.id, template.id, re_evaluation.version, carried.version
    )
    plan = applied.plan.content
    assert plan.goals == carried.content.goals  # the carried plan is the therapist's
    assert plan.home_exercises == carried.content.home_exercises
    assert (plan.certification_start, plan.certification_end) == certification_period(day, 6)
    assert "certification_start" in applied.filled.filled


def test_templates_do_not_fill_a_progress_report(
    db: Database,
    staff: Staff,
    episode_id: int,  # noqa: F811
) -> None:
    report = follow_up.start_follow_up(
        db, staff.therapist, episode_id, EvaluationKind.PROGRESS_REPORT, EVAL_DAY + timedelta(3)
    )
    plan = plans.get_plan(db, staff.therapist, report.id)
    template = _template(db, staff, Cause.OTHER)
    with pytest.raises(DomainError, match="initial evaluation or a re-evaluation"):
        templates.apply_template(
            db,
            staff.therapist,
            report.id,
            template.id,
            report.version,
            plan.version if plan else None,
        )
