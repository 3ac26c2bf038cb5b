"""No output lands on a database: every casemanager-admin command that writes a file a user
named, pointed at the live database file, one of its working files, another database or a
folder named like a working file, is refused with a message, and the database file is the
same, byte for byte, afterwards."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from casemanager import cli
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.services import demo, documents, patients
from casemanager.services.context import Actor


@pytest.fixture(scope="module")
def clinic_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small demo clinic (closed, its log folded in) and the MRN of a patient with a signed
    evaluation."""
    path = tmp_path_factory.mktemp("clinic") / "clinic.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=12, seed=5, today=date(2026, 11, 26))
    chen = _login(db, "chen")
    mrn = ""
    for patient in patients.search_patients(db, chen, ""):
        try:
            documents.latest_signed_evaluation(db, chen, patient.id)
        except Exception:  # noqa: BLE001 - looking for one with a signed evaluation
            continue
        mrn = patient.mrn
        break
    db.dispose()
    assert mrn
    return path, mrn


def _login(db: Database, username: str) -> Actor:
    from casemanager.services import accounts

    return accounts.authenticate(db, username, demo.DEMO_PASSWORD, "ws")


@pytest.fixture
def clinic(clinic_template: tuple[Path, str], tmp_path: Path) -> Iterator[tuple[Path, str]]:
    path = tmp_path / "clinic" / "clinic.sqlite3"
    path.parent.mkdir()
    shutil.copy(clinic_template[0], path)
    yield path, clinic_template[1]


def _commands(path: Path, mrn: str, target: Path) -> dict[str, list[str]]:
    url = f"sqlite:///{path}"
    return {
        "audit export": ["--database", url, "audit", "export", "--out", str(target)],
        "care-plan": [
            "--database",
            url,
            "care-plan",
            mrn,
            "--out",
            str(target),
            "--user",
            "chen",
            "--password-stdin",
        ],
        "backup": ["--database", url, "backup", str(target)],
        "export csv": ["--database", url, "export", "csv", "--out", str(target)],
        "export fhir": ["--database", url, "export", "fhir", "--out", str(target)],
    }


def _run(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(demo.DEMO_PASSWORD + "\n"))
    code = cli.main(args)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("which", ["database", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize(
    "command", ["audit export", "care-plan", "backup", "export csv", "export fhir"]
)
def test_every_writer_refuses_the_live_database(
    clinic: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    which: str,
) -> None:
    path, mrn = clinic
    target = path if which == "database" else path.with_name(path.name + which)
    before = path.read_bytes()
    code, err = _run(_commands(path, mrn, target)[command], monkeypatch, capsys)
    assert code == cli.EXIT_REFUSED, err
    assert "Traceback" not in err
    assert "database" in err and ("choose another" in err.lower() or "Choose a" in err)
    assert path.read_bytes() == before  # byte for byte
    if which != "database":
        assert not target.exists()  # nothing made under a working file's name, not a folder
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file


@pytest.mark.parametrize("command", ["audit export", "care-plan", "backup"])
def test_another_database_is_never_overwritten(
    clinic: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """An older backup or another clinic's file: anything that starts with the SQLite header."""
    path, mrn = clinic
    other = tmp_path / "elsewhere" / "monday-backup.pdf"  # any name: the content counts
    other.parent.mkdir()
    shutil.copy(path, other)
    before = other.read_bytes()
    code, err = _run(_commands(path, mrn, other)[command], monkeypatch, capsys)
    assert code == cli.EXIT_REFUSED, err
    assert "is a database file" in err
    assert other.read_bytes() == before
    assert sorted(p.name for p in other.parent.iterdir()) == [other.name]


@pytest.mark.parametrize("command", ["export csv", "export fhir"])
def test_each_file_of_a_folder_export_is_checked(
    clinic: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """A database sitting in the export folder under the name of one of the export's files
    (here a copy of the clinic named patient.csv / Patient.ndjson) is left alone, and the
    export writes no half-set of files."""
    path, mrn = clinic
    folder = tmp_path / "export"
    folder.mkdir()
    victim = folder / ("patient.csv" if command == "export csv" else "Patient.ndjson")
    shutil.copy(path, victim)
    before = victim.read_bytes()
    code, err = _run(_commands(path, mrn, folder)[command], monkeypatch, capsys)
    assert code == cli.EXIT_REFUSED, err
    assert "is a database file" in err and "Traceback" not in err
    assert victim.read_bytes() == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_a_good_export_replaces_an_old_file_whole(
    clinic: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, mrn = clinic
    out = tmp_path / "plan.pdf"
    out.write_bytes(b"%PDF-1.4 an older plan")
    out.chmod(0o640)
    code, err = _run(_commands(path, mrn, out)["care-plan"], monkeypatch, capsys)
    assert code == cli.EXIT_OK, err
    assert out.read_bytes().startswith(b"%PDF") and len(out.read_bytes()) > 1000
    assert out.stat().st_mode & 0o777 == 0o640  # the file replaced keeps its permissions
    log = tmp_path / "audit.csv"
    code, err = _run(_commands(path, mrn, log)["audit export"], monkeypatch, capsys)
    assert code == cli.EXIT_OK, err
    assert log.read_text(encoding="utf-8-sig").startswith("Row,")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("command", ["caseload", "audit export"])
def test_standard_output_sent_to_the_database_is_refused(
    clinic: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """`casemanager-admin caseload >> clinic.sqlite3`: nothing is appended to the database."""
    path, _mrn = clinic
    before = path.read_bytes()
    args = ["--database", f"sqlite:///{path}", *command.split()]
    with path.open("ab") as appended:
        stream = io.TextIOWrapper(appended, encoding="utf-8")
        monkeypatch.setattr("sys.stdout", stream)
        code = cli.main(args)
        stream.flush()
        stream.detach()
    assert code == cli.EXIT_REFUSED
    assert "Standard output goes to" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_care_plan_acts_as_a_clinician_account(
    clinic: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """care-plan signs in: the matrix applies (an administrator may not open clinical records,
    at the command line as in the app), and the export is audited under the account."""
    from casemanager.db.models import AuditEntry
    from casemanager.domain.enums import AuditAction

    path, mrn = clinic
    url = f"sqlite:///{path}"
    out = tmp_path / "plan.pdf"
    base = ["--database", url, "care-plan", mrn, "--out", str(out), "--password-stdin"]
    code, err = _run([*base, "--user", "admin"], monkeypatch, capsys)
    assert code == cli.EXIT_REFUSED
    assert "An administrator may not print or save patient documents" in err
    assert "Ask an administrator" not in err
    assert not out.exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("not the password\n"))
    assert cli.main([*base, "--user", "chen"]) == cli.EXIT_REFUSED
    assert not out.exists()
    capsys.readouterr()
    code, err = _run([*base, "--user", "chen"], monkeypatch, capsys)
    assert code == cli.EXIT_OK, err
    db = Database(url)
    with db.session() as session:
        exported = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == AuditAction.EXPORT)
        ).all()
    db.dispose()
    assert exported[-1] == "chen"
