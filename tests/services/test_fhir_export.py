"""The FHIR R4 bulk export: every resource validates with fhir.resources (R4B models, which
read R4 data), every reference resolves inside the export, counts match the database, one
patient's export holds only that patient, and exporting needs export rights."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import EpisodeOfCare, Evaluation, Patient, Visit
from casemanager.domain.enums import EvaluationKind, EvaluationStatus
from casemanager.domain.errors import PermissionDenied
from casemanager.services import accounts, demo, documents, fhir_export


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('fhir') / 'clinic.sqlite3'}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=40, seed=11, today=date(2026, 11, 26))
    yield db
    db.dispose()


def _read(folder: Path) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.ndjson")):
        lines = path.read_text(encoding="utf-8").splitlines()
        found[path.stem] = [json.loads(line) for line in lines]
    return found


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for inner in value.values():
            yield from _references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner)


def _check(resources: dict[str, list[dict[str, Any]]]) -> None:
    ids = {f"{r['resourceType']}/{r['id']}" for rows in resources.values() for r in rows}
    assert len(ids) == sum(len(rows) for rows in resources.values()), "ids are unique"
    for kind, rows in resources.items():
        model = get_fhir_model_class(kind)
        for resource in rows:
            assert resource["resourceType"] == kind
            model.model_validate(resource)  # raises on anything FHIR does not allow
            for target in _references(resource):
                assert target in ids, f"{kind}/{resource['id']} points at missing {target}"


def test_the_whole_clinic_exports_as_valid_fhir(clinic: Database, tmp_path: Path) -> None:
    manager = accounts.authenticate(clinic, "manager", demo.DEMO_PASSWORD, "ws")
    with clinic.session() as session:
        signed = session.scalar(
            select(Evaluation.id)
            .where(
                Evaluation.status == EvaluationStatus.SIGNED,
                Evaluation.kind == EvaluationKind.INITIAL,
            )
            .limit(1)
        )
    assert signed is not None
    documents.render(clinic, manager, signed)  # recorded as printed: a DocumentReference
    result = fhir_export.export(clinic, manager, tmp_path / "out")
    resources = _read(tmp_path / "out")
    assert result.counts == {kind: len(rows) for kind, rows in resources.items()}
    _check(resources)
    with clinic.session() as session:

        def count(model: Any) -> int:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

        assert result.counts["Patient"] == count(Patient)
        assert result.counts["EpisodeOfCare"] == count(EpisodeOfCare)
        assert result.counts["Encounter"] == count(Evaluation) + count(Visit)
    assert result.counts["Organization"] == 1 and result.counts["Practitioner"] == 4
    expected_kinds = {
        "Organization",
        "Practitioner",
        "Patient",
        "EpisodeOfCare",
        "Encounter",
        "Condition",
        "Observation",
        "CarePlan",
        "Goal",
        "ServiceRequest",
        "DocumentReference",
    }
    assert set(result.counts) == expected_kinds
    plans = resources["CarePlan"]
    assert all(p["activity"] for p in plans if p["status"] == "active")
    assert any("Home exercise:" in a["detail"]["description"] for p in plans for a in p["activity"])
    pain = [o for o in resources["Observation"] if o["code"]["coding"][0]["code"] == "72514-3"]
    assert pain and all(0 <= o["valueInteger"] <= 10 for o in pain)
    icd = [
        c for c in resources["Condition"] if c["code"]["coding"][0]["system"].endswith("icd-10-cm")
    ]
    assert icd and all("." in c["code"]["coding"][0]["code"] for c in icd)


def test_one_patient_and_who_may_export(clinic: Database, tmp_path: Path) -> None:
    manager = accounts.authenticate(clinic, "manager", demo.DEMO_PASSWORD, "ws")
    with clinic.session() as session:
        patient_id = session.scalar(
            select(EpisodeOfCare.patient_id).order_by(EpisodeOfCare.id).limit(1)
        )
    assert patient_id is not None
    result = fhir_export.export(clinic, manager, tmp_path / "one", patient_id=patient_id)
    resources = _read(tmp_path / "one")
    _check(resources)
    assert result.counts["Patient"] == 1
    subjects = {r["subject"]["reference"] for r in resources["Encounter"]}
    assert subjects == {f"Patient/patient-{patient_id}"}
    therapist = accounts.authenticate(clinic, "chen", demo.DEMO_PASSWORD, "ws")
    with pytest.raises(PermissionDenied):
        fhir_export.export(clinic, therapist, tmp_path / "denied")
    assert not (tmp_path / "denied").exists()


def test_phone_numbers_go_out_as_e164(clinic: Database, tmp_path: Path) -> None:
    """People's numbers as typed stay in the clinic; other systems get E.164, which needs no
    knowledge of our region, and the resources still validate."""
    manager = accounts.authenticate(clinic, "manager", demo.DEMO_PASSWORD, "ws")
    with clinic.session() as session:
        kept = session.scalars(select(Patient).where(Patient.phone.is_not(None))).first()
        assert kept is not None
        kept.phone = "000 000 0000"  # kept from before numbers were checked: no E.164 form
        kept.phone_e164 = None
    fhir_export.export(clinic, manager, tmp_path / "out")
    resources = _read(tmp_path / "out")
    _check(resources)
    with clinic.session() as session:
        typed = {f"patient-{p.id}": p for p in session.scalars(select(Patient))}
    values = []
    for resource in resources["Patient"]:
        row = typed[resource["id"]]
        phones = [t["value"] for t in resource.get("telecom", []) if t["system"] == "phone"]
        contact = [
            t["value"]
            for c in resource.get("contact", [])
            for t in c.get("telecom", [])
            if t["system"] == "phone"
        ]
        assert phones == [row.phone_e164 or row.phone] if row.phone else phones == []
        values += phones + contact
    assert "000 000 0000" in values
    e164 = [v for v in values if v != "000 000 0000"]
    assert e164 and all(re.fullmatch(r"\+1\d{10}", v) for v in e164)
    organization = resources["Organization"][0]
    assert {"system": "phone", "value": "+16315550100"} in organization["telecom"]
