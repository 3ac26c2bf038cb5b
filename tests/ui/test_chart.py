"""The chart through the real app: header with red flags, the episode timeline, a progress
report when one is due, then discharge with the change since intake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain.enums import (
    DischargeReason,
    EpisodeStatus,
    EvaluationKind,
    GoalStatus,
)
from casemanager.domain.medicare import GoalProgress
from casemanager.services import accounts, chart, demo, evaluations, goal_progress, plans, visits
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.patients.referral_outcome import ReferralOutcomeDialog
from casemanager.ui.patients.visit_dialog import VisitDialog
from casemanager.ui.shell import Shell
from tests.services.test_chart import FLAG, one_urgent_flag
from tests.services.test_evaluations import EVAL_DAY, _complete
from tests.services.test_plans import _plan
from tests.ui.conftest import (
    click_sign,
    log_in,
    open_patient_by_mrn,
    register_patient,
    shown,
    sign_with_keys,
)


def _treated_patient(db: Database) -> tuple[Any, Any]:
    """Chen's patient: signed initial evaluation with one urgent red flag, then visits on the
    8 days that follow: with the evaluation day, 9 treatment days."""
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    patient = register_patient(db, therapist)
    draft = evaluations.start_initial_evaluation(
        db, therapist, patient.id, "Low back spasm", EVAL_DAY
    )
    record = evaluations.save_draft(
        db, therapist, draft.id, draft.version, _complete(red_flags=one_urgent_flag())
    )
    plans.save_plan(db, therapist, record.id, None, _plan(db))
    evaluations.sign(db, therapist, record.id, record.version)
    for n in range(1, 9):
        visits.record_visit(
            db,
            therapist,
            record.episode_id,
            visits.VisitContent(EVAL_DAY + timedelta(days=n), nprs=5),
        )
    return therapist, patient


def _timeline(panel: Any) -> list[str]:
    top = panel.timeline.topLevelItem(0)
    rows = [top.child(i).text(1) for i in range(top.childCount())]
    return [row for row in rows if row != "Change since intake"]


def _window_of(qtbot: QtBot, window: Any, kind: str) -> EvaluationWindow:
    qtbot.waitUntil(
        lambda: (
            (screen := shown(EvaluationWindow)) is not None
            and screen.windowTitle().startswith(kind)
        ),
        timeout=10_000,
    )
    screen = shown(EvaluationWindow)  # closes itself (WA_DeleteOnClose): not given to qtbot
    assert screen is not None
    return screen


def test_progress_report_then_discharge_from_the_chart(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "chart.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=4)
    therapist, patient = _treated_patient(db)

    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, patient.mrn)
    panel: Any = window.details
    qtbot.waitUntil(lambda: panel.timeline.topLevelItemCount() == 1, timeout=10_000)

    # The header: who, how old, and the red flag that is still active.
    assert panel.name.text() == "Łucja Wiśniewska"
    assert f"MRN {patient.mrn}" in panel.facts.text() and "Age " in panel.facts.text()
    assert panel.red_flags.isVisible() and FLAG.finding in panel.red_flags.text()
    assert FLAG.question not in panel.red_flags.text() and panel.outcome_button.isVisible()
    assert "Visits this episode: 8" in panel.progress.text()
    # Medicare counts the evaluation day: the next visit is the 10th treatment day.
    assert "Progress report due: the next visit is treatment day 10" in panel.progress.text()

    # The visit dialog says so, but never answers for the therapist.
    qtbot.keyClick(panel, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: shown(VisitDialog) is not None, timeout=10_000)
    dialog = shown(VisitDialog)
    assert dialog is not None
    assert dialog.due_note.isVisible() and "treatment day 10" in dialog.due_note.text()
    assert not dialog.report_yes.isChecked() and not dialog.report_no.isChecked()
    dialog.nprs.setValue(5)
    check, minutes = dialog.minutes["therapeutic_exercise"]
    check.setChecked(True)
    minutes.setValue(30)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "choose whether this visit is the progress report" in (
        dialog.form.errors["is_progress_report"].text()
    )
    assert shown(VisitDialog) is dialog  # nothing saved, nothing typed lost
    dialog.report_no.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(VisitDialog) is None, timeout=10_000)
    qtbot.waitUntil(
        lambda: "Progress report overdue: 10 treatment days" in panel.progress.text(),
        timeout=10_000,
    )

    # The next visit is the progress report: each goal is judged, with a note.
    qtbot.mouseClick(panel.visit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(VisitDialog) is not None, timeout=10_000)
    dialog = shown(VisitDialog)
    assert dialog is not None
    dialog.nprs.setValue(5)
    dialog.report_yes.setChecked(True)
    assert dialog.goals_box.isVisible() and len(dialog.goal_rows) == 2
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=10_000)
    assert "Goal 1: choose met, progressing or not progressing" in (
        dialog.goal_form.errors["goal_1"].text()
    )
    for index, (_goal_id, verdict, note) in enumerate(dialog.goal_rows):
        verdict.setCurrentIndex(2)  # Progressing
        qtbot.keyClicks(note, f"Halfway to goal {index + 1}")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(VisitDialog) is None, timeout=10_000)
    qtbot.waitUntil(lambda: "Progress report" not in panel.progress.text(), timeout=10_000)
    assert _timeline(panel).count("Visit") == 9
    assert _timeline(panel).count("Visit (progress report)") == 1
    assert _timeline(panel)[-1] == "Initial evaluation"
    assert not panel.start_button.isEnabled()  # one open episode at a time

    # Progress report: carried-forward values, only what is measured again.
    qtbot.mouseClick(panel.progress_button, Qt.MouseButton.LeftButton)
    screen = _window_of(qtbot, window, "Progress report")
    form = screen.form
    assert form.groups["History"].isHidden() and not form.groups["Summary"].isHidden()
    assert form.nprs_now.value() == 5  # the latest visit's rating, newer than the evaluation
    form.nprs_now.setValue(4)
    qtbot.keyClicks(form.summary_note, "Sitting tolerance up to 20 minutes.")
    # The red-flag screen is asked again, pre-filled: one click confirms nothing changed.
    assert not form.groups["Red flags"].isHidden() and not form.rechecked.isChecked()
    qtbot.mouseClick(form.no_change, Qt.MouseButton.LeftButton)
    assert form.rechecked.isChecked()
    qtbot.waitUntil(lambda: "Draft saved" in screen.status.text(), timeout=10_000)
    assert "Pain (NPRS 0-10): 7 → 4, improved by 3: a meaningful change" in form.outcomes.text()
    # Each goal of the plan in force is judged here too; nothing is chosen for the therapist.
    qtbot.waitUntil(lambda: form.goal_verdicts is not None, timeout=10_000)
    assert form.goal_verdicts is not None
    rows = form.goal_verdicts.rows
    assert len(rows) == 2 and not form.groups["Goals"].isHidden()
    assert all(v.currentData() is None and not n.text() for _id, v, n in rows)
    sign_with_keys(qtbot, screen)
    qtbot.waitUntil(lambda: screen.missing.isVisible(), timeout=10_000)
    assert [screen.missing.item(i).text() for i in range(screen.missing.count())] == [
        "Goal 1 (Sit 30 minutes at work): choose met, progressing or not progressing.",
        "Goal 2 (Lift 10 kg floor to waist): choose met, progressing or not progressing.",
    ]
    screen.missing.setCurrentRow(1)
    qtbot.keyClick(screen.missing, Qt.Key.Key_Return)  # jumps to the second goal's verdict
    assert rows[1][1].hasFocus()
    for (_id, verdict, note), (progress, measured) in zip(
        rows,
        ((GoalProgress.MET, "Sits 35 minutes"), (GoalProgress.NOT_PROGRESSING, "Lifts 4 kg")),
        strict=True,
    ):
        verdict.setCurrentIndex(verdict.findData(progress))
        qtbot.keyClicks(note, measured)
    sign_with_keys(qtbot, screen)  # saves what was typed, then signs
    qtbot.waitUntil(lambda: screen.record.is_signed, timeout=10_000)
    assert rows[0][2].isReadOnly() and not rows[0][1].isEnabled()  # locked with the report
    report_id = screen.record.id
    screen.close()
    qtbot.waitUntil(lambda: "Progress report" in _timeline(panel), timeout=10_000)
    top = panel.timeline.topLevelItem(0)
    report_row = next(
        top.child(i) for i in range(top.childCount()) if top.child(i).text(1) == "Progress report"
    )
    assert "goals: met 1, not progressing 1" in report_row.text(2)
    judged = goal_progress.goals_to_judge(db, therapist, report_id)
    assert [(a.progress, a.note) for a in judged.assessments] == [
        (GoalProgress.MET, "Sits 35 minutes"),
        (GoalProgress.NOT_PROGRESSING, "Lifts 4 kg"),
    ]
    qtbot.waitUntil(lambda: "Progress report due" not in panel.progress.text(), timeout=10_000)

    # A re-evaluation started by mistake is discarded, and leaves no trace in the chart.
    qtbot.mouseClick(panel.re_evaluation_button, Qt.MouseButton.LeftButton)
    screen = _window_of(qtbot, window, "Re-evaluation")
    qtbot.mouseClick(screen.discard_button, Qt.MouseButton.LeftButton)
    assert screen.discard_question.isVisible()
    qtbot.mouseClick(screen.discard_yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(EvaluationWindow) is None, timeout=10_000)
    qtbot.waitUntil(lambda: panel.discharge_button.isEnabled(), timeout=10_000)
    assert "Re-evaluation (draft)" not in _timeline(panel)

    # Discharge: the reason is required, then the episode and the patient are discharged.
    qtbot.waitUntil(lambda: panel.discharge_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(panel.discharge_button, Qt.MouseButton.LeftButton)
    screen = _window_of(qtbot, window, "Discharge summary")
    form = screen.form
    assert form.nprs_now.value() == 4  # from the progress report
    qtbot.keyClicks(form.summary_note, "Independent with the home program.")
    click_sign(qtbot, screen)
    qtbot.waitUntil(lambda: screen.missing.isVisible(), timeout=10_000)
    assert screen.missing.item(0).text() == "Choose the reason for discharge."
    screen.missing.setCurrentRow(0)
    qtbot.keyClick(screen.missing, Qt.Key.Key_Return)  # jumps to the reason
    assert form.discharge_reason.hasFocus()
    form.discharge_reason.setCurrentIndex(form.discharge_reason.findData(DischargeReason.GOALS_MET))
    met = form.plan.goal_status[0]
    met.setCurrentIndex(met.findData(GoalStatus.MET))  # judged at discharge
    click_sign(qtbot, screen)
    qtbot.waitUntil(lambda: screen.record.is_signed, timeout=10_000)
    assert len(screen.record.outcomes) == 3
    screen.close()
    qtbot.waitUntil(lambda: _timeline(panel)[:1] == ["Discharged"], timeout=10_000)
    assert "Discharged" in panel.facts.text()
    # The episode is history now; its red-flag referral, still open, is not.
    assert FLAG.finding in panel.red_flags.text()
    assert panel.start_button.isEnabled() and not panel.visit_button.isEnabled()
    found = chart.open_chart(db, therapist, patient.id)
    assert found.episodes[0].status == EpisodeStatus.DISCHARGED
    final = plans.get_plan(db, therapist, screen.record.id)
    assert final is not None and final.content.goals[0].status == GoalStatus.MET

    # Enter on a timeline row opens that evaluation, locked.
    top = panel.timeline.topLevelItem(0)
    initial = next(
        top.child(i)
        for i in range(top.childCount())
        if top.child(i).text(1) == "Initial evaluation"
    )
    panel.timeline.setCurrentItem(initial)
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Return)
    screen = _window_of(qtbot, window, "Initial evaluation")
    assert screen.record.kind == EvaluationKind.INITIAL and screen.record.is_signed
    assert screen.form.chief_complaint.isReadOnly()
    # The physician's signed copy came back: recorded on the locked plan.
    plan_section = screen.form.plan
    assert plan_section.record_certification.isEnabled()
    assert plan_section.certification_state.text().startswith("Not recorded")
    qtbot.keyClicks(plan_section.certified_by, "Dr. Helen Brooks")
    qtbot.keyClicks(plan_section.certified_on, f"{EVAL_DAY + timedelta(days=6):%m/%d/%Y}")
    qtbot.mouseClick(plan_section.record_certification, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: plan_section.certification_state.text().startswith("Certified by Dr. Helen"),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: "Plan of care certified" in _timeline(panel), timeout=10_000)
    qtbot.keyClick(panel.timeline, Qt.Key.Key_Return)  # again: the open window comes forward
    qtbot.wait(200)
    assert shown(EvaluationWindow) is screen
    change = panel.timeline.topLevelItem(0).child(0)
    assert change.text(1) == "Change since intake" and change.childCount() == 3
    screen.close()

    # The doctor's answer, recorded from the banner: the flag leaves it for the timeline.
    qtbot.mouseClick(panel.outcome_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(ReferralOutcomeDialog) is not None, timeout=10_000)
    outcome: Any = shown(ReferralOutcomeDialog)
    assert FLAG.finding in outcome.referral.currentText()
    qtbot.mouseClick(outcome.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "Seen by is required" in outcome.form.errors["seen_by"].text(), timeout=10_000
    )
    qtbot.keyClicks(outcome.seen_by, "Dr. Omar Haddad")
    qtbot.mouseClick(outcome.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shown(ReferralOutcomeDialog) is None, timeout=10_000)
    qtbot.waitUntil(lambda: not panel.red_flags.isVisible(), timeout=10_000)
    assert not panel.outcome_button.isVisible()
    assert "Red flag cleared" in _timeline(panel)
    db.dispose()
