"""The English take-home wording reads at a 6th to 8th grade level or easier (Flesch-Kincaid
grade, with a standard vowel-group syllable count)."""

from __future__ import annotations

import re

from casemanager.reports import wording

NOT_PROSE = {"language_name", "date_format", "time_format"}


def _syllables(word: str) -> int:
    word = word.lower()
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", word)))


def grade(text: str) -> float:
    sentences = max(1, len(re.findall(r"[.!?:](?:\s|$)", text)))
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    syllables = sum(_syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


def _prose(value: object, key: str = "") -> list[str]:
    if isinstance(value, str):
        return [] if key in NOT_PROSE else [value]
    if isinstance(value, dict):
        return [text for k, v in value.items() for text in _prose(v, k)]
    if isinstance(value, list):
        return [text for item in value for text in _prose(item, key)]
    return []


def test_the_take_home_wording_is_plain() -> None:
    texts = _prose(wording.load("en"))
    assert grade(" ".join(texts)) <= 8.0
    # Each explanation a patient reads as a block stays at 8th grade or below too.
    blocks = [
        *wording.load("en")["causes"].values(),
        *(path["what"] for path in wording.load("en")["paths"].values()),
        wording.load("en")["reassurance"],
    ]
    assert max(grade(block) for block in blocks) <= 8.0


def test_the_measure_itself_tells_hard_from_plain() -> None:
    hard = (
        "Nonsteroidal anti-inflammatory pharmacotherapy demonstrates moderate efficacy "
        "regarding radicular symptomatology."
    )
    assert grade(hard) > 12 > 4 > grade("Keep moving. Short walks are good for your back.")
