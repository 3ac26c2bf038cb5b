"""Dates and times as documents print them: in words, in the document's language, so that a
date cannot be misread in another country ("December 6, 2026", "6 de diciembre de 2026";
never 12/06/2026, which is June in most of the world). Babel holds each language's own way
(CLDR). The app's screens keep the short form of their locale; this is for paper."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

UNKNOWN = "—"


@cache
def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


def day(value: date | None, language: str = "en") -> str:
    """'December 6, 2026' / '6 de diciembre de 2026'; a dash when unknown. A language Babel
    does not know prints the ISO form (2026-12-06), which no reader takes for another day."""
    if value is None:
        return UNKNOWN
    locale = _locale(language)
    if locale is None:
        return value.isoformat()
    text: str = format_date(value, format="long", locale=locale)
    return text


def time_of_day(moment: datetime, language: str = "en") -> str:
    """'2:30 PM' / '14:30': the clock the language's readers use."""
    locale = _locale(language)
    if locale is None:
        return moment.time().isoformat(timespec="minutes")
    # CLDR puts a narrow no-break space before AM/PM; a plain one prints in every font.
    text: str = format_time(moment, format="short", locale=locale)
    return text.replace("\u202f", " ")


def day_and_time(moment: datetime, language: str = "en") -> str:
    """'December 6, 2026, 2:30 PM' in the language's own order and punctuation."""
    return f"{day(moment.date(), language)}, {time_of_day(moment, language)}"
