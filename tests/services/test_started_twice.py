"""Two workstations starting the same thing at the same moment, where the clinic keeps one:
a follow-up in an episode, an intake for a patient, the clinic itself at first start. Both
pass the service's check; the database keeps the first and the second is told what the
other workstation did and what to do, never a raw database error, with nothing half-written.

As in test_clashes: two engines on one SQLite file or one PostgreSQL database, the other
workstation's whole action committed just before this one's first write.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.models import Clinic, Evaluation, PatientIntake, User
from casemanager.domain.enums import EvaluationKind, EvaluationStatus
from casemanager.domain.errors import ConflictError
from casemanager.domain.intake import IntakeStatus
from casemanager.services import clashes, follow_up, intake, setup
from tests.conftest import TEST_PASSWORD, Staff
from tests.services.test_clashes import (
    _patient,
    _signed_with_plan,
    chain_holds,
    elsewhere,
    lost_to,
    refused_by,
)
from tests.services.test_evaluations import EVAL_DAY


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    """The same database opened by a second workstation: its own engine and sessions."""
    second = Database(db.url.render_as_string(hide_password=False))
    yield second
    second.dispose()


def test_a_follow_up_started_on_two_workstations(
    db: Database, other: Database, staff: Staff
) -> None:
    signed = _signed_with_plan(db, staff)
    day = EVAL_DAY + timedelta(days=14)
    refusal = refused_by(
        db,
        lambda: follow_up.start_follow_up(
            db, staff.therapist, signed.episode_id, EvaluationKind.PROGRESS_REPORT, day, today=day
        ),
        lambda: follow_up.start_follow_up(
            other,
            elsewhere(staff.therapist2),
            signed.episode_id,
            EvaluationKind.RE_EVALUATION,
            day,
            today=day,
        ),
    )
    assert isinstance(refusal, ConflictError)
    assert refusal.message == (
        f"Minh Nguyễn, PT has just started a re-evaluation ({day:%m/%d/%Y}) in this episode "
        "on another workstation, and an episode holds one unsigned evaluation at a time. "
        "Refresh the chart and open it from there."
    )
    with db.session() as session:
        drafts = session.scalars(
            select(Evaluation.kind).where(
                Evaluation.episode_id == signed.episode_id,
                Evaluation.status == EvaluationStatus.DRAFT,
            )
        ).all()
    assert drafts == [EvaluationKind.RE_EVALUATION]
    chain_holds(db, staff)


@pytest.mark.postgres
def test_an_intake_opened_on_two_workstations(db: Database, other: Database, staff: Staff) -> None:
    """Both cancel the intakes open so far (none), then both add theirs. On SQLite the first
    to cancel holds the write lock until it commits, so the second then cancels the first's:
    no duplicate can arise there (tests/db/test_one_of_each shows the database refuses one)."""
    if db.is_sqlite:
        pytest.skip("SQLite serializes the two writers; the duplicate cannot arise")
    patient_id = _patient(db, staff)
    message = lost_to(
        db,
        lambda: intake.open_intake(db, staff.therapist, patient_id, "en"),
        lambda: intake.open_intake(other, elsewhere(staff.therapist2), patient_id, "es"),
        at="INSERT INTO patient_intake",
    )
    assert message == clashes.INTAKE_OPENED_ELSEWHERE
    with db.session() as session:
        open_ones = session.scalars(
            select(PatientIntake.language).where(
                PatientIntake.patient_id == patient_id, PatientIntake.status == IntakeStatus.OPEN
            )
        ).all()
    assert open_ones == ["es"]  # the front desk's, whose tablet works
    # Opened again here, as the message offers: it replaces the front desk's.
    intake.open_intake(db, staff.therapist, patient_id, "en")
    chain_holds(db, staff)


def test_the_clinic_created_on_two_workstations_at_first_start(
    db: Database, other: Database
) -> None:
    mine = setup.NewClinic("Harbor Spine PT", "owner", "Olive Owner", TEST_PASSWORD)
    theirs = setup.NewClinic("Harbor Spine & Sport", "frontdesk", "Fran Desk", TEST_PASSWORD)
    message = lost_to(
        db,
        lambda: setup.create_clinic(db, mine, "ws-1"),
        lambda: setup.create_clinic(other, theirs, "ws-2"),
    )
    assert message == clashes.CLINIC_CREATED_ELSEWHERE
    with db.session() as session:
        assert session.scalars(select(Clinic.name)).all() == ["Harbor Spine & Sport"]
        assert session.scalars(select(User.username)).all() == ["frontdesk"]
        assert session.scalar(select(func.count()).select_from(Clinic)) == 1
