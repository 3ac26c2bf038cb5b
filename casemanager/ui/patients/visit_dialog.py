"""A visit in one small form: date, pain, interventions with minutes, note; and, when the
therapist chooses to make it the progress report, a verdict and a note for each goal."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain import catalogs
from casemanager.domain.patients import parse_search_date
from casemanager.ui import palette
from casemanager.ui.goal_verdicts import GoalVerdicts
from casemanager.ui.widgets import (
    FieldError,
    ValidatedForm,
    line_edit,
    wheel_changes_only_focused_boxes,
)

if TYPE_CHECKING:  # records only: the services stay off the Qt start
    from collections.abc import Sequence

    from casemanager.services.visits import GoalInForce


class VisitDialog(QDialog):
    """Emits `submitted(dict)` with the typed values; the caller saves and reports back."""

    submitted = Signal(object)

    def __init__(
        self,
        progress_due: str | None,
        goals: Sequence[GoalInForce] = (),
        parent: QWidget | None = None,
    ) -> None:
        """`progress_due` says why a progress report is due (None when it is not); `goals`
        are the plan in force's goals a report assesses."""
        super().__init__(parent)
        self.setWindowTitle("Record visit")
        self.form = ValidatedForm()
        self.visit_date = line_edit("MM/DD/YYYY")
        self.visit_date.setText(f"{date.today():%m/%d/%Y}")
        self.nprs = QSpinBox()
        self.nprs.setRange(-1, 10)
        self.nprs.setSpecialValueText("—")
        self.nprs.setValue(-1)
        interventions = QWidget()
        grid = QGridLayout(interventions)
        grid.setContentsMargins(0, 0, 0, 0)
        self.minutes: dict[str, tuple[QCheckBox, QSpinBox]] = {}
        for row, item in enumerate(catalogs.INTERVENTIONS):
            check = QCheckBox(item.label)
            spin = QSpinBox()
            spin.setRange(1, 240)
            spin.setValue(15)
            spin.setSuffix(" min")
            spin.setAccessibleName(f"{item.label} minutes")
            spin.setEnabled(False)
            check.toggled.connect(spin.setEnabled)
            grid.addWidget(check, row, 0)
            grid.addWidget(spin, row, 1)
            self.minutes[item.code] = (check, spin)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        # Never chosen for the therapist: a plain visit note must not pass for a report.
        self.due_note = QLabel(progress_due or "")
        self.due_note.setWordWrap(True)
        self.due_note.setStyleSheet(palette.WARNING_STYLE)
        self.due_note.setVisible(bool(progress_due))
        self.report_yes = QRadioButton("&Yes: this visit is the progress report")
        self.report_no = QRadioButton("N&o: an ordinary visit")
        self.report_choice = QButtonGroup(self)
        for button in (self.report_yes, self.report_no):
            self.report_choice.addButton(button)
        self.report_no.setChecked(not progress_due)  # when due, the therapist must choose
        choice = QWidget()
        choices = QHBoxLayout(choice)
        choices.setContentsMargins(0, 0, 0, 0)
        choices.addWidget(self.report_yes)
        choices.addWidget(self.report_no)
        choices.addStretch(1)
        self.goals_box = QGroupBox("Progress toward each goal")
        self.goal_form = GoalVerdicts(goals)
        self.goal_rows = self.goal_form.rows
        goals_column = QVBoxLayout(self.goals_box)
        if goals:
            goals_column.addWidget(self.goal_form)
        else:
            goals_column.addWidget(QLabel("The plan in force has no goals to assess."))
        self.goals_box.hide()
        self.report_yes.toggled.connect(self.goals_box.setVisible)
        self.form.add_row("visit_date", "&Date", self.visit_date)
        self.form.add_row("nprs", "&Pain now (0-10)", self.nprs)
        self.form.add_row("intervention_1", "&Interventions", interventions)
        self.form.add_row("note", "&Note", self.note)
        self.form.add_row("is_progress_report", "Progress report?", choice)
        self.general_error = FieldError()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.due_note)
        layout.addWidget(self.form)
        layout.addWidget(self.goals_box)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        wheel_changes_only_focused_boxes(self)

    def _submit(self) -> None:
        self.form.clear_errors()
        self.goal_form.clear_errors()
        self.general_error.show_message("")
        day = parse_search_date(self.visit_date.text())
        if day is None:
            self.form.show_error("visit_date", "Type the visit date as MM/DD/YYYY.")
            return
        if self.report_choice.checkedButton() is None:
            self.form.show_error(
                "is_progress_report",
                "A progress report is due: choose whether this visit is the progress report.",
            )
            return
        is_report = self.report_yes.isChecked()
        self.save_button.setEnabled(False)
        self.submitted.emit(
            {
                "visit_date": day,
                "nprs": None if self.nprs.value() < 0 else self.nprs.value(),
                "interventions": tuple(
                    (code, spin.value())
                    for code, (check, spin) in self.minutes.items()
                    if check.isChecked()
                ),
                "note": self.note.toPlainText() or None,
                "is_progress_report": is_report,
                "goal_assessments": self.goal_form.assessments() if is_report else (),
            }
        )

    def show_error(self, field: str | None, message: str) -> None:
        self.save_button.setEnabled(True)
        if field is None or not (
            self.form.show_error(field, message) or self.goal_form.show_error(field, message)
        ):
            self.general_error.show_message(message)
