"""Take-home plans for a selection of patients: files written whole, patients without a
signed evaluation listed, each export audited, cancel between files, and the process pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, PrintedDocument
from casemanager.domain.enums import AuditAction, Sex
from casemanager.domain.errors import DomainError
from casemanager.services import batch, patients
from tests.conftest import Staff
from tests.services.test_chart import TODAY, _signed_patient


def _clinic(db: Database, staff: Staff) -> list[int]:
    signed = [_signed_patient(db, staff, visit_count=0)[0] for _ in range(3)]
    unsigned = patients.create_patient(
        db,
        staff.therapist,
        patients.PatientFields("Ann", "Lee", TODAY.replace(year=1970), Sex.FEMALE),
    ).id
    return [*signed, unsigned]


def test_a_batch_writes_one_plan_per_signed_patient(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    ids = _clinic(db, staff)
    seen: list[tuple[int, int]] = []
    out = tmp_path / "plans"
    out.mkdir()
    result = batch.export_take_home_plans(
        db, staff.manager, ids, out, progress=lambda d, t: seen.append((d, t))
    )
    assert len(result.written) == 3 and not result.cancelled
    assert result.skipped == (
        (
            "Ann Lee (" + patients.get_patient(db, staff.manager, ids[3]).mrn + ")",
            "This patient has no signed evaluation yet: sign one, then print.",
        ),
    )
    assert seen[-1] == (4, 4)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in result.written)
    text = PdfReader(result.written[0]).pages[0].extract_text()
    # Each has an urgent red-flag referral open: the sheet that says what to do now.
    assert "What to do now" in text and "Παπαδοπούλου" in text
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(PrintedDocument)) == 3
        exports = session.scalar(
            select(func.count()).where(AuditEntry.action == AuditAction.EXPORT)
        )
    assert exports == 3


def test_cancel_stops_between_rounds(
    db: Database, staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _clinic(db, staff)
    monkeypatch.setattr(batch, "CHUNK", 2)
    rounds: list[int] = []
    result = batch.export_take_home_plans(
        db,
        staff.therapist,
        ids,
        tmp_path,
        progress=lambda done, total: rounds.append(done),
        cancelled=lambda: bool(rounds),  # the user pressed Cancel after the first round
    )
    assert result.cancelled and len(result.written) == 2
    assert not list(tmp_path.glob("*.part"))


def test_the_process_pool_makes_the_same_plans(
    db: Database, staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _clinic(db, staff)
    monkeypatch.setattr(batch, "POOL_FROM", 1)
    result = batch.export_take_home_plans(db, staff.therapist, ids, tmp_path, workers=2)
    assert len(result.written) == 3
    assert all(PdfReader(path).pages for path in result.written)


def test_a_missing_folder_is_refused(db: Database, staff: Staff, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="There is no folder"):
        batch.export_take_home_plans(db, staff.therapist, [], tmp_path / "nowhere")


def _rename(db: Database, staff: Staff, patient_id: int, given: str, family: str) -> None:
    from dataclasses import replace

    record = patients.get_patient(db, staff.therapist, patient_id)
    fields = replace(record.fields, given_name=given, family_name=family)
    patients.update_patient(db, staff.therapist, patient_id, record.version, fields)


def test_long_names_in_any_script_get_short_unique_file_names(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    """100 CJK characters twice made a 600-byte file name: the batch raised `File name too
    long` from its own error handler and stopped."""
    ids = _clinic(db, staff)
    _rename(db, staff, ids[0], "漢" * 100, "字" * 100)
    _rename(db, staff, ids[1], "漢" * 100, "字" * 99 + "子")  # the same first 200 bytes
    result = batch.export_take_home_plans(db, staff.manager, [*ids, ids[0]], tmp_path)
    assert len(result.written) == 4  # the patient listed twice gets a second file
    names = [p.name for p in result.written]
    assert len(set(names)) == 4
    assert all(len(n.encode()) <= batch.MAX_NAME_BYTES for n in names)
    assert all(n.endswith("-care-plan.pdf") and PdfReader(tmp_path / n).pages for n in names)
    mrn = patients.get_patient(db, staff.manager, ids[0]).mrn
    assert sum(n.startswith(f"{mrn}-字字") for n in names) == 2


def test_a_plan_that_cannot_be_written_is_listed_and_the_rest_are_written(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    ids = _clinic(db, staff)
    record = patients.get_patient(db, staff.manager, ids[1])
    blocker = tmp_path / batch.file_name(
        record.mrn, record.fields.family_name, record.fields.given_name, set()
    )
    blocker.mkdir()  # a folder where the file should go: the rename fails
    (blocker / "keep.txt").write_text("not ours")
    result = batch.export_take_home_plans(db, staff.manager, ids, tmp_path)
    assert len(result.written) == 2 and not result.cancelled
    why = dict(result.skipped)
    assert len(why) == 2  # that one, and the patient with no signed evaluation
    label = f"{record.fields.given_name} {record.fields.family_name} ({record.mrn})"
    assert "is a folder" in why[label]
    assert blocker.is_dir() and (blocker / "keep.txt").read_text() == "not ours"
    assert not list(tmp_path.glob("*.part"))


def test_a_plan_never_lands_on_a_database(db: Database, staff: Staff, tmp_path: Path) -> None:
    """A database file (a backup, another clinic) where a plan would go is left untouched,
    and the folder of a batch is never the live database."""
    ids = _clinic(db, staff)
    record = patients.get_patient(db, staff.manager, ids[1])
    backup = tmp_path / batch.file_name(
        record.mrn, record.fields.family_name, record.fields.given_name, set()
    )
    kept = b"SQLite format 3\x00" + b"\x01" * 4080
    backup.write_bytes(kept)
    result = batch.export_take_home_plans(db, staff.manager, ids, tmp_path)
    assert len(result.written) == 2
    label = f"{record.fields.given_name} {record.fields.family_name} ({record.mrn})"
    assert "is a database file" in dict(result.skipped)[label]
    assert backup.read_bytes() == kept and not list(tmp_path.glob("*.part"))
    if db.sqlite_path is not None:
        with pytest.raises(DomainError, match="clinic's database"):
            batch.export_take_home_plans(db, staff.manager, ids, db.sqlite_path)


def test_each_patient_read_and_each_export_is_audited(
    db: Database, staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _clinic(db, staff)
    monkeypatch.setattr(batch, "CHUNK", 3)
    with db.session() as session:
        before = session.scalar(select(func.max(AuditEntry.id))) or 0
    batch.export_take_home_plans(db, staff.manager, ids, tmp_path)
    with db.session() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.patient_id, AuditEntry.detail)
            .where(AuditEntry.id > before, AuditEntry.patient_id.is_not(None))
            .order_by(AuditEntry.id)
        ).all()
    reads = [pid for action, pid, _d in rows if action == AuditAction.READ]
    exports = [pid for action, pid, _d in rows if action == AuditAction.EXPORT]
    assert sorted(reads) == sorted(ids)  # every patient whose record was read
    assert sorted(exports) == sorted(ids[:3])  # every plan written
    assert all(d and d.endswith("(en), batch") for a, _p, d in rows if a == AuditAction.EXPORT)


def test_a_round_is_read_with_the_same_queries_for_few_or_many_plans(
    db: Database, staff: Staff
) -> None:
    from datetime import date

    from sqlalchemy import event

    from casemanager.services import batch_reading, documents

    ids = [_signed_patient(db, staff, visit_count=0)[0] for _ in range(5)]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    counts = []
    for chunk in (ids[:1], ids):
        statements.clear()
        with db.session() as session:
            found = batch_reading.patients_to_print(session, staff.manager, chunk)
            wanted = [p.evaluation_id for p in found.values() if p.evaluation_id]
            read = batch_reading.snapshots(session, staff.manager, wanted, date(2026, 11, 27))
        counts.append(len(statements))
        assert len(read) == len(chunk)
    event.remove(db.engine, "before_cursor_execute", count)
    assert counts[0] == counts[1]
    for patient_id in ids:  # the same snapshot the single-plan path makes
        evaluation_id = documents.latest_signed_evaluation(db, staff.manager, patient_id)
        with db.session() as session:
            many = batch_reading.snapshots(session, staff.manager, [evaluation_id], TODAY)
        assert many[evaluation_id] == documents.snapshot(
            db, staff.manager, evaluation_id, today=TODAY
        )


def test_a_batch_leaves_the_audit_chain_whole(
    db: Database, staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each round's reads and exports are chained in one turn each: the chain still checks
    out row by row, and each round's rows follow one another."""
    from casemanager.services import audit_log

    ids = _clinic(db, staff)
    monkeypatch.setattr(batch, "CHUNK", 2)
    batch.export_take_home_plans(db, staff.manager, ids, tmp_path)
    report = audit_log.verify_chain(db, staff.admin)
    assert report.broken is None and report.rows > 0
    with db.session() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.patient_id.in_(ids))
                .where(AuditEntry.action.in_([AuditAction.READ, AuditAction.EXPORT]))
                .where(AuditEntry.actor == staff.manager.username)
                .order_by(AuditEntry.id)
            )
        )
    # Every patient read (four) and every plan written (three) is on the chain.
    assert actions.count(AuditAction.READ) == 4 and actions.count(AuditAction.EXPORT) == 3


def test_a_log_out_ends_the_batch_worker_processes() -> None:
    """Their render caches hold the last batch's patients: a logout ends the processes (a
    batch still running keeps them until it is done), and the next batch starts anew."""
    from casemanager.domain import login_memory
    from casemanager.reports import fonts
    from casemanager.services import batch

    pool = batch._warm_pool(1)
    assert pool.submit(fonts.register).result(timeout=60)  # the fonts it registered
    workers = list(pool._processes.values())  # type: ignore[attr-defined]
    assert workers and all(w.is_alive() for w in workers)
    login_memory.forget_everything()  # while a batch holds the pool: it stays
    assert batch._pool is pool
    batch._release_pool()  # the batch is done: the pool ends now
    assert batch._pool is None
    for worker in workers:
        worker.join(timeout=30)
        assert not worker.is_alive()
    again = batch._warm_pool(1)  # the next batch: a new pool
    try:
        assert again is not pool
        login_memory.forget_everything()  # held: ends at release
    finally:
        batch._release_pool()
    assert batch._pool is None
    login_memory.forget_everything()  # nothing running, nothing held: ends at once
    assert batch._pool is None and batch._pool_users == 0
