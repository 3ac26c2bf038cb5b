"""Odd and hostile import files, on SQLite and PostgreSQL: `import patients --check` refuses
exactly what the import refuses (over-long values and hidden characters in any field, the
record number included), odd line endings and dates are read or refused with a message,
FHIR lines of the wrong shape are row problems, and the bulk import keeps the audit chain."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemanager import cli
from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, Patient
from casemanager.domain import field_limits
from casemanager.domain.enums import AuditAction
from casemanager.domain.errors import DomainError
from casemanager.interop import patient_files
from casemanager.services import audit_log, patient_import
from tests.conftest import Staff

HEADER = "Patient ID,First Name,Last Name,DOB,Sex,Phone,Email,Address,Language\r\n"
GOOD = "A-1,Ana,Silva,03/04/1970,F,631 555 0101,ana@example.org,1 Main St,en\r\n"
# Column of each imported field in the rows above.
COLUMNS = ["source_id", "given_name", "family_name", "date_of_birth", "sex", "phone", "email",
           "address", "preferred_language"]  # fmt: skip


def _count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Patient)) or 0)


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def _row(field: str, value: str, number: int = 2) -> str:
    cells = GOOD.rstrip("\r\n").split(",")
    cells[0] = f"A-{number}"
    cells[COLUMNS.index(field)] = '"' + value.replace('"', '""') + '"'
    return ",".join(cells) + "\r\n"


BAD_VALUES = {
    "source_id": ["R" * 400, "A\x00B", "A\u202eB"],
    "given_name": ["N" * (field_limits.NAME + 1), "An\x00a", "An\u202ea"],
    "family_name": ["S" * (field_limits.NAME + 1), "Sil\x07va", "Sil\u2066va"],
    "phone": ["+1 (631)" + " " * 40 + "555-0100", "555\x000101"],
    "email": ["a" * 250 + "@example.org", "ana@exa\x00mple.org"],
    "address": ["x" * (field_limits.ADDRESS + 1), "1 Main\x00 St", "1 Main \u202dSt"],
}


def test_check_refuses_what_the_import_refuses(
    db: Database, staff: Staff, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [GOOD]
    expected: list[int] = []
    for field, values in BAD_VALUES.items():
        for value in values:
            expected.append(len(rows) + 2)
            rows.append(_row(field, value, len(rows) + 2))
    path = tmp_path / "hostile.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    url = _url(db)
    assert cli.main(["--database", url, "import", "patients", str(path), "--check"]) == 1
    checked = capsys.readouterr().err
    assert cli.main(["--database", url, "import", "patients", str(path)]) == 1
    imported = capsys.readouterr().err
    assert checked == imported  # the same rows, the same words
    assert "Traceback" not in imported and "DataError" not in imported
    assert [int(line.split(":")[0][4:]) for line in imported.splitlines()[1:-1]] == expected
    assert "too long (404 characters)" in imported  # "csv|" and the 400-character number
    assert _count(db) == 0


def test_a_clean_file_passes_check_and_imports_on_both_engines(
    db: Database, staff: Staff, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clean.csv"
    longest = "R" * (field_limits.SOURCE_IDENTIFIER - len("csv|"))
    path.write_text(HEADER + GOOD + _row("source_id", longest), encoding="utf-8")
    url = _url(db)
    assert cli.main(["--database", url, "import", "patients", str(path), "--check"]) == 0
    assert cli.main(["--database", url, "import", "patients", str(path)]) == 0
    assert "Imported 2 patients" in capsys.readouterr().out
    assert _count(db) == 2
    assert audit_log.verify_chain(db, staff.admin).broken is None


def test_cr_only_line_endings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "old-mac.csv"
    path.write_bytes((HEADER + GOOD + _row("given_name", "Bea")).replace("\r\n", "\r").encode())
    header, rows = patient_files.read_csv(path)
    assert header[:3] == ["Patient ID", "First Name", "Last Name"] and len(rows) == 2
    read = list(patient_files.csv_candidates(header, rows, patient_files.suggest_mapping(header)))
    assert [c.fields.given_name for c in read if isinstance(c, patient_files.Candidate)] == [
        "Ana",
        "Bea",
    ]


def test_a_field_over_the_csv_limit_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "runaway-quote.csv"
    path.write_text(HEADER + GOOD + 'A-2,"Bea' + "x" * 140_000 + "\r\n", encoding="utf-8")
    with pytest.raises(DomainError) as refused:
        patient_files.read_csv(path)
    assert "line 3" in refused.value.message and "quote mark" in refused.value.message


@pytest.mark.parametrize(
    ("typed", "read"),
    [("3/4/1970", "1970-03-04"), ("03/04/1970", "1970-03-04"), ("1970-03-04", "1970-03-04"),
     ("3-4-1970", "1970-03-04"), ("12.31.1999", "1999-12-31")],
)  # fmt: skip
def test_birth_dates_month_first_with_or_without_zeros(
    tmp_path: Path, typed: str, read: str
) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(HEADER + _row("date_of_birth", typed), encoding="utf-8")
    header, rows = patient_files.read_csv(path)
    [item] = patient_files.csv_candidates(header, rows, patient_files.suggest_mapping(header))
    assert isinstance(item, patient_files.Candidate)
    assert item.fields.date_of_birth.isoformat() == read


@pytest.mark.parametrize("typed", ["01/02/70", "1/2/70", "01/02/170"])
def test_two_digit_years_are_refused_with_a_message(tmp_path: Path, typed: str) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(HEADER + _row("date_of_birth", typed), encoding="utf-8")
    header, rows = patient_files.read_csv(path)
    [item] = patient_files.csv_candidates(header, rows, patient_files.suggest_mapping(header))
    assert isinstance(item, patient_files.RowProblem)
    assert "year" in item.message and "four digits" in item.message


FHIR_LINES = {
    "given as text": '{"resourceType":"Patient","id":"p1","name":[{"given":"John","family":"X"}]'
    ',"birthDate":"1980-01-01"}',
    "line as text": '{"resourceType":"Patient","id":"p2","name":[{"given":["A"],"family":"B"}],'
    '"address":[{"line":"12 Main St"}],"birthDate":"1980-01-01"}',
    "name as text": '{"resourceType":"Patient","id":"p3","name":"Bob Smith",'
    '"birthDate":"1980-01-01"}',
    "telecom as text": '{"resourceType":"Patient","id":"p4","name":[{"given":["A"],'
    '"family":"B"}],"telecom":["555"],"birthDate":"1980-01-01"}',
    "year only": '{"resourceType":"Patient","id":"p5","name":[{"given":["A"],"family":"B"}],'
    '"birthDate":"1980"}',
    "year and month": '{"resourceType":"Patient","id":"p6","name":[{"given":["A"],'
    '"family":"B"}],"birthDate":"1980-05"}',
    "unknown element": '{"resourceType":"Patient","id":"p7","nickname":"Bo","name":[{"given":'
    '["A"],"family":"B"}],"birthDate":"1980-01-01"}',
}
FHIR_SAYS = {
    "given as text": "name[0].given must be a list",
    "line as text": "address[0].line must be a list",
    "name as text": "name must be a list",
    "telecom as text": "telecom[0] must be an object",
    "year only": "birthDate 1980 gives only the year:",
    "year and month": "birthDate 1980-05 gives only the year and month",
    "unknown element": "nickname is not an element of a FHIR R4 Patient",
}


def test_fhir_lines_of_the_wrong_shape_are_row_problems(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    good = (
        '{"resourceType":"Patient","id":"ok","name":[{"use":"official","given":["Ana","Luisa"],'
        '"family":"Silva"}],"birthDate":"1970-03-04","address":[{"line":["12 Main St"],'
        '"city":"Springfield"}],"telecom":[{"system":"phone","value":"631 555 0101"}]}'
    )
    path = tmp_path / "Patient.ndjson"
    path.write_text("\n".join([good, *FHIR_LINES.values()]) + "\n", encoding="utf-8")
    report = patient_import.import_patients(
        db, staff.admin, patient_files.fhir_candidates(path), dry_run=False
    )
    said = {p.row: p.message for p in report.problems}
    assert set(said) == set(range(2, 2 + len(FHIR_LINES)))
    for row, case in enumerate(FHIR_LINES, start=2):
        assert FHIR_SAYS[case] in said[row], (case, said[row])
    assert _count(db) == 0
    read = patient_files.fhir_candidates(path)
    [ok] = [c for c in read if isinstance(c, patient_files.Candidate)]
    assert (ok.fields.given_name, ok.fields.address) == ("Ana Luisa", "12 Main St, Springfield")


def test_bulk_import_keeps_one_audit_row_per_patient_and_the_chain(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    rows = "".join(_row("given_name", f"Name{chr(65 + n % 26)}", n) for n in range(2, 2502))
    path = tmp_path / "many.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    header, read = patient_files.read_csv(path)
    candidates = patient_files.csv_candidates(header, read, patient_files.suggest_mapping(header))
    report = patient_import.import_patients(db, staff.admin, candidates, dry_run=False)
    assert (report.added, report.problems) == (2500, [])
    with db.session() as session:
        audited = set(
            session.scalars(
                select(AuditEntry.patient_id).where(
                    AuditEntry.action == AuditAction.CREATE, AuditEntry.detail == "imported"
                )
            )
        )
        ids = set(session.scalars(select(Patient.id)))
        mrns = session.scalars(select(Patient.mrn)).all()
    assert audited == ids and len(set(mrns)) == 2500
    report = audit_log.verify_chain(db, staff.admin)
    assert report.broken is None and report.rows > 2500


@pytest.mark.postgres
def test_the_same_file_imported_at_once_on_postgres(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    """The other import holds its new rows uncommitted; ours waits on the record number's
    unique index, then is refused when the other commits: a message, nothing imported."""
    if db.is_sqlite:
        pytest.skip("SQLite has one writer at a time: the second import waits, then skips")
    path = tmp_path / "same.csv"
    path.write_text(HEADER + GOOD + _row("given_name", "Bea", 3), encoding="utf-8")

    def candidates() -> list[patient_files.Candidate | patient_files.RowProblem]:
        return patient_files.read_candidates(path, patient_files.suggest_mapping(
            patient_files.read_csv(path)[0]))  # fmt: skip

    other = Database(_url(db))
    session = other._sessions()
    try:
        session.add(
            Patient(
                clinic_id=staff.admin.clinic_id, mrn="00000000", given_name="Bea",
                family_name="Silva", search_name="bea silva", date_of_birth=_date(),
                sex="female", preferred_language="en", status="active",
                source_identifier="csv|A-3",
            )
        )  # fmt: skip
        session.flush()
        outcome: dict[str, object] = {}

        def run() -> None:
            try:
                outcome["report"] = patient_import.import_patients(
                    db, staff.admin, candidates(), dry_run=False
                )
            except DomainError as refused:
                outcome["refused"] = refused.message

        worker = threading.Thread(target=run)
        worker.start()
        worker.join(timeout=3)  # it blocks on the uncommitted record number
        session.commit()
        worker.join(timeout=60)
    finally:
        session.close()
        other.dispose()
    message = str(outcome.get("refused"))
    assert "Another import added the patient of row 3 (record number A-3)" in message
    assert "Nothing was imported" in message
    assert _count(db) == 1  # only the other import's patient


def _date():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(1970, 3, 4)


def test_ndjson_lines_end_only_at_line_breaks(tmp_path: Path) -> None:
    """CR-only files are read; a U+2028 or form feed inside a JSON string stays in it."""
    line = (
        '{"resourceType":"Patient","id":"p%d","name":[{"given":["Ana"],"family":"Silva"}],'
        '"birthDate":"1970-03-04","address":[{"text":"1 Main St\u2028Apt 2\\f"}]}'
    )
    path = tmp_path / "Patient.ndjson"
    path.write_text("\r".join(line % n for n in (1, 2)) + "\r", encoding="utf-8")
    read = list(patient_files.fhir_candidates(path))
    assert [type(c).__name__ for c in read] == ["Candidate", "Candidate"]
    first = read[0]
    assert isinstance(first, patient_files.Candidate)
    assert first.fields.address == "1 Main St\u2028Apt 2\f"
