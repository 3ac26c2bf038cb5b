"""The red-flag section of the evaluation form, with real widgets: a yes preselects the
recommended action, a lower one opens a reason box, a cluster of risk factors moves the
preselection, a referral stays one keystroke away, and follow-ups ask again."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casemanager.domain import catalogs
from casemanager.domain.enums import EvaluationKind, RedFlagAction, RedFlagAnswer
from casemanager.domain.evaluation import EvaluationContent, RedFlagEntry
from casemanager.ui.evaluation.form import EvaluationForm

DAY = date(2026, 11, 26)


def _form(qtbot: QtBot, kind: EvaluationKind = EvaluationKind.INITIAL) -> EvaluationForm:
    form = EvaluationForm(DAY, [], kind)
    qtbot.addWidget(form)
    form.show()
    return form


def _answer(form: EvaluationForm, code: str, answer: RedFlagAnswer) -> None:
    combo = form.flag_answers[code]
    combo.setCurrentIndex(combo.findData(answer))  # as a click in the list does


def _type_key(qtbot: QtBot, form: EvaluationForm, code: str, key: Qt.Key) -> None:
    """One keystroke on the focused action box picks the action starting with that letter."""
    action = form.flag_actions[code]
    action.setFocus()
    # Keys typed within the keyboard interval join into one search ("RE"): a person's next
    # keystroke on another day is a new search, so wait it out.
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    qtbot.keyClick(action, key)


def test_a_yes_preselects_the_recommended_action(qtbot: QtBot) -> None:
    form = _form(qtbot)
    saddle = form.flag_actions["saddle_numbness"]
    assert not saddle.isEnabled() and saddle.currentData() is None
    _answer(form, "saddle_numbness", RedFlagAnswer.YES)
    assert saddle.isEnabled() and saddle.currentData() == RedFlagAction.EMERGENCY
    assert form.flag_reasons["saddle_numbness"].isHidden()
    _answer(form, "unexplained_weight_loss", RedFlagAnswer.YES)
    assert form.flag_actions["unexplained_weight_loss"].currentData() == RedFlagAction.URGENT
    _answer(form, "saddle_numbness", RedFlagAnswer.NO)
    assert not saddle.isEnabled() and saddle.currentData() is None


def test_a_lower_action_asks_for_a_reason_that_is_kept(qtbot: QtBot) -> None:
    form = _form(qtbot)
    _answer(form, "saddle_numbness", RedFlagAnswer.YES)
    _type_key(qtbot, form, "saddle_numbness", Qt.Key.Key_R)
    assert form.flag_actions["saddle_numbness"].currentData() == RedFlagAction.ROUTINE
    reason = form.flag_reasons["saddle_numbness"]
    assert reason.isVisible()
    assert reason.placeholderText() == (
        "Reason needed: why routine referral rather than emergency referral (same day)?"
    )
    qtbot.keyClicks(reason, "Numb since a 2019 saddle block, unchanged")
    entry = next(e for e in form.content().red_flags if e.code == "saddle_numbness")
    assert (entry.action, entry.reason) == (
        RedFlagAction.ROUTINE,
        "Numb since a 2019 saddle block, unchanged",
    )
    _type_key(qtbot, form, "saddle_numbness", Qt.Key.Key_E)  # back to the recommended one
    assert reason.isHidden()


def test_a_risk_factor_alone_is_monitored_and_a_cluster_moves_to_a_referral(
    qtbot: QtBot,
) -> None:
    form = _form(qtbot)
    _answer(form, "age_over_70", RedFlagAnswer.YES)
    age = form.flag_actions["age_over_70"]
    assert age.currentData() == RedFlagAction.MONITOR
    assert form.flag_reasons["age_over_70"].isVisible()
    assert "why is monitoring enough" in form.flag_reasons["age_over_70"].placeholderText()
    # A second fracture risk factor: both preselections follow the cluster.
    _answer(form, "osteoporosis", RedFlagAnswer.YES)
    assert age.currentData() == RedFlagAction.URGENT
    assert form.flag_actions["osteoporosis"].currentData() == RedFlagAction.URGENT
    assert form.flag_reasons["age_over_70"].isHidden()
    # A choice made by hand stays; the referral is one keystroke away again.
    _type_key(qtbot, form, "age_over_70", Qt.Key.Key_N)
    assert age.currentData() == RedFlagAction.MONITOR
    _answer(form, "long_term_steroids", RedFlagAnswer.YES)
    assert age.currentData() == RedFlagAction.MONITOR  # not overridden
    _type_key(qtbot, form, "age_over_70", Qt.Key.Key_U)
    assert age.currentData() == RedFlagAction.URGENT


def test_the_new_screens_and_the_both_legs_question(qtbot: QtBot) -> None:
    form = _form(qtbot)
    titles = {
        box.title() for box in form.groups["Red flags"].findChildren(type(form.groups["Red flags"]))
    }
    assert {"Abdominal aortic aneurysm", "Axial spondyloarthritis"} <= titles
    assert set(form.flag_answers) == {item.code for item in catalogs.RED_FLAGS}
    assert form.flag_answers["both_legs"].accessibleName() == (
        "Do you have numbness or weakness in both legs?"
    )


def test_a_progress_report_asks_again_pre_filled(qtbot: QtBot) -> None:
    form = _form(qtbot, EvaluationKind.PROGRESS_REPORT)
    assert not form.groups["Red flags"].isHidden()
    carried = tuple(RedFlagEntry(item.code, RedFlagAnswer.NO) for item in catalogs.RED_FLAGS)
    form.load(EvaluationContent(red_flags=carried))
    assert form.flag_answers["fever_chills"].currentData() == RedFlagAnswer.NO
    assert not form.content().red_flags_rechecked
    qtbot.mouseClick(form.no_change, Qt.MouseButton.LeftButton)
    assert form.content().red_flags_rechecked
    # Changing an answer is asking again too.
    form.load(EvaluationContent(red_flags=carried))
    _answer(form, "fever_chills", RedFlagAnswer.YES)
    assert form.content().red_flags_rechecked
    assert form.flag_actions["fever_chills"].currentData() == RedFlagAction.EMERGENCY


def test_a_discharge_summary_does_not_show_the_screen(qtbot: QtBot) -> None:
    form = _form(qtbot, EvaluationKind.DISCHARGE)
    assert form.groups["Red flags"].isHidden()
    initial = _form(qtbot)
    assert initial.no_change.isHidden() and initial.rechecked.isHidden()
