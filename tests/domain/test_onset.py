"""The onset typed as a person says it, in English or Spanish."""

from __future__ import annotations

from datetime import date

import pytest

from casemanager.domain.errors import ValidationError
from casemanager.domain.onset import months_before, parse_onset

TODAY = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 3, 31)),
        ("Yesterday", date(2026, 3, 30)),
        ("the day before yesterday", date(2026, 3, 29)),
        ("3 days ago", date(2026, 3, 28)),
        ("3 days", date(2026, 3, 28)),
        ("2 weeks ago", date(2026, 3, 17)),
        ("two weeks ago.", date(2026, 3, 17)),
        ("a week ago", date(2026, 3, 24)),
        ("about 10 days ago", date(2026, 3, 21)),
        ("a couple of weeks ago", date(2026, 3, 17)),
        ("a month ago", date(2026, 2, 28)),  # 31 March less a month: the end of February
        ("6 months ago", date(2025, 9, 30)),
        ("a year ago", date(2025, 3, 31)),
        ("last week", date(2026, 3, 24)),
        ("  3   DAYS   ago ", date(2026, 3, 28)),
        ("03/14/2026", date(2026, 3, 14)),
        ("2026-03-14", date(2026, 3, 14)),
        # Spanish, accents or not
        ("hoy", date(2026, 3, 31)),
        ("ayer", date(2026, 3, 30)),
        ("anteayer", date(2026, 3, 29)),
        ("hace 3 días", date(2026, 3, 28)),
        ("hace 3 dias", date(2026, 3, 28)),
        ("hace dos semanas", date(2026, 3, 17)),
        ("Hace un mes", date(2026, 2, 28)),
        ("hace unas 2 semanas", date(2026, 3, 17)),
        ("hace un año", date(2025, 3, 31)),
        ("la semana pasada", date(2026, 3, 24)),
    ],
)
def test_readable_onsets(text: str, expected: date) -> None:
    assert parse_onset(text, TODAY) == expected


@pytest.mark.parametrize("text", ["soon", "3 fortnights ago", "", "13/45/2026", "in 2 weeks"])
def test_unreadable_onset_says_what_to_type(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_onset(text, TODAY)
    assert refused.value.field == "onset_date"
    assert '"3 days ago"' in refused.value.message and "MM/DD/YYYY" in refused.value.message


def test_spanish_message_for_the_spanish_intake() -> None:
    with pytest.raises(ValidationError, match='"hace 3 días"'):
        parse_onset("pronto", TODAY, "es")


def test_future_and_ancient_dates_are_refused() -> None:
    with pytest.raises(ValidationError, match="in the future"):
        parse_onset("04/02/2026", TODAY)
    with pytest.raises(ValidationError, match="over 100 years"):
        parse_onset("200 years ago", TODAY)


def test_months_before_keeps_the_day_or_the_month_end() -> None:
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 2) == date(2025, 11, 15)
    assert months_before(date(2026, 5, 31), 13) == date(2025, 4, 30)
