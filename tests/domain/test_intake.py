"""The patient intake's answers: checks, stored form, what they fill, and the wording we
show (ours, in English and Spanish, with no licensed questionnaire text)."""

from __future__ import annotations

from datetime import date

import pytest

from casemanager.domain import intake
from casemanager.domain.enums import RedFlagAnswer
from casemanager.domain.errors import ValidationError
from casemanager.domain.evaluation import PsfsEntry, RedFlagEntry
from casemanager.domain.intake import IntakeAnswers
from casemanager.domain.intake_wording import wording

TODAY = date(2026, 11, 20)
ANSWERS = IntakeAnswers(
    history=(("chief_complaint", "  My low back locks up  "), ("occupation", "Nurse")),
    onset="hace 2 semanas",
    red_flags=(("saddle_numbness", False), ("fever_chills", True)),
    nprs_now=6,
    nprs_best=3,
    nprs_worst=8,
    psfs=(PsfsEntry("Lifting patients", 3),),
)


def test_clean_trims_and_checks() -> None:
    cleaned = intake.clean(ANSWERS, TODAY, "es")
    assert cleaned.text("chief_complaint") == "My low back locks up"
    assert cleaned.positive_red_flags == ("fever_chills",)
    bad = [
        (IntakeAnswers(onset="pronto"), "onset_date"),
        (IntakeAnswers(nprs_now=11), "nprs_now"),
        (IntakeAnswers(red_flags=(("pulsatile_abdominal_mass", True),)), "red_flag_"),
        (IntakeAnswers(history=(("complexity", "high"),)), "complexity"),
        (IntakeAnswers(psfs=(PsfsEntry(" ", 3),)), "psfs_1"),
    ]
    for answers, field in bad:
        with pytest.raises(ValidationError) as refused:
            intake.clean(answers, TODAY, "es")
        assert refused.value.field.startswith(field)


def test_stored_form_round_trips() -> None:
    cleaned = intake.clean(ANSWERS, TODAY, "es")
    assert intake.from_data(intake.to_data(cleaned)) == cleaned
    assert intake.from_data(None) == IntakeAnswers()


def test_answers_become_evaluation_values() -> None:
    values = intake.evaluation_values(intake.clean(ANSWERS, TODAY, "es"), TODAY, "es")
    assert values["onset_date"] == date(2026, 11, 6)
    assert values["occupation"] == "Nurse" and values["nprs_worst"] == 8
    assert values["psfs"] == (PsfsEntry("Lifting patients", 3),)


def test_red_flags_merge_without_overwriting_the_therapist() -> None:
    mine = (
        RedFlagEntry("fever_chills", RedFlagAnswer.NO),
        RedFlagEntry("saddle_numbness", RedFlagAnswer.NOT_ASKED),
    )
    merged, filled, kept = intake.merge_red_flags(mine, ANSWERS)
    by_code = {e.code: e for e in merged}
    assert by_code["fever_chills"].answer == RedFlagAnswer.NO  # the therapist's answer
    assert by_code["saddle_numbness"].answer == RedFlagAnswer.NO
    assert (filled, kept) == (["saddle_numbness"], ["fever_chills"])
    merged, filled, _ = intake.merge_red_flags(mine, ANSWERS, overwrite=True)
    fever = next(e for e in merged if e.code == "fever_chills")
    # A patient's yes arrives without an action: the therapist chooses it before signing.
    assert fever == RedFlagEntry("fever_chills", RedFlagAnswer.YES, None)
    assert [e.code for e in merged] == ["saddle_numbness", "fever_chills"]  # catalog order


@pytest.mark.parametrize("language", intake.LANGUAGES)
def test_wording_covers_every_question_without_licensed_text(language: str) -> None:
    words = wording(language)
    assert [c for c, _ in words.red_flags] == list(intake.RED_FLAG_CODES)
    assert "pulsatile_abdominal_mass" not in dict(words.red_flags)  # found on examination
    assert {f for f, _ in words.history} == set(intake.HISTORY_FIELDS)
    text = " ".join(str(v) for v in words.__dict__.values()).casefold()
    # Neither licensed questionnaire is part of the intake, not even by name.
    for word in ("oswestry", "start back", "keele", "disability index"):
        assert word not in text
    assert "{name}" in words.welcome


def test_spanish_wording_is_spanish() -> None:
    es, en = wording("es"), wording("en")
    pairs = zip(es.red_flags, en.red_flags, strict=True)
    assert all(q_es != q_en for (_, q_es), (_, q_en) in pairs)
    assert es.yes == "Sí" and wording("fr") == en
