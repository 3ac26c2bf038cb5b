"""A section heading is never left alone at the foot of a page: it goes over with what it
heads, also when that is a block kept together (an exercise, a treatment path)."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.platypus import KeepTogether, Spacer

from casemanager.reports import page, take_home
from tests.reports.conftest import make_snapshot


def test_the_exercises_heading_is_on_the_page_of_the_first_exercise() -> None:
    # This patient's plan fills page 1 to just above the exercises (an orphan on the old main).
    snapshot = make_snapshot("José Ángel", "Muñoz")
    pdf = take_home.render(snapshot, "es", False, invariant=True)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    (with_heading,) = [i for i, text in enumerate(pages) if "Sus ejercicios en casa" in text]
    assert "Puente" in pages[with_heading]


def test_a_heading_joins_the_block_after_it_and_nothing_else() -> None:
    look = page.styles()
    heading = page.para("Your home exercises", look.heading)
    body = page.para("Walk a little every day.", look.body)
    block = KeepTogether([Spacer(10, 10)])
    story = page.headings_kept_with_next([heading, block, body, block])
    assert len(story) == 3 and story[1:] == [body, block]
    assert isinstance(story[0], KeepTogether) and story[0]._content[0] is heading
