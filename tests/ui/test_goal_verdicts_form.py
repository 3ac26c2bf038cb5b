"""The evaluation form's goal section, with real widgets: a progress report and a
re-evaluation judge each goal of the plan in force (nothing pre-chosen), a discharge summary
does not; saved verdicts come back as typed, and the section locks with the report."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from casemanager.domain.enums import EvaluationKind, GoalTerm
from casemanager.domain.medicare import GoalAssessment, GoalProgress
from casemanager.services.visits import GoalInForce
from casemanager.ui.evaluation.form import EvaluationForm

DAY = date(2026, 11, 26)
GOALS = (
    GoalInForce(11, GoalTerm.SHORT, "Sit 30 minutes at work", date(2026, 12, 10)),
    GoalInForce(12, GoalTerm.LONG, "Lift 10 kg floor to waist", None),
)


def _form(qtbot: QtBot, kind: EvaluationKind) -> EvaluationForm:
    form = EvaluationForm(DAY, [], kind)
    qtbot.addWidget(form)
    form.show()
    return form


def test_a_re_evaluation_judges_each_goal_and_keeps_what_was_typed(qtbot: QtBot) -> None:
    form = _form(qtbot, EvaluationKind.RE_EVALUATION)
    assert "Goals" in form.groups and form.goal_assessments() == ()
    emitted: list[bool] = []
    form.goals_changed.connect(lambda: emitted.append(True))
    form.show_goals(GOALS, (GoalAssessment(12, GoalProgress.NOT_PROGRESSING, None),))
    assert emitted == []  # showing what was saved is not typing
    verdicts = form.goal_verdicts
    assert verdicts is not None
    # Nothing chosen for a goal not judged yet; the saved half-judgement comes back.
    assert form.goal_assessments() == (
        GoalAssessment(11, None, None),
        GoalAssessment(12, GoalProgress.NOT_PROGRESSING, None),
    )
    _goal_id, verdict, note = verdicts.rows[0]
    verdict.setCurrentIndex(verdict.findData(GoalProgress.MET))
    qtbot.keyClicks(note, "Sits 35 minutes")
    assert emitted  # the window saves it
    assert form.goal_assessments()[0] == GoalAssessment(11, GoalProgress.MET, "Sits 35 minutes")
    # A "Still missing" item jumps to the goal's verdict (focus: tests/ui/test_chart.py).
    assert form.field_widgets["assessed_goal_2"] is verdicts.rows[1][1]
    form.set_read_only(True)
    assert note.isReadOnly() and not verdict.isEnabled()


def test_a_discharge_summary_has_no_goal_section(qtbot: QtBot) -> None:
    form = _form(qtbot, EvaluationKind.DISCHARGE)
    assert "Goals" not in form.groups and form.goal_assessments() == ()


def test_a_report_signed_before_the_rule_says_it_recorded_no_verdict(qtbot: QtBot) -> None:
    form = _form(qtbot, EvaluationKind.PROGRESS_REPORT)
    form.show_goals((), (), signed=True)
    assert form.goals_waiting.text() == "This report recorded no verdict on the goals."
    assert form.goal_verdicts is None
