"""Patients in from other systems: the FHIR round trip (export a clinic, import its patients
into an empty one, compare), a CSV from another system with a suggested mapping and a
preview, no duplicates on a second run, and bad files refused with messages that say what to
fix, with nothing half-imported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemanager import cli
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import AuditEntry, Patient
from casemanager.domain.enums import Sex
from casemanager.domain.errors import DomainError
from casemanager.domain.mrn import is_valid_mrn
from casemanager.domain.patients import PatientFields
from casemanager.interop import patient_files
from casemanager.interop.patient_files import Candidate
from casemanager.services import accounts, audit_log, demo, fhir_export, patient_import, setup
from casemanager.services.context import Actor
from tests.conftest import TEST_PASSWORD, Staff


def _empty_clinic(path: Path) -> tuple[Database, Actor]:
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    admin = setup.create_clinic(
        db, setup.NewClinic("New Clinic", "admin", "Admin", TEST_PASSWORD), workstation="ws"
    )
    return db, admin


def _people(db: Database) -> set[tuple[object, ...]]:
    """What a round trip keeps: the phone number as E.164 (FHIR carries no typing style)."""
    with db.session() as session:
        return {
            (p.given_name, p.family_name, p.date_of_birth, p.sex, p.phone_e164, p.email,
             p.address, p.preferred_language)
            for p in session.scalars(select(Patient))
        }  # fmt: skip


def _count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Patient)) or 0)


def test_fhir_round_trip_and_no_duplicates(tmp_path: Path) -> None:
    source = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(source)
    demo.generate_demo_clinic(source, patients=30, seed=13, today=date(2026, 11, 26))
    manager = accounts.authenticate(source, "manager", demo.DEMO_PASSWORD, "ws")
    fhir_export.export(source, manager, tmp_path / "fhir")
    target, admin = _empty_clinic(tmp_path / "new.sqlite3")
    ndjson = tmp_path / "fhir" / "Patient.ndjson"
    report = patient_import.import_patients(
        target,
        admin,
        patient_files.fhir_candidates(ndjson),
        dry_run=False,
    )
    assert (report.added, report.already_there, report.problems) == (30, 0, [])
    assert _people(target) == _people(source)
    with target.session() as session:  # set out for people to read, not as bare E.164
        assert all(
            phone is None or phone.startswith("+1 ") and "-" in phone
            for phone in session.scalars(select(Patient.phone))
        )
    again = patient_import.import_patients(
        target,
        admin,
        patient_files.fhir_candidates(ndjson),
        dry_run=False,
    )
    assert (again.added, again.already_there) == (0, 30) and _count(target) == 30
    source.dispose()
    target.dispose()


OLD_SYSTEM = (
    "Patient ID;Last Name;First Name;DOB;Gender;Home Phone;E-mail\r\n"
    "A-1001;García López;María José;03/14/1968;F;(516) 201-3344;maria@example.org\r\n"
    "A-1002;Nguyễn;Văn An;1990-07-02;male;;\r\n"
    "A-1003;O'Brien;Siobhán;12/01/1955;;631 555 0102;\r\n"
    ";;;;;;\r\n"
)


def test_csv_from_another_system(tmp_path: Path) -> None:
    path = tmp_path / "old-system.csv"
    path.write_bytes(b"\xef\xbb\xbf" + OLD_SYSTEM.encode("utf-8"))  # Excel's UTF-8 with BOM
    header, rows = patient_files.read_csv(path)
    mapping = patient_files.suggest_mapping(header)
    assert mapping == {
        "source_id": "Patient ID",
        "family_name": "Last Name",
        "given_name": "First Name",
        "date_of_birth": "DOB",
        "sex": "Gender",
        "phone": "Home Phone",
        "email": "E-mail",
    }
    db, admin = _empty_clinic(tmp_path / "clinic.sqlite3")
    preview = patient_import.import_patients(
        db,
        admin,
        patient_files.csv_candidates(header, rows, mapping),
        dry_run=True,
    )
    assert (preview.added, preview.problems) == (3, []) and _count(db) == 0
    report = patient_import.import_patients(
        db,
        admin,
        patient_files.csv_candidates(header, rows, mapping),
        dry_run=False,
    )
    assert report.added == 3
    people = {(g, f, d) for g, f, d, *_rest in _people(db)}
    assert ("María José", "García López", date(1968, 3, 14)) in people
    assert ("Văn An", "Nguyễn", date(1990, 7, 2)) in people
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert cli.main(["--database", url, "import", "patients", str(path)]) == cli.EXIT_OK
    assert _count(db) == 3  # the second run adds nobody
    db.dispose()


def test_bad_files_are_refused_and_nothing_is_half_imported(tmp_path: Path) -> None:
    db, admin = _empty_clinic(tmp_path / "clinic.sqlite3")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(OLD_SYSTEM.encode("cp1252", errors="replace"))
    with pytest.raises(DomainError, match="not UTF-8"):
        patient_files.read_csv(latin)
    path = tmp_path / "old.csv"
    path.write_text(OLD_SYSTEM, encoding="utf-8")
    header, rows = patient_files.read_csv(path)
    partial = {"source_id": "Patient ID", "given_name": "First Name", "family_name": "Last Name"}
    with pytest.raises(DomainError, match="Choose a column for: Date of birth"):
        list(patient_files.csv_candidates(header, rows, partial))
    broken = list(rows)
    broken[1] = ["A-1002", "Nguyễn", "Văn An", "31/31/1990", "male", "", ""]
    broken[2] = ["A-1001", "Dup", "Row", "1990-01-01", "", "", ""]
    report = patient_import.import_patients(
        db,
        admin,
        patient_files.csv_candidates(header, broken, patient_files.suggest_mapping(header)),
        dry_run=False,
    )
    assert [p.row for p in report.problems] == [3, 4]
    assert "There is no date 31/31/1990" in report.problems[0].message
    assert "same record number as row 2" in report.problems[1].message
    assert _count(db) == 0  # the good row was not imported either

    ndjson = tmp_path / "patients.ndjson"
    ndjson.write_text(
        '{"resourceType": "Patient", "id": "x1", "name": [{"family": "Ok", "given": ["Fine"]}],'
        ' "birthDate": "1980-01-01"}\n'
        '{"resourceType": "Patient", "id": "x2", "name": [\n'
        '{"resourceType": "Observation", "id": "o1"}\n'
        '{"resourceType": "Patient", "id": "x3", "name": [{"family": "No", "given": ["Birth"]}]}\n',
        encoding="utf-8",
    )
    report = patient_import.import_patients(
        db,
        admin,
        patient_files.fhir_candidates(ndjson),
        dry_run=False,
    )
    rows_with_problems = {p.row: p.message for p in report.problems}
    assert set(rows_with_problems) == {2, 3, 4}
    assert "not JSON" in rows_with_problems[2]
    assert "not a FHIR Patient" in rows_with_problems[3]
    assert "birthDate is missing" in rows_with_problems[4]
    assert _count(db) == 0
    db.dispose()


def test_a_bigger_file_again_adds_only_the_new_patients(db: Database, staff: Staff) -> None:
    """More than one packed thousand, on both engines: a second import of the file grown by
    1,200 rows adds just those (skipping the others across the packs), every patient with
    their own fresh MRN and one audit row, the chain intact."""

    def candidates(count: int) -> list[Candidate]:
        return [
            Candidate(
                n + 2,
                f"old-system|{n}",
                PatientFields(f"Ana{n % 97}", "Silva", date(1970, 1, 1 + n % 28), Sex.FEMALE),
            )
            for n in range(count)
        ]

    first = patient_import.import_patients(db, staff.admin, candidates(2_500), dry_run=False)
    assert (first.added, first.already_there, first.problems) == (2_500, 0, [])
    again = patient_import.import_patients(db, staff.admin, candidates(3_700), dry_run=False)
    assert (again.added, again.already_there, again.problems) == (1_200, 2_500, [])
    with db.session() as session:
        mrns = list(session.scalars(select(Patient.mrn)))
        imported = session.scalar(
            select(func.count()).where(
                AuditEntry.detail == "imported", AuditEntry.patient_id.is_not(None)
            )
        )
    assert len(mrns) == len(set(mrns)) == 3_700 and all(is_valid_mrn(m) for m in mrns)
    assert imported == 3_700
    assert audit_log.verify_chain(db, staff.admin).broken is None
