"""The chief complaint is the patient's words: a new evaluation starts with none (never a
stock phrase the therapist did not choose), signing asks for it, and the episode in the chart
is named by what was typed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.services import accounts, chart, demo, evaluations
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.shell import Shell
from tests.ui.conftest import click_sign, clinic_with_a_new_patient, evaluating


def _missing(screen: EvaluationWindow) -> list[str]:
    return [screen.missing.item(i).text() for i in range(screen.missing.count())]


def test_a_new_evaluation_starts_without_a_complaint_and_signing_asks_for_one(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url, target = clinic_with_a_new_patient(tmp_path / "clinic.sqlite3")
    application = make_application(url)
    window, screen = evaluating(qtbot, application, "chen", target.mrn)
    form = screen.form

    # Nothing is written in the patient's name: the field is empty and has the focus.
    assert form.chief_complaint.text() == ""
    qtbot.waitUntil(lambda: form.chief_complaint.hasFocus(), timeout=5_000)
    db = Database(url)
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    stored = evaluations.get_evaluation(db, therapist, screen.record.id)
    db.dispose()
    assert stored.content.chief_complaint is None

    # Signing without it is refused, naming it; the missing item leads back to the field.
    click_sign(qtbot, screen)
    qtbot.waitUntil(lambda: screen.missing.isVisible(), timeout=10_000)
    assert "Chief complaint is empty." in _missing(screen)
    screen.missing.setFocus()
    screen.missing.setCurrentRow(0)
    qtbot.keyClick(screen.missing, Qt.Key.Key_Return)
    assert form.chief_complaint.hasFocus()

    # What the therapist types is the record, and names the episode in the chart.
    qtbot.keyClicks(form.chief_complaint, "Back locked up lifting my son")
    qtbot.waitUntil(lambda: "Draft saved" in screen.status.text(), timeout=10_000)
    db = Database(url)
    stored = evaluations.get_evaluation(db, therapist, screen.record.id)
    episodes = chart.open_chart(db, therapist, target.id).episodes
    db.dispose()
    assert stored.content.chief_complaint == "Back locked up lifting my son"
    assert [e.complaint for e in episodes if e.is_open] == ["Back locked up lifting my son"]
    click_sign(qtbot, screen)
    qtbot.waitUntil(
        lambda: screen.missing.isVisible() and "Chief complaint is empty." not in _missing(screen),
        timeout=10_000,
    )
