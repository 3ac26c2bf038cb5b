"""Phone numbers, read by Google's libphonenumber (the `phonenumbers` package).

A number is read in the clinic's region (US unless the clinic says otherwise); one that starts
with "+" carries its own country code. People read the number back as it was typed, so that
is kept; the E.164 form ("+16315550100") sits beside it for search and for other systems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from babel import Locale
from phonenumbers import NumberParseException, ValidationResult

from casemanager.domain import field_limits, login_memory
from casemanager.domain.errors import ValidationError

DEFAULT_REGION = "US"
MAX_TYPED_LENGTH = field_limits.PHONE  # the column that keeps the number as typed

# Letters would be read as a vanity number ("1-800-FLOWERS") and "ext." would be dropped from
# the E.164 form: a patient's number is digits and the usual separators only.
_SYMBOLS = frozenset(" +()-.")
_TYPED_ASCII = re.compile(r"[0-9 +().-]+")  # the same rule, for the usual typing (fast)


@dataclass(frozen=True)
class PhoneNumber:
    as_typed: str  # what people read back
    e164: str  # "+16315550100": for search and for other systems


def regions() -> dict[str, str]:
    """Region code -> its English name, for the clinic's setting, in name order."""
    names = {code: region_name(code) for code in phonenumbers.SUPPORTED_REGIONS}
    return dict(sorted(names.items(), key=lambda item: item[1]))


def region_name(region: str) -> str:
    name: str = Locale("en").territories.get(region, region)
    return name


def validate_region(field: str, value: str | None) -> str:
    """A region libphonenumber knows (blank means the default, US)."""
    code = (value or "").strip().upper() or DEFAULT_REGION
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            field,
            f"{value!r} is not a region phone numbers can be read for. Use a two-letter "
            "country or territory code such as US, PR, CA or MX.",
        )
    return code


def digits(text: str) -> str:
    """Only the digits, as ASCII (digits typed on other keyboards count too)."""
    found: str = phonenumbers.normalize_digits_only(text)
    return found


def parse(field: str, value: str | None, region: str = DEFAULT_REGION) -> PhoneNumber | None:
    """The number as typed and as E.164; blank is None; anything else not a real number of
    its region raises ValidationError saying what is wrong."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_TYPED_LENGTH:
        raise ValidationError(
            field,
            f"Phone number is too long ({len(cleaned)} characters). "
            f"Shorten it to {MAX_TYPED_LENGTH} characters or fewer.",
        )
    if not (
        _TYPED_ASCII.fullmatch(cleaned)
        if cleaned.isascii()
        else all(ch.isdecimal() or ch in _SYMBOLS for ch in cleaned)
    ):
        raise ValidationError(
            field,
            f"Phone number {cleaned} has a character that is not allowed. "
            "Use digits, spaces and + ( ) - . only.",
        )
    found = _read(cleaned, region)
    if isinstance(found, str):
        raise ValidationError(field, found)
    return found


# Reading a number costs about 70 µs; an import checks each number, then stores its E.164
# form, so the latest readings are kept (valid or not, the answer depends on nothing else).
@lru_cache(maxsize=4096)
def _read(cleaned: str, region: str) -> PhoneNumber | str:
    """The number, or the message that says what is wrong with it."""
    try:
        number = phonenumbers.parse(cleaned, region)
    except NumberParseException as error:
        return _unreadable(cleaned, error)
    kind = _kind(number, region)
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY and cleaned.startswith("+"):
        reason = ValidationResult.TOO_SHORT  # after a country code, an area code is expected
    problem = {
        ValidationResult.TOO_SHORT: f"is too short for {kind}. Check for a missing digit.",
        ValidationResult.TOO_LONG: f"is too long for {kind}. Check for an extra digit.",
        ValidationResult.INVALID_LENGTH: (
            f"has the wrong number of digits for {kind}. Check for a missing or extra digit."
        ),
        ValidationResult.IS_POSSIBLE_LOCAL_ONLY: (
            f"has no area code. Add the area code: {kind} without it is only a local number."
        ),
        ValidationResult.INVALID_COUNTRY_CODE: (
            f"starts with +{number.country_code}, which is not a country code. "
            "Check the digits after +."
        ),
    }.get(reason)
    if problem is None and not phonenumbers.is_valid_number(number):
        problem = f"is not {kind} in use. Check the area code and the number."
    if problem is not None:
        return f"Phone number {cleaned} {problem}"
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneNumber(cleaned, e164)


login_memory.forget_at_log_out(_read.cache_clear)  # patients' numbers, read this login


def e164_or_none(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of a number that is valid, else None (numbers kept from before they
    were checked, a search box entry)."""
    try:
        found = parse("phone", value, region)
    except ValidationError:
        return None
    return found.e164 if found else None


def for_people(value: str | None) -> str | None:
    """A number that came from another system, set out for people to read: E.164
    "+16315550142" becomes "+1 631-555-0142". Anything else is left as it came."""
    if not value or not value.strip().startswith("+"):
        return value
    try:
        number = phonenumbers.parse(value, None)
    except NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    readable: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return readable


def _kind(number: phonenumbers.PhoneNumber, region: str) -> str:
    """'a US number', or the country the number's own code belongs to."""
    code = number.country_code or 0
    own = phonenumbers.region_code_for_country_code(code)
    if own in ("ZZ", "001"):  # no country, or a non-geographic service
        return f"a number with country code +{code}"
    if own == "US" and region == "US":
        return "a US number"
    if code == phonenumbers.country_code_for_region(region):
        own = region  # +1 is shared: a Puerto Rico clinic reads its numbers as Puerto Rico's
    return f"a {own} number ({region_name(own)}, +{code})"


def _unreadable(cleaned: str, error: NumberParseException) -> str:
    if error.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        return (
            f"Phone number {cleaned} does not start with a country code after +. "
            "Check the digits after +, or leave out the + for a local number."
        )
    if error.error_type in (
        NumberParseException.TOO_SHORT_NSN,
        NumberParseException.TOO_SHORT_AFTER_IDD,
    ):
        return f"Phone number {cleaned} is too short. Check for a missing digit."
    if error.error_type == NumberParseException.TOO_LONG:
        return f"Phone number {cleaned} is too long. Check for an extra digit."
    return f"{cleaned} does not look like a phone number. Type the digits of the number."
