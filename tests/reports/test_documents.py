"""The three documents read back with pypdf: what they must say, in every script, with every
font embedded, the same bytes for the same input, and the PDF's metadata."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from casemanager.reports import fonts, plan_of_care, referral_letter, take_home, wording
from casemanager.reports.data import EvaluationSnapshot
from tests.reports.conftest import NAMES, make_snapshot


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Every font used on every page -> whether its program is embedded in the file."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return found


def test_take_home_plan_says_what_it_must(snapshot: EvaluationSnapshot) -> None:
    text = _text(take_home.render(snapshot, invariant=True))
    flat = " ".join(text.split())
    for expected in (
        "Your back care plan",
        "Eun-ji Park",
        "Ana Rivera, PT",
        "most likely started when you lifted something heavy",  # the cause in plain words
        "weak belly muscles",  # a contributing cause
        "Sit 30 minutes at work",
        "Physical therapy",
        "2 times a week for about 6 weeks",
        "Talk to your doctor about medicine",
        "Dr. Helen Brooks",
        "This is urgent",
        "Bridge",
        "2 sets of 10",
        "Wall sit",
        "hold 20 seconds",
        "once a day",
        "Heat and ice",
        "15 minutes at a time, 2 times a day",
        "Muscle relaxants can ease strong spasms",
        "talk with your doctor or pharmacist",
        "Go to the emergency room or call 911",
        "numbness between your legs",
        "Call us or your doctor within a day or two",
        "(631) 555-0100",
    ):
        assert expected in flat, expected
    assert "Page 1 of" in flat and "Printed November 27, 2026" in flat
    # The appointment, 14:30 UTC, shows in this machine's local time.
    assert "November 24, 2026 at" in flat


def test_spanish_plan_uses_the_catalog_and_translated_exercises(
    snapshot: EvaluationSnapshot,
) -> None:
    flat = " ".join(_text(take_home.render(snapshot, language="es", invariant=True)).split())
    for expected in (
        "Su plan de cuidado para la espalda",
        "Lo que encontramos",
        "Puente",  # the starter exercise in Spanish
        "2 series de 10",
        "Wall sit",  # the clinic's own exercise keeps its own wording
        "Vaya a la sala de emergencias o llame al 911",
        "Página 1 de",
        "Impreso el 27 de noviembre de 2026",
    ):
        assert expected in flat, expected
    assert "Your back care plan" not in flat


@pytest.mark.parametrize("script", list(NAMES))
def test_names_in_every_script_print_with_embedded_fonts(script: str) -> None:
    given, family = NAMES[script]
    snapshot = make_snapshot(given, family)
    assert fonts.missing_glyphs(given + family) == set()
    for pdf in (
        take_home.render(snapshot, invariant=True),
        plan_of_care.render(snapshot, invariant=True),
        referral_letter.render(snapshot, invariant=True),
    ):
        text = _text(pdf)
        assert family in text and given in text
        used = _fonts(pdf)
        assert used and all(used.values()), used  # every font embedded
        assert not any("Helvetica" in name for name in used)


def test_markup_characters_print_as_typed() -> None:
    snapshot = make_snapshot("<b>Ann</b>", "O'Neil & Sons")
    flat = _text(take_home.render(snapshot, invariant=True))
    assert "<b>Ann</b> O'Neil & Sons" in flat


def test_same_input_same_bytes(snapshot: EvaluationSnapshot) -> None:
    assert take_home.render(snapshot, invariant=True) == take_home.render(snapshot, invariant=True)
    assert plan_of_care.render(snapshot, invariant=True) == plan_of_care.render(
        snapshot, invariant=True
    )


def test_metadata(snapshot: EvaluationSnapshot) -> None:
    reader = PdfReader(io.BytesIO(take_home.render(snapshot, language="es", invariant=True)))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Su plan de cuidado para la espalda: Eun-ji Park"
    assert meta.author == "Ana Rivera, PT"
    assert meta.subject == "Harbor Spine & Sport PT, 20 de noviembre de 2026"
    assert reader.trailer["/Root"]["/Lang"] == "es"


def test_large_print_is_larger(snapshot: EvaluationSnapshot) -> None:
    normal = PdfReader(io.BytesIO(take_home.render(snapshot, invariant=True)))
    large = PdfReader(io.BytesIO(take_home.render(snapshot, large_print=True, invariant=True)))
    assert len(large.pages) > len(normal.pages)


def test_plan_of_care_and_referral_letter(snapshot: EvaluationSnapshot) -> None:
    care = " ".join(_text(plan_of_care.render(snapshot, invariant=True)).split())
    for expected in (
        "Physical therapy plan of care",
        "S39.012A",
        "Muscle spasm of back",
        "53.3% (severe disability)",
        "high risk",
        "28 of 28 items asked; none positive",
        "2x per week for 6 weeks",
        "Therapeutic exercise (97110)",
        "Lift 10 kg from floor to waist",
        "November 20, 2026 to January 19, 2027",
        "Electronically signed by Ana Rivera, PT, licence PT-1001",
        "Physician certification",
        "NPI",
    ):
        assert expected in care, expected
    letter = " ".join(_text(referral_letter.render(snapshot, invariant=True)).split())
    for expected in (
        "To: Dr. Helen Brooks (primary care)",
        "Re: Eun-ji Park, born June 1, 1980, MRN 12345674",
        "URGENT REFERRAL",
        "Reason for referral: Spasm stopping sleep",
        "Sincerely,",
    ):
        assert expected in letter, expected


def test_every_language_has_every_text() -> None:
    def keys(data: dict[str, object], prefix: str = "") -> set[str]:
        found = set()
        for key, value in data.items():
            if isinstance(value, dict) and key != "exercises":
                found |= keys(value, f"{prefix}{key}.")
            else:
                found.add(prefix + key)
        return found

    english = keys(wording.load("en"))
    for code in wording.languages():
        assert keys(wording.load(code)) == english, code
    # Each file is valid UTF-8 JSON a clinic can copy to add a language.
    for path in Path(wording.TEXT_DIR).glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


def test_after_discharge_the_plan_says_treatment_is_complete(
    snapshot: EvaluationSnapshot,
) -> None:
    from dataclasses import replace as swap

    flat = " ".join(_text(take_home.render(swap(snapshot, episode_open=False))).split())
    assert "Your treatment with us is complete" in flat
    assert "Call us to book your next visit" not in flat


def test_times_do_not_depend_on_the_system_locale(snapshot: EvaluationSnapshot) -> None:
    assert snapshot.plan is not None and snapshot.plan.next_appointment is not None
    local = snapshot.plan.next_appointment.astimezone()
    twelve = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    assert twelve in _text(take_home.render(snapshot, invariant=True))
    assert f"{local.hour:02d}:{local.minute:02d}" in _text(
        take_home.render(snapshot, language="es", invariant=True)
    )
