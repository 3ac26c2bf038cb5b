"""One account logging in from two workstations at the same moment, over and over: every
login succeeds (recording a login is not an edit that can conflict), each is audited, and
the audit chain holds. Two processes on one SQLite file, or on one PostgreSQL database."""

from __future__ import annotations

import multiprocessing
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry
from casemanager.domain.enums import AuditAction
from casemanager.services import accounts, audit_log
from tests.conftest import TEST_PASSWORD, Staff

LOGINS = 30


def _log_in_repeatedly(url: str, workstation: str, start: Any) -> list[str]:
    """One workstation: wait for the other, then log in LOGINS times as fast as it can."""
    # The suite's cheap hashing (conftest), so the password is not rehashed at each login.
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    db = Database(url)
    outcomes: list[str] = []
    try:
        start.wait(timeout=60)
        for _ in range(LOGINS):
            try:
                accounts.authenticate(db, "rivera", TEST_PASSWORD, workstation)
                outcomes.append("ok")
            except Exception as error:  # any failure is the finding: report, do not stop
                outcomes.append(f"{type(error).__name__}: {error}")
    finally:
        db.dispose()
    return outcomes


def _logins(db: Database) -> int:
    with db.session() as session:
        return int(
            session.scalar(
                select(func.count()).where(AuditEntry.action == AuditAction.LOGIN)
            )
            or 0
        )


def test_two_workstations_log_in_to_one_account_at_once(db: Database, staff: Staff) -> None:
    url = db.url.render_as_string(hide_password=False)
    before = _logins(db)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(2)
        with context.Pool(2) as pool:
            jobs = [
                pool.apply_async(_log_in_repeatedly, (url, f"ws-{n}", start)) for n in (1, 2)
            ]
            results = [job.get(timeout=300) for job in jobs]
    failures = [outcome for outcomes in results for outcome in outcomes if outcome != "ok"]
    assert failures == []
    assert _logins(db) == before + 2 * LOGINS
    assert audit_log.verify_chain(db, staff.admin).broken is None
    # The account itself was not edited by logging in: an administrator's open edit of it
    # (made at the version read before) still saves.
    user = next(u for u in accounts.list_users(db, staff.admin) if u.username == "rivera")
    assert user.last_login_at is not None
    accounts.set_active(db, staff.admin, user.id, True)
