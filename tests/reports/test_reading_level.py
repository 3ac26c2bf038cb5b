"""The take-home wording reads plainly in every language, measured with textstat.

Targets, for the whole text and for every explanation block a patient reads as one piece:
- English: Flesch-Kincaid grade 8 or below (plain-language guidance for patient materials
  asks for 6th to 8th grade).
- Spanish: Szigriszt-Pazos perspicuity 65 or above: the lower edge of "bastante fácil" on the
  INFLESZ scale (Barrio-Cantalejo et al., 2008), the reading of the end of primary school.
  INFLESZ counts 55 as the least that health information should reach; we aim higher, like
  the 8th-grade ceiling in English.
- Another language a clinic adds: textstat's Flesch reading ease with that language's own
  constants (Amstad for German, Kandel-Moles for French, ...), 60 or above ("standard").
  A language textstat has no formula or syllable dictionary for is reported as unmeasured
  (a skip with the reason), never passed silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyphen
import pytest
from textstat.backend.utils.constants import LANG_CONFIGS
from textstat.textstat import textstatistics

from casemanager.reports import wording

NOT_PROSE = {"language_name"}


@dataclass(frozen=True)
class Target:
    measure: str
    score: Callable[[str], float]
    at_most: float | None = None
    at_least: float | None = None

    def met_by(self, value: float) -> bool:
        if self.at_most is not None:
            return value <= self.at_most
        assert self.at_least is not None
        return value >= self.at_least

    def __str__(self) -> str:
        bound = f"at most {self.at_most}" if self.at_most is not None else f"{self.at_least}+"
        return f"{self.measure} {bound}"


def target_for(language: str) -> Target | None:
    """How `language` is measured, or None when textstat cannot measure it."""
    stats = textstatistics()
    stats.set_lang(language)
    if language == "en":
        return Target("Flesch-Kincaid grade", stats.flesch_kincaid_grade, at_most=8.0)
    if language == "es":
        return Target("Szigriszt-Pazos perspicuity", stats.szigriszt_pazos, at_least=65.0)
    # Syllables come from a hyphenation dictionary; the formula's constants from textstat.
    known = "fre_base" in LANG_CONFIGS.get(language.split("_")[0].split("-")[0], {})
    if not known or pyphen.language_fallback(language) is None:
        return None
    return Target("Flesch reading ease", stats.flesch_reading_ease, at_least=60.0)


def _prose(value: object, key: str = "") -> list[str]:
    if isinstance(value, str):
        return [] if key in NOT_PROSE else [value]
    if isinstance(value, dict):
        return [text for k, v in value.items() for text in _prose(v, k)]
    if isinstance(value, list):
        return [text for item in value for text in _prose(item, key)]
    return []


def explanation_blocks(words: dict[str, Any]) -> dict[str, str]:
    """What a patient reads as one piece: each cause and path explained, the reassurance,
    and the medication, heat and ice sections."""
    blocks = {f"causes.{key}": text for key, text in words["causes"].items()}
    blocks |= {f"paths.{key}.what": path["what"] for key, path in words["paths"].items()}
    blocks["reassurance"] = words["reassurance"]
    blocks["medication"] = " ".join(words["medication"].values())
    for section in ("heat", "ice", "heat_ice_safety", "advice", "emergency", "prompt"):
        blocks[section] = " ".join(words[section])
    return blocks


@pytest.mark.parametrize("language", sorted(wording.languages()))
def test_the_take_home_wording_is_plain(language: str) -> None:
    target = target_for(language)
    if target is None:
        pytest.skip(f"{language}: unmeasured, textstat has no readability formula for it")
    words = wording.load(language)
    whole = target.score(" ".join(_prose(words)))
    assert target.met_by(whole), f"{language} as a whole: {target.measure} {whole:.1f}"
    scores = {name: target.score(text) for name, text in explanation_blocks(words).items()}
    too_hard = {name: round(v, 1) for name, v in scores.items() if not target.met_by(v)}
    assert too_hard == {}, f"{language}: blocks missing the target ({target}): {too_hard}"


def test_both_languages_of_the_app_are_measured() -> None:
    assert {"en", "es"} <= set(wording.languages())
    assert target_for("en") is not None and target_for("es") is not None


def test_a_language_textstat_knows_is_measured_and_one_it_does_not_is_not() -> None:
    german = target_for("de")
    assert german is not None and german.measure == "Flesch reading ease"
    assert german.met_by(
        german.score("Bewegen Sie sich jeden Tag. Gehen ist gut für Ihren Rücken.")
    )
    assert target_for("tlh") is None  # Klingon: no formula, no syllable dictionary


def test_the_english_measure_tells_hard_from_plain() -> None:
    target = target_for("en")
    assert target is not None
    hard = (
        "Nonsteroidal anti-inflammatory pharmacotherapy demonstrates moderate efficacy "
        "regarding radicular symptomatology."
    )
    assert not target.met_by(target.score(hard))
    assert (
        target.score(hard)
        > 12
        > 4
        > target.score("Keep moving. Short walks are good for your back.")
    )


def test_a_hard_spanish_sentence_fails_the_spanish_check() -> None:
    target = target_for("es")
    assert target is not None
    hard = (
        "La farmacoterapia antiinflamatoria no esteroidea demuestra una eficacia moderada "
        "respecto a la sintomatología radicular."
    )
    plain = "Camine un poco cada día. Es bueno para su espalda."
    assert not target.met_by(target.score(hard))
    assert target.met_by(target.score(plain))
    # The check on the catalog fails too when such a sentence joins a block.
    words = wording.load("es")
    block = f"{words['reassurance']} {hard} {hard}"
    assert not target.met_by(target.score(block))
