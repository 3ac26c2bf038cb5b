"""One user action, one transaction: an autosave of the evaluation (and of its plan and goal
judgements) checks the role, saves and audits in a single transaction on the connection, and
reads only the names it shows, not every account of the clinic. Counted on the engine itself,
on both engines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry
from casemanager.domain.enums import AuditAction, AuditOutcome, Sex
from casemanager.domain.errors import ConflictError, PermissionDenied
from casemanager.domain.evaluation import EvaluationContent
from casemanager.services import evaluations, patients, plans
from tests.conftest import Staff
from tests.services.test_evaluations import EVAL_DAY, MINIMAL_PLAN

DAY = EVAL_DAY
PLAN = MINIMAL_PLAN
# Statements that read the accounts table: each must say which accounts it wants.
_READS_USERS = re.compile(r"\bFROM\s+users\b", re.IGNORECASE)


@dataclass
class Traffic:
    transactions: int = 0
    statements: list[str] = field(default_factory=list)

    @property
    def unfiltered_user_reads(self) -> list[str]:
        return [s for s in self.statements if _READS_USERS.search(s) and "WHERE" not in s]


@contextmanager
def watched(db: Database) -> Iterator[Traffic]:
    """Every transaction begun on the engine's connections, and every statement sent."""
    traffic = Traffic()

    def began(_connection: Any) -> None:
        traffic.transactions += 1

    def sent(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        traffic.statements.append(statement)

    event.listen(db.engine, "begin", began)
    event.listen(db.engine, "before_cursor_execute", sent)
    try:
        yield traffic
    finally:
        event.remove(db.engine, "begin", began)
        event.remove(db.engine, "before_cursor_execute", sent)


@pytest.fixture
def draft(db: Database, staff: Staff) -> evaluations.EvaluationRecord:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Ines", "Moreau", date(1980, 5, 2), Sex.FEMALE)
    )
    return evaluations.start_initial_evaluation(
        db, staff.therapist, patient.id, "Low back spasm", DAY
    )


def _audit_rows(db: Database) -> list[tuple[AuditAction, AuditOutcome, str | None]]:
    with db.session() as session:
        return [
            (row.action, row.outcome, row.detail)
            for row in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_an_autosave_is_one_transaction(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    content = replace(draft.content, nprs_now=6, chief_complaint="Spasm after gardening")
    before = len(_audit_rows(db))
    with watched(db) as traffic:
        saved = evaluations.save_draft(db, staff.therapist, draft.id, draft.version, content)
    assert traffic.transactions == 1
    assert traffic.unfiltered_user_reads == []
    assert saved.content.nprs_now == 6 and saved.therapist_name == "Ana Rivera, PT"
    rows = _audit_rows(db)[before:]
    assert rows == [(AuditAction.UPDATE, AuditOutcome.SUCCESS, f"evaluation {draft.id}")]


def test_a_plan_autosave_is_one_transaction(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    first = plans.save_plan(db, staff.therapist, draft.id, None, PLAN)
    with watched(db) as traffic:
        plans.save_plan(db, staff.therapist, draft.id, first.version, replace(PLAN, note="Home"))
    assert traffic.transactions == 1
    assert traffic.unfiltered_user_reads == []


def test_a_stale_autosave_still_names_who_saved(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    """The conflict path may take a second transaction to read who saved; the answer and the
    audit rows are as before."""
    evaluations.save_draft(db, staff.therapist, draft.id, draft.version, draft.content)
    before = len(_audit_rows(db))
    with pytest.raises(ConflictError, match="changed by rivera"):
        evaluations.save_draft(
            db, staff.therapist, draft.id, draft.version, EvaluationContent(nprs_now=2)
        )
    assert _audit_rows(db)[before:] == []


def test_a_refused_autosave_is_audited_and_saves_nothing(
    db: Database, staff: Staff, draft: evaluations.EvaluationRecord
) -> None:
    before = len(_audit_rows(db))
    with pytest.raises(PermissionDenied, match="may not write clinical records"):
        evaluations.save_draft(db, staff.manager, draft.id, draft.version, draft.content)
    assert _audit_rows(db)[before:] == [
        (AuditAction.UPDATE, AuditOutcome.DENIED, "needs edit_clinical")
    ]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before + 1
    assert evaluations.get_evaluation(db, staff.therapist, draft.id).version == draft.version
