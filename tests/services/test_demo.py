"""The demo clinic: internally consistent records, the same for a seed however it is built."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain import codes
from casemanager.domain.enums import Role, Sex
from casemanager.services import accounts, demo, patients
from casemanager.services.demo import records

TODAY = date(2026, 11, 26)


def _scalar(db: Database, sql: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def test_demo_records_are_consistent(db: Database) -> None:
    summary = demo.generate_demo_clinic(db, patients=400, seed=5, today=TODAY)
    assert summary.patients == 400
    assert summary.visits > 400 * 4  # about ten visits per patient
    today = f"'{TODAY.isoformat()}'"
    # Nothing happens in the future.
    assert _scalar(db, f"SELECT count(*) FROM visit WHERE visit_date > {today}") == 0
    assert _scalar(db, f"SELECT count(*) FROM evaluation WHERE evaluation_date > {today}") == 0
    # A discharged patient's episodes are all closed; an active one has an open episode.
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM patient p JOIN episode_of_care e ON e.patient_id = p.id
        WHERE p.status = 'discharged' AND (e.status <> 'discharged' OR e.end_date IS NULL)
    """,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM patient p WHERE p.status = 'active' AND NOT EXISTS (
            SELECT 1 FROM episode_of_care e WHERE e.patient_id = p.id AND e.status = 'open')
    """,
        )
        == 0
    )
    # Every positive red flag has an action and a referral for it.
    assert _scalar(db, "SELECT count(*) FROM red_flag_finding WHERE answer = 'yes'") > 0
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM red_flag_finding f WHERE f.answer = 'yes' AND (f.action IS NULL
          OR NOT EXISTS (SELECT 1 FROM referral r WHERE r.evaluation_id = f.evaluation_id
                         AND r.kind = 'red_flag' AND r.red_flag_code = f.flag_code))
    """,
        )
        == 0
    )
    # Signed evaluations name a cause and at least one code; drafts exist too.
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM evaluation v WHERE v.status = 'signed' AND (v.primary_cause IS NULL
          OR NOT EXISTS (SELECT 1 FROM diagnosis_code d WHERE d.evaluation_id = v.id))
    """,
        )
        == 0
    )
    assert _scalar(db, "SELECT count(*) FROM evaluation WHERE status = 'draft'") > 0
    # Certification periods are at most 90 days, start day counted.
    with db.engine.connect() as conn:
        periods = conn.execute(
            text("SELECT certification_start, certification_end FROM treatment_plan")
        ).all()
        used_codes = [r[0] for r in conn.execute(text("SELECT DISTINCT code FROM diagnosis_code"))]
        names = [r[0] for r in conn.execute(text("SELECT family_name FROM patient"))]
    assert periods and all(
        (date.fromisoformat(str(end)) - date.fromisoformat(str(start))).days <= 89
        for start, end in periods
    )
    assert all(codes.is_billable(code) for code in used_codes)
    scripts = {unicodedata.name(name[0]).split()[0] for name in names}
    assert {"LATIN", "CJK", "HANGUL", "CYRILLIC", "GREEK"} <= scripts


def test_demo_accounts_log_in_and_new_rows_follow(db: Database) -> None:
    demo.generate_demo_clinic(db, patients=30, seed=2, today=TODAY)
    for username, _name, role, _licence in demo.DEMO_STAFF:
        actor = accounts.authenticate(db, username, demo.DEMO_PASSWORD, "ws")
        assert actor.role == role
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    # Ids continue after the bulk-inserted rows (PostgreSQL sequences were moved on).
    created = patients.create_patient(
        db, therapist, patients.PatientFields("New", "Patient", date(1980, 1, 1), Sex.MALE)
    )
    assert created.id == 31
    assert therapist.role == Role.THERAPIST


def _fingerprint(path: Path) -> list[tuple[object, ...]]:
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=3 * demo.CHUNK + 7, seed=11, today=TODAY)
    with db.engine.connect() as conn:
        rows = [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT p.mrn, p.family_name, count(v.id), sum(v.nprs) FROM patient p "
                    "JOIN episode_of_care e ON e.patient_id = p.id LEFT JOIN visit v "
                    "ON v.episode_id = e.id GROUP BY p.id, p.mrn, p.family_name ORDER BY p.id"
                )
            )
        ]
    db.dispose()
    return rows


def test_same_clinic_whether_built_inline_or_by_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = _fingerprint(tmp_path / "inline.sqlite3")
    monkeypatch.setattr(demo, "PARALLEL_FROM", 0)
    monkeypatch.setattr(demo.os, "cpu_count", lambda: 2)
    parallel = _fingerprint(tmp_path / "parallel.sqlite3")
    assert len(inline) == 3 * demo.CHUNK + 7
    assert len({row[0] for row in inline}) == len(inline)  # MRNs unique
    assert parallel == inline


def test_mrns_are_valid_and_distinct_across_a_large_clinic() -> None:
    from casemanager.domain.mrn import is_valid_mrn, make_mrn

    mrns = {
        make_mrn(1_000_000 + (n * records.MRN_STRIDE + 3 * 104_729) % 9_000_000)
        for n in range(200_000)
    }
    assert len(mrns) == 200_000
    assert all(is_valid_mrn(m) for m in list(mrns)[:1000])
