"""ICD-10-CM look-up, validation and coding-conflict checks.

The code data comes from the `simple_icd_10_cm` package (the CMS tabular list it ships),
never from hand-typed tables. The package takes seconds to import and build its tree, so it
is imported lazily, on the first call that needs it; `normalize_code` never needs it.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Sequence
from types import ModuleType

from casemanager.domain.errors import ValidationError
from casemanager.domain.validation import normalize_for_search

# How many more specific codes to offer when someone picks a category.
_SUGGESTIONS = 3


class UnknownCodeError(ValidationError, ValueError):
    """A code the tabular list does not contain.

    Both a ValidationError (the form can show it) and a ValueError (plain callers expect one).
    """

    def __init__(self, code: str) -> None:
        super().__init__(
            "code",
            f"{code} is not an ICD-10-CM code. Check the letters and digits, "
            "or search by description.",
        )


@functools.cache
def _icd() -> ModuleType:
    # The package reads its data with deprecated importlib.resources calls at import time;
    # silence only that import so `filterwarnings = error` elsewhere stays strict.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm

    module: ModuleType = simple_icd_10_cm  # untyped package: name the type once, here
    return module


def normalize_code(code: str) -> str:
    """Canonical form of a typed code: upper case, dot after the category ("m62830" -> "M62.830").

    Chapters ("13") and blocks ("M50-M54") are returned upper-cased and otherwise unchanged.
    """
    cleaned = "".join(code.split()).upper()
    if "-" in cleaned:
        return cleaned
    bare = cleaned.replace(".", "")
    if len(bare) <= 3:
        return bare
    return f"{bare[:3]}.{bare[3:]}"


def is_known(code: str) -> bool:
    """True when the tabular list has this code, billable or not."""
    normalized = normalize_code(code)
    return bool(normalized) and bool(_icd().is_valid_item(normalized))


def is_billable(code: str) -> bool:
    """True for leaf codes (categories or subcategories with no children); False otherwise."""
    icd = _icd()
    normalized = normalize_code(code)
    if not normalized or not icd.is_valid_item(normalized):
        return False
    return bool(icd.is_category_or_subcategory(normalized)) and bool(icd.is_leaf(normalized))


def describe(code: str) -> str:
    """The tabular list's description; raises UnknownCodeError (a ValueError) for unknown codes."""
    normalized = normalize_code(code)
    if not is_known(normalized):
        raise UnknownCodeError(code.strip() or "(blank)")
    return str(_icd().get_description(normalized))


def billable_descendants(code: str, limit: int = _SUGGESTIONS) -> list[str]:
    """The first billable codes under `code`, in tabular order (empty for a leaf)."""
    icd = _icd()
    found: list[str] = []
    for child in icd.get_descendants(normalize_code(code)):
        if is_billable(child):
            found.append(str(child))
            if len(found) >= limit:
                break
    return found


def _kind_of(code: str) -> str:
    icd = _icd()
    if icd.is_chapter(code):
        return "a chapter"
    if icd.is_block(code) and not icd.is_category(code):
        return "a block of categories"
    return "a category"


def _join_or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def validate_billable_code(field: str, code: str) -> str:
    """Return the canonical code, or say why it cannot go on an evaluation and what to pick."""
    normalized = normalize_code(code)
    if not normalized:
        raise ValidationError(field, "Enter a diagnosis code, or search for one by description.")
    if not is_known(normalized):
        raise ValidationError(
            field,
            f"{code.strip()} is not an ICD-10-CM code. Check the letters and digits, "
            "or search by description.",
        )
    if not is_billable(normalized):
        suggestions = billable_descendants(normalized)
        hint = f" such as {_join_or(suggestions)}" if suggestions else ""
        raise ValidationError(
            field,
            f"{normalized} is {_kind_of(normalized)}, not a billable code: "
            f"pick a more specific code{hint}.",
        )
    return normalized


# A code reference inside an Excludes1 note: "S39.012", "M51.2-", "A05.-", ranges "T61-T62".
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]*)?"
_REFERENCE = re.compile(rf"({_CODE})-?(?:\s*-\s*({_CODE})-?)?")
_PARENTHESES = re.compile(r"\(([^()]*)\)")


@functools.cache
def _excluded_references(code: str) -> tuple[tuple[str, str], ...]:
    """(low, high) dotless code prefixes that the Excludes1 notes of `code` and its ancestors name.

    A single reference has low == high. Notes whose parentheses hold prose or qualified ranges
    ("V01-V09 with 5th character 9") are skipped: missing a warning beats a false one.
    """
    icd = _icd()
    references: list[tuple[str, str]] = []
    for holder in [code, *icd.get_ancestors(code)]:
        for note in icd.get_excludes1(holder):
            for group in _PARENTHESES.findall(note):
                for part in group.split(","):
                    match = _REFERENCE.fullmatch(part.strip())
                    if match is None:
                        continue
                    low = match.group(1).replace(".", "")
                    high = (match.group(2) or match.group(1)).replace(".", "")
                    references.append((low, high))
    return tuple(references)


def _within(code: str, low: str, high: str) -> bool:
    # A reference without a dash still covers its children (S39.012 covers S39.012A), so
    # compare only as many characters as each end of the reference has.
    bare = code.replace(".", "")
    return bare[: len(low)] >= low and bare[: len(high)] <= high


def excludes1_conflicts(codes: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of the given codes that an Excludes1 note says must not be coded together.

    Each pair is reported once, in the order the codes were given, whichever code's note
    (or an ancestor's note) forbids it. Codes the tabular list does not know are ignored:
    `validate_billable_code` is the place that reports them.
    """
    known: list[str] = []
    for code in codes:
        normalized = normalize_code(code)
        if normalized not in known and is_known(normalized):
            known.append(normalized)
    conflicts: list[tuple[str, str]] = []
    for i, first in enumerate(known):
        for second in known[i + 1 :]:
            if any(_within(second, lo, hi) for lo, hi in _excluded_references(first)) or any(
                _within(first, lo, hi) for lo, hi in _excluded_references(second)
            ):
                conflicts.append((first, second))
    return conflicts


@functools.cache
def _billable_index() -> tuple[tuple[str, str, str], ...]:
    """(code, description, search text) for every billable code, built once (~75,000 rows)."""
    icd = _icd()
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for code in icd.get_all_codes(True):
        # A category that is also its own block appears twice in the list.
        if code not in seen and is_billable(code):
            seen.add(code)
            description = str(icd.get_description(code))
            bare = code.replace(".", "")
            search_text = normalize_for_search(f"{code} {bare} {description}")
            rows.append((str(code), description, search_text))
    return tuple(rows)


def search_codes(text: str, limit: int = 50) -> list[tuple[str, str]]:
    """Billable (code, description) pairs whose code or description contains every word typed.

    Matching ignores case and accents; results keep the tabular list's order.
    """
    words = normalize_for_search(text).split()
    if not words or limit <= 0:
        return []
    found: list[tuple[str, str]] = []
    for code, description, search_text in _billable_index():
        if all(word in search_text for word in words):
            found.append((code, description))
            if len(found) >= limit:
                break
    return found
