"""The worklist read a page at a time gives exactly the items, in exactly the order, that the
whole worklist built in Python gave (`worklist_before_paging`), for every filter, on both
engines; with the same permission checks and audit rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from casemanager.db.caseload_queries import CaseloadQueries
from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Patient, User, Visit
from casemanager.domain.caseload import CaseloadFilter, WorkItem, WorkKind, default_period
from casemanager.domain.enums import (
    AuditAction,
    Cause,
    PatientStatus,
    Role,
    TreatmentPathKind,
)
from casemanager.domain.errors import PermissionDenied
from casemanager.services import accounts, caseload, demo
from casemanager.services.context import Actor
from tests.services.worklist_before_paging import complete_worklist

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
WHOLE = CaseloadFilter(*default_period(TODAY))


def _shown(items: Any) -> list[tuple[Any, ...]]:
    """What the manager reads of each item (the fields the old worklist had)."""
    return [
        (i.kind, i.patient_id, i.patient_name, i.mrn, i.therapist, i.since, i.detail) for i in items
    ]


def _before(db: Database, actor: Actor, filt: CaseloadFilter) -> list[WorkItem]:
    filt = caseload.scope_for(actor, filt)
    with db.session() as session:
        return complete_worklist(CaseloadQueries(session, 1, filt, TODAY, NOW), TODAY)


def _paged(db: Database, actor: Actor, filt: CaseloadFilter, size: int) -> list[WorkItem]:
    """Every page from the top, each starting where the last ended."""
    items: list[WorkItem] = []
    page = caseload.worklist_page(db, actor, filt, limit=size, today=TODAY, now=NOW)
    total = page.total
    while True:
        assert len(page.items) <= size and page.total == total
        items += page.items
        if not page.more:
            break
        assert len(page.items) == size
        page = caseload.worklist_page(
            db, actor, filt, after=page.last_key, limit=size, today=TODAY, now=NOW
        )
    assert len(items) == total
    return items


@pytest.fixture
def clinic(db: Database) -> dict[str, Any]:
    """A generated clinic, with some progress-report ticks removed so reports fall due, and
    two patients sharing a name (so ties in the order are settled the same way)."""
    demo.generate_demo_clinic(db, patients=150, seed=3, today=TODAY)
    with db.session() as session:
        flagged = session.scalars(select(Visit).where(Visit.is_progress_report.is_(True))).all()
        for visit in flagged[::2]:
            visit.is_progress_report = False
        twins = session.scalars(
            select(Patient).where(Patient.status == PatientStatus.ON_HOLD).order_by(Patient.id)
        ).all()[:2]
        for patient in twins:
            patient.family_name, patient.given_name = "Okafor", "Ada"
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    with db.session() as session:
        therapists = session.scalars(select(User).where(User.role == Role.THERAPIST)).all()
        people = {u.username: u.id for u in therapists}
    return {"manager": manager, "therapists": people}


def test_every_page_in_order_is_the_whole_worklist_as_it_was(
    db: Database, clinic: dict[str, Any]
) -> None:
    manager: Actor = clinic["manager"]
    filters = [
        WHOLE,
        CaseloadFilter(TODAY - timedelta(days=400), TODAY),
        *(
            CaseloadFilter(WHOLE.start, WHOLE.end, therapist_id=tid)
            for tid in clinic["therapists"].values()
        ),
        *(CaseloadFilter(WHOLE.start, WHOLE.end, status=s) for s in PatientStatus),
        CaseloadFilter(WHOLE.start, WHOLE.end, cause=Cause.HEAVY_LIFTING),
        CaseloadFilter(WHOLE.start, WHOLE.end, path=TreatmentPathKind.PT_PLAN),
        CaseloadFilter(
            WHOLE.start,
            WHOLE.end,
            therapist_id=min(clinic["therapists"].values()),
            status=PatientStatus.ACTIVE,
            path=TreatmentPathKind.PT_PLAN,
        ),
    ]
    kinds: set[WorkKind] = set()
    for filt in filters:
        before = _before(db, manager, filt)
        kinds |= {i.kind for i in before}
        expected = _shown(before)
        whole = caseload.worklist(db, manager, filt, today=TODAY, now=NOW)
        assert _shown(whole) == expected, filt
        for size in (1, 7, 200):
            assert _shown(_paged(db, manager, filt, size)) == expected, (filt, size)
    assert kinds == set(WorkKind)  # the clinic has every kind of item
    twins = caseload.worklist(db, manager, WHOLE, today=TODAY, now=NOW)
    assert sum(i.patient_name == "Okafor, Ada" for i in twins) >= 2


def test_a_page_after_the_last_item_is_empty(db: Database, clinic: dict[str, Any]) -> None:
    manager: Actor = clinic["manager"]
    whole = caseload.worklist(db, manager, WHOLE, today=TODAY, now=NOW)
    page = caseload.worklist_page(db, manager, WHOLE, after=whole[-1].key, today=TODAY, now=NOW)
    assert page.items == () and not page.more and page.total == len(whole)
    first = caseload.worklist_page(db, manager, WHOLE, limit=3, today=TODAY, now=NOW)
    assert first.more and first.items == whole[:3] and first.after is None


def test_pages_are_checked_and_the_first_one_audited_as_the_whole_list_was(
    db: Database, clinic: dict[str, Any]
) -> None:
    manager: Actor = clinic["manager"]
    first = caseload.worklist_page(db, manager, WHOLE, limit=5, today=TODAY, now=NOW)
    caseload.worklist_page(db, manager, WHOLE, after=first.last_key, today=TODAY, now=NOW)
    with db.session() as session:
        details = session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.actor == "manager", AuditEntry.action == AuditAction.READ)
            .order_by(AuditEntry.id)
        ).all()
    assert details[-1] == f"caseload worklist of {first.total}"  # one row, as before
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD, "ws")
    hidden = caseload.worklist_page(db, admin, WHOLE, today=TODAY, now=NOW)
    assert hidden.items == () and hidden.total == 0  # no patient names for an administrator
    # Each page checks again: an account deactivated between two pages gets no more.
    with db.session() as session:
        account = session.get(User, manager.user_id)
        assert account is not None
        account.active = False
    with pytest.raises(PermissionDenied, match="deactivated"):
        caseload.worklist_page(db, manager, WHOLE, after=first.last_key, today=TODAY, now=NOW)


def test_the_whole_list_is_one_statement_so_it_is_read_at_one_moment(
    db: Database, clinic: dict[str, Any]
) -> None:
    """The whole worklist (what a CSV saves) and its counts come from one statement: on both
    engines a statement, not a transaction, is what sees one moment (SQLite outside a write,
    PostgreSQL in READ COMMITTED), so a change made meanwhile is in all of it or in none."""
    manager: Actor = clinic["manager"]
    statements: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", executed)
    try:
        page = caseload.worklist_page(db, manager, WHOLE, limit=None, today=TODAY, now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", executed)
    reads = [s for s in statements if "episode_of_care" in s or "episode_summary" in s]
    assert len(reads) == 1, reads
    assert {i.kind for i in page.items} == set(WorkKind)  # every kind, from that statement
    assert page.total == len(page.items) and not page.more
