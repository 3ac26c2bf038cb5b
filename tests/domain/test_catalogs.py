"""The catalog must agree with the enums, the code data and the clinical reference."""

from __future__ import annotations

import json
import re

import pytest

from casemanager.domain import catalogs, codes
from casemanager.domain.enums import (
    Cause,
    Complexity,
    DrugClass,
    ReferralKind,
    TreatmentPathKind,
    Urgency,
)

_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def test_causes_follow_the_article_order_then_other() -> None:
    assert [info.cause for info in catalogs.CAUSES] == [
        Cause.TISSUE_INJURY,
        Cause.HEAVY_LIFTING,
        Cause.ACTIVITY_STRAIN,
        Cause.WEAK_ABDOMINALS,
        Cause.ARTHRITIS,
        Cause.RUPTURED_DISC,
        Cause.FIBROMYALGIA,
        Cause.OTHER,
    ]


@pytest.mark.parametrize("cause", list(Cause))
def test_cause_info_for_every_cause(cause: Cause) -> None:
    info = catalogs.cause_info(cause)
    assert info.cause is cause
    assert info.label and info.plain_words.endswith(".")
    assert info.suggested_codes


def test_cause_labels_and_suggestions_from_the_reference() -> None:
    injury = catalogs.cause_info(Cause.TISSUE_INJURY)
    assert injury.label == "Injury to a tendon, muscle or ligament"
    assert {"S39.012A", "S33.5XXA"} <= set(injury.suggested_codes)
    assert "M62.830" in catalogs.cause_info(Cause.HEAVY_LIFTING).suggested_codes
    assert catalogs.cause_info(Cause.WEAK_ABDOMINALS).suggested_codes == ("R29.898", "M54.50")
    assert set(catalogs.cause_info(Cause.RUPTURED_DISC).suggested_codes) == {
        "M51.26",
        "M51.27",
        "M51.16",
        "M51.17",
    }
    assert catalogs.cause_info(Cause.FIBROMYALGIA).suggested_codes == ("M79.7",)
    assert catalogs.cause_info(Cause.OTHER).suggested_codes == ("M62.830", "M54.50")


def test_every_suggested_and_symptom_code_is_billable_and_canonical() -> None:
    suggested = {code for info in catalogs.CAUSES for code in info.suggested_codes}
    for code in suggested | set(catalogs.SYMPTOM_CODES):
        assert codes.is_billable(code), code
        assert codes.normalize_code(code) == code


def test_symptom_codes_cover_the_reference_row() -> None:
    assert catalogs.SYMPTOM_CODES == (
        "M62.830",
        "M54.50",
        "M54.51",
        "M54.59",
        "M54.16",
        "M54.17",
        "M54.30",
        "M54.31",
        "M54.32",
        "M54.40",
        "M54.41",
        "M54.42",
    )


@pytest.mark.parametrize(
    ("kind", "referral"),
    [
        (TreatmentPathKind.MEDICATION_REFERRAL, ReferralKind.MEDICATION),
        (TreatmentPathKind.STEROID_INJECTION_REFERRAL, ReferralKind.STEROID_INJECTION),
        (TreatmentPathKind.LUMBAR_SURGERY_REFERRAL, ReferralKind.LUMBAR_SURGERY),
        (TreatmentPathKind.PT_PLAN, None),
    ],
)
def test_treatment_paths_open_the_right_referral(
    kind: TreatmentPathKind, referral: ReferralKind | None
) -> None:
    info = catalogs.treatment_path_info(kind)
    assert info.kind is kind
    assert info.referral_kind is referral
    assert info.label and info.description and info.plain_words


def test_every_treatment_path_and_drug_class_has_an_entry() -> None:
    assert {info.kind for info in catalogs.TREATMENT_PATHS} == set(TreatmentPathKind)
    assert len(catalogs.TREATMENT_PATHS) == len(TreatmentPathKind)
    assert set(catalogs.DRUG_CLASS_LABELS) == set(DrugClass)


@pytest.mark.parametrize(
    ("code", "action"),
    [
        ("cauda_equina", Urgency.EMERGENCY),
        ("progressive_deficit", Urgency.EMERGENCY),
        ("aaa", Urgency.EMERGENCY),
        ("fracture", Urgency.URGENT),
        ("malignancy", Urgency.URGENT),
        ("infection", Urgency.URGENT),  # emergency with fever: the fever item says so
        ("axial_spa", Urgency.ROUTINE),
    ],
)
def test_red_flag_condition_actions(code: str, action: Urgency) -> None:
    condition = catalogs.red_flag_condition(code)
    assert condition.code == code
    assert condition.action is action
    assert condition.label and condition.action_text and condition.source
    assert catalogs.red_flag("fever_chills").action is Urgency.EMERGENCY


def test_red_flags_cover_every_reference_question() -> None:
    by_condition: dict[str, set[str]] = {}
    for item in catalogs.RED_FLAGS:
        by_condition.setdefault(item.condition, set()).add(item.code)
    assert by_condition == {
        "cauda_equina": {
            "saddle_numbness",
            "bladder_bowel_change",
            "both_legs",
            "sexual_dysfunction",
        },
        "progressive_deficit": {"worsening_leg_weakness", "spreading_numbness"},
        "aaa": {
            "pulsatile_abdominal_mass",
            "older_with_vascular_risk",
            "pain_unchanged_by_movement",
        },
        "axial_spa": {
            "ibp_early_long_lasting",
            "ibp_better_with_movement",
            "ibp_late_night_waking",
            "ibp_buttock_pain",
            "ibp_related_conditions",
        },
        "fracture": {
            "major_trauma",
            "minor_trauma_over_50",
            "osteoporosis",
            "long_term_steroids",
            "age_over_70",
        },
        "malignancy": {
            "history_of_cancer",
            "unexplained_weight_loss",
            "night_or_rest_pain",
            "night_sweats",
        },
        "infection": {
            "fever_chills",
            "iv_drug_use",
            "immunosuppression",
            "recent_infection",
            "recent_spinal_procedure",
        },
    }


def test_red_flag_items_are_well_formed() -> None:
    item_codes = [item.code for item in catalogs.RED_FLAGS]
    assert len(item_codes) == len(set(item_codes)) == 28
    for item in catalogs.RED_FLAGS:
        assert _SNAKE.fullmatch(item.code), item.code
        assert item.question.endswith("?"), item.code
        # The finding is what a letter says: never the question read back.
        assert item.finding and not item.finding.endswith("?"), item.code
        assert catalogs.red_flag(item.code) is item
        catalogs.red_flag_condition(item.condition)  # every item points at a real condition


def test_unknown_red_flag_raises_key_error() -> None:
    with pytest.raises(KeyError):
        catalogs.red_flag("headache")
    with pytest.raises(KeyError):
        catalogs.red_flag_condition("stroke")


def test_yellow_flags() -> None:
    flag_codes = [code for code, _ in catalogs.YELLOW_FLAGS]
    assert flag_codes == [
        "pain_means_harm",
        "catastrophizing",
        "fear_avoidance",
        "low_mood",
        "passive_coping",
        "work_problems",
    ]
    assert all(label for _, label in catalogs.YELLOW_FLAGS)


def test_questionnaire_labels() -> None:
    assert catalogs.OSWESTRY_SECTIONS == (
        "Pain intensity",
        "Personal care",
        "Lifting",
        "Walking",
        "Sitting",
        "Standing",
        "Sleeping",
        "Sex life",
        "Social life",
        "Travelling",
    )
    assert len(catalogs.START_BACK_ITEMS) == 9
    assert len(set(catalogs.START_BACK_ITEMS)) == 9
    assert catalogs.START_BACK_ITEM9_CHOICES == (
        "Not at all",
        "Slightly",
        "Moderately",
        "Very much",
        "Extremely",
    )


def test_start_back_topics_are_short_labels_not_questions() -> None:
    # Copyright: topics in our words, never the questionnaire's full sentences.
    for topic in catalogs.START_BACK_ITEMS:
        assert len(topic) <= 60, topic
        assert not topic.endswith((".", "?")), topic
        assert not topic.lower().startswith(("in the last 2 weeks", "i ", "my ")), topic


def test_outcome_measures() -> None:
    assert [m.code for m in catalogs.OUTCOME_MEASURES] == ["nprs", "psfs", "odi", "start_back"]
    for measure in catalogs.OUTCOME_MEASURES:
        assert measure.name and measure.scale and measure.meaningful_change
        assert measure.licence_note
    odi = next(m for m in catalogs.OUTCOME_MEASURES if m.code == "odi")
    assert "Mapi" in odi.licence_note


@pytest.mark.parametrize(
    ("code", "cpt", "timed"),
    [
        ("therapeutic_exercise", "97110", True),
        ("neuromuscular_reeducation", "97112", True),
        ("manual_therapy", "97140", True),
        ("therapeutic_activities", "97530", True),
        ("self_care_training", "97535", True),
        ("aquatic_therapy", "97113", True),
        ("gait_training", "97116", True),
        ("hot_cold_packs", "97010", False),
        ("patient_education", None, False),
    ],
)
def test_interventions(code: str, cpt: str | None, timed: bool) -> None:
    item = catalogs.intervention(code)
    assert (item.code, item.cpt_code, item.timed) == (code, cpt, timed)
    assert item.label


def test_intervention_codes_unique() -> None:
    item_codes = [item.code for item in catalogs.INTERVENTIONS]
    assert len(item_codes) == len(set(item_codes))
    assert all(_SNAKE.fullmatch(code) for code in item_codes)


def test_starter_exercises() -> None:
    keys = [exercise.key for exercise in catalogs.STARTER_EXERCISES]
    assert len(keys) == len(set(keys))
    assert 8 <= len(keys) <= 12
    assert {"pelvic_tilt", "knee_to_chest", "bird_dog", "bridge", "walking_program"} <= set(keys)
    for exercise in catalogs.STARTER_EXERCISES:
        assert _SNAKE.fullmatch(exercise.key), exercise.key
        assert exercise.instructions.startswith("1. "), exercise.key
        assert exercise.sets >= 1 and exercise.reps >= 1 and exercise.times_per_day >= 1
        assert 0 <= exercise.hold_seconds <= 60
        assert exercise.precautions


def test_evaluation_cpt_codes() -> None:
    assert catalogs.EVALUATION_COMPLEXITY_CPT == {
        Complexity.LOW: "97161",
        Complexity.MODERATE: "97162",
        Complexity.HIGH: "97163",
    }
    assert catalogs.RE_EVALUATION_CPT == "97164"


def test_catalog_as_dict_is_json_serialisable_and_complete() -> None:
    data = catalogs.catalog_as_dict()
    assert json.loads(json.dumps(data)) == data
    for key in (
        "causes",
        "treatment_paths",
        "drug_classes",
        "red_flag_conditions",
        "red_flags",
        "outcome_measures",
        "interventions",
        "exercises",
        "evaluation_complexity",
    ):
        assert key in data, key

    causes = data["causes"]
    assert isinstance(causes, list)
    assert causes[0]["code"] == "tissue_injury"
    assert causes[0]["suggested_codes"][0] == {
        "code": "S39.012A",
        "description": "Strain of muscle, fascia and tendon of lower back, initial encounter",
    }
    assert len(data["red_flags"]) == 28  # type: ignore[arg-type]
    assert data["evaluation_complexity"] == {
        "low": "97161",
        "moderate": "97162",
        "high": "97163",
        "re_evaluation": "97164",
    }
    measures = {m["code"]: m for m in data["outcome_measures"]}  # type: ignore[attr-defined]
    assert measures["odi"]["sections"] == list(catalogs.OSWESTRY_SECTIONS)
    assert measures["start_back"]["items"] == list(catalogs.START_BACK_ITEMS)
    paths = {p["code"]: p for p in data["treatment_paths"]}  # type: ignore[attr-defined]
    assert paths["pt_plan"]["referral_kind"] is None
    assert paths["medication_referral"]["referral_kind"] == "medication"


def test_every_injury_code_is_offered_for_both_encounters() -> None:
    """An injury code with 7th character A is offered with its D twin, and the other way
    round: the sprain as well as the strain (ICD-10-CM guidelines I.C.19.a)."""
    for info in catalogs.CAUSES:
        injury = [c for c in info.suggested_codes if c[0] == "S"]
        for code in injury:
            twin = code[:-1] + ("D" if code.endswith("A") else "A")
            assert twin in info.suggested_codes, (info.cause, code)
    assert {"S33.5XXA", "S33.5XXD", "S39.012A", "S39.012D"} <= set(
        catalogs.cause_info(Cause.TISSUE_INJURY).suggested_codes
    )
    assert "D (subsequent encounter)" in catalogs.ENCOUNTER_CHARACTER_HELP


def test_weak_abdominals_is_not_coded_as_generalized_weakness() -> None:
    """M62.81 is weakness of the whole body; a localized finding of weak abdominal muscles
    goes under R29.898, a billable code of the CMS tabular list."""
    suggested = catalogs.cause_info(Cause.WEAK_ABDOMINALS).suggested_codes
    assert "M62.81" not in suggested
    assert codes.is_billable("R29.898")
    assert codes.describe("R29.898") == (
        "Other symptoms and signs involving the musculoskeletal system"
    )
    assert "generalized" in codes.describe("M62.81")
    assert codes.excludes1_conflicts(list(suggested)) == []
