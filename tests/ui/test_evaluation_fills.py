"""Filling an evaluation from what is known, through the real app and a real SQLite file:
the template of the chosen cause applied in one action (red flags still asked before
signing), a signed plan saved as a template, a returning patient's history carried forward
from the last episode, and the onset typed in words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain import catalogs
from casemanager.domain.enums import Cause, Complexity, TreatmentPathKind
from casemanager.domain.evaluation import EvaluationContent
from casemanager.services import accounts, demo, evaluations, plans, templates
from casemanager.services.context import Actor
from casemanager.ui.evaluation.controller import EvaluationController
from casemanager.ui.evaluation.form import EvaluationForm
from casemanager.ui.evaluation.template_offer import TemplateNameDialog
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.shell import Shell
from tests.services.test_carry_forward import _signed_episode
from tests.ui.conftest import (
    click_sign,
    log_in,
    open_patient_by_mrn,
    register_patient,
    shown,
    start_evaluation,
)

TODAY = date(2026, 11, 26)


def _clinic(tmp_path: Path) -> tuple[str, Actor]:
    db_path = tmp_path / "fills.sqlite3"
    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=12, seed=3, today=TODAY)
    therapist = accounts.authenticate(db, "chen", demo.DEMO_PASSWORD, "ws")
    db.dispose()
    return f"sqlite:///{db_path}", therapist


def _choose_cause(qtbot: QtBot, form: EvaluationForm, cause: Cause) -> None:
    """Type the start of the cause's name into the focused box, as a keyboard user picks
    from a list (a space would open the list instead)."""
    form.jump_to("primary_cause")
    qtbot.keyClicks(form.primary_cause, catalogs.cause_info(cause).label.split()[0])
    assert form.primary_cause.currentData() == cause


def _stored(url: str, actor: Actor, evaluation_id: int) -> evaluations.EvaluationRecord:
    db = Database(url)
    try:
        return evaluations.get_evaluation(db, actor, evaluation_id)
    finally:
        db.dispose()


def test_the_causes_template_fills_the_draft_and_red_flags_still_stop_signing(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url, therapist = _clinic(tmp_path)
    db = Database(url)
    target = register_patient(db, therapist)
    db.dispose()
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    screen = start_evaluation(qtbot, window)
    form = screen.form
    fills = _evaluations(application).fills
    assert fills is not None
    bar = fills.templates
    assert not bar.isVisible()  # no cause yet: nothing to offer

    _choose_cause(qtbot, form, Cause.HEAVY_LIFTING)
    qtbot.waitUntil(lambda: bar.apply_button.isVisible(), timeout=10_000)
    assert catalogs.cause_info(Cause.HEAVY_LIFTING).label in bar.caption.text()
    assert bar.choice.count() >= 1
    qtbot.mouseClick(bar.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "filled in:" in bar.result.text(), timeout=15_000)

    # The form shows what was filled, and the bar says so.
    assert "diagnosis codes" in bar.result.text()
    assert form.codes.text()
    assert form.plan.paths[TreatmentPathKind.PT_PLAN].isChecked()
    stored = _stored(url, therapist, screen.record.id)
    assert stored.content.primary_cause == Cause.HEAVY_LIFTING
    assert stored.content.diagnosis_codes
    assert form.codes.text() == ", ".join(stored.content.diagnosis_codes)
    db = Database(url)
    plan = plans.get_plan(db, therapist, screen.record.id)
    db.dispose()
    assert plan is not None and len(plan.content.goals) == 2
    assert plan.content.home_exercises
    assert screen.plan_version == plan.version  # the next autosave is not a conflict

    # A template answers no red-flag question: signing is still refused for them.
    click_sign(qtbot, screen)
    qtbot.waitUntil(lambda: screen.missing.isVisible(), timeout=10_000)
    missing = [screen.missing.item(i).text() for i in range(screen.missing.count())]
    assert any("Red flag not asked" in m for m in missing)
    assert not screen.record.is_signed

    # Complete what a template cannot know, sign, then save the plan as a new template.
    qtbot.mouseClick(form.all_no, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.chief_complaint, "Spasm after lifting")
    form.nprs_now.setValue(6)
    for spin in form.odi[:8]:
        spin.setValue(2)
    form.complexity.setCurrentIndex(form.complexity.findData(Complexity.MODERATE))
    click_sign(qtbot, screen)
    qtbot.waitUntil(lambda: screen.record.is_signed, timeout=15_000)
    qtbot.waitUntil(lambda: bar.save_button.isVisible(), timeout=10_000)
    assert not bar.apply_button.isVisible()
    qtbot.mouseClick(bar.save_button, Qt.MouseButton.LeftButton)
    dialog = shown(TemplateNameDialog)
    assert dialog is not None
    assert not dialog.save_button.isEnabled()  # a name first
    qtbot.keyClicks(dialog.name, "Lifting at work, 6 weeks")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Saved as the template" in bar.result.text(), timeout=10_000)
    db = Database(url)
    saved = {t.content.name: t for t in templates.list_templates(db, therapist)}
    db.dispose()
    assert saved["Lifting at work, 6 weeks"].source_evaluation_id == screen.record.id


def _evaluations(application: Shell) -> EvaluationController:
    assert application.workspace is not None
    return application.workspace.evaluations()


@dataclass
class _Staff:
    therapist: Actor


def test_a_returning_patient_keeps_the_last_episodes_history_in_one_action(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url, therapist = _clinic(tmp_path)
    db = Database(url)
    target = register_patient(db, therapist)
    _signed_episode(db, _Staff(therapist), target.id)  # type: ignore[arg-type]
    db.dispose()
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    screen = start_evaluation(qtbot, window)
    fills = _evaluations(application).fills
    assert fills is not None
    bar = fills.carried
    qtbot.waitUntil(lambda: bar.keep_button.isVisible(), timeout=10_000)
    assert "From the last episode (" in bar.summary.text()
    assert "Wei Chen" in bar.summary.text()
    assert "Occupation: Discharge summary of" in bar.sources.text()
    assert "Medications: Initial evaluation of" in bar.sources.text()
    qtbot.keyClicks(screen.form.occupation, "Teacher")  # typed before: kept
    qtbot.mouseClick(bar.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Taken from the last episode" in bar.summary.text(), timeout=15_000)
    form = screen.form
    assert form.medical_history.toPlainText() == "Asthma; high blood pressure"
    assert form.medications.toPlainText() == "Salbutamol inhaler"
    assert form.activities.toPlainText() == "Golf on Sundays"
    assert form.occupation.text() == "Teacher"
    assert "Kept what you typed: occupation" in bar.summary.text()
    stored = _stored(url, therapist, screen.record.id)
    assert stored.content.past_medical_history == "Asthma; high blood pressure"
    assert stored.content.occupation == "Teacher"


def test_a_new_patient_gets_no_carry_forward_bar(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    url, therapist = _clinic(tmp_path)
    db = Database(url)
    target = register_patient(db, therapist)
    db.dispose()
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    screen = start_evaluation(qtbot, window)
    # The offer was read (the same worker runs in order): a save after it has come back.
    qtbot.keyClicks(screen.form.chief_complaint, "Stiff back")
    qtbot.keyClick(screen, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Draft saved" in screen.status.text(), timeout=10_000)
    fills = _evaluations(application).fills
    assert fills is not None and not fills.carried.isVisible()


def test_onset_typed_in_words_shows_and_saves_the_date_it_read(qtbot: QtBot) -> None:
    from tests.ui.fake_ports import RecordingEvaluationPort
    from tests.ui.test_evaluation_window import DRAFT as record

    port = RecordingEvaluationPort()
    screen = EvaluationWindow(record, None, [], "Test patient", port)
    qtbot.addWidget(screen)
    screen.show()
    form = screen.form
    day = record.evaluation_date
    qtbot.keyClicks(form.onset_date, "2 weeks ago")
    assert form.onset_reading.text() == f"Read as {day - timedelta(weeks=2):%A, %m/%d/%Y}"
    assert form.content().onset_date == day - timedelta(weeks=2)
    form.onset_date.clear()
    qtbot.keyClicks(form.onset_date, "yesterday")
    assert form.content().onset_date == day - timedelta(days=1)
    form.onset_date.clear()
    qtbot.keyClicks(form.onset_date, "3 days ago")
    assert form.content().onset_date == day - timedelta(days=3)
    screen.save_now()
    saved: EvaluationContent = port.last("save").args[0]
    assert saved.onset_date == day - timedelta(days=3)
    # What cannot be read is held back with what to type, and the rest still saves.
    form.onset_date.clear()
    qtbot.keyClicks(form.onset_date, "a while back")
    assert form.onset_reading.text().startswith("Not a date yet")
    content, held = form.draft_content(record.content)
    assert "3 days ago" in held["onset_date"]
    assert QApplication.focusWidget() in (form.onset_date, None)


def test_the_bars_alt_keys_clash_with_nothing_in_the_evaluation_window(qtbot: QtBot) -> None:
    from casemanager.ui.evaluation.carry_forward import CarryForwardBar
    from casemanager.ui.evaluation.template_offer import TemplateOffer
    from tests.ui.fake_ports import RecordingEvaluationPort
    from tests.ui.test_evaluation_window import DRAFT
    from tests.ui.test_keyboard import mnemonics, shared_mnemonics

    screen = EvaluationWindow(DRAFT, None, [], "Test patient", RecordingEvaluationPort())
    qtbot.addWidget(screen)
    offer, carried = TemplateOffer(), CarryForwardBar()
    screen.add_bar(carried)
    screen.add_bar(offer)
    screen.show()
    offer.offer("Heavy lifting", [(1, "Lifting strain", None), (2, "Lifting, desk job", None)])
    carried.offer([("occupation", "Occupation", date(2026, 10, 1), "Wei Chen, PT", "Initial")])
    assert offer.isVisible() and carried.isVisible()
    assert shared_mnemonics(screen) == {}
    keys = mnemonics(screen)
    assert "y" in keys and "k" in keys
    offer.offer_saving()  # once signed: "Save as template" takes Alt+L
    assert offer.save_button.isVisible()
    assert shared_mnemonics(screen) == {}
    assert "l" in mnemonics(screen)


def test_a_template_with_a_retired_exercise_says_it_was_left_out(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    from dataclasses import replace

    from casemanager.services import exercises

    url, therapist = _clinic(tmp_path)
    db = Database(url)
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD, "ws")
    (template, *_) = templates.list_templates(db, therapist, Cause.HEAVY_LIFTING)
    first = template.content.home_exercises[0].exercise_id
    record = next(e for e in exercises.list_library(db, admin) if e.id == first)
    exercises.save_exercise(db, admin, first, record.version, replace(record.content, active=False))
    target = register_patient(db, therapist)
    db.dispose()
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    screen = start_evaluation(qtbot, window)
    fills = _evaluations(application).fills
    assert fills is not None
    bar = fills.templates
    _choose_cause(qtbot, screen.form, Cause.HEAVY_LIFTING)
    qtbot.waitUntil(lambda: bar.apply_button.isVisible(), timeout=10_000)
    qtbot.mouseClick(bar.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "filled in:" in bar.result.text(), timeout=15_000)
    assert f"{record.content.name} is retired from the exercise library" in bar.result.text()
    assert "Red flags are never filled by a template" in bar.result.text()


def test_a_fill_waits_while_a_typed_value_is_held_back(qtbot: QtBot) -> None:
    """An onset that cannot be read stays on screen unsaved: filling the form from elsewhere
    would reload it and lose that typing, so the fill is refused with what to do."""
    from tests.ui.fake_ports import RecordingEvaluationPort
    from tests.ui.test_evaluation_window import DRAFT

    port = RecordingEvaluationPort()
    screen = EvaluationWindow(DRAFT, None, [], "Test patient", port)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.keyClicks(screen.form.onset_date, "a while back")
    ran: list[str] = []
    screen.after_saving(lambda: ran.append("filled"), ran.append)
    save = port.last("save")
    save.done(DRAFT)  # the rest of the draft saved; the onset is held back
    qtbot.waitUntil(lambda: bool(ran), timeout=5_000)
    assert ran == ["Not filled: fix what is marked first, so nothing typed is lost."]
    assert screen.form.onset_date.text() == "a while back"


def test_every_control_of_the_bars_and_the_name_dialog_is_named(qtbot: QtBot) -> None:
    from casemanager.ui.evaluation.carry_forward import CarryForwardBar
    from casemanager.ui.evaluation.template_offer import TemplateOffer
    from tests.ui.test_accessibility import _unnamed

    offer, carried, dialog = TemplateOffer(), CarryForwardBar(), TemplateNameDialog()
    for widget in (offer, carried, dialog):
        qtbot.addWidget(widget)
    offer.offer("Heavy lifting", [(1, "Lifting strain", "For a first episode")])
    carried.offer([("occupation", "Occupation", date(2026, 10, 1), "Wei Chen, PT", "Initial")])
    for widget in (offer, carried, dialog):
        widget.show()
        assert _unnamed(widget) == []
