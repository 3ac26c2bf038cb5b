"""Take-home plans for a selection of patients: files written whole, patients without a
signed evaluation listed, each export audited, cancel between files, and the process pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry, PrintedDocument
from casemanager.domain.enums import AuditAction, Sex
from casemanager.domain.errors import DomainError
from casemanager.services import batch, patients
from tests.conftest import Staff
from tests.services.test_chart import TODAY, _signed_patient


def _clinic(db: Database, staff: Staff) -> list[int]:
    signed = [_signed_patient(db, staff, visit_count=0)[0] for _ in range(3)]
    unsigned = patients.create_patient(
        db,
        staff.therapist,
        patients.PatientFields("Ann", "Lee", TODAY.replace(year=1970), Sex.FEMALE),
    ).id
    return [*signed, unsigned]


def test_a_batch_writes_one_plan_per_signed_patient(
    db: Database, staff: Staff, tmp_path: Path
) -> None:
    ids = _clinic(db, staff)
    seen: list[tuple[int, int]] = []
    out = tmp_path / "plans"
    out.mkdir()
    result = batch.export_take_home_plans(
        db, staff.manager, ids, out, progress=lambda d, t: seen.append((d, t))
    )
    assert len(result.written) == 3 and not result.cancelled
    assert result.skipped == (
        (
            "Ann Lee (" + patients.get_patient(db, staff.manager, ids[3]).mrn + ")",
            "This patient has no signed evaluation yet: sign one, then print.",
        ),
    )
    assert seen[-1] == (4, 4)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in result.written)
    text = PdfReader(result.written[0]).pages[0].extract_text()
    # Each has an urgent red-flag referral open: the sheet that says what to do now.
    assert "What to do now" in text and "Παπαδοπούλου" in text
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(PrintedDocument)) == 3
        exports = session.scalar(
            select(func.count()).where(AuditEntry.action == AuditAction.EXPORT)
        )
    assert exports == 3


def test_cancel_stops_between_rounds(
    db: Database, staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _clinic(db, staff)
    monkeypatch.setattr(batch, "CHUNK", 2)
    rounds: list[int] = []
    result = batch.export_take_home_plans(
        db,
        staff.therapist,
        ids,
        tmp_path,
        progress=lambda done, total: rounds.append(done),
        cancelled=lambda: bool(rounds),  # the user pressed Cancel after the first round
    )
    assert result.cancelled and len(result.written) == 2
    assert not list(tmp_path.glob("*.part"))


def test_the_process_pool_makes_the_same_plans(
    db: Database, staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _clinic(db, staff)
    monkeypatch.setattr(batch, "POOL_FROM", 1)
    result = batch.export_take_home_plans(db, staff.therapist, ids, tmp_path, workers=2)
    assert len(result.written) == 3
    assert all(PdfReader(path).pages for path in result.written)


def test_a_missing_folder_is_refused(db: Database, staff: Staff, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="There is no folder"):
        batch.export_take_home_plans(db, staff.therapist, [], tmp_path / "nowhere")
