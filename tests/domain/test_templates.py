"""Evaluation templates: the starter set follows the guidelines, and filling a plan keeps
what the therapist entered."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from casemanager.domain import catalogs, codes, templates
from casemanager.domain import plan as plan_rules
from casemanager.domain.enums import Cause, GoalTerm, HeatIce, TreatmentPathKind
from casemanager.domain.errors import ValidationError
from casemanager.domain.plan import GoalContent, HomeExerciseContent, PathContent, PlanContent
from casemanager.domain.starter_templates import STARTER_TEMPLATES, starter_content

DAY = date(2026, 11, 20)
EXERCISE_IDS = {t.key: n for n, t in enumerate(catalogs.STARTER_EXERCISES, start=101)}
# NICE NG59 1.2: none of these for low back pain; hot or cold packs are bundled (Medicare).
NOT_RECOMMENDED = {"hot_cold_packs"}


def test_one_starter_template_per_cause() -> None:
    assert sorted(t.cause for t in STARTER_TEMPLATES) == sorted(Cause)
    assert len({t.key for t in STARTER_TEMPLATES}) == len(STARTER_TEMPLATES)


@pytest.mark.parametrize("starter", STARTER_TEMPLATES, ids=lambda t: t.key)
def test_starter_template_is_complete_and_follows_the_guidelines(starter: object) -> None:
    assert isinstance(starter, type(STARTER_TEMPLATES[0]))
    content = templates.clean(starter_content(starter, EXERCISE_IDS))
    suggested = catalogs.cause_info(starter.cause).suggested_codes
    assert content.diagnosis_codes and set(content.diagnosis_codes) <= set(suggested)
    assert all(codes.is_billable(c) for c in content.diagnosis_codes)
    assert not codes.excludes1_conflicts(list(content.diagnosis_codes))
    kinds = {p.kind: p for p in content.paths}
    pt = kinds[TreatmentPathKind.PT_PLAN]
    assert pt.frequency_per_week and pt.duration_weeks and pt.duration_weeks * 7 <= 90
    assert "therapeutic_exercise" in pt.interventions  # exercise first (NICE NG59)
    assert not NOT_RECOMMENDED & set(pt.interventions)
    assert pt.heat_ice == HeatIce.HEAT and 15 <= (pt.heat_ice_minutes or 0) <= 20
    # Medication referral only for acute strains and spasm (ACP 2017); no injection path.
    acute = {Cause.TISSUE_INJURY, Cause.HEAVY_LIFTING}
    assert (TreatmentPathKind.MEDICATION_REFERRAL in kinds) == (starter.cause in acute)
    assert TreatmentPathKind.STEROID_INJECTION_REFERRAL not in kinds
    assert [g.term for g in content.goals] == [GoalTerm.SHORT, GoalTerm.LONG]
    assert all(g.weeks <= pt.duration_weeks for g in content.goals)
    assert len(content.home_exercises) == 3
    plan = templates.instantiate(content, DAY)
    assert plan_rules.missing_for_signing(replace(plan, certification_start=DAY)) == []


def test_instantiate_counts_goal_targets_from_the_evaluation_date() -> None:
    content = starter_content(STARTER_TEMPLATES[0], EXERCISE_IDS)
    plan = templates.instantiate(content, DAY)
    assert [g.target_date for g in plan.goals] == [
        DAY + timedelta(weeks=g.weeks) for g in content.goals
    ]
    assert plan.certification_start is None  # left to evaluation_defaults


def test_fill_plan_keeps_what_the_therapist_entered() -> None:
    template = starter_content(STARTER_TEMPLATES[1], EXERCISE_IDS)  # heavy lifting
    mine = PlanContent(
        paths=(PathContent(TreatmentPathKind.PT_PLAN, frequency_per_week=3),),
        goals=(GoalContent(GoalTerm.LONG, "Back to roofing work", DAY + timedelta(days=30)),),
    )
    plan, filled = templates.fill_plan(mine, template, DAY)
    pt = next(p for p in plan.paths if p.kind == TreatmentPathKind.PT_PLAN)
    assert pt.frequency_per_week == 3  # theirs, kept
    assert pt.duration_weeks == 4 and pt.heat_ice == HeatIce.HEAT  # blanks filled
    assert plan.goals == mine.goals
    assert plan.home_exercises == template.home_exercises
    assert set(filled.filled) == {"path_pt_plan", "path_medication_referral", "home_exercises"}
    assert set(filled.kept) == {"path_pt_plan", "goals"}
    replaced, again = templates.fill_plan(mine, template, DAY, overwrite=True)
    assert replaced.goals == templates.instantiate(template, DAY).goals
    assert "goals" in again.filled and not again.kept


def test_fill_plan_twice_changes_nothing_more() -> None:
    template = starter_content(STARTER_TEMPLATES[0], EXERCISE_IDS)
    once, _ = templates.fill_plan(None, template, DAY)
    twice, filled = templates.fill_plan(once, template, DAY)
    assert twice == once and filled.filled == () and filled.kept == ()


def test_stored_form_round_trips() -> None:
    for starter in STARTER_TEMPLATES:
        content = starter_content(starter, EXERCISE_IDS)
        data = templates.to_data(content)
        assert templates.from_data(content.name, content.cause, content.note, data) == content


def test_template_checks_name_codes_weeks_and_paths() -> None:
    good = starter_content(STARTER_TEMPLATES[0], EXERCISE_IDS)
    bad = [
        (replace(good, name="  "), "template_name"),
        (replace(good, diagnosis_codes=("M54",)), "diagnosis_codes"),  # not billable
        (replace(good, diagnosis_codes=("M79.7", "M79.7")), "diagnosis_codes"),
        (replace(good, goals=(templates.GoalTemplate(GoalTerm.LONG, "x", 0),)), "goal_1"),
        (
            replace(good, paths=(PathContent(TreatmentPathKind.PT_PLAN, frequency_per_week=9),)),
            "path_pt_plan_frequency",
        ),
        (
            replace(good, home_exercises=(HomeExerciseContent(101, sets=50),)),
            "exercise_1",
        ),
    ]
    for template, field in bad:
        with pytest.raises(ValidationError) as refused:
            templates.clean(template)
        assert refused.value.field == field


def test_from_plan_leaves_the_patient_behind() -> None:
    plan = PlanContent(
        paths=(
            PathContent(
                TreatmentPathKind.MEDICATION_REFERRAL,
                anti_inflammatory=True,
                refer_to="Dr. Helen Brooks",
            ),
        ),
        goals=(GoalContent(GoalTerm.LONG, "Lift 10 kg", DAY + timedelta(days=40)),),
        certification_start=DAY,
        certification_end=DAY + timedelta(days=41),
        note="Prefers morning visits",
    )
    template = templates.from_plan("Mine", Cause.OTHER, ("M62.830",), plan, DAY)
    assert template.paths[0].refer_to is None
    assert template.goals == (templates.GoalTemplate(GoalTerm.LONG, "Lift 10 kg", 6),)
    assert template.note is None
