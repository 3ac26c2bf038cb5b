"""Printing one document reads the evaluation with a fixed, small number of statements,
whatever the plan holds (goals, exercises, referrals), counted on the engine itself on both
engines: lazy loads one relationship at a time cannot creep back in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from casemanager.db.engine import Database
from casemanager.services import documents
from casemanager.services.documents import DocumentKind
from tests.conftest import Staff
from tests.services.test_chart import TODAY, _signed_patient

# The read of one snapshot: the patient and role checks; the evaluation with its episode,
# patient, clinic and therapist in one statement; its four lists, its plan and the plan's three
# lists; the exercises, the episode's referrals with their dates, the goal verdicts.
MOST_READ_STATEMENTS = 14
# The whole print: the role and patient checks, the read, the printed-document and audit rows.
MOST_PRINT_STATEMENTS = 19


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
