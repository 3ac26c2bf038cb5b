"""The evaluation screen driven through the real app: autosave, refused and accepted signing,
an addendum; the database holds exactly what the form showed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain.enums import (
    Cause,
    Complexity,
    EvaluationStatus,
    GoalTerm,
    TreatmentPathKind,
)
from casemanager.services import accounts, demo, evaluations, patients, plans
from casemanager.ui.shell import Shell
from tests.ui.conftest import (
    click_sign,
    evaluating,
    log_in,
    open_patient_by_mrn,
    register_patient,
    start_evaluation,
)
from tests.ui.fake_ports import RecordingEvaluationPort

TODAY = date(2026, 11, 26)


def test_evaluate_autosave_sign_and_addendum(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "eval.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=30, seed=5, today=TODAY)
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    target = register_patient(db, therapist)
    db.dispose()

    application = make_application(f"sqlite:///{db_path}")
    window, screen = evaluating(qtbot, application, "chen", target.mrn)
    form = screen.form

    # Type, and the draft saves itself.
    form.chief_complaint.selectAll()
    qtbot.keyClicks(form.chief_complaint, "Spasm after lifting boxes at work")
    form.nprs_now.setValue(7)
    qtbot.waitUntil(lambda: "Draft saved" in screen.status.text(), timeout=10_000)

    # Signing an incomplete evaluation lists what is missing; a click jumps there.
    click_sign(qtbot, screen)
    qtbot.waitUntil(lambda: screen.missing.isVisible(), timeout=10_000)
    messages = [screen.missing.item(i).text() for i in range(screen.missing.count())]
    assert any("Red flag not asked" in m for m in messages)
    assert any("primary suspected cause" in m for m in messages)
    assert not any("Chief complaint" in m for m in messages)

    # Complete it through the widgets.
    qtbot.mouseClick(form.all_no, Qt.MouseButton.LeftButton)
    for spin in form.odi[:8]:
        spin.setValue(2)
    form.primary_cause.setCurrentIndex(form.primary_cause.findData(Cause.HEAVY_LIFTING))
    qtbot.keyClicks(form.codes, "S39.012A, M62.830")
    form.complexity.setCurrentIndex(form.complexity.findData(Complexity.MODERATE))
    assert "Oswestry: 40.0%" in form.odi_result.text()
    # Without a plan, signing still refuses, naming the plan.
    click_sign(qtbot, screen)
    qtbot.waitUntil(
        lambda: any(
            "treatment path" in screen.missing.item(i).text() for i in range(screen.missing.count())
        ),
        timeout=10_000,
    )
    plan = form.plan
    plan.paths[TreatmentPathKind.PT_PLAN].setChecked(True)
    plan.frequency.setValue(2)
    plan.weeks.setValue(6)
    plan.interventions["therapeutic_exercise"].setChecked(True)
    plan.paths[TreatmentPathKind.MEDICATION_REFERRAL].setChecked(True)
    plan.muscle_relaxant.setChecked(True)
    term, text, target = plan.goals[0]
    term.setCurrentIndex(term.findData(GoalTerm.LONG))
    qtbot.keyClicks(text, "Lift 10 kg from floor to waist at work")
    # The certification period follows the 6 weeks from today, nothing typed.
    assert plan.cert_start.text() == f"{date.today():%m/%d/%Y}"
    assert plan.cert_end.text() == f"{date.today() + timedelta(days=41):%m/%d/%Y}"
    plan.exercise_rows[0][0].setCurrentIndex(1)  # first exercise; its usual dose fills in
    assert plan.exercise_rows[0][2].value() > 0
    click_sign(qtbot, screen)
    qtbot.waitUntil(lambda: screen.record.is_signed, timeout=15_000)
    assert "Signed by Wei Chen, PT" in screen.status.text()
    assert form.chief_complaint.isReadOnly()  # locked

    # A correction after signing is an addendum.
    qtbot.keyClicks(screen.addendum_text, "Onset was two days earlier than first recorded.")
    qtbot.mouseClick(screen.addendum_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Addendum by Wei Chen, PT" in screen.addenda.text(), timeout=10_000)

    db = Database(f"sqlite:///{db_path}")
    stored = evaluations.get_evaluation(db, therapist, screen.record.id)
    db.dispose()
    assert stored.status == EvaluationStatus.SIGNED
    assert stored.content.chief_complaint == "Spasm after lifting boxes at work"
    assert stored.content.nprs_now == 7
    assert stored.content.diagnosis_codes == ("S39.012A", "M62.830")
    assert stored.scores.odi_percent == 40.0
    assert len(stored.addenda) == 1
    db = Database(f"sqlite:///{db_path}")
    saved_plan = plans.get_plan(db, therapist, stored.id)
    db.dispose()
    assert saved_plan is not None
    assert {p.kind for p in saved_plan.content.paths} == {
        TreatmentPathKind.PT_PLAN,
        TreatmentPathKind.MEDICATION_REFERRAL,
    }
    assert saved_plan.content.goals[0].description == "Lift 10 kg from floor to waist at work"
    assert len(saved_plan.content.home_exercises) == 1


def test_opening_a_signed_evaluation_changes_nothing(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    """A demo patient's signed evaluation opens locked, with its plan, and nothing to save."""
    from casemanager.ui.evaluation.window import EvaluationWindow

    db = Database(f"sqlite:///{tmp_path / 'signed.sqlite3'}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=8, today=TODAY)
    therapist = accounts.authenticate(db, "okafor", demo.DEMO_PASSWORD, "ws")
    listed = patients.search_patients(db, therapist, "")
    record = plan = None
    for patient in listed:
        found = evaluations.list_evaluations(db, therapist, patient.id)
        signed = [e for e in found if e.status == EvaluationStatus.SIGNED]
        if signed:
            record = evaluations.get_evaluation(db, therapist, signed[-1].id)
            plan = plans.get_plan(db, therapist, record.id)
            if plan is not None:
                break
    exercises = plans.list_exercises(db, therapist)
    db.dispose()
    assert record is not None and plan is not None
    port = RecordingEvaluationPort()
    screen = EvaluationWindow(record, plan, exercises, "Patient", port)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.wait(AUTOSAVE_WAIT_MS)
    assert port.calls == []
    assert "Locked" in screen.status.text()
    chosen = {kind for kind, box in screen.form.plan.paths.items() if box.isVisible()}
    assert chosen == {p.kind for p in plan.content.paths}
    assert screen.form.chief_complaint.isReadOnly()
    assert not screen.sign_button.isVisible()


AUTOSAVE_WAIT_MS = 1800


def test_code_search_and_excludes1_warning(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    db_path = tmp_path / "codes.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=10, seed=2, today=TODAY)
    therapist = accounts.authenticate(db, "alvarez", demo.DEMO_PASSWORD, "ws")
    target = register_patient(db, therapist)
    db.dispose()
    application = make_application(f"sqlite:///{db_path}")
    log_in(qtbot, application, "alvarez", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    assert window.patient_list is not None
    window.patient_list.status.setCurrentIndex(0)  # all statuses
    open_patient_by_mrn(qtbot, window, target.mrn)
    screen = start_evaluation(qtbot, window)
    form = screen.form

    qtbot.keyClicks(form.code_search, "fibromyalgia")
    qtbot.waitUntil(lambda: form.code_results.count() > 0, timeout=20_000)
    found = [form.code_results.item(i).text() for i in range(form.code_results.count())]
    assert any(text.startswith("M79.7 ") for text in found)
    item = next(
        form.code_results.item(i)
        for i in range(form.code_results.count())
        if form.code_results.item(i).text().startswith("M79.7 ")
    )
    form.code_results.setCurrentItem(item)
    qtbot.keyClick(form.code_results, Qt.Key.Key_Return)  # Enter adds the code
    assert form.codes.text() == "M79.7"

    form.codes.clear()
    qtbot.keyClicks(form.codes, "M54.50, S39.012A")
    qtbot.waitUntil(lambda: form.coding_warnings.isVisible(), timeout=15_000)
    assert "M54.50" in form.coding_warnings.text() and "Excludes1" in form.coding_warnings.text()
