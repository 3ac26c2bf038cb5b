"""Every document prints its dates in words, in its own language (Babel), read back from the
rendered PDFs: nothing like 12/06/2026, which reads as June in most of the world."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from casemanager.domain.caseload import CaseloadFilter, Dashboard, Totals
from casemanager.domain.enums import Cause
from casemanager.reports import caseload_report, dates, plan_of_care, referral_letter, take_home
from casemanager.reports.data import EvaluationSnapshot
from tests.reports.conftest import make_snapshot

# Any day written with digits only: 12/06/2026, 06.12.26, 2026-12-06.
NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b")
DAY = date(2026, 12, 6)


def _flat(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def december() -> EvaluationSnapshot:
    base = make_snapshot()
    assert base.plan is not None
    plan = replace(base.plan, next_appointment=datetime(2026, 12, 9, 15, 0, tzinfo=UTC))
    return replace(
        base,
        evaluation_date=DAY,
        printed_on=DAY,
        patient=replace(base.patient, date_of_birth=date(1980, 3, 4)),
        signed_at=datetime(2026, 12, 6, 17, 30, tzinfo=UTC),
        plan=plan,
    )


def test_the_take_home_plan_in_english_and_spanish(december: EvaluationSnapshot) -> None:
    english = _flat(take_home.render(december, invariant=True))
    assert "Printed December 6, 2026" in english
    assert "March 4, 1980" in english  # date of birth in the header
    assert "December 9, 2026 at" in english  # the next visit (local time: no day shift at 15 UTC)
    spanish = _flat(take_home.render(december, language="es", invariant=True))
    assert "Impreso el 6 de diciembre de 2026" in spanish
    assert "4 de marzo de 1980" in spanish
    assert "9 de diciembre de 2026" in spanish
    assert "December" not in spanish
    for text in (english, spanish):
        assert NUMERIC_DATE.search(text) is None, NUMERIC_DATE.search(text)


def test_the_clinician_documents(december: EvaluationSnapshot) -> None:
    care = _flat(plan_of_care.render(december, invariant=True))
    assert "Printed December 6, 2026" in care
    assert "DOB March 4, 1980" in care
    signed = december.signed_at
    assert signed is not None
    assert f"on {dates.day_and_time(signed.astimezone())}." in care
    letter = _flat(referral_letter.render(december, invariant=True))
    assert "born March 4, 1980" in letter and "on December 6, 2026 for" in letter
    for text in (care, letter):
        assert NUMERIC_DATE.search(text) is None, NUMERIC_DATE.search(text)


def test_the_caseload_report() -> None:
    board = Dashboard(
        filter=CaseloadFilter(date(2026, 9, 7), DAY, cause=Cause.HEAVY_LIFTING),
        today=DAY,
        totals=Totals(3, 1, 1, 20, 9),
        therapists=(),
        causes=(),
        paths=(),
        outcomes_by_therapist=(),
        outcomes_by_cause=(),
        worklist=(),
        filter_words="09/07/2026 to 12/06/2026 · Heavy lifting",  # the screen's short form
        filter_choices=("Heavy lifting",),
    )
    text = _flat(caseload_report.render(board, "Harbor PT", "Pat Manager", invariant=True))
    assert "September 7, 2026 to December 6, 2026 · Heavy lifting" in text
    assert "Printed December 6, 2026 by Pat Manager" in text
    assert "as of December 6, 2026" in text
    assert NUMERIC_DATE.search(text) is None, NUMERIC_DATE.search(text)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "December 6, 2026"),
        ("es", "6 de diciembre de 2026"),
        ("de", "6. Dezember 2026"),  # a language a clinic adds is written its own way
        ("pt-BR", "6 de dezembro de 2026"),
        ("tlh", "2026-12-06"),  # Babel does not know it: ISO, which no one misreads
    ],
)
def test_a_day_in_each_language(language: str, expected: str) -> None:
    assert dates.day(DAY, language) == expected
    assert dates.day(None, language) == "—"


def test_clock_times_follow_the_language() -> None:
    moment = datetime(2026, 12, 6, 14, 5)
    assert dates.time_of_day(moment, "en") == "2:05 PM"
    assert dates.time_of_day(moment, "es") == "14:05"
    assert dates.day_and_time(moment, "en") == "December 6, 2026, 2:05 PM"
