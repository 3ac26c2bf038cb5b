"""ICD-10-CM look-up against the real tabular list shipped by simple_icd_10_cm."""

from __future__ import annotations

import subprocess
import sys

import pytest

from casemanager.domain import codes
from casemanager.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("m62830", "M62.830"),
        ("M62.830", "M62.830"),
        ("  m62.830 ", "M62.830"),
        ("M 62 830", "M62.830"),
        ("M628.30", "M62.830"),  # dot in the wrong place
        ("s39012a", "S39.012A"),
        ("s335xxa", "S33.5XXA"),
        ("m797", "M79.7"),
        ("M54", "M54"),
        ("m54.", "M54"),
        ("m50-m54", "M50-M54"),
        ("13", "13"),
        ("", ""),
    ],
)
def test_normalize_code(typed: str, canonical: str) -> None:
    assert codes.normalize_code(typed) == canonical


@pytest.mark.parametrize(
    "code",
    ["M62.830", "m62830", "S39.012A", "S39.012D", "S33.5XXA", "M79.7", "M51.26", "M54.50"],
)
def test_leaf_codes_are_billable(code: str) -> None:
    assert codes.is_billable(code)


@pytest.mark.parametrize(
    "code",
    [
        "S39.012",  # needs its 7th character
        "S33.5",
        "M51.2",
        "M54.5",
        "M54",
        "M50-M54",  # block
        "13",  # chapter
        "Z99.999",
        "XYZ",
        "",
    ],
)
def test_non_leaf_and_unknown_codes_are_not_billable(code: str) -> None:
    assert not codes.is_billable(code)


def test_describe_uses_the_tabular_list() -> None:
    assert codes.describe("m62830") == "Muscle spasm of back"
    assert codes.describe("S39.012A") == (
        "Strain of muscle, fascia and tendon of lower back, initial encounter"
    )
    assert codes.describe("M54.5") == "Low back pain"


@pytest.mark.parametrize("code", ["XYZ", "M99.999", ""])
def test_describe_unknown_code_raises_both_error_kinds(code: str) -> None:
    with pytest.raises(ValueError, match="not an ICD-10-CM code") as caught:
        codes.describe(code)
    assert isinstance(caught.value, ValidationError)


def test_validate_billable_code_returns_canonical_code() -> None:
    assert codes.validate_billable_code("diagnosis", " m51.26 ") == "M51.26"


def test_validate_billable_code_unknown() -> None:
    with pytest.raises(ValidationError) as caught:
        codes.validate_billable_code("diagnosis", "Q99.99X")
    assert caught.value.field == "diagnosis"
    assert "Q99.99X is not an ICD-10-CM code" in caught.value.message


def test_validate_billable_code_blank() -> None:
    with pytest.raises(ValidationError, match="Enter a diagnosis code"):
        codes.validate_billable_code("diagnosis", "  ")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "M51.2",
            "M51.2 is a category, not a billable code: pick a more specific code "
            "such as M51.24, M51.25 or M51.26.",
        ),
        (
            "s39012",
            "S39.012 is a category, not a billable code: pick a more specific code "
            "such as S39.012A, S39.012D or S39.012S.",
        ),
        ("M50-M54", "M50-M54 is a block of categories, not a billable code"),
        ("13", "13 is a chapter, not a billable code"),
    ],
)
def test_validate_billable_code_suggests_specific_codes(code: str, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        codes.validate_billable_code("diagnosis", code)
    assert caught.value.message.startswith(expected)


def test_billable_descendants_of_a_leaf_is_empty() -> None:
    assert codes.billable_descendants("M62.830") == []
    assert codes.billable_descendants("S33.5", limit=5) == ["S33.5XXA", "S33.5XXD", "S33.5XXS"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # M54.5 (low back pain) excludes low back strain S39.012, disc displacement M51.2-
        # and lumbago with sciatica M54.4-.
        (["M54.50", "S39.012A"], [("M54.50", "S39.012A")]),
        (["S39.012D", "M54.59"], [("S39.012D", "M54.59")]),
        (["M54.51", "M51.26"], [("M54.51", "M51.26")]),
        (["M54.50", "M54.41"], [("M54.50", "M54.41")]),
        # M54.3 (sciatica) excludes M51.1- and M54.4-; M51.1 also excludes M54.3.
        (["M54.30", "M51.16"], [("M54.30", "M51.16")]),
        (["M54.31", "M54.42"], [("M54.31", "M54.42")]),
        # S33 (lumbar sprain) excludes nontraumatic disc displacement M51.-.
        (["S33.5XXA", "M51.27"], [("S33.5XXA", "M51.27")]),
        # M62 excludes cramp and spasm R25.2; M62.81 excludes sarcopenia M62.84.
        (["M62.830", "R25.2"], [("M62.830", "R25.2")]),
        (["M62.81", "M62.84"], [("M62.81", "M62.84")]),
        # A range note: R25.2 excludes G20-G26 (the G20.A1 notes do not mention R25.2).
        (["G20.A1", "R25.2"], [("G20.A1", "R25.2")]),
        # The usual back-spasm combination is allowed.
        (["M54.50", "M62.830", "M79.7", "M62.81"], []),
        (["M47.816", "M62.830"], []),
        (["M54.50"], []),
        ([], []),
    ],
)
def test_excludes1_conflicts(given: list[str], expected: list[tuple[str, str]]) -> None:
    assert codes.excludes1_conflicts(given) == expected


def test_excludes1_conflicts_normalizes_dedupes_and_ignores_unknown() -> None:
    given = ["m5450", "M54.50", "not-a-code", "s39012a", "M62.830"]
    assert codes.excludes1_conflicts(given) == [("M54.50", "S39.012A")]


def test_excludes1_conflicts_reports_every_pair_in_order() -> None:
    given = ["M54.50", "S39.012A", "M54.40", "M51.16"]
    assert codes.excludes1_conflicts(given) == [
        ("M54.50", "S39.012A"),
        ("M54.50", "M54.40"),
        ("M54.40", "M51.16"),  # M54.4 excludes M51.1-
    ]


def test_search_codes_matches_all_words_in_description() -> None:
    assert codes.search_codes("spasm back") == [("M62.830", "Muscle spasm of back")]
    found = codes.search_codes("low back pain")
    assert ("M54.50", "Low back pain, unspecified") in found
    # Words need not be next to each other, and match inside longer words ("lower"):
    # M51.369 "...lumbar back pain or lower extremity pain" matches too.
    assert ("M51.369", codes.describe("M51.369")) in found
    for _, description in found:
        assert all(word in description.lower() for word in ("low", "back", "pain"))


@pytest.mark.parametrize("typed", ["M54.5", "m545", "M54.5 pain"])
def test_search_codes_matches_code_with_or_without_dot(typed: str) -> None:
    assert [code for code, _ in codes.search_codes(typed)] == ["M54.50", "M54.51", "M54.59"]


def test_search_codes_returns_only_billable_codes_and_honours_limit() -> None:
    found = codes.search_codes("lumbar", limit=7)
    assert len(found) == 7
    assert all(codes.is_billable(code) for code, _ in found)
    assert "M51.2" not in [code for code, _ in codes.search_codes("M51.2")]


def test_search_codes_ignores_accents() -> None:
    plain = codes.search_codes("sjogren syndrome", limit=100)
    accented = codes.search_codes("Sjögren syndrome", limit=100)
    assert plain == accented
    assert plain  # the tabular list spells it with the umlaut


@pytest.mark.parametrize(("text", "limit"), [("", 50), ("   ", 50), ("back", 0)])
def test_search_codes_empty(text: str, limit: int) -> None:
    assert codes.search_codes(text, limit) == []


def test_search_codes_no_match() -> None:
    assert codes.search_codes("zzzqqq") == []


def test_importing_the_domain_does_not_load_the_code_data() -> None:
    # The tabular list takes seconds to load: start-up must not pay for it.
    script = (
        "import sys, casemanager.domain.catalogs, casemanager.domain.codes; "
        "print('simple_icd_10_cm' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
