"""The evaluation's life: draft, autosave, sign with checks, addenda; on both engines."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Referral
from casemanager.domain import catalogs
from casemanager.domain.enums import (
    AuditAction,
    AuditOutcome,
    Cause,
    Complexity,
    GoalTerm,
    RedFlagAction,
    RedFlagAnswer,
    ReferralStatus,
    Sex,
    StartBackRisk,
    TreatmentPathKind,
    Urgency,
)
from casemanager.domain.errors import ConflictError, DomainError, PermissionDenied, ValidationError
from casemanager.domain.evaluation import EvaluationContent, PsfsEntry, RedFlagEntry
from casemanager.domain.plan import GoalContent, PathContent, PlanContent
from casemanager.services import evaluations, patients, plans
from tests.conftest import Staff

EVAL_DAY = date(2026, 11, 20)
MINIMAL_PLAN = PlanContent(
    paths=(PathContent(TreatmentPathKind.PT_PLAN, frequency_per_week=2, duration_weeks=6),),
    goals=(GoalContent(GoalTerm.LONG, "Return to work without restrictions"),),
    certification_start=EVAL_DAY,
    certification_end=EVAL_DAY + timedelta(days=42),
)


@pytest.fixture
def patient_id(db: Database, staff: Staff) -> int:
    return patients.create_patient(
        db,
        staff.therapist,
        patients.PatientFields("Đặng", "Thị Hoa", date(1971, 3, 9), Sex.FEMALE),
    ).id


def _complete(**changes: object) -> EvaluationContent:
    flags = tuple(RedFlagEntry(item.code, RedFlagAnswer.NO) for item in catalogs.RED_FLAGS)
    content = EvaluationContent(
        chief_complaint="Low back spasm after lifting a box",
        onset_date=date(2026, 11, 14),
        red_flags=flags,
        nprs_now=7,
        nprs_best=4,
        nprs_worst=9,
        odi_sections=(3, 2, 4, 2, 3, 3, 2, None, 2, 3),
        start_back=(1, 1, 0, 1, 1, 1, 1, 0, 4),
        psfs=(PsfsEntry("Lifting groceries", 3), PsfsEntry("Sitting at work", 4)),
        primary_cause=Cause.HEAVY_LIFTING,
        contributing_causes=(Cause.WEAK_ABDOMINALS,),
        diagnosis_codes=("S39.012A", "M62.830"),
        complexity=Complexity.MODERATE,
    )
    return replace(content, **changes)  # type: ignore[arg-type]


def _start(db: Database, staff: Staff, patient_id: int) -> evaluations.EvaluationRecord:
    return evaluations.start_initial_evaluation(
        db, staff.therapist, patient_id, "Low back spasm", EVAL_DAY
    )


def test_draft_saves_and_reloads_exactly(db: Database, staff: Staff, patient_id: int) -> None:
    draft = _start(db, staff, patient_id)
    assert draft.content.chief_complaint == "Low back spasm" and not draft.is_signed
    content = _complete()
    saved = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, content)
    assert saved.version > draft.version
    reloaded = evaluations.get_evaluation(db, staff.therapist, draft.id)
    assert reloaded.content == content
    assert reloaded.scores.odi_percent == pytest.approx(53.3)  # 24 / 45
    assert reloaded.scores.start_back is not None
    assert reloaded.scores.start_back.risk == StartBackRisk.HIGH
    assert reloaded.scores.psfs_mean == 3.5


def test_changing_child_rows_in_place(db: Database, staff: Staff, patient_id: int) -> None:
    draft = _start(db, staff, patient_id)
    first = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())
    flags = list(first.content.red_flags)
    flags[0] = RedFlagEntry(flags[0].code, RedFlagAnswer.YES, RedFlagAction.EMERGENCY, "Sent to ED")
    changed = _complete(
        red_flags=tuple(flags[:-1]),  # the last item now "not asked"
        diagnosis_codes=("M62.830", "S39.012A"),  # reordered
        psfs=(PsfsEntry("Sitting at work", 5),),
        contributing_causes=(),
    )
    second = evaluations.save_draft(db, staff.therapist, draft.id, first.version, changed)
    assert second.content == changed
    # Only the edit bumps the version: child-row changes alone still count.
    assert second.version > first.version


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nprs_now": 11}, "nprs_now"),
        ({"odi_sections": (6,) + (None,) * 9}, "odi_s1"),
        ({"diagnosis_codes": ("M51.2",)}, "diagnosis_codes"),
        ({"diagnosis_codes": ("Q99.999",)}, "diagnosis_codes"),
        ({"onset_date": date(2026, 11, 21)}, "onset_date"),
        ({"psfs": (PsfsEntry("  ", 3),)}, "psfs_1"),
    ],
)
def test_wrong_values_are_refused_with_the_field(
    db: Database, staff: Staff, patient_id: int, change: dict[str, object], field: str
) -> None:
    draft = _start(db, staff, patient_id)
    with pytest.raises(ValidationError) as error:
        evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete(**change))
    assert error.value.field == field
    assert evaluations.get_evaluation(db, staff.therapist, draft.id).version == draft.version


def test_only_the_evaluating_therapist_edits(db: Database, staff: Staff, patient_id: int) -> None:
    draft = _start(db, staff, patient_id)
    with pytest.raises(PermissionDenied, match="Only the evaluating therapist"):
        evaluations.save_draft(db, staff.therapist2, draft.id, draft.version, _complete())
    with pytest.raises(PermissionDenied, match="may not write clinical records"):
        evaluations.save_draft(db, staff.manager, draft.id, draft.version, _complete())
    with db.session() as session:
        denied = session.scalars(
            select(AuditEntry).where(AuditEntry.outcome == AuditOutcome.DENIED)
        ).all()
    assert [(d.actor, d.patient_id) for d in denied] == [("manager", patient_id)]


def test_stale_autosave_is_refused(db: Database, staff: Staff, patient_id: int) -> None:
    draft = _start(db, staff, patient_id)
    evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())
    with pytest.raises(ConflictError, match="changed by rivera"):
        evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete(nprs_now=2))


def test_sign_checks_completeness_then_locks(db: Database, staff: Staff, patient_id: int) -> None:
    draft = _start(db, staff, patient_id)
    partial = _complete(
        nprs_now=None,
        primary_cause=None,
        red_flags=(RedFlagEntry("saddle_numbness", RedFlagAnswer.YES),),
    )
    saved = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, partial)
    with pytest.raises(evaluations.IncompleteEvaluation) as refused:
        evaluations.sign(db, staff.therapist, draft.id, saved.version)
    fields = [m.field for m in refused.value.missing]
    assert fields[0] == "red_flag_saddle_numbness"  # positive, but no action yet
    assert "nprs_now" in fields and "primary_cause" in fields
    assert len([f for f in fields if f.startswith("red_flag_")]) == len(catalogs.RED_FLAGS)
    assert "Still missing" in refused.value.message

    flags = tuple(
        RedFlagEntry(
            item.code,
            RedFlagAnswer.YES if item.code == "night_or_rest_pain" else RedFlagAnswer.NO,
            RedFlagAction.URGENT if item.code == "night_or_rest_pain" else None,
        )
        for item in catalogs.RED_FLAGS
    )
    ready = evaluations.save_draft(
        db, staff.therapist, draft.id, saved.version, _complete(red_flags=flags)
    )
    with pytest.raises(evaluations.IncompleteEvaluation) as no_plan:
        evaluations.sign(db, staff.therapist, draft.id, ready.version)
    assert [m.field for m in no_plan.value.missing] == ["paths"]
    plans.save_plan(db, staff.therapist, draft.id, None, MINIMAL_PLAN)
    signed = evaluations.sign(db, staff.therapist, draft.id, ready.version)
    assert signed.is_signed and signed.signed_by_name == "Ana Rivera, PT"
    assert signed.signed_at is not None
    with db.session() as session:
        referral = session.scalars(select(Referral)).one()
    assert (referral.red_flag_code, referral.urgency, referral.status) == (
        "night_or_rest_pain",
        Urgency.URGENT,
        ReferralStatus.OPEN,
    )
    with pytest.raises(DomainError, match="signed and locked"):
        evaluations.save_draft(db, staff.therapist, draft.id, signed.version, _complete())

    corrected = evaluations.add_addendum(
        db, staff.therapist2, draft.id, "Night pain is positional only; reviewed with patient."
    )
    assert [(a.author_name, a.text[:10]) for a in corrected.addenda] == [
        ("Minh Nguyễn, PT", "Night pain")
    ]
    with db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.patient_id == patient_id)
        ).all()
    assert AuditAction.SIGN in actions


def test_addendum_needs_a_signed_evaluation(db: Database, staff: Staff, patient_id: int) -> None:
    draft = _start(db, staff, patient_id)
    with pytest.raises(DomainError, match="draft can still be edited"):
        evaluations.add_addendum(db, staff.therapist, draft.id, "Late entry")


def test_a_red_flag_answer_alone_bumps_the_version(
    db: Database, staff: Staff, patient_id: int
) -> None:
    draft = _start(db, staff, patient_id)
    first = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, _complete())
    flags = list(first.content.red_flags)
    flags[3] = RedFlagEntry(flags[3].code, RedFlagAnswer.YES, RedFlagAction.URGENT)
    second = evaluations.save_draft(
        db, staff.therapist, draft.id, first.version, _complete(red_flags=tuple(flags))
    )
    assert second.version > first.version
    with pytest.raises(ConflictError):  # the first version is now stale
        evaluations.save_draft(db, staff.therapist, draft.id, first.version, _complete())


def test_code_search_and_coding_warnings(db: Database, staff: Staff, patient_id: int) -> None:
    found = evaluations.search_codes(db, staff.therapist, "fibromyalgia")
    assert ("M79.7", "Fibromyalgia") in found
    assert evaluations.search_codes(db, staff.therapist, "m") == []  # too short to search
    with pytest.raises(PermissionDenied):
        evaluations.search_codes(db, staff.manager, "fibromyalgia")
    draft = _start(db, staff, patient_id)
    saved = evaluations.save_draft(
        db,
        staff.therapist,
        draft.id,
        draft.version,
        _complete(diagnosis_codes=("M54.50", "S39.012A")),
    )
    assert len(saved.coding_warnings) == 1 and "Excludes1" in saved.coding_warnings[0]
