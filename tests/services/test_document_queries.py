"""Printing one document reads the evaluation with a fixed, small number of statements,
whatever the plan holds (goals, exercises, referrals), counted on the engine itself on both
engines: lazy loads one relationship at a time cannot creep back in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, func, select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Evaluation, PrintedDocument
from casemanager.domain.enums import EvaluationKind
from casemanager.domain.errors import DomainError, NotFound
from casemanager.services import content_mappers, documents, follow_up
from casemanager.services.documents import DocumentKind
from tests.conftest import Staff
from tests.services.test_chart import TODAY, _signed_patient

# The read of one snapshot: the patient and role checks; the evaluation with its episode,
# patient, clinic, therapist and plan in one statement; its four lists and the plan's three
# (the exercises with their library rows), the episode's referrals with their dates, the goal
# verdicts (columns, never ORM objects loaded one relationship at a time).
MOST_READ_STATEMENTS = 12
# The whole print: the patient and role checks (the account read once for both permissions),
# the read, the printed-document row, the audit row with its two turns at the chain head, and
# the schema revision read before the commit (db/schema_check: an older workstation writes nothing).
MOST_PRINT_STATEMENTS = 17


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def sent(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", sent)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", sent)


def test_one_document_is_read_with_a_bounded_number_of_statements(
    db: Database, staff: Staff
) -> None:
    patient_id, _episode = _signed_patient(db, staff, visit_count=2)
    evaluation_id = documents.latest_signed_evaluation(db, staff.therapist, patient_id)
    with counted(db) as statements:
        read = documents.snapshot(db, staff.therapist, evaluation_id, today=TODAY)

    assert read.exercises and read.plan is not None and read.plan.goals
    assert len(statements) <= MOST_READ_STATEMENTS, statements
    with counted(db) as statements:
        pdf = documents.render(
            db, staff.therapist, evaluation_id, DocumentKind.TAKE_HOME, today=TODAY
        )
    assert pdf.startswith(b"%PDF")
    assert len(statements) <= MOST_PRINT_STATEMENTS, statements


def test_a_document_prints_what_the_chart_reads(db: Database, staff: Staff) -> None:
    """The documents read columns, the chart ORM rows: both give the same content, plan,
    certification, diagnoses and prescribed exercises."""
    patient_id, _episode = _signed_patient(db, staff, visit_count=1)
    evaluation_id = documents.latest_signed_evaluation(db, staff.therapist, patient_id)
    read = documents.snapshot(db, staff.therapist, evaluation_id, today=TODAY)
    with db.session() as session:
        evaluation = session.get(Evaluation, evaluation_id)
        assert evaluation is not None and evaluation.plan is not None
        assert read.content == content_mappers.content_of(evaluation)
        assert read.plan == content_mappers.read_plan(evaluation.plan)
        assert read.certification == content_mappers.certification_of(evaluation.plan)
        assert read.diagnoses == tuple((d.code, d.description) for d in evaluation.diagnosis_codes)
        prescribed = [(h.exercise.name, h.sets, h.reps) for h in evaluation.plan.home_exercises]
        patient = evaluation.episode.patient
        assert (read.patient.mrn, read.referring_physician) == (
            patient.mrn,
            patient.referring_physician,
        )
    assert [(e.name, e.sets, e.reps) for e in read.exercises] == prescribed
    assert read.referrals and read.red_flag_referrals  # her urgent red-flag referral


def test_only_this_clinics_signed_evaluations_are_printed(db: Database, staff: Staff) -> None:
    patient_id, episode_id = _signed_patient(db, staff, visit_count=0)
    signed = documents.latest_signed_evaluation(db, staff.therapist, patient_id)
    draft = follow_up.start_follow_up(
        db, staff.therapist, episode_id, EvaluationKind.PROGRESS_REPORT, TODAY, today=TODAY
    )
    with pytest.raises(DomainError, match="Only a signed evaluation is printed"):
        documents.render(db, staff.therapist, draft.id)
    elsewhere = replace(staff.therapist, clinic_id=staff.therapist.clinic_id + 1)
    with pytest.raises(NotFound, match="not in this clinic's records"):
        documents.snapshot(db, elsewhere, signed, today=TODAY)


def test_a_document_not_made_leaves_no_record_of_a_print(db: Database, staff: Staff) -> None:
    """Read, made and audited in one transaction: a document that fails is not on record."""
    patient_id, _episode = _signed_patient(db, staff, visit_count=0)
    signed = documents.latest_signed_evaluation(db, staff.therapist, patient_id)

    def records() -> tuple[int, int]:
        with db.session() as session:
            return (
                session.scalar(select(func.count()).select_from(PrintedDocument)) or 0,
                session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            )

    before = records()
    with pytest.raises(DomainError, match="made no referral"):
        documents.render(db, staff.therapist, signed, DocumentKind.REFERRAL, referral_id=-1)
    assert records() == before
    documents.render(db, staff.therapist, signed, DocumentKind.REFERRAL)
    assert records() == (before[0] + 1, before[1] + 1)
