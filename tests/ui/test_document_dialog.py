"""The print-or-save dialog against a fake port: what it asks to have rendered, under which
audited action, and what it does with the answer. No database."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pytestqt.qtbot import QtBot

from casemanager.domain.errors import DomainError
from casemanager.ui.documents.dialog import DocumentDialog, DocumentRequest
from tests.ui.fake_ports import RecordingDocumentPort


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _dialog(qtbot: QtBot, tmp_path: Path) -> tuple[DocumentDialog, RecordingDocumentPort]:
    port = RecordingDocumentPort()
    languages = {"en": "English", "es": "Español"}
    dialog = DocumentDialog(
        "Łucja Wiśniewska", languages, "es", False, port, live_database=tmp_path / "db.sqlite3"
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.preview()
    return dialog, port


def test_the_preview_is_read_in_the_patients_language(qtbot: QtBot, tmp_path: Path) -> None:
    dialog, port = _dialog(qtbot, tmp_path)
    (request,) = port.calls[-1].args
    assert request == DocumentRequest("take-home", "es", False, "read")
    assert not dialog.save_button.isEnabled()  # nothing to save before the preview
    port.calls[-1].done(_pdf(2))
    assert dialog.status.text().startswith("2 pages. Ready")
    assert dialog.save_button.isEnabled()


def test_a_protected_copy_is_rendered_again_as_an_export(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog, port = _dialog(qtbot, tmp_path)
    port.calls[-1].done(_pdf(1))
    target = tmp_path / "plan.pdf"
    monkeypatch.setattr(dialog, "ask_password", lambda: "correct horse")
    monkeypatch.setattr(dialog, "ask_save_path", lambda suggested: str(target))
    dialog.save(protected=True)
    (request,) = port.calls[-1].args
    assert request == DocumentRequest("take-home", "es", False, "export", "correct horse")
    protected = _pdf(1)
    port.calls[-1].done(protected)
    assert target.read_bytes() == protected
    assert dialog.status.text() == "Saved plan.pdf (opens only with the password)."


def test_a_refusal_is_shown_and_the_dialog_stays(qtbot: QtBot, tmp_path: Path) -> None:
    dialog, port = _dialog(qtbot, tmp_path)
    failed = port.calls[-1].failed
    assert failed is not None
    failed(DomainError("Sign the evaluation first: there is no signed plan to print."))
    assert dialog.status.text() == "Sign the evaluation first: there is no signed plan to print."
    assert dialog.isVisible() and not dialog.print_button.isEnabled()
