"""Red-flag rules: the action each positive answer recommends, risk factors apart from red
flags, the written reason for a lower action, and the referrals signing makes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from casemanager.domain import catalogs, red_flags
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import (
    EvaluationKind,
    RedFlagAction,
    RedFlagAnswer,
    Urgency,
)
from casemanager.domain.evaluation import RedFlagEntry
from tests.domain.test_evaluation_rules import COMPLETE

YES = RedFlagAnswer.YES


def _screen(**actions: RedFlagAction | None) -> tuple[RedFlagEntry, ...]:
    """Every item answered: the named ones yes (with the action given), the rest no."""
    return tuple(
        RedFlagEntry(item.code, YES, actions[item.code])
        if item.code in actions
        else RedFlagEntry(item.code, RedFlagAnswer.NO)
        for item in catalogs.RED_FLAGS
    )


@pytest.mark.parametrize(
    ("positive", "expected"),
    [
        (["saddle_numbness"], RedFlagAction.EMERGENCY),
        (["both_legs"], RedFlagAction.EMERGENCY),
        (["worsening_leg_weakness"], RedFlagAction.EMERGENCY),
        (["pulsatile_abdominal_mass"], RedFlagAction.EMERGENCY),
        (["fever_chills"], RedFlagAction.EMERGENCY),
        (["recent_infection"], RedFlagAction.URGENT),  # infection without fever
        (["recent_infection", "fever_chills"], RedFlagAction.EMERGENCY),  # with fever
        (["unexplained_weight_loss"], RedFlagAction.URGENT),
        (["major_trauma"], RedFlagAction.URGENT),
        (["age_over_70"], RedFlagAction.MONITOR),  # a risk factor alone
        (["history_of_cancer"], RedFlagAction.MONITOR),
        (["long_term_steroids"], RedFlagAction.MONITOR),
        (["osteoporosis"], RedFlagAction.MONITOR),
        (["age_over_70", "osteoporosis"], RedFlagAction.URGENT),  # two fracture risk factors
        (["history_of_cancer", "night_sweats"], RedFlagAction.URGENT),
        (["older_with_vascular_risk"], RedFlagAction.MONITOR),
        (["older_with_vascular_risk", "pain_unchanged_by_movement"], RedFlagAction.EMERGENCY),
        (["iv_drug_use", "immunosuppression"], RedFlagAction.URGENT),
    ],
)
def test_the_recommended_action_of_each_condition(
    positive: list[str], expected: RedFlagAction
) -> None:
    answers = {code: YES for code in positive}
    for code in positive:
        assert red_flags.recommended_action(code, answers) is expected, code


def test_axial_spondyloarthritis_needs_the_start_and_three_inflammatory_features() -> None:
    gate = "ibp_early_long_lasting"
    features = [
        "ibp_better_with_movement",
        "ibp_late_night_waking",
        "ibp_buttock_pain",
        "ibp_related_conditions",
    ]
    three = {code: YES for code in [gate, *features[:3]]}
    assert red_flags.recommended_action(gate, three) is RedFlagAction.ROUTINE
    two = {code: YES for code in [gate, *features[:2]]}
    assert red_flags.recommended_action(gate, two) is RedFlagAction.MONITOR
    no_gate = {code: YES for code in features}  # pain began after 45, or is recent
    assert red_flags.recommended_action(features[0], no_gate) is RedFlagAction.MONITOR
    assert catalogs.red_flag_condition("axial_spa").specialty == "rheumatology"


def test_a_lower_action_than_recommended_needs_a_reason_to_sign() -> None:
    routine = replace(COMPLETE, red_flags=_screen(saddle_numbness=RedFlagAction.ROUTINE))
    missing = rules.missing_for_signing(routine)
    assert [m.field for m in missing] == ["red_flag_reason_saddle_numbness"]
    assert "emergency referral (same day) is recommended" in missing[0].message
    flags = tuple(
        replace(e, reason="Numbness since a saddle-block anaesthetic in 2019; unchanged")
        if e.code == "saddle_numbness"
        else e
        for e in routine.red_flags
    )
    explained = replace(routine, red_flags=flags)
    assert rules.missing_for_signing(explained) == []
    (referral,) = rules.red_flag_referrals(explained)
    assert referral.urgency is Urgency.ROUTINE
    assert "Findings: saddle numbness or tingling." in referral.reason
    assert "rather than emergency referral (same day): Numbness since" in referral.reason


def test_the_recommended_action_or_a_higher_one_needs_no_reason() -> None:
    for action in (RedFlagAction.EMERGENCY,):
        content = replace(COMPLETE, red_flags=_screen(saddle_numbness=action))
        assert rules.missing_for_signing(content) == []
    urgent_for_a_risk_factor = replace(
        COMPLETE, red_flags=_screen(age_over_70=RedFlagAction.URGENT)
    )
    assert rules.missing_for_signing(urgent_for_a_risk_factor) == []


def test_a_risk_factor_alone_may_be_monitored_with_a_reason_and_makes_no_referral() -> None:
    monitored = replace(COMPLETE, red_flags=_screen(age_over_70=RedFlagAction.MONITOR))
    (missing,) = rules.missing_for_signing(monitored)
    assert missing.field == "red_flag_reason_age_over_70"
    assert missing.message == "Say why monitoring is enough for: aged over 70."
    flags = tuple(
        replace(e, reason="Walks daily, no trauma, pain mechanical")
        if e.code == "age_over_70"
        else e
        for e in monitored.red_flags
    )
    explained = replace(monitored, red_flags=flags)
    assert rules.missing_for_signing(explained) == []
    assert rules.red_flag_referrals(explained) == []


def test_a_cluster_of_risk_factors_suggests_one_referral_naming_the_findings() -> None:
    content = replace(
        COMPLETE,
        red_flags=_screen(
            age_over_70=RedFlagAction.URGENT,
            osteoporosis=RedFlagAction.URGENT,
            long_term_steroids=RedFlagAction.URGENT,
        ),
    )
    assert rules.missing_for_signing(content) == []
    (referral,) = rules.red_flag_referrals(content)  # one letter for the condition
    assert (referral.condition, referral.urgency) == ("fracture", Urgency.URGENT)
    assert referral.reason == (
        "Suspected spinal fracture. Findings: known osteoporosis; long-term oral "
        "corticosteroid use; aged over 70."
    )
    # Monitoring a cluster is a lower action than recommended: it needs a reason.
    monitored = replace(
        COMPLETE,
        red_flags=_screen(age_over_70=RedFlagAction.MONITOR, osteoporosis=RedFlagAction.MONITOR),
    )
    messages = [m.message for m in rules.missing_for_signing(monitored)]
    assert messages == [
        "Say why you chose noted, monitor when urgent referral is recommended for: known "
        "osteoporosis.",
        "Say why you chose noted, monitor when urgent referral is recommended for: aged over 70.",
    ]


def test_no_referral_reason_reads_a_screening_question_back() -> None:
    for item in catalogs.RED_FLAGS:
        content = replace(COMPLETE, red_flags=_screen(**{item.code: RedFlagAction.URGENT}))
        for referral in rules.red_flag_referrals(content):
            assert "?" not in referral.reason and item.question not in referral.reason


def test_a_reason_beside_a_no_is_dropped_and_a_long_one_refused() -> None:
    from datetime import date

    from casemanager.domain.errors import ValidationError

    flags = list(_screen())
    flags[0] = replace(flags[0], reason="left over from a yes")
    cleaned = rules.clean(replace(COMPLETE, red_flags=tuple(flags)), date(2026, 11, 26))
    assert cleaned.red_flags[0].reason is None
    flags[0] = RedFlagEntry(flags[0].code, YES, RedFlagAction.ROUTINE, reason="x" * 1001)
    with pytest.raises(ValidationError) as error:
        rules.clean(replace(COMPLETE, red_flags=tuple(flags)), date(2026, 11, 26))
    assert error.value.field == f"red_flag_reason_{flags[0].code}"


@pytest.mark.parametrize(
    ("kind", "asked_again"),
    [
        (EvaluationKind.PROGRESS_REPORT, True),
        (EvaluationKind.RE_EVALUATION, True),
        (EvaluationKind.DISCHARGE, False),
    ],
)
def test_follow_ups_ask_the_screen_again(kind: EvaluationKind, asked_again: bool) -> None:
    content = replace(COMPLETE, assessment_note="Better.", red_flags=_screen())
    fields = [m.field for m in rules.missing_for_signing(content, kind)]
    assert ("red_flags_rechecked" in fields) is asked_again
    confirmed = replace(content, red_flags_rechecked=True)
    assert "red_flags_rechecked" not in [
        m.field for m in rules.missing_for_signing(confirmed, kind)
    ]
    # A positive answer asked again still needs its action.
    flagged = replace(confirmed, red_flags=_screen(fever_chills=None))
    fields = [m.field for m in rules.missing_for_signing(flagged, kind)]
    assert ("red_flag_fever_chills" in fields) is asked_again


def test_both_legs_asks_about_numbness_or_weakness_not_pain() -> None:
    question = catalogs.red_flag("both_legs").question.lower()
    assert "numbness or weakness in both legs" in question and "pain" not in question


def test_start_back_topics_are_our_own_and_the_licence_notes_stay() -> None:
    assert catalogs.START_BACK_ITEMS[5] == "Worry"
    assert not any("worrying thoughts" in t.lower() for t in catalogs.START_BACK_ITEMS)
    notes = {m.code: m.licence_note for m in catalogs.OUTCOME_MEASURES}
    assert "Keele" in notes["start_back"] and "Mapi" in notes["odi"]


def test_each_item_is_named_a_red_flag_a_risk_factor_or_a_feature() -> None:
    kinds = {item.code: catalogs.red_flag_kind(item) for item in catalogs.RED_FLAGS}
    assert kinds["saddle_numbness"] == "red flag"
    assert kinds["age_over_70"] == "risk factor"
    assert kinds["ibp_buttock_pain"] == "feature"
    # The risk factors are never red flags on their own.
    for code in ("age_over_70", "history_of_cancer", "long_term_steroids", "osteoporosis"):
        assert kinds[code] == "risk factor", code
