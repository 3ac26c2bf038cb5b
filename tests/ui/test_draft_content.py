"""What the form hands to an autosave: a value the clinic cannot accept yet keeps its saved
value (its text stays on screen with a message), so the rest of the draft still saves."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casemanager.domain.enums import GoalTerm, TreatmentPathKind
from casemanager.domain.evaluation import EvaluationContent
from casemanager.domain.plan import GoalContent, PlanContent
from casemanager.ui.evaluation.form import EvaluationForm

DAY = date(2026, 11, 20)


def _form(qtbot: QtBot) -> EvaluationForm:
    form = EvaluationForm(DAY, [])
    qtbot.addWidget(form)
    form.set_read_only(False)
    form.show()
    return form


def test_an_onset_after_the_evaluation_is_held_back_and_the_rest_goes(qtbot: QtBot) -> None:
    form = _form(qtbot)
    qtbot.keyClicks(form.onset_date, "12/31/2026")
    qtbot.keyClicks(form.occupation, "Warehouse picker")
    saved = EvaluationContent(onset_date=date(2026, 11, 1))
    content, held = form.draft_content(saved)
    assert content.onset_date == date(2026, 11, 1)  # what was saved before stays
    assert content.occupation == "Warehouse picker"
    assert set(held) == {"onset_date"} and "after the evaluation date" in held["onset_date"]
    form.chief_complaint.setFocus()
    form.show_problems(held)
    assert form.history.errors["onset_date"].isVisible()
    assert form.focusWidget() is form.chief_complaint  # showing it moved nothing
    assert form.onset_date.text() == "12/31/2026"


def test_half_typed_plan_parts_keep_their_saved_values(qtbot: QtBot) -> None:
    form = _form(qtbot)
    plan = form.plan
    path = plan.paths[TreatmentPathKind.PT_PLAN]
    path.setFocus()
    qtbot.keyClick(path, Qt.Key.Key_Space)
    qtbot.keyClicks(plan.cert_start, "11/20/2026")  # the end not typed yet
    _term_box, text, target = plan.goals[0]
    qtbot.keyClicks(text, "Sit 30 minutes at work")
    qtbot.keyClicks(target, "next month")
    medication = plan.paths[TreatmentPathKind.MEDICATION_REFERRAL]
    medication.setFocus()
    qtbot.keyClick(medication, Qt.Key.Key_Space)  # no medicine ticked yet
    saved = PlanContent(goals=(GoalContent(GoalTerm.SHORT, "Sit 20 minutes", DAY),))
    content, held = plan.draft_content(saved)
    assert [p.kind for p in content.paths] == [TreatmentPathKind.PT_PLAN]
    assert content.certification_start is None and content.certification_end is None
    assert content.goals[0].description == "Sit 30 minutes at work"
    assert content.goals[0].target_date == DAY  # the saved target, not the unreadable one
    assert set(held) == {"certification_end", "goal_1", "path_medication_referral"}
    plan.show_problems(held)
    shown = [error.text() for _group, error in plan._problem_lines.values() if error.text()]
    assert len(shown) == 3
