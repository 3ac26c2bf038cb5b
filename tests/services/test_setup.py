from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.models import Exercise
from casemanager.domain import catalogs
from casemanager.domain.enums import Role
from casemanager.domain.errors import DomainError, ValidationError
from casemanager.services import clinic, setup
from tests.conftest import TEST_PASSWORD


def test_first_run_creates_clinic_admin_and_exercise_library(db: Database) -> None:
    assert setup.clinic_info(db) is None
    admin = setup.create_clinic(
        db,
        setup.NewClinic(
            "  Clínica Espalda Sana ",
            "Owner",
            "María José Pérez",
            TEST_PASSWORD,
            phone="+1 (631) 555-0100",
            email="front@espalda.example",
        ),
        workstation="desk-1",
    )
    assert admin.role == Role.ADMINISTRATOR and admin.username == "owner"
    info = setup.clinic_info(db)
    assert info is not None and info.name == "Clínica Espalda Sana" and not info.is_demo
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Exercise)) == len(
            catalogs.STARTER_EXERCISES
        )
    summary = clinic.overview(db, admin)
    assert (summary.clinic_name, summary.patients, summary.my_active_patients) == (
        "Clínica Espalda Sana",
        0,
        None,
    )
    with pytest.raises(DomainError, match="already holds a clinic"):
        setup.create_clinic(
            db, setup.NewClinic("Second", "other", "Other", TEST_PASSWORD), workstation="x"
        )


def test_first_run_validation_names_the_field(db: Database) -> None:
    with pytest.raises(ValidationError) as error:
        setup.create_clinic(db, setup.NewClinic("  ", "owner", "O", TEST_PASSWORD), "ws")
    assert error.value.field == "clinic_name"
    with pytest.raises(ValidationError) as error:
        setup.create_clinic(db, setup.NewClinic("C", "owner", "O", "123"), "ws")
    assert error.value.field == "password"
    assert setup.clinic_info(db) is None  # nothing half-created


def test_open_database_migrates_a_new_file(tmp_path: Path) -> None:
    db, result = setup.open_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path / "b")
    assert result.from_revision is None and result.backup is None
    assert setup.clinic_info(db) is None
    db.dispose()
