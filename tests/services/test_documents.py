"""Documents from the database: the latest signed evaluation, audited prints and exports,
who may print, and the command-line export."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casemanager import cli
from casemanager.db.engine import Database
from casemanager.db.models import AuditEntry
from casemanager.domain.enums import AuditAction, DataCategory, EvaluationKind, Sex
from casemanager.domain.errors import DomainError, PermissionDenied, ValidationError
from casemanager.services import chart, documents, follow_up, patients
from casemanager.services.documents import DocumentKind
from tests.conftest import TEST_PASSWORD, Staff
from tests.services.test_chart import TODAY, _signed_patient


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_print_the_latest_signed_evaluation(db: Database, staff: Staff) -> None:
    patient_id, episode_id = _signed_patient(db, staff, visit_count=0)
    signed = documents.latest_signed_evaluation(db, staff.therapist, patient_id)
    # A newer draft is not printed: the care plan comes from what was signed.
    follow_up.start_follow_up(
        db, staff.therapist, episode_id, EvaluationKind.PROGRESS_REPORT, TODAY, today=TODAY
    )
    assert documents.latest_signed_evaluation(db, staff.therapist, patient_id) == signed
    text = _text(documents.render(db, staff.manager, signed, language="es"))
    # Her urgent red-flag referral is open: the sheet says what to do now (issue 13, item 4).
    assert "Παπαδοπούλου" in text and "Qué hacer ahora" in text
    for kind in (DocumentKind.PLAN_OF_CARE, DocumentKind.REFERRAL):
        assert "Ana Rivera, PT" in _text(documents.render(db, staff.therapist, signed, kind))
    with db.session() as session:
        printed = session.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.patient_id == patient_id,
                AuditEntry.action == AuditAction.PRINT,
                AuditEntry.data_category == DataCategory.DOCUMENT,
            )
        ).all()
    assert printed == [
        f"take-home of evaluation {signed} (es)",
        f"plan-of-care of evaluation {signed}",
        f"referral of evaluation {signed}",
    ]
    # A preview is audited as a read, and is not a printed document.
    documents.render(db, staff.therapist, signed, action=AuditAction.READ)
    timeline = chart.open_chart(db, staff.therapist, patient_id).episodes[0].timeline
    shown = [(e.what, e.detail) for e in timeline if e.what.startswith(("Printed", "Saved"))]
    assert sorted(shown) == [
        ("Printed: plan of care", "by rivera"),
        ("Printed: referral letter", "by rivera"),
        ("Printed: take-home care plan", "Español, by manager"),
    ]


def test_refusals(db: Database, staff: Staff) -> None:
    patient_id, _episode = _signed_patient(db, staff, visit_count=0)
    signed = documents.latest_signed_evaluation(db, staff.therapist, patient_id)
    with pytest.raises(PermissionDenied, match="print or save patient documents"):
        documents.render(db, staff.admin, signed)
    fresh = patients.create_patient(
        db,
        staff.therapist,
        patients.PatientFields("Ann", "Lee", TODAY.replace(year=1970), Sex.FEMALE),
    )
    with pytest.raises(DomainError, match="no signed evaluation"):
        documents.latest_signed_evaluation(db, staff.therapist, fresh.id)


def test_command_line_export(
    db: Database,
    staff: Staff,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patient_id, _episode = _signed_patient(db, staff, visit_count=0)
    mrn = patients.get_patient(db, staff.therapist, patient_id).mrn
    url = db.url.render_as_string(hide_password=False)
    out = tmp_path / "plan.pdf"
    user = ["--user", "rivera", "--password-stdin"]  # the command line signs in as an account

    def run(*args: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(TEST_PASSWORD + "\n"))
        return cli.main(["--database", url, "care-plan", mrn, "--out", str(out), *user, *args])

    assert run() == cli.EXIT_OK
    assert "What to do now" in _text(out.read_bytes())  # her red-flag referral is open
    assert run("--kind", "plan-of-care") == cli.EXIT_OK
    assert "Physician certification" in _text(out.read_bytes())
    assert run("--language", "fr") == cli.EXIT_REFUSED
    assert "choose one of: en, es" in capsys.readouterr().err
    with db.session() as session:
        exported = session.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.patient_id == patient_id, AuditEntry.action == AuditAction.EXPORT
            )
        ).all()
    assert exported == ["rivera", "rivera"]


def test_a_password_protected_copy_uses_aes_256(db: Database, staff: Staff, tmp_path: Path) -> None:
    patient_id, _episode = _signed_patient(db, staff, visit_count=0)
    signed = documents.latest_signed_evaluation(db, staff.therapist, patient_id)
    with pytest.raises(ValidationError, match="at least 8 characters"):
        documents.render(db, staff.therapist, signed, password="short")
    pdf = documents.render(
        db, staff.therapist, signed, action=AuditAction.EXPORT, password="correct horse"
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    encryption = reader.trailer["/Encrypt"].get_object()
    assert (encryption["/V"], encryption["/R"]) == (5, 6)  # AES-256, PDF 2.0
    assert reader.decrypt("wrong password") == 0
    assert reader.decrypt("correct horse") != 0
    assert "Παπαδοπούλου" in " ".join(p.extract_text() for p in reader.pages)
    # Poppler (most Linux readers) opens it with the password, and only with it.
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(pdf)
    opened = subprocess.run(
        ["pdftotext", "-upw", "correct horse", str(locked), "-"], capture_output=True, text=True
    )
    assert opened.returncode == 0 and "What to do now" in opened.stdout
    refused = subprocess.run(["pdftotext", str(locked), "-"], capture_output=True, text=True)
    assert refused.returncode != 0


def _cleared(db: Database, staff: Staff, patient_id: int) -> None:
    """The urgent red flag of `_signed_patient` seen and cleared, so the full plan prints."""
    from casemanager.services import referrals

    (flag,) = chart.open_chart(db, staff.therapist, patient_id, today=TODAY).open_red_flags
    referrals.record_outcome(
        db,
        staff.therapist,
        flag.referral_id,
        referrals.ReferralOutcome("Dr. Omar Haddad", TODAY, cleared_for_therapy=True),
        today=TODAY,
    )


def test_after_discharge_the_last_plan_is_printed(db: Database, staff: Staff) -> None:
    from dataclasses import replace

    from casemanager.domain.enums import DischargeReason
    from casemanager.services import evaluations

    patient_id, episode_id = _signed_patient(db, staff, visit_count=0)
    _cleared(db, staff, patient_id)
    initial = documents.latest_signed_evaluation(db, staff.therapist, patient_id)
    summary = follow_up.start_follow_up(
        db, staff.therapist, episode_id, EvaluationKind.DISCHARGE, TODAY, today=TODAY
    )
    content = replace(
        summary.content, assessment_note="Done.", discharge_reason=DischargeReason.GOALS_MET
    )
    summary = evaluations.save_draft(db, staff.therapist, summary.id, summary.version, content)
    evaluations.sign(db, staff.therapist, summary.id, summary.version)
    assert documents.latest_signed_evaluation(db, staff.therapist, patient_id) == initial
    text = _text(documents.render(db, staff.therapist, initial))
    assert "Your treatment with us is complete" in text


def test_a_reprint_keeps_the_exercise_wording_that_was_signed(db: Database, staff: Staff) -> None:
    from dataclasses import replace

    from casemanager.services import exercises

    patient_id, _episode = _signed_patient(db, staff, visit_count=0)
    _cleared(db, staff, patient_id)
    signed = documents.latest_signed_evaluation(db, staff.therapist, patient_id)
    prescribed = documents.snapshot(db, staff.therapist, signed).exercises[0]
    library = {e.content.name: e for e in exercises.list_library(db, staff.therapist)}
    edited = library[prescribed.name]
    exercises.save_exercise(
        db,
        staff.admin,
        edited.id,
        edited.version,
        replace(edited.content, instructions="1. A new way, written after the plan was signed."),
    )
    text = _text(documents.render(db, staff.therapist, signed))
    assert "A new way" not in text
    assert prescribed.instructions.splitlines()[0] in text


def test_characters_no_font_has_are_named_before_printing() -> None:
    from tests.reports.conftest import make_snapshot

    assert documents.unprintable(make_snapshot("Ἀθηνᾶ", "王 김")) == ""
    assert documents.unprintable(make_snapshot("देवी", "Ann")) == "".join(sorted(set("देवी")))
