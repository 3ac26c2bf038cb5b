"""The audit log's hash chain (intact, then broken by hand three ways), the viewer's filters,
the CSV export, and `casemanager-admin audit` on both engines."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from casemanager import cli
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import AuditChainHead, AuditEntry
from casemanager.domain.enums import AuditAction, DataCategory, Sex
from casemanager.domain.errors import PermissionDenied, ValidationError
from casemanager.services import audit, audit_log, patients
from casemanager.services.context import Actor
from tests.conftest import Staff
from tests.db.older import demo_clinic_at


def _count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@contextmanager
def _triggers_off(db: Database) -> Iterator[None]:
    """What someone with the file (or the database owner) could do: lift the append-only
    triggers, so the chain is all that is left to show the change."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    yield
    with db.engine.begin() as conn:
        if db.is_sqlite:
            for event in ("UPDATE", "DELETE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON "
                        "audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    )
                )
        else:
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))


def _some_activity(db: Database, staff: Staff) -> int:
    patient = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Noor", "Haddad", date(1975, 4, 9), Sex.FEMALE)
    )
    patients.get_patient(db, staff.manager, patient.id)
    return patient.id


def test_an_untouched_log_verifies(db: Database, staff: Staff) -> None:
    _some_activity(db, staff)
    rows = _count(db)
    report = audit_log.verify_chain(db, staff.admin)
    assert report.broken is None and report.rows == rows and report.last_id is not None
    with db.session() as session:
        last = session.get(AuditEntry, report.last_id)
        assert last is not None and last.row_hash == report.last_hash
        first = session.scalars(select(AuditEntry).order_by(AuditEntry.id).limit(1)).one()
        assert first.prev_hash == "0" * 64


@pytest.mark.parametrize("tamper", ["change", "delete", "swap"])
def test_a_tampered_log_names_the_first_broken_row(db: Database, staff: Staff, tamper: str) -> None:
    _some_activity(db, staff)
    with db.session() as session:
        ids = list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
    target = ids[len(ids) // 2]
    following = ids[ids.index(target) + 1]
    with _triggers_off(db), db.engine.begin() as conn:
        if tamper == "change":
            conn.execute(
                text("UPDATE audit_log SET detail = 'nothing to see' WHERE id = :id"),
                {"id": target},
            )
        elif tamper == "delete":
            conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": target})
        else:  # two rows' contents exchanged, hashes and all
            a, b = (
                conn.execute(
                    text("SELECT actor, detail, action FROM audit_log WHERE id = :id"), {"id": i}
                ).one()
                for i in (target, following)
            )
            for row_id, (actor, detail, action) in ((target, b), (following, a)):
                conn.execute(
                    text(
                        "UPDATE audit_log SET actor = :actor, detail = :detail, action = :action "
                        "WHERE id = :id"
                    ),
                    {"actor": actor, "detail": detail, "action": action, "id": row_id},
                )
    report = audit_log.verify_chain(db, staff.admin)
    assert report.broken is not None
    expected = following if tamper == "delete" else target
    assert report.broken.row_id == expected
    reason = "does not follow" if tamper == "delete" else "content was changed"
    assert reason in report.broken.reason
    assert report.rows == ids.index(target)


def test_rows_cut_off_the_end_are_noticed(db: Database, staff: Staff) -> None:
    _some_activity(db, staff)
    with db.session() as session:
        ids = list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
    with _triggers_off(db), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id >= :id"), {"id": ids[-2]})
    report = audit_log.verify_chain(db, staff.admin)
    assert report.broken is not None and report.broken.row_id == ids[-3]
    assert "the last 2 were removed" in report.broken.reason


def test_workstations_writing_at_once_keep_one_chain(db: Database, staff: Staff) -> None:
    """Four writers, each adding audit rows in its own transactions at the same time."""
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def write(n: int) -> None:
        try:
            start.wait(timeout=10)
            for i in range(10):
                with db.session() as session:
                    audit.record(
                        session,
                        staff.admin,
                        AuditAction.READ,
                        DataCategory.SYSTEM,
                        detail=f"{n}.{i}",
                    )
                    audit.record(
                        session, staff.admin, AuditAction.READ, DataCategory.SYSTEM, detail="again"
                    )
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # SQLite may turn a writer away as busy; PostgreSQL queues them. Either way, no fork.
    if not db.is_sqlite:
        assert errors == []
    report = audit_log.verify_chain(db, staff.admin)
    assert report.broken is None


def test_viewer_filters_and_audits_itself(db: Database, staff: Staff) -> None:
    patient_id = _some_activity(db, staff)
    rows = audit_log.search(db, staff.admin, audit_log.AuditFilter(patient_id=patient_id))
    assert rows and all(r.patient_id == patient_id for r in rows)
    assert all(r.patient.startswith("Haddad, Noor (") for r in rows)
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    by_manager = audit_log.search(db, staff.admin, audit_log.AuditFilter(actor="manager"))
    assert by_manager and {r.actor for r in by_manager} == {"manager"}
    reads = audit_log.search(
        db, staff.admin, audit_log.AuditFilter(action=AuditAction.READ, actor="manager")
    )
    assert reads and {r.action for r in reads} == {AuditAction.READ}
    tomorrow = date.today() + timedelta(days=1)
    assert audit_log.search(db, staff.admin, audit_log.AuditFilter(start=tomorrow)) == []
    with pytest.raises(ValidationError, match="Swap them"):
        audit_log.search(db, staff.admin, audit_log.AuditFilter(start=tomorrow, end=date.today()))
    with db.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert last.detail is not None and last.detail.startswith("audit log viewed")
    with pytest.raises(PermissionDenied):
        audit_log.search(db, staff.manager, audit_log.AuditFilter())


def test_export_streams_every_matching_row(db: Database, staff: Staff) -> None:
    _some_activity(db, staff)
    before = _count(db)
    out = io.StringIO(newline="")
    count = audit_log.export_csv(
        db, staff.admin, audit_log.AuditFilter(date.today(), date.today()), out, bom=False
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == audit_log.HEADERS
    assert count == len(rows) - 1 == before
    assert [int(r[0]) for r in rows[1:]] == sorted(int(r[0]) for r in rows[1:])
    with pytest.raises(PermissionDenied):
        audit_log.export_csv(db, staff.therapist, audit_log.AuditFilter(), io.StringIO())


def test_cli_verify_and_export(
    db: Database, staff: Staff, tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    _some_activity(db, staff)
    url = db.url.render_as_string(hide_password=False)
    assert cli.main(["--database", url, "audit", "verify"]) == cli.EXIT_OK
    assert "The audit log is intact" in capsys.readouterr().out
    out = tmp_path / "audit.csv"  # type: ignore[operator]
    day = date.today().isoformat()
    args = ["--database", url, "audit", "export", "--from", day, "--to", day, "--out", str(out)]
    assert cli.main(args) == cli.EXIT_OK
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode())
    assert len(data.decode("utf-8-sig").splitlines()) > 3
    assert cli.main(["--database", url, "audit", "export", "--from", "11/27/2026"]) == (
        cli.EXIT_REFUSED
    )
    assert "YYYY-MM-DD" in capsys.readouterr().err
    with db.session() as session:
        target = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id).limit(1)).one()
    with _triggers_off(db), db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_log SET workstation = 'elsewhere' WHERE id = :id"), {"id": target}
        )
    assert cli.main(["--database", url, "audit", "verify"]) == cli.EXIT_TAMPERED
    assert f"broken at row {target}" in capsys.readouterr().err


def test_migration_chains_a_log_written_before_the_chain(tmp_path: Path) -> None:
    db = demo_clinic_at(tmp_path, "0011", patients=20, seed=3)
    with db.engine.connect() as conn:
        written = conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one()
    upgrade(db, tmp_path / "backups")
    assert written > 0
    report = audit_log.verify_chain(db, Actor.command_line(1))
    assert report.broken is None and report.rows == written
    with db.session() as session:
        head = session.get(AuditChainHead, 1)
        assert head is not None and head.rows == written + 1  # the check's own row
    db.dispose()
