"""Two workstations saving the same record at the same moment: one save wins, the other is
refused naming who changed it, and nothing is half-written. On PostgreSQL the workstations
are two engines (two connection pools) on one server; on SQLite, two processes on one file."""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain.enums import Role, Sex
from casemanager.domain.errors import ConflictError
from casemanager.services import accounts, audit_log, patients, setup
from tests.conftest import TEST_PASSWORD, Staff

PHONES = {"rivera": "(631) 555-0101", "manager": "(631) 555-0199"}


def _save(url: str, username: str, patient_id: int, start: Any) -> str:
    """One workstation: log in, wait for the other, save version 1 with its own phone."""
    db = Database(url)
    try:
        actor = accounts.authenticate(db, username, TEST_PASSWORD, f"ws-{username}")
        record = patients.get_patient(db, actor, patient_id)
        fields = replace(record.fields, phone=PHONES[username])
        start.wait(timeout=30)
        try:
            patients.update_patient(db, actor, patient_id, record.version, fields)
        except ConflictError as refused:
            return f"refused: {refused.message}"
        return "saved"
    finally:
        db.dispose()


def _check(db: Database, staff: Staff, patient_id: int, results: dict[str, str]) -> None:
    assert sorted(r.split(":")[0] for r in results.values()) == ["refused", "saved"]
    winner = next(name for name, r in results.items() if r == "saved")
    loser = next(name for name, r in results.items() if r != "saved")
    assert f"changed by {winner}" in results[loser]
    assert "kept on screen" in results[loser]
    record = patients.get_patient(db, staff.admin, patient_id)
    assert record.fields.phone == PHONES[winner] and record.version == 2
    assert audit_log.verify_chain(db, staff.admin).broken is None


def _patient(db: Database, staff: Staff) -> int:
    fields = patients.PatientFields("Ines", "Duarte", date(1979, 5, 6), Sex.FEMALE)
    return patients.create_patient(db, staff.therapist, fields).id


@pytest.mark.postgres
def test_two_engines_on_one_server(db: Database, staff: Staff) -> None:
    if db.is_sqlite:
        pytest.skip("the SQLite case runs two processes below")
    patient_id = _patient(db, staff)
    url = db.url.render_as_string(hide_password=False)
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def run(name: str) -> None:
        results[name] = _save(url, name, patient_id, start)

    threads = [threading.Thread(target=run, args=(name,)) for name in PHONES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    _check(db, staff, patient_id, results)


def test_two_processes_on_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    db = Database(url)
    upgrade(db)
    admin = setup.create_clinic(
        db, setup.NewClinic("Shared", "admin", "Admin", TEST_PASSWORD), workstation="ws"
    )
    for name, role, licence in (
        ("rivera", Role.THERAPIST, "PT-1"),
        ("manager", Role.OFFICE_MANAGER, None),
    ):
        accounts.create_user(db, admin, accounts.NewUser(name, name, role, TEST_PASSWORD, licence))
    therapist = accounts.authenticate(db, "rivera", TEST_PASSWORD, "ws")
    staff = Staff(admin=admin, therapist=therapist, therapist2=therapist, manager=admin)
    patient_id = _patient(db, staff)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(2)
        with context.Pool(2) as pool:
            pending = {
                name: pool.apply_async(_save, (url, name, patient_id, start)) for name in PHONES
            }
            results = {name: job.get(timeout=120) for name, job in pending.items()}
    _check(db, staff, patient_id, results)
    db.dispose()
