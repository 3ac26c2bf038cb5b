"""When the back pain began, as a person says it: "3 days ago", "2 weeks ago", "yesterday",
"hace un mes", or a date. Pure: the caller gives today's date.

Therapists type the onset as the patient tells it, and the patient intake asks it in plain
words in English or Spanish, so both languages are read whatever the form's language; the
message for what cannot be read is in the language given.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from casemanager.domain.errors import ValidationError
from casemanager.domain.validation import format_date

FIELD = "onset_date"
MAX_YEARS_AGO = 100

_NUMBER_WORDS = {
    # English
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a couple of": 2, "couple of": 2,
    # Spanish (accents are removed before matching)
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12,
    "un par de": 2,
}  # fmt: skip

_UNITS = {
    "day": "days", "days": "days", "dia": "days", "dias": "days",
    "week": "weeks", "weeks": "weeks", "semana": "weeks", "semanas": "weeks",
    "month": "months", "months": "months", "mes": "months", "meses": "months",
    "year": "years", "years": "years", "ano": "years", "anos": "years",
}  # fmt: skip

_SAME_DAY = {
    "today": 0, "this morning": 0, "tonight": 0, "hoy": 0, "esta manana": 0,
    "yesterday": 1, "last night": 1, "ayer": 1, "anoche": 1,
    "the day before yesterday": 2, "day before yesterday": 2, "anteayer": 2, "antier": 2,
    "antes de ayer": 2,
}  # fmt: skip

_LAST = {
    "last week": ("weeks", 1), "la semana pasada": ("weeks", 1),
    "last month": ("months", 1), "el mes pasado": ("months", 1),
    "last year": ("years", 1), "el ano pasado": ("years", 1),
}  # fmt: skip

_NUMBER = (
    r"(\d{1,3}|"
    + "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
    + ")"
)
_UNIT = "(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + ")"
# "3 days ago", "3 days", "about 2 weeks ago"; "hace 3 dias", "hace unas 2 semanas".
_ENGLISH = re.compile(rf"^(?:about |around |roughly )?{_NUMBER} {_UNIT}(?: ago)?$")
_SPANISH = re.compile(rf"^hace (?:unos |unas |como |mas o menos )?{_NUMBER} {_UNIT}$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _plain(text: str) -> str:
    """Lower case, accents and final punctuation removed, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.strip().rstrip(".!").split())


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, or that month's last day (31 March less
    one month is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("every month has at least 28 days")


def _ago(today: date, unit: str, count: int) -> date:
    if unit == "days":
        return today - timedelta(days=count)
    if unit == "weeks":
        return today - timedelta(weeks=count)
    if unit == "months":
        return months_before(today, count)
    return months_before(today, 12 * count)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _unreadable(text: str, language: str) -> ValidationError:
    if language == "es":
        return ValidationError(
            FIELD,
            f'No entendimos "{text}" como fecha. Escriba la fecha (MM/DD/AAAA) o cuánto '
            'tiempo hace, por ejemplo "hace 3 días", "hace 2 semanas", "ayer" u "hoy".',
        )
    return ValidationError(
        FIELD,
        f'"{text}" cannot be read as an onset date. Type a date (MM/DD/YYYY) or how long '
        'ago it began, such as "3 days ago", "2 weeks ago", "a month ago", "yesterday" or '
        '"today".',
    )


def _explicit_date(plain: str) -> date | None:
    us = _US_DATE.match(plain)
    iso = _ISO_DATE.match(plain)
    if us is None and iso is None:
        return None
    try:
        if us is not None:
            return date(int(us[3]), int(us[1]), int(us[2]))
        assert iso is not None
        return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        return None


def parse_onset(text: str, today: date, language: str = "en") -> date:
    """The onset date `text` describes, counted back from `today`. Raises ValidationError
    (field "onset_date") saying what can be typed, in `language` ("en" or "es")."""
    plain = _plain(text)
    if not plain:
        raise _unreadable(text, language)
    found: date | None
    if plain in _SAME_DAY:
        found = today - timedelta(days=_SAME_DAY[plain])
    elif plain in _LAST:
        unit, count = _LAST[plain]
        found = _ago(today, unit, count)
    else:
        found = _explicit_date(plain)
        if found is None:
            match = _ENGLISH.match(plain) or _SPANISH.match(plain)
            if match is None:
                raise _unreadable(text, language)
            found = _ago(today, _UNITS[match[2]], _count(match[1]))
    if found > today:
        if language == "es":
            message = f"La fecha {format_date(found)} es posterior a hoy. Revise el año."
        else:
            message = f"Onset {format_date(found)} is in the future. Check the year."
        raise ValidationError(FIELD, message)
    if found < months_before(today, 12 * MAX_YEARS_AGO):
        if language == "es":
            message = f"La fecha {format_date(found)} es de hace más de 100 años. Revísela."
        else:
            message = f"Onset {format_date(found)} is over {MAX_YEARS_AGO} years ago. Check it."
        raise ValidationError(FIELD, message)
    return found
