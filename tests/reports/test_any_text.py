"""Property-based: any text the data model accepts renders, whatever its script, length or
markup, and reads back from the PDF."""

from __future__ import annotations

import io
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from casemanager.domain.plan import GoalContent
from casemanager.reports import fonts, plan_of_care, take_home
from tests.reports.conftest import make_snapshot

# What a form can hold: printable characters of every script, no control characters
# (services refuse those), markup characters included on purpose.
PRINTABLE = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn"), blacklist_characters="\u2028\u2029"
)
TEXT = st.text(PRINTABLE, min_size=1, max_size=80).filter(lambda t: t.strip() != "")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(given_name=TEXT, family=TEXT, goal=TEXT, note=st.text(PRINTABLE, max_size=300))
def test_any_name_goal_and_note_renders(given_name: str, family: str, goal: str, note: str) -> None:
    base = make_snapshot(given_name, family)
    assert base.plan is not None
    content = base.content.__class__(**{**base.content.__dict__, "cause_note": note or None})
    plan = base.plan.__class__(
        **{**base.plan.__dict__, "goals": (GoalContent(base.plan.goals[0].term, goal),)}
    )
    snapshot = make_snapshot(given_name, family, content=content, plan=plan)
    pdf = take_home.render(snapshot, invariant=True)
    assert PdfReader(io.BytesIO(pdf)).pages
    plan_of_care.render(snapshot, invariant=True)


@settings(max_examples=5, deadline=None)
@given(
    word=st.text(
        st.sampled_from("abcdefghijklmnopqrstuvwxyz王김Ж<&>"), min_size=2000, max_size=3000
    )
)
def test_a_very_long_word_wraps_instead_of_failing(word: str) -> None:
    snapshot = make_snapshot("Ann", word[:100])
    base = snapshot.plan
    assert base is not None
    plan = base.__class__(**{**base.__dict__, "goals": (GoalContent(base.goals[0].term, word),)})
    pdf = take_home.render(make_snapshot("Ann", "Lee", plan=plan), invariant=True)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1


def test_a_ten_thousand_character_note_prints_whole() -> None:
    note = ("Sentence with <markup> & symbols, and Tiếng Việt, 中文, 한국어. " * 200)[:10_000]
    snapshot = make_snapshot()
    content = snapshot.content.__class__(**{**snapshot.content.__dict__, "assessment_note": note})
    pdf = plan_of_care.render(make_snapshot(content=content), invariant=True)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert text.replace("\n", " ").count("Sentence with <markup> & symbols") >= 150
    assert fonts.missing_glyphs(note) == set()


def test_long_exercise_instructions_break_across_pages() -> None:
    snapshot = make_snapshot()
    long = replace(snapshot.exercises[1], instructions="Step by careful step. " * 180)
    pdf = take_home.render(make_snapshot(exercises=(long,)), invariant=True)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert text.replace("\n", " ").count("Step by careful step.") >= 170


def test_large_print_with_long_steps_and_goals_lays_out() -> None:
    snapshot = make_snapshot()
    steps = "\n".join(
        f"{n}. Move slowly and breathe out as you go, then rest." for n in range(1, 16)
    )
    exercise = replace(snapshot.exercises[0], instructions=steps, is_starter_text=False)
    assert snapshot.plan is not None
    goal = GoalContent(snapshot.plan.goals[0].term, "Walk to the shops and back. " * 35)
    plan = replace(snapshot.plan, goals=(goal,))
    big = make_snapshot(exercises=(exercise,), plan=plan)
    pdf = take_home.render(big, large_print=True, invariant=True)
    assert "15. Move slowly" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert plan_of_care.render(big, invariant=True)
