"""Documents of a red-flag patient, read back with pypdf: the take-home sheet says only what
to do now while a doctor must see them first, every document prints the referral as it
stands on the day it is printed, and the Spanish sheet names people and specialties in
Spanish."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from casemanager.domain import catalogs
from casemanager.domain.enums import (
    GoalTerm,
    RedFlagAction,
    RedFlagAnswer,
    ReferralKind,
    ReferralStatus,
    Urgency,
)
from casemanager.domain.evaluation import RedFlagEntry
from casemanager.domain.plan import GoalContent
from casemanager.reports import plan_of_care, referral_letter, take_home
from casemanager.reports.data import EvaluationSnapshot, ReferralInfo
from tests.reports.conftest import DAY, make_snapshot

SEEN = date(2026, 11, 23)


def _flat(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def _flagged(
    urgency: Urgency = Urgency.EMERGENCY,
    status: ReferralStatus = ReferralStatus.SENT,
    **closed: object,
) -> EvaluationSnapshot:
    """Saddle numbness and bladder change: cauda equina referred, as it stands today."""
    base = make_snapshot()
    flags = tuple(
        RedFlagEntry(e.code, RedFlagAnswer.YES, RedFlagAction.EMERGENCY)
        if e.code in ("saddle_numbness", "bladder_bowel_change")
        else e
        for e in base.content.red_flags
    )
    referral = ReferralInfo(
        9,
        ReferralKind.RED_FLAG,
        "Emergency department" if urgency == Urgency.EMERGENCY else "Dr. Helen Brooks",
        "emergency medicine",
        "Suspected cauda equina syndrome. Findings: saddle numbness or tingling; new bladder "
        "or bowel dysfunction.",
        urgency,
        DAY,
        status=status,
        red_flag_code="saddle_numbness",
        **closed,  # type: ignore[arg-type]
    )
    return replace(
        base,
        content=replace(base.content, red_flags=flags),
        referrals=(*base.referrals, referral),
        red_flag_referrals=(referral,),
    )


@pytest.mark.parametrize("urgency", [Urgency.EMERGENCY, Urgency.URGENT])
def test_while_a_doctor_must_see_them_the_sheet_says_only_what_to_do_now(
    urgency: Urgency,
) -> None:
    flat = _flat(take_home.render(_flagged(urgency), invariant=True))
    if urgency == Urgency.EMERGENCY:
        assert "Go to the emergency room today" in flat
    else:
        assert "See Dr. Helen Brooks within the next day or two" in flat
    for expected in (
        "Tell the doctor you came from physical therapy with back pain, and that you have:",
        "numbness or tingling between your legs or around your bottom",
        "new trouble passing or holding urine or stool",
        "Take this sheet with you and show it to the doctor.",
        "Your therapy waits until a doctor has seen you",
        "Do not start any new exercises from us",
        "What to do now",
        "While you wait to be seen, call 911 or go to the emergency room at once if:",
        "(631) 555-0100",
    ):
        assert expected in flat, expected
    for absent in (
        "Your home exercises",
        "Bridge",
        "2 sets of 10",
        "times a week",  # the visit schedule
        "Your next appointment",
        "Keep moving",
        "It is safe to move",
        "Heat and ice",
        "Your goals",
        "Everyday tips",
    ):
        assert absent not in flat, absent


def test_the_waiting_sheet_in_spanish() -> None:
    flat = _flat(take_home.render(_flagged(Urgency.URGENT), language="es", invariant=True))
    assert "Vea al Dr. Helen Brooks en los próximos uno o dos días" in flat
    assert "Su terapia espera hasta que le vea un médico" in flat and "Qué hacer ahora" in flat
    assert "adormecimiento u hormigueo entre las piernas" in flat
    assert "Siga moviéndose" not in flat and "Sus ejercicios en casa" not in flat


def test_the_emergency_signs_include_new_sexual_dysfunction() -> None:
    flat = _flat(take_home.render(make_snapshot(), invariant=True))
    assert "new change in sexual function or feeling" in flat
    spanish = _flat(take_home.render(make_snapshot(), language="es", invariant=True))
    assert "cambio nuevo en su función o sensibilidad sexual" in spanish


def test_after_clearance_every_document_prints_the_current_state() -> None:
    cleared = _flagged(
        Urgency.EMERGENCY,
        ReferralStatus.CLOSED,
        seen_by="Dr. Omar Haddad",
        seen_on=SEEN,
        cleared_for_therapy=True,
    )
    sheet = _flat(take_home.render(cleared, invariant=True))
    assert (
        "Dr. Omar Haddad checked you on November 23, 2026 and said your therapy can go on." in sheet
    )
    assert "Your home exercises" in sheet and "Go to the emergency room today" not in sheet
    care = _flat(plan_of_care.render(cleared, invariant=True))
    assert (
        "Emergency (same day) referral to Emergency department on November 20, 2026: cleared for "
        "therapy by Dr. Omar Haddad on November 23, 2026" in care
    )
    assert "on hold" not in care.lower()
    letter = _flat(referral_letter.render(replace(cleared, referrals=cleared.referrals[-1:])))
    assert "Dr. Omar Haddad saw them on November 23, 2026 and cleared them to continue" in letter
    assert "on hold" not in letter


def test_before_clearance_the_plan_of_care_and_letter_say_therapy_is_on_hold() -> None:
    flagged = _flagged()
    care = _flat(plan_of_care.render(flagged, invariant=True))
    assert "awaiting assessment; therapy on hold" in care
    assert care.index("THERAPY ON HOLD") < care.index("Diagnoses")
    assert "POSITIVE red flag: saddle numbness or tingling (emergency referral (same day))" in care
    letter = _flat(referral_letter.render(replace(flagged, referrals=flagged.referrals[-1:])))
    assert "Findings: saddle numbness or tingling" in letter
    assert "Physical therapy is on hold until you have assessed them." in letter
    assert "?" not in letter.split("Findings:")[1].split(".")[0]


def test_the_plan_of_care_shows_a_lower_action_and_its_reason() -> None:
    base = make_snapshot()
    flags = tuple(
        RedFlagEntry(
            e.code,
            RedFlagAnswer.YES,
            RedFlagAction.URGENT,
            reason="Foot drop known for 10 years, unchanged on testing",
        )
        if e.code == "worsening_leg_weakness"
        else RedFlagEntry(e.code, RedFlagAnswer.YES, RedFlagAction.MONITOR, reason="Fit, active")
        if e.code == "age_over_70"
        else e
        for e in base.content.red_flags
    )
    care = _flat(plan_of_care.render(replace(base, content=replace(base.content, red_flags=flags))))
    assert (
        "POSITIVE red flag: worsening leg weakness or foot drop (urgent referral; emergency "
        "referral (same day) recommended; reason: Foot drop known for 10 years" in care
    )
    assert "POSITIVE risk factor: aged over 70 (noted, monitor; reason: Fit, active)" in care


def test_spanish_names_people_specialties_and_the_app_s_own_goals_in_spanish() -> None:
    base = make_snapshot()
    assert base.plan is not None
    goals = (
        GoalContent(GoalTerm.SHORT, "Walk 20 minutes without stopping within 3 weeks."),
        GoalContent(GoalTerm.LONG, "Sit 30 minutes at work"),  # typed by the therapist
    )
    paths = tuple(
        replace(p, refer_to="Dr. Rafael Ortiz (internal medicine)") if p.refer_to else p
        for p in base.plan.paths
    )
    routine = ReferralInfo(
        11,
        ReferralKind.RED_FLAG,
        "Rheumatology clinic",
        "rheumatology",
        "Suspected axial spondyloarthritis.",
        Urgency.ROUTINE,
        DAY,
        red_flag_code="ibp_early_long_lasting",
    )
    snapshot = replace(
        base,
        plan=replace(base.plan, goals=goals, paths=paths),
        red_flag_referrals=(routine,),
    )
    flat = _flat(take_home.render(snapshot, language="es", invariant=True))
    assert "Vamos a enviar una nota al Dr. Rafael Ortiz (medicina interna)" in flat
    assert "internal medicine" not in flat
    assert "Le hemos pedido a la consulta de reumatología que revise algo" in flat
    assert "Pronto: Caminar 20 minutos sin parar en 3 semanas." in flat
    assert "Sit 30 minutes at work" in flat  # free text prints as typed
    assert " a el " not in flat and "Vea a Dr." not in flat
    english = _flat(take_home.render(snapshot, invariant=True))
    assert "We have asked the rheumatology clinic to check something we found" in english
    assert "We are sending a note to Dr. Rafael Ortiz (internal medicine)" in english


def test_every_screening_item_has_patient_words_in_every_language() -> None:
    from casemanager.reports import wording

    for code in wording.languages():
        words = wording.Wording(code)
        for item in catalogs.RED_FLAGS:
            assert words(f"flag_words.{item.code}"), (code, item.code)


def test_a_letter_without_a_chief_complaint_puts_no_stock_complaint_in_its_place() -> None:
    """The letter speaks for the therapist: with no complaint recorded it says none, rather
    than a complaint the patient never made."""
    flagged = _flagged()
    bare = replace(flagged, content=replace(flagged.content, chief_complaint=None))
    letter = _flat(referral_letter.render(replace(bare, referrals=bare.referrals[-1:])))
    assert "low back pain" not in letter.lower()
    assert "Chief complaint" not in letter
    worded = replace(flagged, content=replace(flagged.content, chief_complaint="Back gave way."))
    letter = _flat(referral_letter.render(replace(worded, referrals=worded.referrals[-1:])))
    assert " for Back gave way. " in letter
