"""Odd command-line arguments get a message, never a traceback or a database error: an MRN
of 60,000 characters or holding a NUL, for every command that takes an MRN. On SQLite and
PostgreSQL."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from casemanager import cli
from casemanager.db.engine import Database
from casemanager.domain.enums import Sex
from casemanager.services import patients
from tests.conftest import TEST_PASSWORD, Staff

ODD_MRNS = ["9" * 60_000, "1234\x005678", "'; DROP TABLE patient; --", "12345678"]


def _commands(mrn: str, out: Path) -> list[list[str]]:
    return [
        # care-plan signs in as an account: the therapist's password comes on standard input.
        ["care-plan", mrn, "--out", str(out / "plan.pdf"), "--user", "rivera", "--password-stdin"],
        ["export", "fhir", "--out", str(out / "fhir"), "--patient", mrn],
    ]


@pytest.mark.parametrize("mrn", ODD_MRNS, ids=["60000-digits", "nul", "sql", "bad-check-digit"])
def test_an_odd_mrn_is_refused_with_a_message(
    db: Database,
    staff: Staff,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mrn: str,
) -> None:
    patients.create_patient(
        db, staff.therapist, patients.PatientFields("Ines", "Duarte", date(1979, 5, 6), Sex.FEMALE)
    )
    url = db.url.render_as_string(hide_password=False)
    for command in _commands(mrn, tmp_path):
        monkeypatch.setattr("sys.stdin", io.StringIO(TEST_PASSWORD + "\n"))
        assert cli.main(["--database", url, *command]) == cli.EXIT_REFUSED
        said = capsys.readouterr().err
        assert "No patient has the MRN" in said and "8 digits" in said, command
        assert len(said) < 400  # the 60,000 characters are not echoed back
    assert not (tmp_path / "plan.pdf").exists()


def test_an_unknown_but_valid_mrn_says_so(
    db: Database,
    staff: Staff,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = patients.create_patient(
        db, staff.therapist, patients.PatientFields("Ines", "Duarte", date(1979, 5, 6), Sex.FEMALE)
    )
    other = "10000008" if record.mrn != "10000008" else "10000016"
    url = db.url.render_as_string(hide_password=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(TEST_PASSWORD + "\n"))
    assert cli.main(["--database", url, *_commands(other, tmp_path)[0]]) == cli.EXIT_REFUSED
    assert f"No patient has the MRN {other}" in capsys.readouterr().err
