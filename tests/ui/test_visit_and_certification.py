"""The visit dialog never makes a visit the progress report by itself, and a report judges
each goal; the plan's certification inputs work only on a signed plan. Real widgets."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.domain.enums import GoalTerm
from casemanager.domain.medicare import Certification, GoalAssessment, GoalProgress
from casemanager.services.visits import GoalInForce
from casemanager.ui.evaluation.plan_section import PlanSection
from casemanager.ui.patients.visit_dialog import VisitDialog

GOALS = [
    GoalInForce(11, GoalTerm.SHORT, "Sit 30 minutes at work", date(2026, 12, 4)),
    GoalInForce(12, GoalTerm.LONG, "Lift 10 kg floor to waist", None),
]
DUE = "Progress report due: the next visit is treatment day 10 since 11/20/2026."


def _dialog(qtbot: QtBot, due: str | None) -> tuple[VisitDialog, list[Any]]:
    dialog = VisitDialog(due, GOALS)
    qtbot.addWidget(dialog)
    dialog.show()
    sent: list[Any] = []
    dialog.submitted.connect(sent.append)
    return dialog, sent


def test_an_ordinary_visit_is_the_default_when_no_report_is_due(qtbot: QtBot) -> None:
    dialog, sent = _dialog(qtbot, None)
    assert not dialog.due_note.isVisible() and dialog.report_no.isChecked()
    assert not dialog.goals_box.isVisible()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert sent and sent[0]["is_progress_report"] is False and sent[0]["goal_assessments"] == ()


def test_when_due_the_therapist_must_choose(qtbot: QtBot) -> None:
    dialog, sent = _dialog(qtbot, DUE)
    assert dialog.due_note.isVisible() and dialog.due_note.text() == DUE
    assert dialog.report_choice.checkedButton() is None  # not ticked for them
    qtbot.keyClicks(dialog.note, "Worked on lifting.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert sent == []
    assert dialog.form.errors["is_progress_report"].isVisible()
    assert dialog.note.toPlainText() == "Worked on lifting."  # kept
    dialog.report_yes.setChecked(True)
    assert dialog.goals_box.isVisible()
    (first_id, first_verdict, first_note), (second_id, second_verdict, second_note) = (
        dialog.goal_rows
    )
    first_verdict.setCurrentIndex(first_verdict.findData(GoalProgress.MET))
    qtbot.keyClicks(first_note, "Sits 35 minutes")
    second_verdict.setCurrentIndex(second_verdict.findData(GoalProgress.NOT_PROGRESSING))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert sent[0]["is_progress_report"] is True
    assert sent[0]["goal_assessments"] == (
        GoalAssessment(first_id, GoalProgress.MET, "Sits 35 minutes"),
        GoalAssessment(second_id, GoalProgress.NOT_PROGRESSING, None),
    )
    # The service refuses the unexplained verdict: the message sits beside that goal.
    dialog.show_error("goal_2", "Goal 2: write what you measured.")
    assert dialog.goal_form.errors["goal_2"].text() == "Goal 2: write what you measured."
    assert dialog.save_button.isEnabled()


def test_certification_inputs_wait_for_the_signature(qtbot: QtBot) -> None:
    section = PlanSection([])
    qtbot.addWidget(section)
    section.show()
    section.activateWindow()
    qtbot.waitUntil(section.isActiveWindow)  # so the error can move the focus
    requested: list[Any] = []
    section.certification_requested.connect(requested.append)
    changed: list[Any] = []
    section.changed.connect(lambda: changed.append(True))
    section.set_read_only(False)  # a draft: nothing to certify yet
    assert not section.record_certification.isEnabled() and section.certified_by.isReadOnly()
    section.set_read_only(True)  # signed
    assert section.record_certification.isEnabled() and not section.certified_by.isReadOnly()
    qtbot.keyClicks(section.certified_by, "Dr. Helen Brooks")
    qtbot.keyClicks(section.certified_on, "13/45/2026")
    qtbot.mouseClick(section.record_certification, Qt.MouseButton.LeftButton)
    assert requested == [] and "MM/DD/YYYY" in section.certification_error.text()
    section.certified_on.clear()
    qtbot.keyClicks(section.certified_on, "12/01/2026")
    qtbot.mouseClick(section.record_certification, Qt.MouseButton.LeftButton)
    assert requested == [Certification("Dr. Helen Brooks", date(2026, 12, 1), None)]
    assert changed == []  # recording is not plan typing: no autosave
    section.show_certification_error(
        "certification_delay_reason", "Certified 41 days after the evaluation: give the reason."
    )
    assert section.certification_error.text().startswith("Certified 41 days")
    assert section.delay_reason.hasFocus() and section.record_certification.isEnabled()
    section.show_certification(Certification("Dr. Helen Brooks", date(2026, 12, 1), "Away"))
    assert section.certification_state.text() == (
        "Certified by Dr. Helen Brooks on 12/01/2026. Late: Away"
    )
