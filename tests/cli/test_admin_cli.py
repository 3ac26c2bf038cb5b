"""casemanager-admin, run in-process with real databases."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text

from casemanager import cli, config
from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Patient, User
from casemanager.domain.enums import Role
from tests.conftest import TEST_PASSWORD
from tests.services.test_caseload import clinic  # noqa: F401 - a fixture


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def test_migrate_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.sqlite3"
    url = f"sqlite:///{path}"
    assert cli.main(["--database", url, "migrate", "--check"]) == cli.EXIT_REFUSED
    assert "no database file" in capsys.readouterr().err
    assert not path.exists()  # a check creates nothing
    assert cli.main(["--database", url, "migrate"]) == cli.EXIT_OK
    assert "Schema upgraded from empty to" in capsys.readouterr().out
    assert cli.main(["--database", url, "migrate"]) == cli.EXIT_OK
    assert "Schema already at" in capsys.readouterr().out
    assert cli.main(["--database", url, "migrate", "--check"]) == cli.EXIT_OK
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE visit DROP COLUMN note"))
    db.dispose()
    assert cli.main(["--database", url, "migrate", "--check"]) == cli.EXIT_REFUSED
    assert "differs from the models" in capsys.readouterr().err


def test_environment_errors_are_messages_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_db = tmp_path / "notes.sqlite3"
    not_a_db.write_text("plain text, not a database\n" * 100)
    assert cli.main(["--database", f"sqlite:///{not_a_db}", "migrate"]) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "not a CaseManager database" in err and "Traceback" not in err


def test_default_database_is_the_embedded_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate"]) == cli.EXIT_OK
    assert config.default_sqlite_path().exists()


def test_catalog_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["catalog", "--json"]) == cli.EXIT_OK
    catalog = json.loads(capsys.readouterr().out)
    causes = {c["code"]: c for c in catalog["causes"]}
    assert set(causes) == {
        "tissue_injury",
        "heavy_lifting",
        "activity_strain",
        "weak_abdominals",
        "arthritis",
        "ruptured_disc",
        "fibromyalgia",
        "other",
    }
    disc_codes = {c["code"] for c in causes["ruptured_disc"]["suggested_codes"]}
    assert {"M51.26", "M51.16"} <= disc_codes
    assert all(c["description"] for c in causes["fibromyalgia"]["suggested_codes"])
    assert len(catalog["red_flags"]) >= 19
    assert {p["code"] for p in catalog["treatment_paths"]} == {
        "medication_referral",
        "pt_plan",
        "steroid_injection_referral",
        "lumbar_surgery_referral",
    }


def test_demo_and_create_user(
    db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["--database", _url(db), "demo", "--patients", "25", "--seed", "3"]) == 0
    assert "25 patients" in capsys.readouterr().out
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 25
    # A second demo into the same database is refused with a reason.
    assert cli.main(["--database", _url(db), "demo", "--patients", "5"]) == cli.EXIT_REFUSED
    assert "already holds a clinic" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO(TEST_PASSWORD + "\n"))
    code = cli.main(
        [
            "--database",
            _url(db),
            "create-user",
            "--username",
            "kowalski",
            "--role",
            "therapist",
            "--display-name",
            "Ewa Kowalska, PT",
            "--licence-number",
            "PT-77",
            "--password-stdin",
        ]
    )
    assert code == cli.EXIT_OK
    with db.session() as session:
        user = session.scalars(select(User).where(User.username == "kowalski")).one()
        assert user.role == Role.THERAPIST and user.active
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert last.actor == f"os:{config.operating_system_user()}"
    assert last.user_id is None


def test_create_user_refusals(
    db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(TEST_PASSWORD + "\n"))
    args = [
        "--database",
        _url(db),
        "create-user",
        "--username",
        "x1",
        "--role",
        "office_manager",
        "--password-stdin",
    ]
    assert cli.main(args) == cli.EXIT_REFUSED
    assert "holds no clinic yet" in capsys.readouterr().err
    cli.main(["--database", _url(db), "demo", "--patients", "1"])
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(args) == cli.EXIT_REFUSED
    assert "at least 10 characters" in capsys.readouterr().err


def test_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    from casemanager.db.migrate import upgrade
    from casemanager.services.demo import generate_demo_clinic

    def build(name: str) -> list[tuple[object, ...]]:
        db = Database(f"sqlite:///{tmp_path / name}")
        upgrade(db)
        generate_demo_clinic(db, patients=60, seed=7, today=date(2026, 11, 26))
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT mrn, given_name, family_name, date_of_birth, status FROM patient "
                    "ORDER BY id"
                )
            ).all()
            visits = conn.execute(text("SELECT count(*), sum(nprs) FROM visit")).one()
        db.dispose()
        return [tuple(r) for r in rows] + [tuple(visits)]

    assert build("a.sqlite3") == build("b.sqlite3")


@pytest.mark.usefixtures("clinic")
def test_caseload_figures_for_scripts(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    period = ["--from", "2026-11-01", "--to", "2026-11-26"]
    assert cli.main(["--database", _url(db), "caseload", *period]) == cli.EXIT_OK
    figures = json.loads(capsys.readouterr().out)
    assert figures["totals"]["active_episodes"] == 5 and figures["totals"]["visits"] == 4
    assert [c["key"] for c in figures["causes"]][:1] == ["heavy_lifting"]
    assert "worklist" not in figures  # figures only: no patient names leave by script

    args = ["--database", _url(db), "caseload", *period, "--format", "csv", "--therapist", "nguyen"]
    assert cli.main(args) == cli.EXIT_OK
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["section", "group", "figure", "value"]
    assert ["totals", "", "active_episodes", "2"] in rows
    # The draft was made seconds ago: it is overdue only after 24 hours.
    assert ["therapist", "Minh Nguyễn, PT", "unsigned_over_24h", "0"] in rows

    bad = ["--database", _url(db), "caseload", "--therapist", "manager"]
    assert cli.main(bad) == cli.EXIT_REFUSED
    assert "No therapist has the username 'manager'" in capsys.readouterr().err
    assert cli.main(["--database", _url(db), "caseload", "--to", "26/11/2026"]) == cli.EXIT_REFUSED
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.usefixtures("clinic")
def test_caseload_command_reads_only_the_figures(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """It prints figures, so it reads figures: not the worklist, which names patients (at
    100,000 patients reading it took seconds longer than the figures)."""
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        assert cli.main(["--database", _url(db), "caseload", "--format", "csv"]) == cli.EXIT_OK
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    capsys.readouterr()
    assert statements  # the listener did see the command's reads
    assert not [s for s in statements if "family_name" in s]  # no patient names read
    with db.session() as session:
        last = session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.detail.like("caseload%"))
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).one()
    assert last == "caseload figures"  # the audit says what was read: figures only


def test_export_fhir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert cli.main(["--database", url, "demo", "--patients", "12", "--seed", "3"]) == cli.EXIT_OK
    capsys.readouterr()
    out = tmp_path / "fhir"
    assert cli.main(["--database", url, "export", "fhir", "--out", str(out)]) == cli.EXIT_OK
    printed = capsys.readouterr().out
    assert "Patient.ndjson" in printed and "Wrote FHIR R4 NDJSON" in printed
    patients = (out / "Patient.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(patients) == 12
    mrn = json.loads(patients[0])["identifier"][0]["value"]
    one = tmp_path / "one"
    args = ["--database", url, "export", "fhir", "--out", str(one), "--patient", mrn]
    assert cli.main(args) == cli.EXIT_OK
    assert len((one / "Patient.ndjson").read_text(encoding="utf-8").splitlines()) == 1
    missing = ["--database", url, "export", "fhir", "--out", str(one), "--patient", "NOPE"]
    assert cli.main(missing) == cli.EXIT_REFUSED
    assert "No patient has the MRN" in capsys.readouterr().err
