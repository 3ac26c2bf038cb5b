"""The rules "at most one" are kept by the database, not only by the services' checks: two
workstations (two engines on one SQLite file, or on one PostgreSQL database) both find none
and both add one; the second is refused however it got past the check, and the refusal
names the rule (services/clashes.py words it)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casemanager.db.engine import Database
from casemanager.db.models import Base, Clinic, EpisodeOfCare, Evaluation, PatientIntake
from casemanager.db.types import utcnow
from casemanager.domain.enums import EpisodeStatus, EvaluationKind, EvaluationStatus
from casemanager.domain.intake import IntakeStatus
from casemanager.services import clashes
from tests.conftest import Staff
from tests.services.test_clashes import _patient, _signed_with_plan
from tests.services.test_evaluations import EVAL_DAY

Check = Callable[[Session], int]  # how many there are already (the service's check)
Row = Callable[[], Base]


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    second = Database(db.url.render_as_string(hide_password=False))
    yield second
    second.dispose()


def _second_is_refused(db: Database, other: Database, check: Check, row: Row) -> IntegrityError:
    """The other workstation checks first; this one checks, adds and commits; the other adds
    its own on the strength of its check."""
    with pytest.raises(IntegrityError) as refused, other.session() as theirs:
        assert check(theirs) == 0
        with db.session() as mine:
            assert check(mine) == 0
            mine.add(row())
        theirs.add(row())
        theirs.flush()
    with db.session() as session:
        assert check(session) == 1
    assert clashes.is_clash(refused.value)
    return refused.value


def test_one_unsigned_evaluation_per_episode(db: Database, other: Database, staff: Staff) -> None:
    signed = _signed_with_plan(db, staff)
    assert staff.therapist.user_id is not None
    therapist_id = staff.therapist.user_id

    def drafts(session: Session) -> int:
        return (
            session.scalar(
                select(func.count()).where(
                    Evaluation.episode_id == signed.episode_id,
                    Evaluation.status == EvaluationStatus.DRAFT,
                )
            )
            or 0
        )

    def draft() -> Evaluation:
        return Evaluation(
            episode_id=signed.episode_id,
            therapist_id=therapist_id,
            kind=EvaluationKind.PROGRESS_REPORT,
            evaluation_date=EVAL_DAY + timedelta(days=10),
            status=EvaluationStatus.DRAFT,
        )

    refused = _second_is_refused(db, other, drafts, draft)
    assert clashes.clashed_index(refused) == "uq_evaluation_one_draft_per_episode"
    # Signed evaluations are not counted: the episode's history holds many.
    with db.session() as session:
        signed_ones = select(func.count()).where(
            Evaluation.episode_id == signed.episode_id, Evaluation.status == EvaluationStatus.SIGNED
        )
        assert session.scalar(signed_ones) == 1


def test_one_open_intake_per_patient(db: Database, other: Database, staff: Staff) -> None:
    patient_id = _patient(db, staff)
    assert staff.therapist.user_id is not None
    therapist_id = staff.therapist.user_id

    def open_intakes(session: Session) -> int:
        return (
            session.scalar(
                select(func.count()).where(
                    PatientIntake.patient_id == patient_id,
                    PatientIntake.status == IntakeStatus.OPEN,
                )
            )
            or 0
        )

    def opened(status: IntakeStatus = IntakeStatus.OPEN) -> PatientIntake:
        return PatientIntake(
            patient_id=patient_id,
            opened_by_id=therapist_id,
            language="en",
            status=status,
            token_hash=secrets.token_hex(32),
            expires_at=utcnow() + timedelta(hours=2),
        )

    refused = _second_is_refused(db, other, open_intakes, opened)
    assert clashes.clashed_index(refused) == "uq_patient_intake_one_open_per_patient"
    with db.session() as session:  # closed ones are history: any number
        session.add_all([opened(IntakeStatus.SUBMITTED), opened(IntakeStatus.CANCELLED)])
        session.add_all([opened(IntakeStatus.SUBMITTED), opened(IntakeStatus.CANCELLED)])


def test_one_clinic_per_database(db: Database, other: Database) -> None:
    def clinics(session: Session) -> int:
        return session.scalar(select(func.count()).select_from(Clinic)) or 0

    refused = _second_is_refused(db, other, clinics, lambda: Clinic(name="C", is_demo=False))
    assert clashes.clashed_index(refused) == "uq_clinic_only_one"


def test_one_open_episode_per_patient(db: Database, other: Database, staff: Staff) -> None:
    """The first such rule (0007), read by the same means."""
    patient_id = _patient(db, staff)
    assert staff.therapist.user_id is not None
    therapist_id = staff.therapist.user_id

    def open_episodes(session: Session) -> int:
        return (
            session.scalar(
                select(func.count()).where(
                    EpisodeOfCare.patient_id == patient_id,
                    EpisodeOfCare.status == EpisodeStatus.OPEN,
                )
            )
            or 0
        )

    def episode() -> EpisodeOfCare:
        return EpisodeOfCare(
            patient_id=patient_id,
            therapist_id=therapist_id,
            complaint="Low back pain",
            start_date=EVAL_DAY,
            status=EpisodeStatus.OPEN,
        )

    refused = _second_is_refused(db, other, open_episodes, episode)
    assert clashes.clashed_index(refused) == "uq_episode_one_open_per_patient"
