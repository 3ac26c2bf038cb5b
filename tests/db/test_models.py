"""Every model round-trips every column through a real database, on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    select,
)
from sqlalchemy.orm.exc import StaleDataError

from casemanager.db.engine import Database
from casemanager.db.models import Base, Patient
from casemanager.db.types import UTCDateTime

UNICODE = "Zoë Łukasz Nguyễn Ἀθηνᾶ Дмитрий 王秀英 山田花子 김민준 <b>&amp;</b>"


def _value(column: Any, parents: dict[str, int]) -> Any:
    column_type = column.type
    if column.foreign_keys:
        (fk,) = column.foreign_keys
        return parents[fk.column.table.name]
    if isinstance(column_type, Enum):
        return column_type.enum_class(column_type.enums[-1])  # type: ignore[misc]
    if isinstance(column_type, UTCDateTime):
        return datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    if isinstance(column_type, Boolean):
        return True
    if isinstance(column_type, Date):
        return date(1961, 2, 28)
    if isinstance(column_type, Float):
        return 42.5
    if isinstance(column_type, Integer):
        return 7
    if isinstance(column_type, Text):
        return UNICODE * 100
    if isinstance(column_type, String):
        length = column_type.length or 50
        return (UNICODE * 4)[:length]
    if isinstance(column_type, LargeBinary):
        return bytes(range(256)) * 40  # every byte value, NUL included
    if isinstance(column_type, JSON):  # templates, intake answers: nested, any script
        return {"text": UNICODE, "list": [1, None, True, 2.5], "nested": {"k": [UNICODE]}}
    raise AssertionError(f"no sample value for {column!r}")


# Written only from the records at commit (tests/db/test_episode_summary.py covers it), and
# the audit chain's one-row head (tests/services/test_audit_log.py).
NOT_ROW_BY_ROW = {"episode_summary", "audit_chain_head"}
STORED = [t for t in Base.metadata.sorted_tables if t.name not in NOT_ROW_BY_ROW]


def test_every_model_round_trips(db: Database) -> None:
    parents: dict[str, int] = {}
    expected: dict[str, dict[str, Any]] = {}
    mappers = {m.local_table.name: m for m in Base.registry.mappers}
    with db.session() as session:
        for table in STORED:
            mapper = mappers[table.name]
            values = {
                mapper.get_property_by_column(c).key: _value(c, parents)
                for c in table.columns
                if not c.primary_key and c.name != "version"
            }
            if table.name in {"users", "patient"}:  # unique columns
                values[("username" if table.name == "users" else "mrn")] = "12345674"
            if table.name == "goal_assessment":  # given at a visit or in an evaluation, not both
                values["evaluation_id"] = None
            instance = mapper.class_(**values)
            session.add(instance)
            session.flush()
            parents[table.name] = instance.id
            expected[table.name] = values
    tested = set()
    with db.session() as session:
        for table in STORED:
            mapper = mappers[table.name]
            loaded = session.get(mapper.class_, parents[table.name])
            assert loaded is not None
            for key, value in expected[table.name].items():
                assert getattr(loaded, key) == value, f"{table.name}.{key}"
            tested.add(table.name)
    assert tested == {t.name for t in STORED}
    assert len(tested) >= 19


def _patient(session: Any) -> Patient:
    """A clinic with one patient, flushed so both have ids."""
    from casemanager.db.models import Clinic
    from casemanager.domain.enums import PatientStatus, Sex

    clinic = Clinic(name="C", is_demo=False)
    session.add(clinic)
    session.flush()
    patient = Patient(
        clinic_id=clinic.id,
        mrn="00000018",
        given_name="A",
        family_name="B",
        search_name="a b",
        date_of_birth=date(1980, 1, 1),
        sex=Sex.FEMALE,
        status=PatientStatus.ACTIVE,
    )
    session.add(patient)
    session.flush()
    return patient


def test_version_column_refuses_a_stale_write(db: Database) -> None:
    """Two workstations load the same patient; the second save is refused, not merged."""
    with db.session() as session:
        patient = _patient(session)
        patient_id = patient.id
        assert patient.version == 1
    first = db._sessions()  # two independent sessions, as on two workstations
    second = db._sessions()
    try:
        a = first.get(Patient, patient_id)
        b = second.get(Patient, patient_id)
        assert a is not None and b is not None
        a.phone = "555 0100"
        first.commit()
        b.phone = "555 0199"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()
    with db.session() as session:
        stored = session.scalars(select(Patient)).one()
        assert stored.phone == "555 0100" and stored.version == 2


def test_the_database_allows_one_open_episode_per_patient(db: Database) -> None:
    """Two workstations starting an episode at once: the database refuses the second."""
    from sqlalchemy.exc import IntegrityError

    from casemanager.db.models import EpisodeOfCare, User
    from casemanager.domain.enums import EpisodeStatus, Role

    with db.session() as session:
        patient = _patient(session)
        user = User(
            clinic_id=patient.clinic_id,
            username="t",
            display_name="T",
            role=Role.THERAPIST,
            password_hash="x",
        )
        session.add(user)
        session.flush()
        ids = {"patient_id": patient.id, "therapist_id": user.id, "complaint": "Back spasm"}
        session.add_all(
            [
                EpisodeOfCare(**ids, start_date=date(2025, 1, 6), status=EpisodeStatus.DISCHARGED),
                EpisodeOfCare(**ids, start_date=date(2026, 1, 6), status=EpisodeStatus.OPEN),
            ]
        )
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(EpisodeOfCare(**ids, start_date=date(2026, 2, 6), status=EpisodeStatus.OPEN))
