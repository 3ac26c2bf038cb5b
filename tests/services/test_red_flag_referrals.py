"""Red flags through the services: what signing refers, the reason kept in the record, the
outcome of a referral (banner, timeline, patient status, audit), and follow-ups that ask
again without referring twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Patient, Referral
from casemanager.domain import catalogs
from casemanager.domain.enums import (
    AuditAction,
    EvaluationKind,
    PatientStatus,
    RedFlagAction,
    RedFlagAnswer,
    ReferralStatus,
    Sex,
    Urgency,
)
from casemanager.domain.errors import PermissionDenied, ValidationError
from casemanager.domain.evaluation import RedFlagEntry
from casemanager.services import chart, documents, evaluations, follow_up, patients, plans
from casemanager.services import referrals as referral_service
from casemanager.services.evaluations import IncompleteEvaluation
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_goal_progress import judge_every_goal
from tests.services.test_plans import _plan

TODAY = EVAL_DAY + timedelta(days=6)


def _screen(**chosen: tuple[RedFlagAction | None, str | None]) -> tuple[RedFlagEntry, ...]:
    return tuple(
        RedFlagEntry(
            item.code, RedFlagAnswer.YES, chosen[item.code][0], reason=chosen[item.code][1]
        )
        if item.code in chosen
        else RedFlagEntry(item.code, RedFlagAnswer.NO)
        for item in catalogs.RED_FLAGS
    )


def _sign(
    db: Database, staff: Staff, flags: tuple[RedFlagEntry, ...], born: date = date(1950, 3, 2)
) -> evaluations.EvaluationRecord:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Ruth", "Okoye", born, Sex.FEMALE)
    )
    draft = evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Low back pain", EVAL_DAY
    )
    record = evaluations.save_draft(
        db, staff.therapist, draft.id, draft.version, _complete(red_flags=flags)
    )
    plans.save_plan(db, staff.therapist, record.id, None, _plan(db))
    return evaluations.sign(db, staff.therapist, record.id, record.version)


def _red_flag_referrals(db: Database, episode_id: int) -> list[Referral]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Referral)
                .where(Referral.episode_id == episode_id, Referral.red_flag_code.is_not(None))
                .order_by(Referral.id)
            )
        )


def test_a_lower_action_is_refused_without_a_reason_and_kept_with_one(
    db: Database, staff: Staff
) -> None:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Ruth", "Okoye", date(1950, 3, 2), Sex.FEMALE)
    )
    draft = evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Low back pain", EVAL_DAY
    )
    routine = _screen(saddle_numbness=(RedFlagAction.ROUTINE, None))
    record = evaluations.save_draft(
        db, staff.therapist, draft.id, draft.version, _complete(red_flags=routine)
    )
    plans.save_plan(db, staff.therapist, record.id, None, _plan(db))
    with pytest.raises(IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, record.id, record.version)
    assert [m.field for m in refused.value.missing] == ["red_flag_reason_saddle_numbness"]
    reason = "Long-standing numbness after a 2019 saddle block; unchanged; bladder normal"
    explained = _screen(saddle_numbness=(RedFlagAction.ROUTINE, reason))
    record = evaluations.save_draft(
        db, staff.therapist, record.id, record.version, _complete(red_flags=explained)
    )
    signed = evaluations.sign(db, staff.therapist, record.id, record.version)
    kept = next(e for e in signed.content.red_flags if e.code == "saddle_numbness")
    assert (kept.action, kept.reason) == (RedFlagAction.ROUTINE, reason)
    (referral,) = _red_flag_referrals(db, signed.episode_id)
    assert referral.urgency == Urgency.ROUTINE and reason in referral.reason
    care = documents.render(
        db, staff.therapist, signed.id, documents.DocumentKind.PLAN_OF_CARE, invariant=True
    )
    from tests.services.test_documents import _text

    assert "reason: Long-standing numbness after a 2019 saddle block" in _text(care)


def test_age_alone_is_monitored_without_a_referral_and_a_cluster_is_referred_once(
    db: Database, staff: Staff
) -> None:
    monitored = _sign(db, staff, _screen(age_over_70=(RedFlagAction.MONITOR, "Active, no trauma")))
    assert _red_flag_referrals(db, monitored.episode_id) == []
    view = chart.open_chart(db, staff.therapist, monitored.patient_id, today=TODAY)
    assert view.red_flags == () and view.monitored == ("aged over 70 (Active, no trauma)",)
    cluster = _sign(
        db,
        staff,
        _screen(
            age_over_70=(RedFlagAction.URGENT, None), osteoporosis=(RedFlagAction.URGENT, None)
        ),
    )
    (referral,) = _red_flag_referrals(db, cluster.episode_id)  # one per condition
    assert referral.reason == (
        "Suspected spinal fracture. Findings: known osteoporosis; aged over 70."
    )
    letter = documents.render(
        db, staff.therapist, cluster.id, documents.DocumentKind.REFERRAL, invariant=True
    )
    from tests.services.test_documents import _text

    text = _text(letter)
    assert "Findings: known osteoporosis; aged over 70." in text
    assert "Are you over 70?" not in text


def test_clearing_a_referral_moves_it_from_the_banner_to_the_timeline(
    db: Database, staff: Staff
) -> None:
    signed = _sign(db, staff, _screen(both_legs=(RedFlagAction.EMERGENCY, None)))
    with db.session() as session:
        patient = session.get(Patient, signed.patient_id)
        assert patient is not None
        patient.status = PatientStatus.ON_HOLD  # as the clinic does while the ED sees them
    (flag,) = chart.open_chart(db, staff.therapist, signed.patient_id, today=TODAY).open_red_flags
    assert "numbness or weakness in both legs" in flag.text
    with pytest.raises(PermissionDenied):
        referral_service.record_outcome(
            db,
            staff.manager,
            flag.referral_id,
            referral_service.ReferralOutcome("Dr. Omar Haddad", TODAY, True),
            today=TODAY,
        )
    with pytest.raises(ValidationError) as future:
        referral_service.record_outcome(
            db,
            staff.therapist,
            flag.referral_id,
            referral_service.ReferralOutcome("Dr. Omar Haddad", TODAY + timedelta(days=1), True),
            today=TODAY,
        )
    assert future.value.field == "seen_on"
    with pytest.raises(ValidationError) as early:
        referral_service.record_outcome(
            db,
            staff.therapist,
            flag.referral_id,
            referral_service.ReferralOutcome("Dr. Omar Haddad", EVAL_DAY - timedelta(days=1), True),
            today=TODAY,
        )
    assert early.value.field == "seen_on"
    with pytest.raises(ValidationError) as nobody:
        referral_service.record_outcome(
            db,
            staff.therapist,
            flag.referral_id,
            referral_service.ReferralOutcome("  ", TODAY, True),
            today=TODAY,
        )
    assert nobody.value.field == "seen_by"
    seen = EVAL_DAY + timedelta(days=1)
    referral_service.record_outcome(
        db,
        staff.therapist,
        flag.referral_id,
        referral_service.ReferralOutcome("Dr. Omar Haddad", seen, True, "MRI normal."),
        today=TODAY,
    )
    view = chart.open_chart(db, staff.therapist, signed.patient_id, today=TODAY)
    assert view.red_flags == () and view.open_red_flags == ()
    assert view.patient.fields.status == PatientStatus.ACTIVE  # cleared: back in care
    (episode,) = view.episodes
    cleared = next(e for e in episode.timeline if e.what == "Red flag cleared")
    assert cleared.day == seen
    assert cleared.detail == (
        "Cleared for therapy by Dr. Omar Haddad on 11/21/2026; recorded by Ana Rivera, PT. "
        "MRI normal."
    )
    with db.session() as session:
        details = session.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.patient_id == signed.patient_id, AuditEntry.action == AuditAction.UPDATE
            )
        ).all()
    assert any(d.startswith(f"referral {flag.referral_id} closed: cleared") for d in details)
    # Documents printed now print the outcome, not "on hold".
    from tests.services.test_documents import _text

    sheet = _text(documents.render(db, staff.therapist, signed.id, invariant=True))
    assert "Dr. Omar Haddad checked you on November 21, 2026" in sheet
    assert "Your therapy waits" not in sheet and "Your home exercises" in sheet
    letter = _text(
        documents.render(db, staff.therapist, signed.id, documents.DocumentKind.REFERRAL)
    )
    assert "on hold" not in letter and "cleared them to continue physical therapy" in letter


def test_while_the_referral_is_open_the_take_home_sheet_waits_for_the_doctor(
    db: Database, staff: Staff
) -> None:
    signed = _sign(db, staff, _screen(fever_chills=(RedFlagAction.EMERGENCY, None)))
    from tests.services.test_documents import _text

    sheet = _text(documents.render(db, staff.therapist, signed.id, invariant=True))
    assert "Go to the emergency room today" in sheet and "fever or chills" in sheet
    assert "Your therapy waits until a doctor has seen you" in sheet
    assert "Your home exercises" not in sheet and "times a week" not in sheet


def test_follow_ups_ask_again_and_refer_only_what_is_new(db: Database, staff: Staff) -> None:
    signed = _sign(db, staff, _screen(unexplained_weight_loss=(RedFlagAction.URGENT, None)))
    (first,) = _red_flag_referrals(db, signed.episode_id)
    referral_service.record_outcome(
        db,
        staff.therapist,
        first.id,
        referral_service.ReferralOutcome("Dr. Omar Haddad", TODAY, True),
        today=TODAY,
    )
    report = follow_up.start_follow_up(
        db, staff.therapist, signed.episode_id, EvaluationKind.PROGRESS_REPORT, TODAY, today=TODAY
    )
    # Pre-filled with the last answers, and not yet confirmed as asked again.
    assert report.content.red_flags == signed.content.red_flags
    assert not report.content.red_flags_rechecked
    fever = tuple(
        replace(e, answer=RedFlagAnswer.YES, action=RedFlagAction.EMERGENCY)
        if e.code == "fever_chills"
        else e
        for e in report.content.red_flags
    )
    content = replace(
        report.content, red_flags=fever, red_flags_rechecked=True, assessment_note="Fever since."
    )
    report = evaluations.save_draft(db, staff.therapist, report.id, report.version, content)
    judge_every_goal(db, staff.therapist, report.id)
    evaluations.sign(db, staff.therapist, report.id, report.version)
    found = _red_flag_referrals(db, signed.episode_id)
    # The weight loss, still yes and already cleared, is not referred again; the fever is new.
    assert [(r.red_flag_code, r.urgency, r.status) for r in found] == [
        ("unexplained_weight_loss", Urgency.URGENT, ReferralStatus.CLOSED),
        ("fever_chills", Urgency.EMERGENCY, ReferralStatus.OPEN),
    ]
