"""The Plan section of the evaluation: treatment paths (each with its own fields), goals,
home exercises from the clinic's library, and the certification period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from datetime import time as dt_time
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain import catalogs
from casemanager.domain.enums import GoalStatus, GoalTerm, HeatIce, Side, TreatmentPathKind, Urgency
from casemanager.domain.evaluation_defaults import certification_period
from casemanager.domain.medicare import Certification
from casemanager.domain.patients import parse_search_date
from casemanager.domain.plan import GoalContent, HomeExerciseContent, PathContent, PlanContent
from casemanager.ui import palette
from casemanager.ui.widgets import FieldError, on_any_edit

GOAL_ROWS = 4
EXERCISE_ROWS = 5
_HEAT = {
    HeatIce.NONE: "None",
    HeatIce.HEAT: "Heat",
    HeatIce.ICE: "Ice",
    HeatIce.HEAT_AND_ICE: "Heat and ice",
}
# An injection is given on one side or both: "central" is a pain location only.
_SIDES: dict[Side | None, str] = {
    None: "—",
    **{side: label for side, label in catalogs.SIDE_LABELS.items() if side != Side.CENTRAL},
}
_URGENCY = {Urgency.ROUTINE: "Routine", Urgency.URGENT: "Urgent", Urgency.EMERGENCY: "Emergency"}


_GOAL_STATUS = {
    GoalStatus.IN_PROGRESS: "In progress",
    GoalStatus.MET: "Met",
    GoalStatus.PARTIALLY_MET: "Partly met",
    GoalStatus.NOT_MET: "Not met",
}


def _spin(low: int, high: int, label: str, blank: bool = True) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low - 1 if blank else low, high)
    if blank:
        spin.setSpecialValueText("—")
        spin.setValue(low - 1)
    spin.setAccessibleName(label)
    return spin


def _value(spin: QSpinBox) -> int | None:
    return None if spin.specialValueText() and spin.value() == spin.minimum() else spin.value()


def _set(spin: QSpinBox, value: int | None) -> None:
    spin.setValue(spin.minimum() if value is None else value)


def _combo(options: dict[Any, str], label: str) -> QComboBox:
    combo = QComboBox()
    for value, text in options.items():
        combo.addItem(text, value)
    combo.setAccessibleName(label)
    return combo


def _pick(combo: QComboBox, value: Any) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


def _date_text(value: date | None) -> str:
    return f"{value:%m/%d/%Y}" if value else ""


class PlanSection(QGroupBox):
    changed = Signal()
    certification_requested = Signal(object)  # a domain.medicare.Certification to record

    def __init__(self, exercises: list[Any], parent: QWidget | None = None) -> None:
        super().__init__("Plan", parent)
        self._note: str | None = None
        layout = QVBoxLayout(self)
        self.guidance = QLabel()
        self.guidance.setWordWrap(True)
        self.guidance.setStyleSheet(palette.WARNING_STYLE)
        self.guidance.setAccessibleName("Guideline notes")
        self.guidance.hide()
        layout.addWidget(self.guidance)
        self.paths: dict[TreatmentPathKind, QGroupBox] = {}
        # field-name prefix -> (its group, the message line at the group's foot)
        self._problem_lines: dict[str, tuple[QGroupBox, FieldError]] = {}
        self.fields: dict[str, QWidget] = {}
        self._locked = False
        self._chosen: set[TreatmentPathKind] = set()
        self.judging_goals = False  # a follow-up: each goal's status is a Tab stop

        # Medication referral
        box = self._path_box(TreatmentPathKind.MEDICATION_REFERRAL)
        grid = QGridLayout(box)
        self.anti_inflammatory = QCheckBox("Anti-inflammatory")
        self.muscle_relaxant = QCheckBox("Muscle relaxant")
        self.med_to = QLineEdit()
        self.med_reason = QLineEdit()
        self.med_to.setAccessibleName("Medication referral: refer to")
        self.med_reason.setAccessibleName("Medication referral: reason")
        self._rows(
            grid,
            (
                ("Discuss", self.anti_inflammatory),
                ("", self.muscle_relaxant),
                ("Refer to", self.med_to),
                ("Reason", self.med_reason),
            ),
        )
        layout.addWidget(box)

        # Physical therapy plan
        box = self._path_box(TreatmentPathKind.PT_PLAN)
        grid = QGridLayout(box)
        self.frequency = _spin(1, 7, "Visits per week")
        self.weeks = _spin(1, 52, "Duration in weeks")
        interventions = QWidget()
        checks = QGridLayout(interventions)
        checks.setContentsMargins(0, 0, 0, 0)
        self.interventions: dict[str, QCheckBox] = {}
        for index, item in enumerate(catalogs.INTERVENTIONS):
            check = QCheckBox(item.label)
            checks.addWidget(check, index // 2, index % 2)
            self.interventions[item.code] = check
        self.heat = _combo(_HEAT, "Heat or ice")
        self.heat_minutes = _spin(5, 30, "Heat or ice minutes")
        self.heat_times = _spin(1, 8, "Heat or ice times a day")
        self._rows(
            grid,
            (
                ("Visits per week", self.frequency),
                ("Weeks", self.weeks),
                ("Interventions", interventions),
                ("Heat / ice", self.heat),
                ("Minutes each time", self.heat_minutes),
                ("Times a day", self.heat_times),
            ),
        )
        self.fields["path_pt_plan_frequency"] = self.frequency
        layout.addWidget(box)

        # Steroid injection referral
        box = self._path_box(TreatmentPathKind.STEROID_INJECTION_REFERRAL)
        grid = QGridLayout(box)
        self.injection_level = QLineEdit()
        self.injection_level.setPlaceholderText("e.g. L4-L5, if known")
        self.injection_side = _combo(_SIDES, "Injection side")
        self.injection_to = QLineEdit()
        self.injection_reason = QLineEdit()
        self.injection_to.setAccessibleName("Injection referral: refer to")
        self.injection_reason.setAccessibleName("Injection referral: reason")
        self._rows(
            grid,
            (
                ("Level", self.injection_level),
                ("Side", self.injection_side),
                ("Refer to", self.injection_to),
                ("Reason", self.injection_reason),
            ),
        )
        layout.addWidget(box)

        # Lumbar surgery referral
        box = self._path_box(TreatmentPathKind.LUMBAR_SURGERY_REFERRAL)
        grid = QGridLayout(box)
        self.surgery_to = QLineEdit()
        self.surgery_reason = QLineEdit()
        self.surgery_to.setAccessibleName("Surgery referral: refer to")
        self.surgery_reason.setAccessibleName("Surgery referral: reason")
        self.surgery_reason.setPlaceholderText("e.g. progressive deficit, failed conservative care")
        self.surgery_urgency = _combo(_URGENCY, "Surgery referral urgency")
        self._rows(
            grid,
            (
                ("Refer to", self.surgery_to),
                ("Reason", self.surgery_reason),
                ("Urgency", self.surgery_urgency),
            ),
        )
        self.fields["path_lumbar_surgery_referral_reason"] = self.surgery_reason
        layout.addWidget(box)

        goals = QGroupBox("Goals (measurable, tied to function)")
        grid = QGridLayout(goals)
        self.goals: list[tuple[QComboBox, QLineEdit, QLineEdit]] = []
        self.goal_status: list[QComboBox] = []  # met or not: judged at follow-ups
        for row in range(GOAL_ROWS):
            term = _combo(
                {GoalTerm.SHORT: "Short term", GoalTerm.LONG: "Long term"}, f"Goal {row + 1} term"
            )
            text = QLineEdit()
            text.setAccessibleName(f"Goal {row + 1}")
            target = QLineEdit()
            target.setPlaceholderText("Target MM/DD/YYYY")
            target.setAccessibleName(f"Goal {row + 1} target date")
            status = _combo(_GOAL_STATUS, f"Goal {row + 1} status")
            grid.addWidget(term, row, 0)
            grid.addWidget(text, row, 1)
            grid.addWidget(target, row, 2)
            grid.addWidget(status, row, 3)
            grid.setColumnStretch(1, 1)
            self.goals.append((term, text, target))
            self.goal_status.append(status)
            self.fields[f"goal_{row + 1}"] = text
        self.fields["goals"] = self.goals[0][1]
        self._problem_line("goal", goals)
        layout.addWidget(goals)

        program = QGroupBox("Home exercises")
        grid = QGridLayout(program)
        for column, heading in enumerate(("Exercise", "Sets", "Reps", "Hold (s)", "Times a day")):
            grid.addWidget(QLabel(heading), 0, column)
        self.exercise_rows: list[tuple[QComboBox, QSpinBox, QSpinBox, QSpinBox, QSpinBox]] = []
        self._usual_doses: dict[int, Any] = {}  # exercise id -> the library's entry
        for row in range(EXERCISE_ROWS):
            pick = _combo({None: "—"}, f"Home exercise {row + 1}")
            # Named with their row: a screen reader otherwise hears five boxes called "Sets".
            spins = (
                _spin(1, 10, f"Sets, exercise {row + 1}"),
                _spin(1, 100, f"Repetitions, exercise {row + 1}"),
                _spin(0, 300, f"Hold seconds, exercise {row + 1}"),
                _spin(1, 10, f"Times a day, exercise {row + 1}"),
            )
            grid.addWidget(pick, row + 1, 0)
            for column, spin in enumerate(spins, start=1):
                grid.addWidget(spin, row + 1, column)
            pick.currentIndexChanged.connect(lambda _i, r=row: self._fill_dose(r))
            self.exercise_rows.append((pick, *spins))
            self.fields[f"exercise_{row + 1}"] = pick
        grid.setColumnStretch(0, 1)
        self.offer_library(exercises)
        self._problem_line("exercise", program)
        layout.addWidget(program)

        certification = QGroupBox("Certification period (at most 90 days) and next appointment")
        grid = QGridLayout(certification)
        self.cert_start = QLineEdit()
        self.cert_end = QLineEdit()
        self.next_date = QLineEdit()
        self.next_time = QTimeEdit(QTime(9, 0))
        self.next_time.setDisplayFormat("h:mm AP")
        self.next_time.setAccessibleName("Next appointment time")
        for edit, label in (
            (self.cert_start, "Certification starts"),
            (self.cert_end, "Certification ends"),
            (self.next_date, "Next appointment date"),
        ):
            edit.setPlaceholderText("MM/DD/YYYY")
            edit.setAccessibleName(label)
        self._rows(
            grid,
            (
                ("Starts", self.cert_start),
                ("Ends", self.cert_end),
                ("Next appointment", self.next_date),
                ("at", self.next_time),
            ),
        )
        # The period suggested from the PT plan's weeks (follow_weeks_from), while the dates
        # on screen are still that suggestion.
        self._first_day: date | None = None
        self._suggested_period: tuple[str, str] | None = None
        self.weeks.valueChanged.connect(self._weeks_changed)
        self.fields.update(
            certification_start=self.cert_start,
            certification_end=self.cert_end,
            next_appointment=self.next_date,
            paths=self.paths[TreatmentPathKind.PT_PLAN],
        )
        for prefix in ("certification_start", "certification_end", "next_appointment"):
            self._problem_line(prefix, certification)
        self._problem_lines["paths"] = (self, FieldError())  # the choice of paths as a whole
        self._place_problem_lines()
        layout.addWidget(certification)
        on_any_edit(self, lambda *_args: self.changed.emit())
        self.changed.connect(self.update_tab_stops)
        # Built after on_any_edit: recording a certification is its own action, not plan
        # typing to autosave, and it is done once the evaluation is signed.
        layout.addWidget(self._certification_box())

    def _certification_box(self) -> QGroupBox:
        """Who certified the signed plan of care and when (Medicare ch. 15 s. 220.1.3)."""
        box = QGroupBox("Physician certification of the plan of care")
        grid = QGridLayout(box)
        self.certification_state = QLabel()
        self.certification_state.setWordWrap(True)
        self.certified_by = QLineEdit()
        self.certified_by.setPlaceholderText("e.g. Dr. Ana Ruiz")
        self.certified_on = QLineEdit()
        self.certified_on.setPlaceholderText("MM/DD/YYYY, as dated by the physician")
        self.delay_reason = QLineEdit()
        self.delay_reason.setPlaceholderText(
            "Only when certified more than 30 days after the evaluation"
        )
        self.record_certification = QPushButton("Record certification")
        self.certification_error = FieldError()
        grid.addWidget(self.certification_state, 0, 0, 1, 2)
        self._rows_from(
            grid,
            1,
            (
                ("Certified by", self.certified_by),
                ("Certified on", self.certified_on),
                ("Reason for a late certification", self.delay_reason),
            ),
        )
        grid.addWidget(self.certification_error, 4, 0, 1, 2)
        grid.addWidget(self.record_certification, 5, 1)
        self.certification_fields: dict[str, QLineEdit] = {
            "certified_by": self.certified_by,
            "certified_on": self.certified_on,
            "certification_delay_reason": self.delay_reason,
        }
        self.record_certification.clicked.connect(self._request_certification)
        self.show_certification(None)
        return box

    @staticmethod
    def _rows_from(grid: QGridLayout, first: int, rows: tuple[tuple[str, QWidget], ...]) -> None:
        for row, (label, widget) in enumerate(rows, start=first):
            caption = QLabel(label)
            caption.setBuddy(widget)
            widget.setAccessibleName(label)
            grid.addWidget(caption, row, 0)
            grid.addWidget(widget, row, 1)

    def _request_certification(self) -> None:
        self.certification_error.show_message("")
        day = parse_search_date(self.certified_on.text())
        if day is None:
            self.show_certification_error(
                "certified_on", "Type the date the physician signed, as MM/DD/YYYY."
            )
            return
        self.record_certification.setEnabled(False)
        self.certification_requested.emit(
            Certification(self.certified_by.text(), day, self.delay_reason.text() or None)
        )

    def show_certification(self, certification: Certification | None) -> None:
        """What is recorded; the inputs keep what was typed until a certification is saved."""
        self.record_certification.setEnabled(True)
        self.certification_error.show_message("")
        if certification is None:
            self.certification_state.setText(
                "Not recorded. When the physician's signed copy comes back, record who "
                "certified it and the date they signed (due within 30 days of the evaluation)."
            )
            return
        late = f" Late: {certification.delay_reason}" if certification.delay_reason else ""
        self.certification_state.setText(
            f"Certified by {certification.physician} on "
            f"{certification.certified_on:%m/%d/%Y}.{late}"
        )
        self.certified_by.setText(certification.physician)
        self.certified_on.setText(_date_text(certification.certified_on))
        self.delay_reason.setText(certification.delay_reason or "")

    def show_certification_error(self, field: str | None, message: str) -> None:
        self.record_certification.setEnabled(True)
        self.certification_error.show_message(message)
        widget = self.certification_fields.get(field or "")
        if widget is not None:
            widget.setFocus()

    def _enable_certification(self, enabled: bool) -> None:
        for widget in (*self.certification_fields.values(), self.record_certification):
            widget.setEnabled(enabled)
            if isinstance(widget, QLineEdit):
                widget.setReadOnly(not enabled)
        self.record_certification.setToolTip(
            "" if enabled else "Sign the evaluation first: the physician certifies a signed plan."
        )

    def _path_box(self, kind: TreatmentPathKind) -> QGroupBox:
        box = QGroupBox(catalogs.treatment_path_info(kind).label)
        box.setCheckable(True)
        box.setChecked(False)
        box.setAccessibleName(catalogs.treatment_path_info(kind).label)
        self.paths[kind] = box
        self.fields[f"path_{kind.value}"] = box
        self._problem_line(f"path_{kind.value}", box)
        return box

    def _problem_line(self, prefix: str, group: QGroupBox) -> None:
        """A message line at the foot of `group` for the fields whose names start so."""
        error = FieldError()
        self._problem_lines[prefix] = (group, error)

    def _place_problem_lines(self) -> None:
        for group, error in self._problem_lines.values():
            layout = group.layout()
            if isinstance(layout, QGridLayout):
                layout.addWidget(error, layout.rowCount(), 0, 1, max(layout.columnCount(), 1))
            elif layout is not None:
                layout.addWidget(error)

    def owns_field(self, field: str) -> bool:
        return any(field.startswith(prefix) for prefix in self._problem_lines)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message in the group of its field, replacing the last ones; the focus stays."""
        shown: dict[str, list[str]] = {}
        for field, message in problems.items():
            prefix = max(
                (p for p in self._problem_lines if field.startswith(p)), key=len, default=None
            )
            if prefix is not None:
                shown.setdefault(prefix, []).append(message)
        for prefix, (_group, error) in self._problem_lines.items():
            error.show_message("\n".join(shown.get(prefix, [])))

    @staticmethod
    def _rows(grid: QGridLayout, rows: tuple[tuple[str, QWidget], ...]) -> None:
        for row, (label, widget) in enumerate(rows):
            caption = QLabel(label)
            caption.setBuddy(widget)
            if isinstance(widget, QLineEdit | QComboBox | QSpinBox) and label:
                widget.setAccessibleName(widget.accessibleName() or label)
            grid.addWidget(caption, row, 0)
            grid.addWidget(widget, row, 1)
        grid.setColumnStretch(1, 1)

    def update_tab_stops(self) -> None:
        """Tab visits the rows in use and the first empty one: the empty rows after it, and
        the doses of a row without an exercise, are reached by mouse until the row before is
        filled. A goal's status is judged at follow-ups: a Tab stop there only."""
        tab, click = Qt.FocusPolicy.StrongFocus, Qt.FocusPolicy.ClickFocus
        previous_used = True
        for (term, text, target), status in zip(self.goals, self.goal_status, strict=True):
            used = bool(text.text().strip())
            for widget in (term, text, target):
                widget.setFocusPolicy(tab if used or previous_used else click)
            status.setFocusPolicy(tab if used and self.judging_goals else click)
            previous_used = used
        previous_used = True
        for pick, *doses in self.exercise_rows:
            used = pick.currentData() is not None
            pick.setFocusPolicy(tab if used or previous_used else click)
            for dose in doses:
                dose.setFocusPolicy(tab if used else click)
            previous_used = used

    # -- suggested defaults -----------------------------------------------------------------
    def offer_library(self, exercises: Sequence[Any]) -> None:
        """The clinic's exercise library as it is now (services.plans.ExerciseInfo): each
        picker lists it, keeping its choice (even one retired since), and a newly picked
        exercise brings its usual dose. Nothing typed changes and no autosave is set off."""
        self._usual_doses = {e.id: e for e in exercises}
        for row in self.exercise_rows:
            pick = row[0]
            chosen, chosen_name = pick.currentData(), pick.currentText()
            with QSignalBlocker(pick):
                pick.clear()
                pick.addItem("—", None)
                for exercise in exercises:
                    pick.addItem(exercise.name, exercise.id)
                if chosen is not None and pick.findData(chosen) < 0:
                    pick.addItem(chosen_name, chosen)  # never lose a choice
                pick.setCurrentIndex(max(0, pick.findData(chosen)))

    def follow_weeks_from(self, first_day: date | None) -> None:
        """The certification period follows the PT plan's weeks from `first_day` (the
        evaluation day; at most 90 days), as the service fills it on saving, so the screen
        and the summary before signing show it: while both dates are blank, or still the
        period the weeks gave. A period the therapist typed stays. None: no suggestion."""
        self._first_day = first_day
        self._suggested_period = self._period_of_weeks()
        if self._suggested_period is not None and self._period_on_screen() != (
            self._suggested_period
        ):
            self._suggested_period = None  # typed: not ours to move

    def _period_of_weeks(self) -> tuple[str, str] | None:
        weeks = _value(self.weeks)
        if self._first_day is None or weeks is None:
            return None
        first, last = certification_period(self._first_day, weeks)
        return _date_text(first), _date_text(last)

    def _period_on_screen(self) -> tuple[str, str]:
        return self.cert_start.text().strip(), self.cert_end.text().strip()

    def _weeks_changed(self) -> None:
        on_screen = self._period_on_screen()
        if on_screen not in (("", ""), self._suggested_period):
            self._suggested_period = None
            return
        period = self._period_of_weeks()
        if period is None:
            return
        self._suggested_period = period
        if on_screen != period:
            self.cert_start.setText(period[0])
            self.cert_end.setText(period[1])

    def _fill_dose(self, row: int) -> None:
        pick, sets, reps, hold, times = self.exercise_rows[row]
        template = self._usual_doses.get(pick.currentData())
        if template is not None:
            _set(sets, template.sets)
            _set(reps, template.reps)
            _set(hold, template.hold_seconds)
            _set(times, template.times_per_day)

    # -- content ----------------------------------------------------------------------------
    def draft_content(self, saved: PlanContent | None) -> tuple[PlanContent, dict[str, str]]:
        """What can be saved now, and each field held back with what to fix.

        The service refuses a whole plan for one half-typed part (a date it cannot read, a
        certification with only its start, a medication referral with no medicine ticked
        yet): such a part keeps its `saved` value in the draft (or stays out of it), its
        text stays on screen, and the rest of the plan saves.
        """
        saved = saved or PlanContent()
        content = self.content()
        held: dict[str, str] = {}

        def unreadable(edit: QLineEdit) -> bool:
            return bool(edit.text().strip()) and parse_search_date(edit.text()) is None

        start_bad, end_bad = unreadable(self.cert_start), unreadable(self.cert_end)
        for field, bad in (("certification_start", start_bad), ("certification_end", end_bad)):
            if bad:
                held[field] = "Type the date as MM/DD/YYYY. Not saved yet."
        half = (content.certification_start is None) != (content.certification_end is None)
        if start_bad or end_bad or half:
            if half and not (start_bad or end_bad):
                held["certification_end"] = (
                    "Give both the start and the end of the certification. Not saved yet."
                )
            content = replace(
                content,
                certification_start=saved.certification_start,
                certification_end=saved.certification_end,
            )
        if unreadable(self.next_date):
            held["next_appointment"] = "Type the date as MM/DD/YYYY. Not saved yet."
            content = replace(content, next_appointment=saved.next_appointment)
        goals = list(content.goals)
        kept = [text for _term, text, _target in self.goals if text.text().strip()]
        for index, (_term, text, target) in enumerate(self.goals):
            if text.text().strip() and unreadable(target):
                row = kept.index(text)
                earlier = saved.goals[row].target_date if row < len(saved.goals) else None
                goals[row] = replace(goals[row], target_date=earlier)
                held[f"goal_{index + 1}"] = (
                    f"Goal {index + 1}: type the target date as MM/DD/YYYY. Not saved yet."
                )
        paths = []
        saved_paths = {p.kind: p for p in saved.paths}
        for path in content.paths:
            if path.kind == TreatmentPathKind.MEDICATION_REFERRAL and not (
                path.anti_inflammatory or path.muscle_relaxant
            ):
                held["path_medication_referral"] = (
                    "Tick the medicine to discuss: anti-inflammatory, muscle relaxant or both. "
                    "Not saved yet."
                )
                if path.kind in saved_paths:
                    paths.append(saved_paths[path.kind])
                continue
            paths.append(path)
        return replace(content, goals=tuple(goals), paths=tuple(paths)), held

    def content(self) -> PlanContent:
        chosen = {kind for kind, box in self.paths.items() if box.isChecked()}
        paths: list[PathContent] = []
        if TreatmentPathKind.MEDICATION_REFERRAL in chosen:
            paths.append(
                PathContent(
                    TreatmentPathKind.MEDICATION_REFERRAL,
                    anti_inflammatory=self.anti_inflammatory.isChecked(),
                    muscle_relaxant=self.muscle_relaxant.isChecked(),
                    refer_to=self.med_to.text() or None,
                    reason=self.med_reason.text() or None,
                )
            )
        if TreatmentPathKind.PT_PLAN in chosen:
            paths.append(
                PathContent(
                    TreatmentPathKind.PT_PLAN,
                    frequency_per_week=_value(self.frequency),
                    duration_weeks=_value(self.weeks),
                    interventions=tuple(
                        c for c, box in self.interventions.items() if box.isChecked()
                    ),
                    heat_ice=self.heat.currentData(),
                    heat_ice_minutes=_value(self.heat_minutes),
                    heat_ice_times_per_day=_value(self.heat_times),
                )
            )
        if TreatmentPathKind.STEROID_INJECTION_REFERRAL in chosen:
            paths.append(
                PathContent(
                    TreatmentPathKind.STEROID_INJECTION_REFERRAL,
                    injection_level=self.injection_level.text() or None,
                    injection_side=self.injection_side.currentData(),
                    refer_to=self.injection_to.text() or None,
                    reason=self.injection_reason.text() or None,
                )
            )
        if TreatmentPathKind.LUMBAR_SURGERY_REFERRAL in chosen:
            paths.append(
                PathContent(
                    TreatmentPathKind.LUMBAR_SURGERY_REFERRAL,
                    refer_to=self.surgery_to.text() or None,
                    reason=self.surgery_reason.text() or None,
                    urgency=self.surgery_urgency.currentData(),
                )
            )
        goals = tuple(
            GoalContent(
                term.currentData(),
                text.text(),
                parse_search_date(target.text()),
                status.currentData(),
            )
            for (term, text, target), status in zip(self.goals, self.goal_status, strict=True)
            if text.text().strip()
        )
        exercises = tuple(
            HomeExerciseContent(pick.currentData(), _value(s), _value(r), _value(h), _value(t))
            for pick, s, r, h, t in self.exercise_rows
            if pick.currentData() is not None
        )
        return PlanContent(
            paths=tuple(paths),
            goals=goals,
            home_exercises=exercises,
            certification_start=parse_search_date(self.cert_start.text()),
            certification_end=parse_search_date(self.cert_end.text()),
            next_appointment=self._next_appointment(),
            note=self._note,  # not edited here: kept as loaded
        )

    def _next_appointment(self) -> datetime | None:
        day = parse_search_date(self.next_date.text())
        if day is None:
            return None
        time = self.next_time.time()
        local = datetime.combine(day, dt_time(time.hour(), time.minute()))
        return local.astimezone()  # this workstation's zone; stored as UTC

    def load(self, plan: PlanContent | None, guidance: list[str]) -> None:
        was_locked = self._locked
        blockers = [QSignalBlocker(w) for w in [self, *self.findChildren(QWidget)]]
        try:
            if was_locked:
                self.set_read_only(False)  # tick boxes back, so the loaded choice can be set
            plan = plan or PlanContent()
            by_kind = {p.kind: p for p in plan.paths}
            for kind, box in self.paths.items():
                box.setChecked(kind in by_kind)
            med = by_kind.get(TreatmentPathKind.MEDICATION_REFERRAL)
            self.anti_inflammatory.setChecked(bool(med and med.anti_inflammatory))
            self.muscle_relaxant.setChecked(bool(med and med.muscle_relaxant))
            self.med_to.setText((med and med.refer_to) or "")
            self.med_reason.setText((med and med.reason) or "")
            pt = by_kind.get(TreatmentPathKind.PT_PLAN)
            _set(self.frequency, pt.frequency_per_week if pt else None)
            _set(self.weeks, pt.duration_weeks if pt else None)
            for code, check in self.interventions.items():
                check.setChecked(bool(pt and code in pt.interventions))
            _pick(self.heat, pt.heat_ice if pt else HeatIce.NONE)
            _set(self.heat_minutes, pt.heat_ice_minutes if pt else None)
            _set(self.heat_times, pt.heat_ice_times_per_day if pt else None)
            inj = by_kind.get(TreatmentPathKind.STEROID_INJECTION_REFERRAL)
            self.injection_level.setText((inj and inj.injection_level) or "")
            _pick(self.injection_side, inj.injection_side if inj else None)
            self.injection_to.setText((inj and inj.refer_to) or "")
            self.injection_reason.setText((inj and inj.reason) or "")
            surgery = by_kind.get(TreatmentPathKind.LUMBAR_SURGERY_REFERRAL)
            self.surgery_to.setText((surgery and surgery.refer_to) or "")
            self.surgery_reason.setText((surgery and surgery.reason) or "")
            _pick(self.surgery_urgency, surgery.urgency if surgery else Urgency.ROUTINE)
            for index, (term, text, target) in enumerate(self.goals):
                goal = plan.goals[index] if index < len(plan.goals) else None
                _pick(term, goal.term if goal else GoalTerm.SHORT)
                _pick(self.goal_status[index], goal.status if goal else GoalStatus.IN_PROGRESS)
                text.setText(goal.description if goal else "")
                target.setText(_date_text(goal.target_date) if goal else "")
            for index, (pick, sets, reps, hold, times) in enumerate(self.exercise_rows):
                item = plan.home_exercises[index] if index < len(plan.home_exercises) else None
                _pick(pick, item.exercise_id if item else None)
                _set(sets, item.sets if item else None)
                _set(reps, item.reps if item else None)
                _set(hold, item.hold_seconds if item else None)
                _set(times, item.times_per_day if item else None)
            self.cert_start.setText(_date_text(plan.certification_start))
            self.cert_end.setText(_date_text(plan.certification_end))
            self._note = plan.note
            booked = plan.next_appointment.astimezone() if plan.next_appointment else None
            self.next_date.setText(_date_text(booked.date()) if booked else "")
            self.next_time.setTime(QTime(booked.hour, booked.minute) if booked else QTime(9, 0))
            if was_locked:
                self.set_read_only(True)
        finally:
            del blockers
        self.follow_weeks_from(self._first_day)  # a loaded period may still be the suggestion
        self.update_tab_stops()
        self.show_guidance(guidance)

    def set_read_only(self, read_only: bool) -> None:
        """Signed: show only the chosen paths, without a tick box that invites a change
        (a disabled box would grey out the text there is to read)."""
        if read_only and not self._locked:
            self._chosen = {kind for kind, box in self.paths.items() if box.isChecked()}
        for kind, box in self.paths.items():
            if read_only:
                box.setCheckable(False)
                box.setVisible(kind in self._chosen)
            elif self._locked:
                box.setCheckable(True)
                box.setChecked(kind in self._chosen)
                box.setVisible(True)
        self._locked = read_only
        # The certification comes back after signing: recordable on a locked plan only.
        self._enable_certification(read_only)

    def show_guidance(self, notes: list[str]) -> None:
        self.guidance.setText("\n".join(f"• {note}" for note in notes))
        self.guidance.setVisible(bool(notes))
