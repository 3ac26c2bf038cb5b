"""The full CSV export: one file per table with exactly the stored values, no secrets, and a
data dictionary that names every exported column."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemanager import cli
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import Base, Patient
from casemanager.domain.errors import PermissionDenied
from casemanager.interop import dictionary
from casemanager.services import accounts, csv_export, demo


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_table_with_its_dictionary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    db = Database(url)
    upgrade(db)
    demo.generate_demo_clinic(db, patients=25, seed=12, today=date(2026, 11, 26))
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "ws")
    result = csv_export.export(db, manager, tmp_path / "csv")
    folder = tmp_path / "csv"
    expected = {t.name for t in Base.metadata.sorted_tables} - dictionary.DERIVED_TABLES
    assert set(result.rows) == expected
    assert {p.stem for p in folder.glob("*.csv")} == expected | {"data-dictionary"}
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in expected:
                stored = session.scalar(select(func.count()).select_from(table)) or 0
                if table.name == "audit_log":
                    stored -= 1  # the export's own row, written after the log was read
                assert result.rows[table.name] == stored, table.name
        first = session.scalars(select(Patient).order_by(Patient.id).limit(1)).one()
    patients = _rows(folder / "patient.csv")
    assert patients[0]["given_name"] == first.given_name  # exactly as stored, any script
    assert patients[0]["date_of_birth"] == first.date_of_birth.isoformat()
    users = _rows(folder / "users.csv")
    assert users and "password_hash" not in users[0]  # never a secret in an export
    entries = _rows(folder / "data-dictionary.csv")
    described = {(e["table"], e["column"]) for e in entries if e["column"]}
    for table in expected:
        with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert {(table, name) for name in header} <= described
    assert all(e["meaning"] for e in entries), "every table and column has a meaning"
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    with pytest.raises(PermissionDenied):
        csv_export.export(db, therapist, tmp_path / "denied")
    db.dispose()
    assert cli.main(["--database", url, "export", "csv", "--out", str(tmp_path / "cli")]) == 0
    assert "data-dictionary.csv" in capsys.readouterr().out


def test_the_data_model_page_names_every_table() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "data-model.md").read_text("utf-8")
    for table in Base.metadata.sorted_tables:
        if table.name not in dictionary.DERIVED_TABLES:
            assert f"| `{table.name}` |" in page, f"docs/data-model.md lacks {table.name}"
