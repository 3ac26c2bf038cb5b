"""Keyboard work in the evaluation form and the dialogs, with real widgets and key presses:
the focus starts on the first field to fill, a section chosen in the list takes the focus to
its top, an unticked treatment path is no Tab stop, and no Alt+letter is shared."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from functools import partial

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from casemanager.domain.enums import EvaluationKind, TreatmentPathKind
from casemanager.domain.evaluation import EvaluationContent
from casemanager.ui.admin.audit_view import AuditPanel
from casemanager.ui.admin.users import PasswordDialog, UserDialog, UsersPanel
from casemanager.ui.caseload.dashboard import CaseloadDashboard
from casemanager.ui.evaluation.form import EvaluationForm
from tests.ui.test_accessibility import SCREENS

DAY = date(2026, 11, 20)
MNEMONIC = re.compile(r"&([^&\s])")


def mnemonics(root: QWidget) -> dict[str, list[str]]:
    """Each Alt+letter that a label, button, group or tab shown in `root` answers to."""
    found: dict[str, list[str]] = defaultdict(list)

    def add(text: str, what: str) -> None:
        match = MNEMONIC.search(text.replace("&&", ""))
        if match:
            found[match.group(1).lower()].append(what)

    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLabel):
            add(widget.text(), f"label {widget.text()!r}")
        elif isinstance(widget, QAbstractButton):
            add(widget.text(), f"button {widget.text()!r}")
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            add(widget.title(), f"group {widget.title()!r}")
        elif isinstance(widget, QTabWidget):
            for index in range(widget.count()):
                add(widget.tabText(index), f"tab {widget.tabText(index)!r}")
    return found


def shared_mnemonics(root: QWidget) -> dict[str, list[str]]:
    return {key: whats for key, whats in mnemonics(root).items() if len(whats) > 1}


FORMS: dict[str, Callable[[], QWidget]] = {
    **{f"{kind.value} form": partial(EvaluationForm, DAY, [], kind) for kind in EvaluationKind},
    **SCREENS,
    "caseload review": lambda: CaseloadDashboard([(1, "Ana Rivera, PT")], today=DAY),
    "audit log": lambda: AuditPanel(DAY),
    "accounts": lambda: UsersPanel(1),
    "new account": lambda: UserDialog(),
    "change password": lambda: PasswordDialog("Change your password", ask_current=True),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_no_two_controls_share_an_alt_key(qtbot: QtBot, name: str) -> None:
    screen = FORMS[name]()
    qtbot.addWidget(screen)
    screen.show()
    assert shared_mnemonics(screen) == {}


def test_each_alt_key_of_the_evaluation_reaches_its_field(qtbot: QtBot) -> None:
    form = _shown_form(qtbot)
    for key, field in (
        (Qt.Key.Key_P, form.primary_cause),
        (Qt.Key.Key_O, form.onset_date),
        (Qt.Key.Key_B, form.contributing[next(iter(form.contributing))]),
        (Qt.Key.Key_I, form.prior),
    ):
        qtbot.keyClick(form.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
        assert form.focusWidget() is field, QApplication.focusWidget()


def _shown_form(qtbot: QtBot, kind: EvaluationKind = EvaluationKind.INITIAL) -> EvaluationForm:
    form = EvaluationForm(DAY, [], kind)
    qtbot.addWidget(form)
    form.resize(1000, 700)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    return form


def test_the_form_opens_on_the_first_field_to_fill(qtbot: QtBot) -> None:
    form = _shown_form(qtbot)
    assert form.focusWidget() is form.chief_complaint
    qtbot.keyClicks(form.chief_complaint, "Low back spasm")
    assert form.chief_complaint.text() == "Low back spasm"

    # A draft reopened: the focus goes to what is still empty.
    again = EvaluationForm(DAY, [])
    qtbot.addWidget(again)
    again.load(EvaluationContent(chief_complaint="Spasm", mechanism_of_injury=None))
    again.show()
    assert again.focusWidget() is again.onset_date


def test_tab_from_the_section_list_goes_to_a_field_not_to_the_scroll_area(
    qtbot: QtBot,
) -> None:
    form = _shown_form(qtbot)
    form.sections.setFocus()
    qtbot.keyClick(form.sections, Qt.Key.Key_Tab)
    assert form.focusWidget() is form.chief_complaint


def _click_section(qtbot: QtBot, form: EvaluationForm, title: str) -> None:
    row = form._section_row(title)
    rect = form.sections.visualItemRect(form.sections.item(row))
    qtbot.mouseClick(form.sections.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_choosing_a_section_takes_the_focus_to_its_top(qtbot: QtBot) -> None:
    form = _shown_form(qtbot)
    bar = form.scroller.verticalScrollBar()
    _click_section(qtbot, form, "Red flags")
    assert form.focusWidget() is form.all_no  # "Mark unanswered as No" first, on screen
    assert bar.value() == form.groups["Red flags"].y()
    _click_section(qtbot, form, "Plan")
    plan = form.plan
    assert form.focusWidget() is plan.paths[TreatmentPathKind.MEDICATION_REFERRAL]
    assert bar.value() == min(plan.y(), bar.maximum())
    # The same entry again, after Tab moved on: back to the section's top.
    qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Tab)
    bar.setValue(0)
    _click_section(qtbot, form, "Plan")
    assert form.focusWidget() is plan.paths[TreatmentPathKind.MEDICATION_REFERRAL]
    assert bar.value() == min(plan.y(), bar.maximum())
    # From the keyboard: Enter on an entry goes into it.
    form.sections.setFocus()
    form.sections.setCurrentRow(form._section_row("Pain"))
    qtbot.keyClick(form.sections, Qt.Key.Key_Return)
    assert form.focusWidget() is form.nprs_now


def test_an_unticked_treatment_path_is_off_and_no_tab_stop(qtbot: QtBot) -> None:
    form = _shown_form(qtbot)
    form.set_read_only(False)  # as the evaluation window does for a draft
    plan = form.plan
    pt_inputs = [plan.frequency, plan.weeks, plan.heat, *plan.interventions.values()]
    off = [*pt_inputs, plan.surgery_urgency, plan.anti_inflammatory, plan.injection_side]
    assert [w.accessibleName() or type(w).__name__ for w in off if w.isEnabled()] == []
    visited = _tab_stops(qtbot, form)
    assert not any(w in visited for w in off)
    assert plan.paths[TreatmentPathKind.PT_PLAN] in visited  # the tick box itself is a stop

    # Ticking the path (Space on its box) turns its inputs on; unticking turns them off.
    box = plan.paths[TreatmentPathKind.PT_PLAN]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked()
    assert all(w.isEnabled() for w in pt_inputs)
    assert plan.frequency in _tab_stops(qtbot, form)
    assert not plan.surgery_urgency.isEnabled()
    form.set_read_only(True)
    form.set_read_only(False)  # locking and unlocking keeps the choice and its inputs
    assert all(w.isEnabled() for w in pt_inputs)
    assert not plan.surgery_urgency.isEnabled()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert not any(w.isEnabled() for w in pt_inputs)


def _tab_stops(qtbot: QtBot, form: EvaluationForm) -> list[QWidget]:
    form.chief_complaint.setFocus()
    stops: list[QWidget] = [form.chief_complaint]
    for _ in range(500):
        qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Tab)
        widget = form.focusWidget()
        if widget is stops[0]:
            return stops
        stops.append(widget)
    raise AssertionError("Tab never came back to the first field")


@pytest.mark.parametrize("kind", list(EvaluationKind))
def test_no_two_inputs_of_the_evaluation_share_a_name(qtbot: QtBot, kind: EvaluationKind) -> None:
    """A screen reader tells the rows apart: "Sets, exercise 2", not five boxes named "Sets"."""
    form = EvaluationForm(DAY, [], kind)
    qtbot.addWidget(form)
    form.set_read_only(False)
    names: dict[str, int] = defaultdict(int)
    for widget in form.findChildren(QWidget):
        if widget.accessibleName() and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            names[widget.accessibleName()] += 1
    assert {name: count for name, count in names.items() if count > 1} == {}
    plan = form.plan
    assert [spin.accessibleName() for spin in plan.exercise_rows[1][1:]] == [
        "Sets, exercise 2",
        "Repetitions, exercise 2",
        "Hold seconds, exercise 2",
        "Times a day, exercise 2",
    ]
