"""The demo clinic: internally consistent records, the same for a seed however it is built."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain import codes, phones
from casemanager.domain.enums import EpisodeStatus, Role, Sex
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
    # Every positive red flag has an action: a referral for it, or monitoring with a reason.
    assert _scalar(db, "SELECT count(*) FROM red_flag_finding WHERE answer = 'yes'") > 0
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM red_flag_finding f WHERE f.answer = 'yes' AND (f.action IS NULL
          OR (f.action = 'monitor' AND f.action_reason IS NULL)
          OR (f.action <> 'monitor' AND NOT EXISTS (
                SELECT 1 FROM referral r WHERE r.evaluation_id = f.evaluation_id
                AND r.kind = 'red_flag')))
    """,
        )
        == 0
    )
    # Age alone is noted and monitored, never referred (issue 13: no age-only referrals).
    assert _scalar(db, "SELECT count(*) FROM red_flag_finding WHERE action = 'monitor'") > 0
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM referral r WHERE r.kind = 'red_flag' AND NOT EXISTS (
            SELECT 1 FROM red_flag_finding f WHERE f.evaluation_id = r.evaluation_id
            AND f.answer = 'yes' AND f.flag_code <> 'age_over_70')
    """,
        )
        == 0
    )
    # A referral names findings, never a screening question.
    assert _scalar(db, "SELECT count(*) FROM referral WHERE reason LIKE '%?%'") == 0
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
    # Referrals are not sent or closed in the future.
    assert (
        _scalar(db, f"SELECT count(*) FROM referral WHERE sent_on > {today} OR closed_on > {today}")
        == 0
    )
    # One story per episode: the discharge re-evaluation keeps the intake history.
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM evaluation a JOIN evaluation b ON a.episode_id = b.episode_id
        WHERE a.kind = 'initial' AND b.kind = 'discharge'
          AND (a.onset_date <> b.onset_date OR a.occupation <> b.occupation)
    """,
        )
        == 0
    )
    # Visits stay within the certification and the planned frequency, under a PT plan.
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM visit v JOIN evaluation e ON e.episode_id = v.episode_id
          AND e.kind = 'initial' JOIN treatment_plan t ON t.evaluation_id = e.id
        WHERE v.visit_date > t.certification_end OR v.visit_date < t.certification_start
    """,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM treatment_plan t JOIN treatment_path p ON p.plan_id = t.id
          AND p.kind = 'pt_plan' JOIN evaluation e ON e.id = t.evaluation_id
        WHERE (SELECT count(*) FROM visit v WHERE v.episode_id = e.episode_id)
              > p.frequency_per_week * p.duration_weeks
    """,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            """
        SELECT count(DISTINCT v.episode_id) FROM visit v WHERE NOT EXISTS (
          SELECT 1 FROM evaluation e JOIN treatment_plan t ON t.evaluation_id = e.id
          JOIN treatment_path p ON p.plan_id = t.id AND p.kind = 'pt_plan'
          WHERE e.episode_id = v.episode_id)
    """,
        )
        == 0
    )
    # Only active patients have an upcoming appointment.
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM treatment_plan t JOIN evaluation e ON e.id = t.evaluation_id
        JOIN episode_of_care ep ON ep.id = e.episode_id JOIN patient p ON p.id = ep.patient_id
        WHERE t.next_appointment IS NOT NULL AND p.status <> 'active'
    """,
        )
        == 0
    )
    # The discharge re-evaluation's pain is the last visit's; "goals met" means it fell 2+.
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM evaluation r JOIN visit v ON v.episode_id = r.episode_id
        WHERE r.kind = 'discharge' AND v.visit_date = (
            SELECT max(visit_date) FROM visit w WHERE w.episode_id = r.episode_id)
          AND v.nprs <> r.nprs_now
    """,
        )
        == 0
    )
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM episode_of_care ep JOIN evaluation a ON a.episode_id = ep.id
          AND a.kind = 'initial' JOIN evaluation r ON r.episode_id = ep.id
          AND r.kind = 'discharge'
        WHERE ep.discharge_reason LIKE 'Goals met%' AND a.nprs_now - r.nprs_now < 2
    """,
        )
        == 0
    )
    # An initial-encounter injury code is not used at re-evaluation.
    assert (
        _scalar(
            db,
            """
        SELECT count(*) FROM diagnosis_code d JOIN evaluation e ON e.id = d.evaluation_id
        WHERE e.kind = 'discharge' AND d.code = 'S39.012A'
    """,
        )
        == 0
    )
    # Patients over 70 were recorded as such in their screening.
    with db.engine.connect() as conn:
        screened = conn.execute(
            text("""
            SELECT p.date_of_birth, e.evaluation_date, f.answer, p.created_at, ep.start_date
            FROM red_flag_finding f JOIN evaluation e ON e.id = f.evaluation_id
            JOIN episode_of_care ep ON ep.id = e.episode_id
            JOIN patient p ON p.id = ep.patient_id
            WHERE f.flag_code = 'age_over_70' AND e.status = 'signed'
        """)
        ).all()

    def years(born: object, on: object) -> float:
        return (date.fromisoformat(str(on)[:10]) - date.fromisoformat(str(born)[:10])).days / 365.25

    assert screened
    for born, on, answer, created, started in screened:
        age = years(born, on)
        assert age >= 18
        assert (answer == "yes") == (age > 71) or 70 <= age <= 71  # by age at today
        assert str(created)[:10] <= str(started)[:10]
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


def test_demo_phone_numbers_are_real_numbers_with_their_e164(db: Database) -> None:
    """The generator builds each E.164 form itself (speed): libphonenumber must agree."""
    demo.generate_demo_clinic(db, patients=60, seed=3, today=TODAY)
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT phone, phone_e164 FROM patient UNION ALL "
                "SELECT emergency_contact_phone, emergency_contact_phone_e164 FROM patient "
                "UNION ALL SELECT phone, phone_e164 FROM clinic"
            )
        ).all()
    numbers = [(typed, e164) for typed, e164 in rows if typed is not None]
    assert len(numbers) > 60
    assert all(phones.e164_or_none(typed, "US") == e164 for typed, e164 in numbers)


def test_a_past_episode_never_stays_open_with_a_referral_waiting() -> None:
    """A patient's earlier, discharged episode whose urgent red-flag referral was drawn as
    still waiting stayed open beside the current one: the 100,000-patient demo clinic
    (seed 1) broke the one-open-episode rule in its 84th chunk and was not built at all."""
    descriptions, conflicts = records.code_facts()
    spec = records.ChunkSpec(
        seed=1,
        index=83,
        first_patient=83 * demo.CHUNK,
        count=demo.CHUNK,
        today=TODAY,
        clinic_id=1,
        therapist_ids=(1, 2, 3, 4),
        exercise_ids=tuple(range(1, 12)),  # the 11 starter exercises
        descriptions=descriptions,
        conflicts=conflicts,
        sqlite=True,
    )
    builder = records.ChartBuilder(spec, records.NamePools(spec.seed))
    for _ in range(spec.count):
        builder.patient()
        builder.patient_number += 1
    open_per_patient: dict[int, int] = {}
    for episode in builder.rows["episode_of_care"]:
        if episode["status"] == EpisodeStatus.OPEN:
            open_per_patient[episode["patient_id"]] = (
                open_per_patient.get(episode["patient_id"], 0) + 1
            )
    assert open_per_patient and max(open_per_patient.values()) == 1
