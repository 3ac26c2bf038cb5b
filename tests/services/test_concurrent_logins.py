"""One account logging in from two workstations at the same moment, over and over: every
login succeeds (recording a login is not an edit that can conflict), each is audited, and
the audit chain holds; and logins keep working while another process imports 50,000
patients. Two processes on one SQLite file, or on one PostgreSQL database."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry
from casemanager.domain.enums import AuditAction
from casemanager.interop import patient_files
from casemanager.services import accounts, audit_log, passwords, patient_import
from tests.conftest import TEST_PASSWORD, Staff

LOGINS = 30


def _log_in_repeatedly(url: str, workstation: str, start: Any) -> list[str]:
    """One workstation: wait for the other, then log in LOGINS times as fast as it can."""
    # The suite's cheap hashing (conftest), so the password is not rehashed at each login.
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    db = Database(url)
    outcomes: list[str] = []
    try:
        start.wait(timeout=60)
        for _ in range(LOGINS):
            try:
                accounts.authenticate(db, "rivera", TEST_PASSWORD, workstation)
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001 - any failure is the finding: report it
                outcomes.append(f"{type(error).__name__}: {error}")
    finally:
        db.dispose()
    return outcomes


def _logins(db: Database) -> int:
    with db.session() as session:
        return int(
            session.scalar(select(func.count()).where(AuditEntry.action == AuditAction.LOGIN)) or 0
        )


def test_two_workstations_log_in_to_one_account_at_once(db: Database, staff: Staff) -> None:
    url = db.url.render_as_string(hide_password=False)
    before = _logins(db)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(2)
        with context.Pool(2) as pool:
            jobs = [pool.apply_async(_log_in_repeatedly, (url, f"ws-{n}", start)) for n in (1, 2)]
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


def _log_in_while_writing(
    url: str, ready: Any, writing: Any, attempting: Any, stop: Any
) -> list[tuple[float, float, str]]:
    """Another workstation: one login to be ready, then, once the import is writing (it
    holds SQLite's write lock), logins again and again until stopped: when each began and
    ended, and how."""
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    db = Database(url)
    outcomes: list[tuple[float, float, str]] = []

    def log_in() -> None:
        began = time.time()
        try:
            accounts.authenticate(db, "rivera", TEST_PASSWORD, "ws-other")
            said = "ok"
        except Exception as error:  # noqa: BLE001 - the finding: report it, keep trying
            said = f"{type(error).__name__}: {error}"
        outcomes.append((began, time.time(), said))

    try:
        log_in()
        ready.set()
        if writing.wait(timeout=600):
            attempting.set()  # the import waits for this before it writes on
            while not stop.is_set():
                log_in()
    finally:
        db.dispose()
    return outcomes


BIG_IMPORT = 50_000


def test_logins_from_another_process_succeed_during_a_big_import(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    """All or none still, so the import's write is one transaction; a login that starts
    while it is writing (the import says so through its progress, from inside the write)
    waits for it within the busy timeout and succeeds, however slow a busy machine makes
    the write."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Patient ID,First Name,Last Name,DOB,Sex,Phone\r\n")
        for n in range(BIG_IMPORT):
            phone = f"631 555 01{n % 100:02d}"  # a real US number (the 555-01xx fictional range)
            out.write(f"P{n},Ana{n % 97},Silva{n % 89},3/4/{1930 + n % 80},F,{phone}\r\n")
    url = db.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    writing_since: list[float] = []
    with context.Manager() as manager:
        ready, writing, attempting, stop = (manager.Event() for _ in range(4))

        def progress(done: int, total: int, stage: str) -> None:
            if stage == "importing" and not writing_since:  # inside the write transaction
                writing_since.append(time.time())
                writing.set()
                # However slow the machine, the other login begins before the write ends.
                assert attempting.wait(timeout=600)

        with context.Pool(1) as pool:
            job = pool.apply_async(_log_in_while_writing, (url, ready, writing, attempting, stop))
            assert ready.wait(timeout=300)
            header, rows = patient_files.iter_csv(path)
            mapping = patient_files.suggest_mapping(header)
            report = patient_import.import_patients(
                db,
                staff.admin,
                patient_files.csv_candidates(header, rows, mapping),
                dry_run=False,
                progress=progress,
            )
            finished = time.time()
            writing.set()  # in case the import never wrote: the check below says so
            stop.set()
            outcomes = job.get(timeout=600)
    assert (report.added, report.problems) == (BIG_IMPORT, [])
    assert writing_since, "the import never reported writing"
    assert [said for _began, _ended, said in outcomes if said != "ok"] == []
    during = [began for began, _ended, _said in outcomes if writing_since[0] <= began < finished]
    assert during, "no login began while the import was writing"
    assert audit_log.verify_chain(db, staff.admin).broken is None
