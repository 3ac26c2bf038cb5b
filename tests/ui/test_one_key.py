"""One key per answer, Enter to the next field, a shortcut per section, fewer Tab stops and
a summary before signing: real widgets, driven only by key presses, clicks and the wheel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from casemanager.domain.enums import Cause, RedFlagAnswer, TreatmentPathKind
from casemanager.domain.evaluation import EvaluationContent
from casemanager.services.plans import ExerciseInfo
from casemanager.ui.evaluation.form import EvaluationForm
from casemanager.ui.evaluation.window import EvaluationWindow
from tests.ui.fake_ports import RecordingEvaluationPort
from tests.ui.test_evaluation_window import DRAFT

DAY = date(2026, 11, 20)


def _form(qtbot: QtBot, exercises: list[ExerciseInfo] | None = None) -> EvaluationForm:
    form = EvaluationForm(DAY, exercises or [])
    qtbot.addWidget(form)
    form.resize(1000, 700)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form, timeout=10_000)
    return form


def _is_active(window: QWidget) -> Callable[[], bool]:
    return lambda: QApplication.activeWindow() is window


def _focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _press(qtbot: QtBot, keys: str) -> None:
    """Each character typed where the focus is now, as a person types."""
    for char in keys:
        qtbot.keyClicks(_focus(), char)


def _click(qtbot: QtBot, form: EvaluationForm, widget: QWidget) -> None:
    """Scroll the form to the widget (as the wheel would), then click it."""
    form.scroller.ensureWidgetVisible(widget)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _tab(qtbot: QtBot) -> QWidget:
    qtbot.keyClick(_focus(), Qt.Key.Key_Tab)
    return _focus()


def test_oswestry_takes_one_digit_per_section_and_moves_on(qtbot: QtBot) -> None:
    form = _form(qtbot)
    _click(qtbot, form, form.odi[0])
    assert form.odi[0].hasFocus()
    _press(qtbot, "0123450123")
    assert [s.value() for s in form.odi] == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3]
    assert "Oswestry: 42.0%" in form.odi_result.text()
    assert form.sbst[0].hasFocus()  # the next item after the last section


def test_a_digit_out_of_range_is_refused_and_the_focus_stays(qtbot: QtBot) -> None:
    form = _form(qtbot)
    _click(qtbot, form, form.odi[0])
    _press(qtbot, "7")
    assert form.odi[0].value() == -1 and form.odi[0].hasFocus()
    _press(qtbot, "4")
    qtbot.keyClick(form.odi[0], Qt.Key.Key_Backspace)  # back to "—"
    assert form.odi[0].value() == -1


def test_start_back_items_take_one_digit_each(qtbot: QtBot) -> None:
    form = _form(qtbot)
    _click(qtbot, form, form.odi[9])
    _press(qtbot, "0")  # the last Oswestry section, then on to STarT Back
    _press(qtbot, "2")  # items 1-8 are 0 or 1: refused
    assert form.sbst[0].currentData() is None and form.sbst[0].hasFocus()
    _press(qtbot, "101100014")
    assert [c.currentData() for c in form.sbst] == [1, 0, 1, 1, 0, 0, 0, 1, 4]
    assert "total 5" in form.sbst_result.text()
    assert form.psfs[0][0].hasFocus()


def test_pain_takes_one_key_and_ten_is_one_then_zero(qtbot: QtBot) -> None:
    form = _form(qtbot)
    _click(qtbot, form, form.nprs_now)
    _press(qtbot, "7")
    assert form.nprs_now.value() == 7 and form.nprs_best.hasFocus()
    _press(qtbot, "2")
    _press(qtbot, "10")
    assert form.nprs_worst.value() == 10
    assert form.pain_location.hasFocus()
    # "1" alone stands as 1 and the focus moves on after a short pause.
    _click(qtbot, form, form.nprs_best)
    _press(qtbot, "1")
    assert form.nprs_best.value() == 1
    qtbot.waitUntil(form.nprs_worst.hasFocus, timeout=5_000)
    assert form.nprs_best.value() == 1


def test_each_section_has_a_shortcut_shown_in_its_tooltip(qtbot: QtBot) -> None:
    form = _form(qtbot)
    rows = {form.sections.item(i).text(): form.sections.item(i) for i in range(6)}
    assert "Ctrl+3" in rows["Pain"].toolTip()
    qtbot.keyClick(_focus(), Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert form.nprs_now.hasFocus()
    assert form.sections.currentItem().text() == "Pain"
    qtbot.keyClick(_focus(), Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert form.primary_cause.hasFocus()
    assert form.sections.currentItem().text() == "Assessment"
    qtbot.keyClick(_focus(), Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert form.chief_complaint.hasFocus()


def test_enter_moves_on_from_one_line_fields_not_from_notes(qtbot: QtBot) -> None:
    form = _form(qtbot)
    _click(qtbot, form, form.chief_complaint)
    qtbot.keyClicks(form.chief_complaint, "Low back pain")
    qtbot.keyClick(form.chief_complaint, Qt.Key.Key_Return)
    assert form.onset_date.hasFocus()
    qtbot.keyClick(form.onset_date, Qt.Key.Key_Return)
    assert form.mechanism.hasFocus()
    qtbot.keyClicks(form.mechanism, "Lifted a box")
    qtbot.keyClick(form.mechanism, Qt.Key.Key_Return)  # a new line in a note
    qtbot.keyClicks(form.mechanism, "at work")
    assert form.mechanism.hasFocus()
    assert form.mechanism.toPlainText() == "Lifted a box\nat work"
    assert form.content().chief_complaint == "Low back pain"


def test_the_section_list_follows_the_scrolling(qtbot: QtBot) -> None:
    form = _form(qtbot)
    viewport = form.scroller.viewport()
    bar = form.scroller.verticalScrollBar()
    where = QPointF(viewport.width() / 2, 40)
    for _ in range(200):  # notches of the wheel, over a label-free margin of the form
        if bar.value() >= form.groups["Function"].y():
            break
        event = QWheelEvent(
            where,
            viewport.mapToGlobal(where),
            QPoint(0, 0),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(viewport, event)
    assert bar.value() >= form.groups["Function"].y()
    assert form.sections.currentItem().text() == "Function"
    bar.setValue(bar.maximum())
    assert form.sections.currentItem().text() == "Plan"


def test_unused_goal_and_exercise_rows_are_no_tab_stops_until_the_one_before_is_filled(
    qtbot: QtBot,
) -> None:
    exercises = [
        ExerciseInfo(1, "Pelvic tilt", 2, 10, 5, 2),
        ExerciseInfo(2, "Bridge", 3, 10, 0, 1),
    ]
    form = _form(qtbot, exercises)
    plan = form.plan
    term1, goal1, target1 = plan.goals[0]
    term2, goal2, _ = plan.goals[1]
    _click(qtbot, form, goal1)
    assert _tab(qtbot) is target1
    first_pick = plan.exercise_rows[0][0]
    assert _tab(qtbot) is first_pick  # not goal 2, not the status boxes
    _click(qtbot, form, goal1)
    qtbot.keyClicks(goal1, "Sit 30 minutes without pain")
    _tab(qtbot)
    assert _tab(qtbot) is term2  # goal 2 is open now
    # Goal 3 waits for goal 2; an exercise chosen with the keyboard opens its doses.
    assert _tab(qtbot) is goal2
    _tab(qtbot)
    assert _tab(qtbot) is first_pick
    qtbot.keyClick(first_pick, Qt.Key.Key_Down)
    assert first_pick.currentData() == 1
    assert _tab(qtbot) is plan.exercise_rows[0][1]
    for _ in range(4):
        last = _tab(qtbot)
    assert last is plan.exercise_rows[1][0]
    assert _tab(qtbot) is plan.cert_start  # rows 3-5 wait until row 2 is chosen


def test_after_mark_unanswered_as_no_tab_leaves_the_red_flags(qtbot: QtBot) -> None:
    form = _form(qtbot)
    qtbot.keyClick(_focus(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert form.all_no.hasFocus()
    qtbot.keyClick(form.all_no, Qt.Key.Key_Space)
    assert all(c.currentData() == RedFlagAnswer.NO for c in form.flag_answers.values())
    assert _focus() is form.nprs_now  # nothing needs an action: straight on to Pain
    # To change one by keyboard, the same button opens the answers again.
    qtbot.keyClick(_focus(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert form.all_no.hasFocus() and form.all_no.text() == "Change an answer…"
    qtbot.keyClick(form.all_no, Qt.Key.Key_Space)
    first = next(iter(form.flag_answers.values()))
    assert first.hasFocus()
    second = list(form.flag_answers.values())[1]
    assert _tab(qtbot) is second


def _window(qtbot: QtBot) -> tuple[EvaluationWindow, RecordingEvaluationPort]:
    port = RecordingEvaluationPort()
    content = EvaluationContent(
        chief_complaint="Low back pain",
        primary_cause=Cause.HEAVY_LIFTING,
        contributing_causes=(Cause.WEAK_ABDOMINALS,),
        diagnosis_codes=("S39.012A",),
    )
    screen = EvaluationWindow(replace(DRAFT, content=content), None, [], "Ana Rivera", port)
    qtbot.addWidget(screen)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=10_000)
    return screen, port


def test_signing_shows_what_will_be_signed_and_escape_goes_back(qtbot: QtBot) -> None:
    screen, port = _window(qtbot)
    qtbot.keyClick(
        _focus(),
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    summary = screen.sign_summary
    assert summary is not None and summary.isVisible()
    text = summary.summary.text()
    for expected in ("Ana Rivera", "Initial evaluation", "S39.012A", "lifting", "abdominal"):
        assert expected.lower() in text.lower()
    qtbot.keyClick(summary, Qt.Key.Key_Escape)
    assert not summary.isVisible()
    assert "sign" not in port.names()


def test_enter_on_the_summary_signs(qtbot: QtBot) -> None:
    screen, port = _window(qtbot)
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    summary = screen.sign_summary
    assert summary is not None
    qtbot.keyClick(summary, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "sign" in port.names(), timeout=5_000)


def test_the_summary_names_a_field_held_back(qtbot: QtBot) -> None:
    screen, _port = _window(qtbot)
    qtbot.mouseClick(screen.form.onset_date, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(screen.form.onset_date, "last spring")
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    summary = screen.sign_summary
    assert summary is not None
    assert "Onset date: type it as MM/DD/YYYY" in summary.summary.text()


def test_a_group_of_tick_boxes_is_one_tab_stop_with_arrows_inside(qtbot: QtBot) -> None:
    form = _form(qtbot)
    boxes = list(form.contributing.values())
    qtbot.keyClick(_focus(), Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert form.primary_cause.hasFocus()
    assert _tab(qtbot) is boxes[0]
    qtbot.keyClick(boxes[0], Qt.Key.Key_Down)
    qtbot.keyClick(boxes[1], Qt.Key.Key_Down)
    assert boxes[2].hasFocus()
    qtbot.keyClick(boxes[2], Qt.Key.Key_Space)
    assert form.content().contributing_causes == (list(form.contributing)[2],)
    assert _tab(qtbot) is form.cause_note  # the other boxes are no stops
    qtbot.keyClick(form.cause_note, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert boxes[2].hasFocus()  # back to the box last visited


def test_enter_on_a_home_exercise_goes_to_the_next_exercise(qtbot: QtBot) -> None:
    exercises = [
        ExerciseInfo(1, "Pelvic tilt", 2, 10, 5, 2),
        ExerciseInfo(2, "Bridge", 3, 10, 0, 1),
    ]
    form = _form(qtbot, exercises)
    plan = form.plan
    _click(qtbot, form, plan.goals[0][1])
    _tab(qtbot)
    first, second = plan.exercise_rows[0][0], plan.exercise_rows[1][0]
    assert _tab(qtbot) is first
    qtbot.keyClicks(first, "p")  # the first letter picks "Pelvic tilt"
    assert first.currentData() == 1 and plan.exercise_rows[0][1].value() == 2  # its dose
    qtbot.keyClick(first, Qt.Key.Key_Return)
    assert second.hasFocus()
    qtbot.keyClicks(second, "b")
    qtbot.keyClick(second, Qt.Key.Key_Return)
    assert plan.exercise_rows[2][0].hasFocus()


def test_ctrl_p_in_a_signed_evaluation_asks_for_the_care_plan(qtbot: QtBot) -> None:
    from casemanager.domain.enums import EvaluationStatus

    port = RecordingEvaluationPort()
    signed = replace(DRAFT, status=EvaluationStatus.SIGNED, signed_by_name="Wei Chen, PT")
    screen = EvaluationWindow(signed, None, [], "Ana Rivera", port)
    qtbot.addWidget(screen)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=10_000)
    with qtbot.waitSignal(screen.print_requested, timeout=5_000):
        qtbot.keyClick(_focus(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_p_on_a_draft_says_to_sign_first(qtbot: QtBot) -> None:
    screen, _port = _window(qtbot)
    asked: list[bool] = []
    screen.print_requested.connect(lambda: asked.append(True))
    qtbot.keyClick(_focus(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert asked == [] and "Sign first" in screen.status.text()


def test_a_goal_status_is_a_tab_stop_only_where_goals_are_judged(qtbot: QtBot) -> None:
    from casemanager.domain.enums import EvaluationKind, GoalTerm
    from casemanager.domain.plan import GoalContent, PlanContent

    plan_content = PlanContent(goals=(GoalContent(GoalTerm.LONG, "Lift 10 kg"),))
    for kind, status_is_stop in ((EvaluationKind.INITIAL, False), (EvaluationKind.DISCHARGE, True)):
        form = EvaluationForm(DAY, [], kind)
        qtbot.addWidget(form)
        form.resize(1000, 700)
        form.show()
        form.activateWindow()
        qtbot.waitUntil(_is_active(form), timeout=10_000)
        form.plan.load(plan_content, [])
        _term, _text, target = form.plan.goals[0]
        _click(qtbot, form, target)
        assert (_tab(qtbot) is form.plan.goal_status[0]) is status_is_stop, kind
        form.close()


def test_a_click_in_an_empty_number_box_then_a_digit_takes_the_digit(qtbot: QtBot) -> None:
    form = _form(qtbot)
    plan = form.plan
    pt = plan.paths[TreatmentPathKind.PT_PLAN]
    form.scroller.ensureWidgetVisible(pt)
    qtbot.mouseClick(
        pt, Qt.MouseButton.LeftButton, pos=QPoint(12, pt.fontMetrics().height() // 2 + 1)
    )
    assert pt.isChecked()
    _click(qtbot, form, plan.weeks)  # the caret lands after the dash
    qtbot.keyClicks(plan.weeks, "6")
    assert plan.weeks.value() == 6
