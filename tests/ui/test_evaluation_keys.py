"""Fewer keys for the same evaluation, through real widgets driven by key presses and clicks:
Tab passes by what a fill completed and the focus goes on to what is still to fill; the
red-flag button moves on once nothing needs an action; the cause note and the code search
are Tab stops only when wanted; a letter reaches a tick box; the certification period follows
the plan's weeks; the exercise picker follows the library."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.domain.enums import Cause, RedFlagAnswer, TreatmentPathKind
from casemanager.services import demo
from casemanager.services.context import Actor
from casemanager.services.plans import ExerciseInfo
from casemanager.ui.evaluation.form import EvaluationForm
from casemanager.ui.evaluation.sign_summary import SignSummary
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.shell import Shell
from tests.services.test_carry_forward import _signed_episode
from tests.ui.conftest import log_in, open_patient_by_mrn, register_patient, start_evaluation
from tests.ui.fake_ports import RecordingEvaluationPort
from tests.ui.test_evaluation_fills import _clinic, _evaluations
from tests.ui.test_one_key import _form

DAY = date(2026, 11, 20)


def _focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def _key(qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier | None = None) -> QWidget:
    """One key where the focus is; returns where the focus is then."""
    qtbot.keyClick(_focus(), key, modifiers or Qt.KeyboardModifier.NoModifier)
    return _focus()


def _alt(qtbot: QtBot, letter: str) -> None:
    qtbot.keyClick(
        _focus(), getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier
    )


@dataclass
class _Staff:
    therapist: Actor


def _returning_patient(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell], *, returning: bool
) -> tuple[Shell, EvaluationWindow]:
    url, therapist = _clinic(tmp_path)
    db = Database(url)
    target = register_patient(db, therapist)
    if returning:
        _signed_episode(db, _Staff(therapist), target.id)  # type: ignore[arg-type]
    db.dispose()
    application = make_application(url)
    log_in(qtbot, application, "chen", demo.DEMO_PASSWORD)
    window = application.main_window
    assert window is not None
    open_patient_by_mrn(qtbot, window, target.mrn)
    screen = start_evaluation(qtbot, window)
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=10_000)
    return application, screen


def test_after_keeping_the_last_episodes_history_tab_goes_only_where_there_is_typing_left(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    application, screen = _returning_patient(qtbot, tmp_path, make_application, returning=True)
    form = screen.form
    bar = _evaluations(application).fills.carried  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: bar.keep_button.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: form.chief_complaint.hasFocus(), timeout=5_000)
    qtbot.keyClicks(form.chief_complaint, "Back spasm again, after gardening")

    _alt(qtbot, "k")  # Keep these
    qtbot.waitUntil(lambda: "Taken from the last episode" in bar.summary.text(), timeout=15_000)
    # The focus goes on to the next field still empty, not back to the bar or the list.
    assert _focus() is form.onset_date
    qtbot.keyClicks(form.onset_date, "3 days ago")
    visited = [_key(qtbot, Qt.Key.Key_Tab) for _ in range(5)]
    # The four kept fields (past history, medications, occupation, activities) are passed by.
    assert visited == [
        form.mechanism,
        form.aggravating,
        form.easing,
        form.prior,
        form.patient_goals,
    ]
    assert form.medical_history.toPlainText()  # kept, and shown
    # A kept field is one Alt+letter away, and a Tab stop again once visited.
    _alt(qtbot, "t")  # Medica&tions
    assert _focus() is form.medications
    assert _key(qtbot, Qt.Key.Key_Tab) is form.patient_goals  # occupation, activities still kept
    assert _key(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier) is form.medications


def test_after_the_template_the_focus_goes_to_the_complexity_and_tab_skips_the_codes(
    qtbot: QtBot, tmp_path: Path, make_application: Callable[[str], Shell]
) -> None:
    application, screen = _returning_patient(qtbot, tmp_path, make_application, returning=False)
    form = screen.form
    offer = _evaluations(application).fills.templates  # type: ignore[union-attr]
    qtbot.keyClicks(form.chief_complaint, "Spasm after lifting")
    qtbot.keyClick(_focus(), Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)  # Assessment
    assert form.primary_cause.hasFocus()
    qtbot.keyClicks(form.primary_cause, "h")  # Heavy lifting
    assert form.primary_cause.currentData() == Cause.HEAVY_LIFTING
    qtbot.waitUntil(lambda: offer.apply_button.isVisible(), timeout=10_000)
    # Tab from the cause, before the template: the contributing causes, then the codes to
    # fill (the cause note waits for a cause that needs one).
    assert _key(qtbot, Qt.Key.Key_Tab) in form.arrow_groups[0].boxes
    _key(qtbot, Qt.Key.Key_Tab)
    assert form.codes.hasFocus()
    _key(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    _key(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert form.primary_cause.hasFocus()

    _alt(qtbot, "y")  # Apply template
    qtbot.waitUntil(lambda: "filled in:" in offer.result.text(), timeout=15_000)
    assert form.codes.text()
    # On to the next thing to fill: the codes and the code search are passed by.
    assert _focus() is form.complexity
    assert (
        _key(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        in form.arrow_groups[0].boxes
    )
    assert _key(qtbot, Qt.Key.Key_Tab) is form.complexity
    # Alt+F still finds a code, and Alt+D still reaches the codes (a Tab stop from then on).
    _alt(qtbot, "f")
    assert _focus() is form.code_search
    _alt(qtbot, "d")
    assert _focus() is form.codes
    assert _key(qtbot, Qt.Key.Key_Tab) is form.complexity


def test_marking_the_red_flags_no_moves_on_to_the_pain_score(qtbot: QtBot) -> None:
    form = _form(qtbot)
    form.jump_to("red_flag_saddle_numbness")
    form.all_no.setFocus()
    qtbot.keyClick(form.all_no, Qt.Key.Key_Space)
    assert all(c.currentData() == RedFlagAnswer.NO for c in form.flag_answers.values())
    assert _focus() is form.nprs_now
    qtbot.keyClicks(_focus(), "6")
    assert form.nprs_now.value() == 6


def test_with_a_yes_the_red_flag_button_keeps_the_focus_for_the_action(qtbot: QtBot) -> None:
    form = _form(qtbot)
    first = next(iter(form.flag_answers.values()))
    form.scroller.ensureWidgetVisible(first)
    first.setFocus()
    qtbot.keyClicks(first, "y")  # the closed box goes to the answer starting so
    assert first.currentData() == RedFlagAnswer.YES
    form.scroller.ensureWidgetVisible(form.all_no)
    qtbot.mouseClick(form.all_no, Qt.MouseButton.LeftButton)
    assert _focus() is form.all_no  # the yes and its action are right here to check


def test_the_cause_note_is_a_tab_stop_when_the_cause_needs_saying(qtbot: QtBot) -> None:
    form = _form(qtbot)
    form.primary_cause.setFocus()
    qtbot.keyClicks(form.primary_cause, "h")  # Heavy lifting: nothing to add
    group = form.arrow_groups[0]
    assert _key(qtbot, Qt.Key.Key_Tab) in group.boxes
    assert _key(qtbot, Qt.Key.Key_Tab) is form.codes
    _key(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    # A contributing sport: which one is worth a word, so Tab stops at the note.
    qtbot.keyClicks(_focus(), "s")
    sport = form.contributing[Cause.ACTIVITY_STRAIN]
    assert _focus() is sport
    qtbot.keyClick(sport, Qt.Key.Key_Space)
    assert sport.isChecked()
    assert _key(qtbot, Qt.Key.Key_Tab) is form.cause_note
    qtbot.keyClicks(form.cause_note, "Golf")
    assert _key(qtbot, Qt.Key.Key_Tab) is form.codes


def test_a_letter_goes_to_the_tick_box_it_starts(qtbot: QtBot) -> None:
    form = _form(qtbot)
    group = form.arrow_groups[0]
    form.scroller.ensureWidgetVisible(group.stop)
    group.stop.setFocus()
    qtbot.keyClicks(_focus(), "w")
    weak = form.contributing[Cause.WEAK_ABDOMINALS]
    assert _focus() is weak and not weak.isChecked()  # a letter moves, Space ticks
    qtbot.keyClick(weak, Qt.Key.Key_Space)
    assert weak.isChecked()
    qtbot.keyClicks(_focus(), "q")  # no box starts so: nothing moves
    assert _focus() is weak
    assert group.stop is weak  # Tab comes back to the box last visited


def _tick_title(qtbot: QtBot, form: EvaluationForm, kind: TreatmentPathKind) -> None:
    box = form.plan.paths[kind]
    form.scroller.ensureWidgetVisible(box)
    qtbot.mouseClick(
        box, Qt.MouseButton.LeftButton, pos=QPoint(12, box.fontMetrics().height() // 2 + 1)
    )
    assert box.isChecked()


def test_the_certification_period_follows_the_weeks_until_one_is_typed(qtbot: QtBot) -> None:
    form = _form(qtbot)
    plan = form.plan
    _tick_title(qtbot, form, TreatmentPathKind.PT_PLAN)
    form.scroller.ensureWidgetVisible(plan.weeks)
    qtbot.mouseClick(plan.weeks, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(plan.weeks, "6")
    assert plan.weeks.value() == 6
    assert plan.cert_start.text() == f"{DAY:%m/%d/%Y}"
    assert plan.cert_end.text() == f"{DAY + timedelta(days=41):%m/%d/%Y}"
    qtbot.keyClick(plan.weeks, Qt.Key.Key_Up)  # 7 weeks: the period follows
    assert plan.cert_end.text() == f"{DAY + timedelta(days=48):%m/%d/%Y}"
    assert plan.content().certification_end == DAY + timedelta(days=48)
    # Never past the 90 days one certification covers.
    qtbot.keyClick(plan.weeks, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(plan.weeks, "20")
    assert plan.cert_end.text() == f"{DAY + timedelta(days=89):%m/%d/%Y}"
    # A period the therapist types stays where they put it.
    form.scroller.ensureWidgetVisible(plan.cert_end)
    qtbot.mouseClick(plan.cert_end, Qt.MouseButton.LeftButton)
    qtbot.keyClick(plan.cert_end, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(plan.cert_end, f"{DAY + timedelta(days=30):%m/%d/%Y}")
    qtbot.mouseClick(plan.weeks, Qt.MouseButton.LeftButton)
    qtbot.keyClick(plan.weeks, Qt.Key.Key_Down)
    assert plan.cert_end.text() == f"{DAY + timedelta(days=30):%m/%d/%Y}"
    assert plan.cert_start.text() == f"{DAY:%m/%d/%Y}"


def test_a_follow_up_has_no_period_suggested_from_the_weeks(qtbot: QtBot) -> None:
    from casemanager.domain.enums import EvaluationKind

    form = EvaluationForm(DAY, [], EvaluationKind.PROGRESS_REPORT)
    qtbot.addWidget(form)
    form.show()
    plan = form.plan
    _tick_title(qtbot, form, TreatmentPathKind.PT_PLAN)
    qtbot.mouseClick(plan.weeks, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(plan.weeks, "6")
    assert plan.weeks.value() == 6
    assert plan.cert_start.text() == plan.cert_end.text() == ""


def test_the_exercise_picker_follows_the_library_and_keeps_what_was_picked(
    qtbot: QtBot,
) -> None:
    bridge = ExerciseInfo(1, "Bridge", 2, 10, 5, 1)
    cat = ExerciseInfo(2, "Cat-camel", 1, 8, None, 2)
    form = _form(qtbot, [bridge, cat])
    plan = form.plan
    pick = plan.exercise_rows[0][0]
    form.scroller.ensureWidgetVisible(pick)
    pick.setFocus()
    qtbot.keyClicks(pick, "b")
    assert pick.currentData() == 1
    assert plan.exercise_rows[0][2].value() == 10  # the usual repetitions come with it
    saved_before = plan.content()
    # The library changes meanwhile: Bridge retired, a new exercise added.
    bird = ExerciseInfo(3, "Bird dog", 3, 6, 10, 1)
    plan.offer_library([cat, bird])
    assert pick.currentData() == 1 and pick.currentText() == "Bridge"  # kept
    assert plan.content() == saved_before  # nothing typed changed
    second = plan.exercise_rows[1][0]
    second.setFocus()
    qtbot.keyClicks(second, "b")  # the new one
    assert second.currentText() == "Bird dog"
    assert plan.exercise_rows[1][1].value() == 3 and plan.exercise_rows[1][3].value() == 10


def _signing_window(
    qtbot: QtBot, *, printing: bool
) -> tuple[EvaluationWindow, RecordingEvaluationPort, SignSummary, list[bool]]:
    from tests.ui.test_one_key import _window

    screen, port = _window(qtbot)
    if printing:
        screen.offer_printing()
    printed: list[bool] = []
    screen.print_requested.connect(lambda: printed.append(True))
    qtbot.keyClick(
        _focus(),
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    summary = screen.sign_summary
    assert summary is not None and summary.isVisible()
    return screen, port, summary, printed


def test_sign_and_print_in_one_step_from_the_summary(qtbot: QtBot) -> None:
    from dataclasses import replace

    from casemanager.domain.enums import EvaluationStatus

    screen, port, summary, printed = _signing_window(qtbot, printing=True)
    assert summary.print_button.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is summary, timeout=5_000)
    assert summary.print_button.shortcut().toString() == "Alt+P"
    for _ in range(3):  # the buttons are a Tab or two apart
        if not summary.print_button.hasFocus():
            _key(qtbot, Qt.Key.Key_Tab)
    assert summary.print_button.hasFocus()
    qtbot.keyClick(summary.print_button, Qt.Key.Key_Space)
    assert not summary.isVisible()
    qtbot.waitUntil(lambda: "sign" in port.names(), timeout=5_000)
    assert printed == []  # not before the signature is given
    port.last("sign").done(replace(screen.record, status=EvaluationStatus.SIGNED))
    assert screen.record.is_signed
    assert printed == [True]


def test_a_refused_signature_prints_nothing(qtbot: QtBot) -> None:
    from casemanager.domain.errors import DomainError

    _screen, port, summary, printed = _signing_window(qtbot, printing=True)
    qtbot.mouseClick(summary.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "sign" in port.names(), timeout=5_000)
    failed = port.last("sign").failed
    assert failed is not None
    failed(DomainError("Another workstation changed this evaluation."))
    assert printed == []


def test_enter_signs_without_printing_and_no_print_offer_without_a_printer(
    qtbot: QtBot,
) -> None:
    from dataclasses import replace

    from casemanager.domain.enums import EvaluationStatus

    screen, port, summary, printed = _signing_window(qtbot, printing=True)
    qtbot.keyClick(summary, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "sign" in port.names(), timeout=5_000)
    port.last("sign").done(replace(screen.record, status=EvaluationStatus.SIGNED))
    assert printed == []
    _screen, _port, alone, _printed = _signing_window(qtbot, printing=False)
    assert not alone.print_button.isVisible()


def test_the_complexity_the_findings_support_is_taken_in_one_click(qtbot: QtBot) -> None:
    from casemanager.domain.enums import Complexity
    from casemanager.domain.evaluation import EvaluationContent, PsfsEntry

    form = _form(qtbot)
    form.load(
        EvaluationContent(
            chief_complaint="Spasm after lifting",
            past_medical_history="Asthma",
            prior_episodes="One episode in 2021",
            nprs_now=7,
            nprs_worst=8,
            odi_sections=(2, 3, 2, 1, 2, 2, 1, 1, 0, 1),
            start_back=(1, 0, 1, 1, 0, 0, 0, 1, 2),
            psfs=(PsfsEntry("Lifting boxes", 3),),
        )
    )
    assert form.complexity.currentData() is None  # suggested, never chosen for them
    assert form.complexity_suggestion.text() == "Suggested from the findings: Moderate (97162)"
    assert "severe pain (8/10)" in form.complexity_suggestion.toolTip()
    assert form.agree_complexity.isVisible()
    form.scroller.ensureWidgetVisible(form.agree_complexity)
    with qtbot.waitSignal(form.changed, timeout=2_000):  # saved like a choice by hand
        qtbot.mouseClick(form.agree_complexity, Qt.MouseButton.LeftButton)
    assert form.complexity.currentData() == Complexity.MODERATE
    assert not form.agree_complexity.isVisible()  # agreed: nothing more to offer
    assert _focus() is form.assessment_note  # on to what is still to write
    # Another level chosen by hand: the suggestion shows again, with its button.
    form.complexity.setFocus()
    qtbot.keyClicks(form.complexity, "h")
    assert form.complexity.currentData() == Complexity.HIGH
    assert form.agree_complexity.isVisible()
    form.set_read_only(True)  # signed: nothing to agree to
    assert not form.agree_complexity.isVisible()


def _in_view(form: EvaluationForm, widget: QWidget) -> bool:
    viewport = form.scroller.viewport()
    top = widget.mapTo(viewport, QPoint(0, 0)).y()
    return top >= 0 and top + widget.height() <= viewport.height()


def test_where_one_key_answers_move_the_focus_stays_in_view_with_the_next_field(
    qtbot: QtBot,
) -> None:
    form = _form(qtbot)
    form.resize(1000, 500)
    qtbot.keyClick(_focus(), Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)  # Function
    assert _focus() is form.odi[0]
    for digit in "2321221101" + "101100012":  # Oswestry, then STarT Back
        qtbot.keyClicks(_focus(), digit)
        assert _in_view(form, _focus()), f"{_focus().accessibleName()} is out of view"
    activity, score = form.psfs[0]
    assert _focus() is activity
    assert _in_view(form, score)  # where Tab goes next is in sight too
    # A click leaves the view where it is.
    before = form.scroller.verticalScrollBar().value()
    qtbot.mouseClick(score, Qt.MouseButton.LeftButton)
    assert form.scroller.verticalScrollBar().value() == before
