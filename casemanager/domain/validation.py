"""Field checks shared by every form and import.

Each check returns the cleaned value or raises ValidationError(field, message); the message
says what is wrong and what to do about it, in words a clinician or manager can act on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from functools import lru_cache

import email_validator
from email_validator.rfc_constants import DOT_ATOM_TEXT

from casemanager.domain import field_limits, login_memory, phones
from casemanager.domain.errors import ValidationError

MAX_NAME_LENGTH = field_limits.NAME
MAX_AGE_YEARS = 120
# Medicare: one certification of a plan of care covers at most 90 calendar days.
MAX_CERTIFICATION_DAYS = 90
MAX_EMAIL_LENGTH = field_limits.EMAIL

# Letters NFKD does not split into base + accent; mapped so "Łukasz" finds "Lukasz".
# Keys are already case-folded (normalize_for_search folds first).
_SEARCH_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŀ": "l",
        "ŧ": "t",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
    }
)


def format_date(value: date) -> str:
    """Dates in messages use the US order the clinic's forms use."""
    return value.strftime("%m/%d/%Y")


def require_text(field: str, value: str | None, label: str, max_length: int) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(field, f"{label} is required.")
    _check_length(field, cleaned, label, max_length)
    return cleaned


def optional_text(field: str, value: str | None, label: str, max_length: int) -> str | None:
    """Blank becomes None so the database never stores empty strings as 'answered'."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    _check_length(field, cleaned, label, max_length)
    return cleaned


# Characters a keyboard does not type (tab and line breaks are fine): control codes (C0, DEL
# and C1), which PostgreSQL cannot store (NUL) or only arrive by pasting something broken, and
# lone UTF-16 surrogates, which are not text at all and cannot be written as UTF-8.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidirectional embeddings, overrides and isolates: invisible, they make a CSV export or the
# audit viewer show text in an order other than the one stored ("Trojan Source"). The plain
# marks U+200E/U+200F stay allowed: right-to-left names need them and they reorder nothing.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_NOT_DIGIT = re.compile("[^0-9]")
_LINE_BREAK = re.compile("[\t\n\r\u2028\u2029\x85]")


def _check_characters(field: str, value: str, label: str) -> None:
    found = _CONTROL.search(value)
    if found is not None:
        raise ValidationError(
            field,
            f"{label} holds a character that is not text (U+{ord(found.group()):04X}), "
            "probably pasted in. Delete it and type that part again.",
        )
    found = _BIDI_CONTROL.search(value)
    if found is not None:
        raise ValidationError(
            field,
            f"{label} holds an invisible character that changes the direction text is shown "
            f"in (U+{ord(found.group()):04X}), so it could print in a misleading order. "
            "Delete it and type that part again.",
        )


def _check_length(field: str, value: str, label: str, max_length: int) -> None:
    _check_characters(field, value, label)
    if len(value) > max_length:
        raise ValidationError(
            field,
            f"{label} is too long ({len(value)} characters). "
            f"Shorten it to {max_length} characters or fewer.",
        )


def check_line(field: str, value: str, label: str, max_length: int) -> str:
    """One line of text (a name, a number): no line breaks or tabs, no hidden characters,
    at most `max_length` characters. Returns it stripped; blank stays blank."""
    cleaned = value.strip()
    _check_length(field, cleaned, label, max_length)
    if _LINE_BREAK.search(cleaned):
        raise ValidationError(
            field, f"{label} holds a line break or tab. Keep it on one line and save again."
        )
    return cleaned


def optional_line(field: str, value: str | None, label: str, max_length: int) -> str | None:
    """check_line for a field that may be left empty (None when it is)."""
    return check_line(field, value or "", label, max_length) or None


def validate_person_name(field: str, value: str | None, label: str) -> str:
    """Any script is welcome; NFC so the same name typed on two keyboards compares equal."""
    cleaned = unicodedata.normalize("NFC", value or "").strip()
    if not cleaned:
        raise ValidationError(field, f"{label} is required.")
    return _checked_name(field, cleaned, label)


def optional_person_name(field: str, value: str | None, label: str) -> str | None:
    """A name that may be left empty (a preferred name): the same rules when given."""
    cleaned = unicodedata.normalize("NFC", value or "").strip()
    return _checked_name(field, cleaned, label) if cleaned else None


def _checked_name(field: str, cleaned: str, label: str) -> str:
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(
            field,
            f"{label} is too long ({len(cleaned)} characters). "
            f"Shorten it to {MAX_NAME_LENGTH} characters or fewer.",
        )
    # Control codes (category Cc: tabs, line breaks, C0 and C1) and lone surrogates, pasted
    # from elsewhere. Format characters (Cf, e.g. the zero-width non-joiner) are kept: some
    # scripts need them; but not the direction overrides, which only disguise the name.
    if _CONTROL.search(cleaned) or _LINE_BREAK.search(cleaned):
        raise ValidationError(
            field,
            f"{label} contains a line break, tab or other hidden character. Retype the name.",
        )
    _check_characters(field, cleaned, label)
    if not any(unicodedata.category(ch).startswith("L") for ch in cleaned):
        raise ValidationError(field, f"{label} must contain at least one letter.")
    # The search key spells some letters out ("ß" -> "ss", "ﷺ" -> 18 letters): it must fit too.
    if not cleaned.isascii() and len(normalize_for_search(cleaned)) > MAX_NAME_LENGTH:
        raise ValidationError(
            field,
            f"{label} is too long once spelled out for searching. "
            f"Shorten it to fewer than {MAX_NAME_LENGTH} letters.",
        )
    return cleaned


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def validate_date_of_birth(value: date, today: date) -> date:
    if value > today:
        raise ValidationError(
            "date_of_birth",
            f"Date of birth {format_date(value)} is in the future. Check the year.",
        )
    if value < _years_before(today, MAX_AGE_YEARS):
        raise ValidationError(
            "date_of_birth",
            f"Date of birth {format_date(value)} is more than {MAX_AGE_YEARS} years ago. "
            "Check the year.",
        )
    return value


def _score_in_range(field: str, value: int | None, low: int, high: int, what: str) -> int | None:
    if value is None:
        return None
    # bool is an int subclass; a checkbox value here is a bug upstream, not a score.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            field, f"{what} must be a whole number from {low} to {high}; {value!r} is not."
        )
    return value


def validate_nprs(field: str, value: int | None) -> int | None:
    return _score_in_range(field, value, 0, 10, "A pain rating (0 = no pain, 10 = worst)")


def validate_oswestry_section(field: str, value: int | None) -> int | None:
    return _score_in_range(field, value, 0, 5, "An Oswestry section score")


def validate_psfs_score(field: str, value: int | None) -> int | None:
    return _score_in_range(field, value, 0, 10, "An activity score (0 = unable, 10 = as before)")


def validate_target_date(field: str, start: date, target: date) -> date:
    if target <= start:
        raise ValidationError(
            field,
            f"The target date {format_date(target)} must be after the start date "
            f"{format_date(start)}.",
        )
    return target


def validate_certification_period(start: date, end: date) -> tuple[date, date]:
    """The start day counts as day 1, so the last allowed end date is start + 89 days."""
    if end <= start:
        raise ValidationError(
            "certification_end",
            f"The certification end date {format_date(end)} must be after the start date "
            f"{format_date(start)}.",
        )
    last_allowed = start + timedelta(days=MAX_CERTIFICATION_DAYS - 1)
    if end > last_allowed:
        raise ValidationError(
            "certification_end",
            f"A certification covers at most {MAX_CERTIFICATION_DAYS} days, counting the start "
            f"day. Choose an end date on or before {format_date(last_allowed)}, "
            "then recertify for the time after it.",
        )
    return start, end


def validate_email(field: str, value: str | None) -> str | None:
    """Syntax only (email-validator, no network: only a sent message proves an address
    works); internationalized addresses (josé@bücher.de, user@例え.jp) are welcome.
    Kept as typed."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    _check_length(field, cleaned, "Email", MAX_EMAIL_LENGTH)
    if not _valid_email(cleaned):
        raise ValidationError(
            field,
            f"{cleaned} does not look like an email address. "
            "Check it has one @, a domain such as example.com, and no spaces.",
        )
    return cleaned


def _valid_email(address: str) -> bool:
    """email-validator's verdict. A plain ASCII address (the usual case, a hundred thousand
    times in an import) is judged in two halves: the part before the @ by the dot-atom rule
    email-validator itself applies to it, the domain by email-validator once per domain (its
    IDNA checks cost about a millisecond an address)."""
    local, at, domain = address.rpartition("@")
    if at and address.isascii() and DOT_ATOM_TEXT.match(local):
        return _valid_email_domain(domain)
    return _email_validator_accepts(address)


@lru_cache(maxsize=4096)
def _valid_email_domain(domain: str) -> bool:
    return _email_validator_accepts("a@" + domain)


login_memory.forget_at_log_out(_valid_email_domain.cache_clear)  # patients' mail domains


def _email_validator_accepts(address: str) -> bool:
    try:
        email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return True


def phone_digits(text: str) -> str:
    """Only the digits, as ASCII (digits typed on other keyboards count too)."""
    if text.isascii():  # the usual case, a hundred thousand times in an import: fast path
        return _NOT_DIGIT.sub("", text)
    return phones.digits(text)


def validate_phone(
    field: str, value: str | None, region: str = phones.DEFAULT_REGION
) -> str | None:
    """Kept as typed (people read it back) once it is a real number of the clinic's region
    (or of its own country, after "+"); phones.parse gives its E.164 form too."""
    found = phones.parse(field, value, region)
    return found.as_typed if found else None


def normalize_for_search(text: str) -> str:
    """A key that matches regardless of case, accents and spacing: "  José " -> "jose".

    Only the Latin/Greek/Cyrillic accent block (U+0300-U+036F) is dropped, so Japanese voicing
    marks survive; NFC afterwards recomposes kana and Hangul that NFKD took apart.
    """
    if text.isascii():  # nothing to fold or strip but case and spacing
        return " ".join(text.lower().split())
    folded = text.casefold().translate(_SEARCH_LETTERS)
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if not "\u0300" <= ch <= "\u036f")
    # Compatibility forms can decompose to capitals (Roman numeral "Ⅻ" -> "XII"): fold again.
    recomposed = unicodedata.normalize("NFC", stripped).casefold()
    return " ".join(recomposed.split())


def in_range(field: str, value: int | None, low: int, high: int, label: str) -> int | None:
    if value is not None and not low <= value <= high:
        raise ValidationError(field, f"{label} must be between {low} and {high}.")
    return value
