"""Rules for saving and signing an evaluation, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from casemanager.domain import catalogs
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import Cause, Complexity, RedFlagAnswer, Urgency
from casemanager.domain.errors import ValidationError
from casemanager.domain.evaluation import EvaluationContent, RedFlagEntry

ALL_NO = tuple(RedFlagEntry(i.code, RedFlagAnswer.NO) for i in catalogs.RED_FLAGS)
COMPLETE = EvaluationContent(
    chief_complaint="Back spasm",
    red_flags=ALL_NO,
    nprs_now=6,
    odi_sections=(2,) * 8 + (None, None),
    primary_cause=Cause.ARTHRITIS,
    diagnosis_codes=("M47.816",),
    complexity=Complexity.LOW,
)


def test_complete_evaluation_misses_nothing() -> None:
    assert rules.missing_for_signing(COMPLETE) == []


def test_empty_evaluation_lists_everything_in_form_order() -> None:
    missing = rules.missing_for_signing(EvaluationContent())
    fields = [m.field for m in missing]
    assert fields[0] == "chief_complaint"
    assert fields[-4:] == ["odi_sections", "primary_cause", "diagnosis_codes", "complexity"]
    assert len(fields) == 7 + len(catalogs.RED_FLAGS) - 1  # nprs_now included


def test_oswestry_with_three_sections_missing_blocks_signing() -> None:
    content = replace(COMPLETE, odi_sections=(2,) * 7 + (None,) * 3)
    assert [m.field for m in rules.missing_for_signing(content)] == ["odi_sections"]


def test_not_asked_and_positive_without_action_block_signing() -> None:
    flags = list(ALL_NO)
    flags[0] = RedFlagEntry(flags[0].code, RedFlagAnswer.NOT_ASKED)
    flags[1] = RedFlagEntry(flags[1].code, RedFlagAnswer.YES)
    missing = rules.missing_for_signing(replace(COMPLETE, red_flags=tuple(flags)))
    assert [m.field for m in missing] == [f"red_flag_{flags[0].code}", f"red_flag_{flags[1].code}"]
    assert "needs an action" in missing[1].message


def test_positive_flags_become_referrals_with_their_urgency() -> None:
    flags = [
        RedFlagEntry("fever_chills", RedFlagAnswer.YES, Urgency.EMERGENCY),
        RedFlagEntry("history_of_cancer", RedFlagAnswer.YES, Urgency.URGENT),
        RedFlagEntry("osteoporosis", RedFlagAnswer.NO),
    ]
    referrals = rules.red_flag_referrals(replace(COMPLETE, red_flags=tuple(flags)))
    assert [(r.code, r.urgency) for r in referrals] == [
        ("fever_chills", Urgency.EMERGENCY),
        ("history_of_cancer", Urgency.URGENT),
    ]
    assert "Infection" in referrals[0].reason or "infection" in referrals[0].reason


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"red_flags": (RedFlagEntry("fever_chills", RedFlagAnswer.NO, Urgency.URGENT),)},
            "red_flag_fever_chills",
        ),
        (
            {"red_flags": (RedFlagEntry("fever_chills", RedFlagAnswer.NO),) * 2},
            "red_flag_fever_chills",
        ),
        ({"contributing_causes": (Cause.ARTHRITIS,)}, "contributing_causes"),
        ({"diagnosis_codes": ("M47.816", "m47816")}, "diagnosis_codes"),
        ({"start_back": (2,) + (None,) * 8}, "sbst_1"),
        ({"chief_complaint": "x" * 2001}, "chief_complaint"),
    ],
)
def test_clean_refuses(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        rules.clean(replace(COMPLETE, **change), date(2026, 11, 26))  # type: ignore[arg-type]
    assert error.value.field == field


def test_clean_normalises() -> None:
    cleaned = rules.clean(
        replace(COMPLETE, diagnosis_codes=("m47816",), occupation="  ", chief_complaint=" Spasm "),
        date(2026, 11, 26),
    )
    assert cleaned.diagnosis_codes == ("M47.816",)
    assert cleaned.occupation is None and cleaned.chief_complaint == "Spasm"


def test_coding_warnings_name_excludes1_pairs() -> None:
    warnings = rules.coding_warnings(replace(COMPLETE, diagnosis_codes=("M54.50", "S39.012A")))
    assert len(warnings) == 1 and "M54.50" in warnings[0].message
