"""A progress report's judgement of each goal of the plan in force: a verdict and a note of
what was measured, one row per goal. Used by the visit dialog and the evaluation window.
Nothing is pre-chosen: every verdict starts at "choose", so signing needs a real judgement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from casemanager.domain.medicare import GOAL_PROGRESS_LABELS, GoalAssessment
from casemanager.ui.widgets import ValidatedForm, line_edit, wheel_changes_only_focused_boxes

if TYPE_CHECKING:  # records only: the services stay off the Qt start
    from casemanager.services.visits import GoalInForce


class GoalVerdicts(ValidatedForm):
    changed = Signal()  # a verdict chosen or a note typed (not a programmatic fill)

    def __init__(
        self,
        goals: Sequence[GoalInForce],
        field_prefix: str = "",
        parent: QWidget | None = None,
    ) -> None:
        """Rows are named `{field_prefix}goal_{n}`, as the service's errors name them."""
        super().__init__(parent)
        self.rows: list[tuple[int, QComboBox, QLineEdit]] = []
        for number, goal in enumerate(goals, start=1):
            verdict = QComboBox()
            verdict.addItem("— choose —", None)
            for value, text in GOAL_PROGRESS_LABELS.items():
                verdict.addItem(text, value)
            verdict.setAccessibleName(f"Goal {number} progress")
            note = line_edit("What you measured, e.g. walks 20 of 30 minutes")
            note.setAccessibleName(f"Goal {number} note")
            note.setMinimumWidth(260)  # the note is the report's substance: room to read it
            cell = QWidget()
            cell_row = QHBoxLayout(cell)
            cell_row.setContentsMargins(0, 0, 0, 0)
            cell_row.addWidget(verdict)
            cell_row.addWidget(note, 1)
            target = f", by {goal.target_date:%m/%d/%Y}" if goal.target_date else ""
            self.add_row(f"{field_prefix}goal_{number}", f"{goal.description}{target}", cell)
            self.fields[f"{field_prefix}goal_{number}"] = verdict  # a jump lands on the choice
            self.rows.append((goal.id, verdict, note))
            verdict.currentIndexChanged.connect(self.changed)
            note.textEdited.connect(self.changed)
        wheel_changes_only_focused_boxes(self)

    def assessments(self) -> tuple[GoalAssessment, ...]:
        return tuple(
            GoalAssessment(goal_id, verdict.currentData(), note.text() or None)
            for goal_id, verdict, note in self.rows
        )

    def load(self, saved: Sequence[GoalAssessment]) -> None:
        """Show what was saved; a goal not judged yet stays at "choose"."""
        by_goal = {a.goal_id: a for a in saved}
        for goal_id, verdict, note in self.rows:
            found = by_goal.get(goal_id)
            with QSignalBlocker(verdict), QSignalBlocker(note):
                verdict.setCurrentIndex(
                    verdict.findData(found.progress) if found and found.progress else 0
                )
                note.setText(found.note or "" if found else "")
