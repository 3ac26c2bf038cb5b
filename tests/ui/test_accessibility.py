"""Every control a user can reach is named for a screen reader (its own text, an accessible
name, or a label whose buddy it is), and every screen can be worked from the keyboard."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from casemanager.domain.enums import EvaluationKind, GoalTerm
from casemanager.services.chart import OpenRedFlag
from casemanager.services.visits import GoalInForce
from casemanager.ui.documents.dialog import DocumentDialog
from casemanager.ui.evaluation.form import EvaluationForm
from casemanager.ui.exercises.library import ExerciseLibraryDialog
from casemanager.ui.patients.chart import ChartPanel
from casemanager.ui.patients.new_patient import NewPatientDialog
from casemanager.ui.patients.referral_outcome import ReferralOutcomeDialog
from casemanager.ui.patients.visit_dialog import VisitDialog
from casemanager.ui.startup.pages import CreateClinicPage, LoginPage
from tests.ui.fake_ports import RecordingDocumentPort, RecordingExercisePort

_CONTROLS = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)


def _unnamed(root: QWidget) -> list[str]:
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy()}
    missing = []
    for widget in root.findChildren(QWidget):
        if _inside(widget, (QAbstractSpinBox, QComboBox)) or isinstance(widget, QHeaderView):
            continue  # parts of a named control (its line edit, popup list or header)
        if isinstance(widget, QAbstractButton):
            named = bool(widget.text().replace("&", "").strip() or widget.accessibleName())
        elif isinstance(widget, _CONTROLS):
            named = bool(widget.accessibleName()) or id(widget) in buddies
        else:
            continue
        if not named:
            hint = widget.placeholderText() if isinstance(widget, QLineEdit) else ""
            missing.append(f"{type(widget).__name__} {hint!r} in {type(root).__name__}")
    return missing


def _inside(widget: QWidget, kinds: tuple[type, ...]) -> bool:
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent()
    return False


SCREENS = {
    "initial evaluation": lambda: EvaluationForm(date(2026, 11, 20), []),
    "progress report": lambda: EvaluationForm(
        date(2026, 11, 20), [], EvaluationKind.PROGRESS_REPORT
    ),
    "discharge summary": lambda: EvaluationForm(date(2026, 11, 20), [], EvaluationKind.DISCHARGE),
    "chart": lambda: ChartPanel(),
    "new patient": lambda: NewPatientDialog([(1, "Ana Rivera, PT")], 1),
    "visit": lambda: VisitDialog(
        "Progress report due: the next visit is treatment day 10.",
        [GoalInForce(1, GoalTerm.LONG, "Walk 30 minutes", None)],
    ),
    "exercise library": lambda: ExerciseLibraryDialog(True, RecordingExercisePort()),
    "referral outcome": lambda: ReferralOutcomeDialog(
        [OpenRedFlag(1, "Saddle numbness: emergency referral"), OpenRedFlag(2, "Night pain")]
    ),
    "print or save": lambda: DocumentDialog(
        "Ana Rivera", {"en": "English", "es": "Spanish"}, "en", True, RecordingDocumentPort()
    ),
    "create clinic": lambda: CreateClinicPage(),
    "log in": lambda: LoginPage(),
}


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_control_is_named(qtbot: QtBot, name: str) -> None:
    screen = SCREENS[name]()
    qtbot.addWidget(screen)
    assert _unnamed(screen) == []


def test_tab_reaches_every_field_of_the_evaluation_form_in_order(qtbot: QtBot) -> None:
    """Tab walks History, then Red flags, Pain, Function, Assessment and Plan, top to bottom."""
    form = EvaluationForm(date(2026, 11, 20), [])
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitActive(form)
    form.chief_complaint.setFocus()
    order: list[QWidget] = [form.chief_complaint]
    for _ in range(400):
        current = form.focusWidget()
        assert current is not None
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        widget = form.focusWidget()
        if widget is order[0]:
            break
        order.append(widget)
    wanted = [form.chief_complaint, form.nprs_now, form.odi[0], form.primary_cause, form.complexity]
    positions = [order.index(widget) for widget in wanted]
    assert positions == sorted(positions)
    assert form.plan.cert_start in order and form.plan.next_date in order
    assert form.sections in order  # the section list, to jump straight to one
