"""The evaluation form, in the order a therapist works: history, red flags, pain, function,
assessment, plan. A progress report or discharge summary shows what is measured again (pain,
function), a summary with the change since intake, and the plan's goals.

It only shows and collects `EvaluationContent`; saving is the caller's job (autosave calls
back through `changed`), and scores are recomputed live from the domain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from datetime import date
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain import catalogs, red_flags, scoring
from casemanager.domain import evaluation as evaluation_rules
from casemanager.domain.enums import (
    Cause,
    Complexity,
    EvaluationKind,
    RedFlagAction,
    RedFlagAnswer,
    Side,
)
from casemanager.domain.errors import ValidationError
from casemanager.domain.evaluation import (
    FULL_KINDS,
    GOAL_REPORT_KINDS,
    RESCREEN_KINDS,
    EvaluationContent,
    PsfsEntry,
    RedFlagEntry,
)
from casemanager.domain.evaluation_defaults import suggest_complexity
from casemanager.domain.medicare import GoalAssessment
from casemanager.ui import palette
from casemanager.ui.evaluation.keys import (
    ArrowGroup,
    EnterMovesOn,
    KeepInView,
    OneKeyAnswers,
    SkippedUntilVisited,
    TypeOverBlank,
)
from casemanager.ui.evaluation.onset_field import HINT, attach_reading, read_onset
from casemanager.ui.evaluation.plan_section import PlanSection
from casemanager.ui.goal_verdicts import GoalVerdicts
from casemanager.ui.widgets import (
    FieldError,
    ValidatedForm,
    on_any_edit,
    wheel_changes_only_focused_boxes,
)

BLANK = -1  # spin boxes show "—" for a value not recorded
_ANSWERS = {
    RedFlagAnswer.NOT_ASKED: "Not asked",
    RedFlagAnswer.NO: "No",
    RedFlagAnswer.YES: "Yes",
}
# Distinct first letters: one keystroke on the focused box picks an action (E, U, R, N).
_ACTIONS = {
    None: "Action…",
    RedFlagAction.EMERGENCY: "Emergency referral (same day)",
    RedFlagAction.URGENT: "Urgent referral",
    RedFlagAction.ROUTINE: "Routine referral",
    RedFlagAction.MONITOR: "Noted, monitor (no referral)",
}
_SIDES: dict[Side | None, str] = {None: "—", **{s: t for s, t in catalogs.SIDE_LABELS.items()}}
_COMPLEXITY = {
    None: "—",
    Complexity.LOW: "Low (97161)",
    Complexity.MODERATE: "Moderate (97162)",
    Complexity.HIGH: "High (97163)",
}


def _spin(maximum: int, label: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(BLANK, maximum)
    spin.setSpecialValueText("—")
    spin.setValue(BLANK)
    spin.setAccessibleName(label)
    # A score is a digit or two: a box the width of the form reads as a text field.
    digit = spin.fontMetrics().horizontalAdvance("0")
    spin.setMinimumWidth(digit * 5 + 30)
    spin.setMaximumWidth(digit * 10 + 30)
    return spin


def _narrow(combo: QComboBox) -> QComboBox:
    """A choice among short answers: as wide as its longest answer, not the form."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return combo


def _combo(options: dict[Any, str], label: str) -> QComboBox:
    combo = QComboBox()
    for value, text in options.items():
        combo.addItem(text, value)
    combo.setAccessibleName(label)
    return combo


def _text_box(label: str, lines: int = 2) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(18 * lines + 14)
    box.setAccessibleName(label)
    return box


def _value(spin: QSpinBox) -> int | None:
    return None if spin.value() == BLANK else spin.value()


def _set_combo(combo: QComboBox, value: Any) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


def _inputs_in_tab_order(root: QWidget) -> list[QWidget]:
    """The inputs below `root` that Tab stops at, in Tab order (shown and enabled)."""
    found: list[QWidget] = []
    widget = root.nextInFocusChain()
    while widget is not None and widget is not root and widget not in found:
        if (
            root.isAncestorOf(widget)
            and widget.isVisibleTo(root.window())
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.focusProxy() is None
        ):
            found.append(widget)
        widget = widget.nextInFocusChain()
    return found


def _is_empty(widget: QWidget) -> bool:
    """Nothing recorded in it yet: no text, a spin box at "—", a choice still on "—"."""
    if isinstance(widget, QLineEdit):
        return not widget.text() and not widget.isReadOnly()
    if isinstance(widget, QPlainTextEdit):
        return not widget.toPlainText() and not widget.isReadOnly()
    if isinstance(widget, QSpinBox):
        return bool(widget.specialValueText()) and widget.value() == widget.minimum()
    if isinstance(widget, QComboBox):
        return widget.currentData() in (None, RedFlagAnswer.NOT_ASKED)
    return False


def _under_unticked_box(widget: QWidget, top: QWidget) -> bool:
    """Inside a tick-box group (a treatment path) that is not ticked."""
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QGroupBox) and parent.isCheckable() and not parent.isChecked():
            return True
        parent = parent.parentWidget()
    return False


# The causes whose note says what is meant (which sport, what "other" is): the cause note is
# a Tab stop while one of them is chosen (or once it holds text), reached by Alt+N otherwise.
_CAUSES_WITH_A_NOTE = frozenset({Cause.ACTIVITY_STRAIN, Cause.OTHER})
# A fill completes these fields: Tab then passes them by until the user visits one.
_SKIPPED_ONCE_FILLED = (
    "past_medical_history",
    "medications",
    "occupation",
    "activities",
    "diagnosis_codes",
)


def _next_when_chosen(pick: QComboBox, following: QWidget) -> Callable[[], QWidget | None]:
    """Where Enter on a home exercise goes: the next exercise once this one is chosen."""
    return lambda: following if pick.currentData() is not None else None


def _is_injury_code(code: str) -> bool:
    """An injury code whose 7th character says initial (A) or subsequent (D) encounter."""
    bare = code.replace(".", "")
    return len(bare) == 7 and bare[0] in "ST" and bare[6] in "AD"


class EvaluationForm(QWidget):
    changed = Signal()  # anything typed: the caller autosaves
    goals_changed = Signal()  # a goal's verdict or note: saved on its own, like the plan
    code_search_requested = Signal(str)  # the caller searches the code set off the GUI thread

    def __init__(
        self,
        evaluation_date: date,
        exercises: list[Any],
        kind: EvaluationKind = EvaluationKind.INITIAL,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.evaluation_date = evaluation_date
        self.kind = kind
        self._read_only = False
        # A progress report or discharge re-measures; history and diagnosis come along unseen.
        self.is_full = kind in FULL_KINDS
        self.sections = QListWidget()
        self.sections.setAccessibleName("Sections")
        self.sections.setMaximumWidth(160)
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.groups: dict[str, QGroupBox] = {}
        self.group_errors: dict[str, FieldError] = {}
        self.field_widgets: dict[str, QWidget] = {}
        self._build_history()
        self._build_red_flags()
        self._build_pain()
        self._build_function()
        if kind != EvaluationKind.INITIAL:
            self._build_summary()
        self.goal_verdicts: GoalVerdicts | None = None
        if kind in GOAL_REPORT_KINDS:
            self._build_goals()
        self._build_assessment()
        self.plan = PlanSection(exercises)
        # The service fills the period from the weeks for these kinds: the screen shows it.
        self.plan.follow_weeks_from(evaluation_date if self.is_full else None)
        self.groups["Plan"] = self.plan
        self.sections.addItem("Plan")
        self.body_layout.addWidget(self.plan)
        self.field_widgets.update(self.plan.fields)
        self.body_layout.addStretch()
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(body)
        # Not a Tab stop of its own: Tab goes from the section list straight to a field.
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroller.setAccessibleName("Evaluation form")
        self._focus_placed = False  # the first field to fill gets the focus when first shown
        self._last_field: QWidget | None = None  # where the user was last (after_fill)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_moved)
        layout = QHBoxLayout(self)
        layout.addWidget(self.sections)
        layout.addWidget(self.scroller, stretch=1)
        # Arrows in the list show a section; a click or Enter goes into it (again too).
        self.sections.currentTextChanged.connect(self._go_to_section)
        self.sections.itemClicked.connect(self._enter_section)
        self.sections.itemActivated.connect(self._enter_section)
        for title, group in self.groups.items():
            if title not in ("Plan", "Goals"):
                on_any_edit(group, self._typed)  # the plan and the goals signal on their own
        if not self.is_full:
            # A progress report asks the red-flag screen again (pre-filled); a discharge does not.
            hidden = ["History", "Assessment"]
            if self.kind not in RESCREEN_KINDS:
                hidden.append("Red flags")
            for title in hidden:
                self.groups[title].hide()
                self.sections.item(self._section_row(title)).setHidden(True)
            self.field_widgets["assessment_note"] = self.summary_note
        self.refresh_scores()
        wheel_changes_only_focused_boxes(self)
        self._install_keys(body)
        self.plan.judging_goals = kind != EvaluationKind.INITIAL
        self.plan.update_tab_stops()
        self._update_flag_stops()
        self._update_assessment_stops()
        self.primary_cause.currentIndexChanged.connect(self._update_assessment_stops)
        for box in self.contributing.values():
            box.toggled.connect(self._update_assessment_stops)
        self.codes.textChanged.connect(self._update_assessment_stops)
        self.cause_note.textChanged.connect(self._update_assessment_stops)

    def _install_keys(self, body: QWidget) -> None:
        """One digit per score item, Enter to the next one-line field, Ctrl+digit to a
        section (the key shown in the section list's tooltip), the list following the view."""
        self.one_key = OneKeyAnswers(self)
        self.one_key.watch(
            self.nprs_now,
            self.nprs_best,
            self.nprs_worst,
            *self.odi,
            *self.sbst,
            *(score for _activity, score in self.psfs),
        )
        self.enter_moves_on = EnterMovesOn(self)
        kept_for_their_own_enter = {
            self.code_search,
            *self.plan.certification_fields.values(),
        }
        self.enter_moves_on.watch(
            *(w for w in body.findChildren(QLineEdit) if w not in kept_for_their_own_enter),
            *(w for w in body.findChildren(QSpinBox) if w not in self.one_key_boxes()),
            *body.findChildren(QComboBox),
        )
        self.type_over_blank = TypeOverBlank(self)
        self.type_over_blank.watch(
            *(w for w in body.findChildren(QSpinBox) if w not in self.one_key_boxes())
        )
        self.arrow_groups = [
            ArrowGroup(list(self.contributing.values()), self),
            ArrowGroup(list(self.plan.interventions.values()), self),
        ]
        self.skipped = SkippedUntilVisited(self)
        self.keep_in_view = KeepInView(self.scroller, self)
        self.keep_in_view.watch(
            *(w for w in body.findChildren(QWidget) if w.focusPolicy() != Qt.FocusPolicy.NoFocus)
        )
        # Enter on a home exercise goes to the next exercise: its doses come filled in.
        rows = self.plan.exercise_rows
        for row, (pick, *_doses) in enumerate(rows):
            following: QWidget = rows[row + 1][0] if row + 1 < len(rows) else self.plan.cert_start
            self.enter_moves_on.jump(pick, _next_when_chosen(pick, following))
        # Enter on a level chosen by hand keeps it: on past Agree, to the assessment.
        self.enter_moves_on.jump(self.complexity, lambda: self.assessment_note)
        self.section_keys: dict[str, str] = {}
        number = 0
        for row in range(self.sections.count()):
            item = self.sections.item(row)
            if item.isHidden() or number == 9:
                continue
            number += 1
            keys = f"Ctrl+{number}"
            self.section_keys[item.text()] = keys
            item.setToolTip(f"{item.text()} ({keys})")
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda i=item: self._enter_section(i))
        self._following = True  # the list follows a scroll, unless the list made it
        self.scroller.verticalScrollBar().valueChanged.connect(self._follow_scrolling)

    def one_key_boxes(self) -> list[QWidget]:
        return [
            self.nprs_now,
            self.nprs_best,
            self.nprs_worst,
            *self.odi,
            *(score for _activity, score in self.psfs),
        ]

    def _follow_scrolling(self, value: int) -> None:
        """Select the section in view: the one at the top, or the last one once the form is
        scrolled to its end."""
        if not self._following:
            return
        bar = self.scroller.verticalScrollBar()
        shown = [(t, g) for t, g in self.groups.items() if g.isVisibleTo(self)]
        if not shown:
            return
        if value >= bar.maximum() and bar.maximum() > 0:
            title = shown[-1][0]
        else:
            title = shown[0][0]
            for name, group in shown:
                if group.y() <= value + 20:
                    title = name
        row = self._section_row(title)
        if self.sections.currentRow() != row:
            with QSignalBlocker(self.sections):
                self.sections.setCurrentRow(row)

    def _section_row(self, title: str) -> int:
        return next(
            i for i in range(self.sections.count()) if self.sections.item(i).text() == title
        )

    # -- building --------------------------------------------------------------------------
    def _group(self, title: str) -> QVBoxLayout:
        group = QGroupBox(title)
        self.groups[title] = group
        self.sections.addItem(title)
        self.body_layout.addWidget(group)
        layout = QVBoxLayout(group)
        # A refused value of a field without its own message line is named here.
        self.group_errors[title] = FieldError()
        layout.addWidget(self.group_errors[title])
        return layout

    def _build_history(self) -> None:
        layout = self._group("History")
        self.history = ValidatedForm()
        self.chief_complaint = QLineEdit()
        self.onset_date = QLineEdit()
        self.mechanism = _text_box("Mechanism of injury")
        self.aggravating = _text_box("Aggravating factors", 1)
        self.easing = _text_box("Easing factors", 1)
        self.prior = _text_box("Prior episodes", 1)
        self.medical_history = _text_box("Past medical history")
        self.medications = _text_box("Medications", 1)
        self.occupation = QLineEdit()
        self.activities = _text_box("Sports and activities", 1)
        self.patient_goals = _text_box("Patient's own goals")
        for name, label, widget in (
            ("chief_complaint", "Chief &complaint", self.chief_complaint),
            ("onset_date", "&Onset date", self.onset_date),
            ("mechanism_of_injury", "&Mechanism of injury", self.mechanism),
            ("aggravating_factors", "&Aggravating factors", self.aggravating),
            ("easing_factors", "&Easing factors", self.easing),
            ("prior_episodes", "Pr&ior episodes", self.prior),
            ("past_medical_history", "Past medical &history", self.medical_history),
            ("medications", "Medica&tions", self.medications),
            ("occupation", "Occ&upation", self.occupation),
            ("activities", "Sports and acti&vities", self.activities),
            ("patient_goals", "Patient's own &goals", self.patient_goals),
        ):
            self.history.add_row(name, label, widget)
            self.field_widgets[name] = widget
        self.onset_reading = attach_reading(self.onset_date, self.evaluation_date)
        layout.addWidget(self.history)

    def _build_red_flags(self) -> None:
        layout = self._group("Red flags")
        hint = QLabel(
            "Ask every question. A yes preselects the recommended action; a lower one, or only "
            "monitoring a risk factor, needs a reason. Referrals are created when you sign."
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QHBoxLayout()
        self.all_no = QPushButton("Mark unanswered as No")
        self.all_no.setToolTip(
            "Answers No to every question not asked yet; Tab then leaves the questions. "
            "Once all are answered, this button puts them back in the Tab order to change one."
        )
        self.all_no.clicked.connect(self._mark_unanswered_no)
        self._reviewing_flags = False  # every answer a Tab stop again, to change one
        buttons.addWidget(self.all_no)
        # A follow-up carries the answers forward: they are asked again, then confirmed.
        self.rechecked = QCheckBox("Asked again at this visit")
        self.rechecked.setAccessibleName("Red-flag questions asked again at this visit")
        self.no_change = QPushButton("Asked again: no change")
        self.no_change.setToolTip("Every answer below was asked again today and is unchanged")
        self.no_change.clicked.connect(lambda: self.rechecked.setChecked(True))
        buttons.addWidget(self.no_change)
        buttons.addWidget(self.rechecked)
        buttons.addStretch()
        layout.addLayout(buttons)
        rescreen = self.kind in RESCREEN_KINDS
        self.rechecked.setVisible(rescreen)
        self.no_change.setVisible(rescreen)
        self.field_widgets["red_flags_rechecked"] = self.rechecked
        self.flag_answers: dict[str, QComboBox] = {}
        self.flag_actions: dict[str, QComboBox] = {}
        self.flag_reasons: dict[str, QLineEdit] = {}
        self._auto_action: set[str] = set()  # actions preselected, not chosen by hand
        for condition in catalogs.RED_FLAG_CONDITIONS:
            box = QGroupBox(condition.label)
            box.setToolTip(f"{condition.action_text} Source: {condition.source}.")
            grid = QGridLayout(box)
            items = catalogs.red_flag_items(condition.code)
            for index, item in enumerate(items):
                row = 2 * index
                kind = catalogs.red_flag_kind(item)
                text = item.question + ("" if kind == "red flag" else f" ({kind})")
                question = QLabel(text)
                question.setWordWrap(True)
                answer = _combo(_ANSWERS, item.question)
                action = _combo(_ACTIONS, f"Action for: {item.question}")
                action.setEnabled(False)
                reason = QLineEdit()
                reason.setAccessibleName(f"Reason for the action on: {item.question}")
                reason.hide()
                answer.currentIndexChanged.connect(self._flags_answered)
                action.activated.connect(lambda _i, code=item.code: self._action_chosen(code))
                reason.textEdited.connect(lambda _t: self._show_reasons())
                question.setBuddy(answer)
                grid.addWidget(question, row, 0)
                grid.addWidget(answer, row, 1)
                grid.addWidget(action, row, 2)
                grid.addWidget(reason, row + 1, 0, 1, 3)
                grid.setColumnStretch(0, 1)
                self.flag_answers[item.code] = answer
                self.flag_actions[item.code] = action
                self.flag_reasons[item.code] = reason
                self.field_widgets[f"red_flag_{item.code}"] = answer
                self.field_widgets[f"red_flag_reason_{item.code}"] = reason
            layout.addWidget(box)

    def _flag_entries(self) -> tuple[RedFlagEntry, ...]:
        return tuple(
            RedFlagEntry(
                code,
                combo.currentData(),
                self.flag_actions[code].currentData()
                if combo.currentData() == RedFlagAnswer.YES
                else None,
                reason=self.flag_reasons[code].text() or None
                if combo.currentData() == RedFlagAnswer.YES
                else None,
            )
            for code, combo in self.flag_answers.items()
            if combo.currentData() != RedFlagAnswer.NOT_ASKED
        )

    def _flags_answered(self) -> None:
        """A yes preselects the recommended action (IFOMPT: the condition's action; a risk
        factor alone: monitor), and follows a cluster as it forms, until the therapist picks
        an action by hand."""
        answers = red_flags.answers_of(self._flag_entries())
        for code, combo in self.flag_answers.items():
            action = self.flag_actions[code]
            yes = combo.currentData() == RedFlagAnswer.YES
            with QSignalBlocker(action):
                if not yes:
                    _set_combo(action, None)
                    self._auto_action.discard(code)
                elif action.currentData() is None or code in self._auto_action:
                    _set_combo(action, red_flags.recommended_action(code, answers))
                    self._auto_action.add(code)
            action.setEnabled(yes and not self._read_only)
        if self.kind in RESCREEN_KINDS:
            self.rechecked.setChecked(True)  # changing an answer is asking again
        self._show_reasons()
        self._update_flag_stops()

    def _action_chosen(self, code: str) -> None:
        self._auto_action.discard(code)
        self._show_reasons()

    def _show_reasons(self) -> None:
        """A reason box under each yes whose action is below the one recommended."""
        entries = self._flag_entries()
        answers = red_flags.answers_of(entries)
        needed = {e.code: e for e in entries if red_flags.needs_reason(e, answers)}
        for code, reason in self.flag_reasons.items():
            entry = needed.get(code)
            reason.setVisible(entry is not None)
            if entry is not None and entry.action is not None:
                recommended = red_flags.recommended_action(code, answers)
                chosen = catalogs.RED_FLAG_ACTION_LABELS[entry.action]
                reason.setPlaceholderText(
                    "Reason needed: why is monitoring enough?"
                    if entry.action == recommended
                    else f"Reason needed: why {chosen} rather than "
                    f"{catalogs.RED_FLAG_ACTION_LABELS[recommended]}?"
                )

    def _build_pain(self) -> None:
        layout = self._group("Pain")
        grid = QGridLayout()
        self.nprs_now = _spin(10, "Pain now (0-10)")
        self.nprs_best = _spin(10, "Best pain in 24 hours (0-10)")
        self.nprs_worst = _spin(10, "Worst pain in 24 hours (0-10)")
        self.pain_location = QLineEdit()
        self.pain_location.setAccessibleName("Pain location")
        self.pain_location.setMinimumWidth(320)
        self.pain_side = _narrow(_combo(_SIDES, "Side"))
        self.radiates = _narrow(
            _combo({None: "—", True: "Yes", False: "No"}, "Pain below the knee")
        )
        for row, (label, widget) in enumerate(
            (
                ("Pain now (NPRS 0-10)", self.nprs_now),
                ("Best in 24 hours", self.nprs_best),
                ("Worst in 24 hours", self.nprs_worst),
                ("Location", self.pain_location),
                ("Side", self.pain_side),
                ("Pain travels below the knee", self.radiates),
            )
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            grid.addWidget(caption, row, 0)
            grid.addWidget(widget, row, 1)
        grid.setColumnStretch(2, 1)  # the boxes keep their width; the room is left empty
        self.field_widgets.update(nprs_now=self.nprs_now, nprs_best=self.nprs_best)
        layout.addLayout(grid)

    def _build_function(self) -> None:
        layout = self._group("Function")
        odi = QGroupBox("Oswestry sections (0-5, from the clinic's licensed form)")
        grid = QGridLayout(odi)
        self.odi: list[QSpinBox] = []
        for index, name in enumerate(catalogs.OSWESTRY_SECTIONS):
            spin = _spin(5, f"Oswestry: {name}")
            caption = QLabel(name)
            caption.setBuddy(spin)
            grid.addWidget(caption, index % 5, (index // 5) * 2)
            grid.addWidget(spin, index % 5, (index // 5) * 2 + 1)
            self.odi.append(spin)
        self.odi_result = QLabel()
        self.odi_result.setAccessibleName("Oswestry score")
        grid.addWidget(self.odi_result, 5, 0, 1, 4)
        grid.setColumnMinimumWidth(1, 110)
        grid.setColumnMinimumWidth(2, 200)  # the second column of sections, apart
        grid.setColumnStretch(4, 1)
        self.field_widgets["odi_sections"] = self.odi[0]
        for index, spin in enumerate(self.odi, start=1):
            self.field_widgets[f"odi_s{index}"] = spin
        layout.addWidget(odi)

        start_back = QGroupBox("STarT Back (answers by item number)")
        # A first-contact screen: a progress report or discharge does not repeat it.
        start_back.setVisible(self.is_full)
        grid = QGridLayout(start_back)
        self.sbst: list[QComboBox] = []
        for index, topic in enumerate(catalogs.START_BACK_ITEMS, start=1):
            if index < 9:
                combo = _combo({None: "—", 0: "Disagree", 1: "Agree"}, f"Item {index}: {topic}")
            else:
                choices: dict[Any, str] = {None: "—"}
                choices.update(enumerate(catalogs.START_BACK_ITEM9_CHOICES))
                combo = _combo(choices, f"Item 9: {topic}")
            _narrow(combo)
            caption = QLabel(f"{index}. {topic}")
            caption.setBuddy(combo)
            grid.addWidget(caption, index - 1, 0)
            grid.addWidget(combo, index - 1, 1)
            self.sbst.append(combo)
            self.field_widgets[f"sbst_{index}"] = combo
        self.sbst_result = QLabel()
        self.sbst_result.setAccessibleName("STarT Back risk")
        grid.addWidget(self.sbst_result, 9, 0, 1, 2)
        grid.setColumnStretch(2, 1)
        layout.addWidget(start_back)

        psfs = QGroupBox("Patient-specific functional scale (0 unable - 10 as before)")
        grid = QGridLayout(psfs)
        self.psfs: list[tuple[QLineEdit, QSpinBox]] = []
        for row in range(5):
            activity = QLineEdit()
            activity.setPlaceholderText(f"Activity {row + 1}")
            activity.setAccessibleName(f"PSFS activity {row + 1}")
            score = _spin(10, f"PSFS score {row + 1}")
            grid.addWidget(activity, row, 0)
            grid.addWidget(score, row, 1)
            self.psfs.append((activity, score))
            self.field_widgets[f"psfs_{row + 1}"] = activity
        self.psfs_result = QLabel()
        self.psfs_result.setAccessibleName("PSFS mean")
        grid.addWidget(self.psfs_result, 5, 0, 1, 2)
        layout.addWidget(psfs)

    def _build_summary(self) -> None:
        layout = self._group("Summary")
        form = ValidatedForm()
        self.outcomes = QLabel("Saved measures are compared with intake here.")
        self.outcomes.setWordWrap(True)
        self.outcomes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.add_row("outcomes", "Change since intake", self.outcomes)
        self.discharge_reason = _combo(
            {None: "Choose…", **catalogs.DISCHARGE_REASON_LABELS}, "Reason for discharge"
        )
        self.summary_note = _text_box("Summary", 4)
        if self.kind == EvaluationKind.DISCHARGE:
            form.add_row("discharge_reason", "&Reason for discharge", self.discharge_reason)
            self.field_widgets["discharge_reason"] = self.discharge_reason
        else:
            self.discharge_reason.hide()
        if not self.is_full:
            what = "Discharge" if self.kind == EvaluationKind.DISCHARGE else "Progress"
            self.summary_note.setPlaceholderText(
                "Progress toward each goal, response to treatment, and what happens next"
            )
            form.add_row("summary", f"{what} &summary", self.summary_note)
        else:
            self.summary_note.hide()
        layout.addWidget(form)

    def _build_goals(self) -> None:
        """Progress toward each goal of the plan in force; rows come with `show_goals`."""
        self.goals_layout = self._group("Goals")
        self.goals_waiting = QLabel("Loading the goals of the plan in force…")
        self.goals_waiting.setWordWrap(True)
        self.goals_layout.addWidget(self.goals_waiting)

    def show_goals(
        self, goals: Sequence[Any], saved: Sequence[GoalAssessment], *, signed: bool = False
    ) -> None:
        """One row per goal of the plan in force (services.visits.GoalInForce), with what is
        saved of its verdict and note; a goal not judged yet stays at "choose"."""
        if self.goal_verdicts is not None:
            self.goal_verdicts.load(saved)
            return
        if not goals:
            self.goals_waiting.setText(
                "This report recorded no verdict on the goals."  # signed before the rule
                if signed
                else "The plan in force has no goals to judge."
            )
            return
        self.goals_waiting.setText(
            "Judge each goal of the plan in force: met, progressing or not progressing, "
            "with what you measured."
        )
        self.goal_verdicts = GoalVerdicts(goals, field_prefix="assessed_")
        self.goal_verdicts.load(saved)
        self.goals_layout.addWidget(self.goal_verdicts)
        self.field_widgets.update(self.goal_verdicts.fields)
        self.goal_verdicts.changed.connect(self._goals_typed)
        self.set_read_only(self._read_only)

    def _goals_typed(self) -> None:
        if not self._read_only:
            self.goals_changed.emit()

    def goal_assessments(self) -> tuple[GoalAssessment, ...]:
        return self.goal_verdicts.assessments() if self.goal_verdicts is not None else ()

    def show_outcomes(self, outcomes: tuple[Any, ...] | list[Any]) -> None:
        """The change since intake, one line per measure (services compute it on save)."""
        if self.kind != EvaluationKind.INITIAL and outcomes:
            self.outcomes.setText("\n".join(outcome.describe() for outcome in outcomes))

    def _build_assessment(self) -> None:
        layout = self._group("Assessment")
        form = ValidatedForm()
        self.primary_cause = _combo(
            {None: "Choose…", **{c.cause: c.label for c in catalogs.CAUSES}}, "Primary cause"
        )
        contributing = QWidget()
        column = QVBoxLayout(contributing)
        column.setContentsMargins(0, 0, 0, 0)
        self.contributing: dict[Cause, QCheckBox] = {}
        for info in catalogs.CAUSES:
            box = QCheckBox(info.label)
            column.addWidget(box)
            self.contributing[info.cause] = box
        self.cause_note = QLineEdit()
        self.cause_note.setPlaceholderText("e.g. which sport, or what 'other' is")
        self.codes = QLineEdit()
        self.codes.setPlaceholderText(
            "ICD-10-CM codes, separated by commas, e.g. S39.012A, M62.830"
        )
        self.suggested = QLabel()
        self.suggested.setWordWrap(True)
        # Shown while an injury code (7th character A or D) is suggested or chosen.
        self.encounter_help = QLabel(catalogs.ENCOUNTER_CHARACTER_HELP)
        self.encounter_help.setWordWrap(True)
        self.encounter_help.setAccessibleName("Initial or subsequent encounter")
        self.encounter_help.hide()
        self.code_search = QLineEdit()
        self.code_search.setAccessibleName("Find a code")
        self.code_search.setPlaceholderText("Search all billable codes: words or a code")
        self.code_results = QListWidget()
        self.code_results.setAccessibleName("Matching codes (double-click or Enter adds)")
        self.code_results.setMaximumHeight(110)
        self.code_results.hide()
        self.coding_warnings = QLabel()
        self.coding_warnings.setWordWrap(True)
        self.coding_warnings.setStyleSheet(palette.WARNING_STYLE)
        self.coding_warnings.hide()
        search_box = QWidget()
        search_column = QVBoxLayout(search_box)
        search_column.setContentsMargins(0, 0, 0, 0)
        search_column.addWidget(self.encounter_help)
        search_column.addWidget(self.code_search)
        search_column.addWidget(self.code_results)
        search_column.addWidget(self.coding_warnings)
        self.complexity = _combo(_COMPLEXITY, "Evaluation complexity")
        # The level the findings support (domain.evaluation_defaults), taken in one action.
        self.complexity_suggestion = QLabel()
        self.complexity_suggestion.setAccessibleName("Complexity suggested from the findings")
        self.agree_complexity = QPushButton("Ag&ree")
        self.agree_complexity.setAccessibleName("Agree with the suggested complexity")
        self.agree_complexity.setToolTip("Choose the suggested level (Alt+R)")
        # Alt+R, a click, or Tab to it (between the level and the assessment, shown only
        # while the level differs from the suggestion) and Space or Enter.
        self.agree_complexity.setAutoDefault(True)  # Enter on it agrees, as Space does
        self.agree_complexity.clicked.connect(self._agree_complexity)
        complexity_row = QWidget()
        row = QHBoxLayout(complexity_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.complexity)
        row.addWidget(self.complexity_suggestion)
        row.addWidget(self.agree_complexity)
        row.addStretch()
        complexity_row.setFocusProxy(self.complexity)
        self.assessment_note = _text_box("Assessment", 3)
        for name, label, widget in (
            ("primary_cause", "&Primary suspected cause", self.primary_cause),
            ("contributing_causes", "Contri&buting causes", contributing),
            ("cause_note", "Cause &note", self.cause_note),
            ("diagnosis_codes", "&Diagnosis codes", self.codes),
            ("suggested_codes", "Suggested for the cause", self.suggested),
            ("code_search", "&Find a code", search_box),
            ("complexity", "Evaluation comple&xity", complexity_row),
            ("assessment_note", "A&ssessment", self.assessment_note),
        ):
            form.add_row(name, label, widget)
            self.field_widgets[name] = widget
        self.field_widgets["complexity"] = self.complexity
        self.complexity.setAccessibleName("Evaluation complexity")
        self.complexity.currentIndexChanged.connect(self._show_complexity_suggestion)
        self.assessment = form
        self.primary_cause.currentIndexChanged.connect(self._show_suggestions)
        self.codes.textChanged.connect(self._show_suggestions)
        self._code_timer = QTimer(self)
        self._code_timer.setSingleShot(True)
        self._code_timer.setInterval(300)
        self._code_timer.timeout.connect(self._request_code_search)
        self.code_search.textEdited.connect(self._code_timer.start)
        self.code_results.itemActivated.connect(self._add_code)
        self.code_results.itemDoubleClicked.connect(self._add_code)
        layout.addWidget(form)

    # -- behaviour ---------------------------------------------------------------------------
    def _typed(self, *_args: object) -> None:
        if self.sender() is self.code_search:
            return  # searching the code set changes nothing in the evaluation
        self.refresh_scores()
        self.changed.emit()

    def _go_to_section(self, title: str) -> None:
        """Show the section from its top (its heading and first fields, not its middle)."""
        group = self.groups.get(title)
        if group is not None:
            self._following = False  # the list chose it: keep that entry selected
            try:
                self.scroller.verticalScrollBar().setValue(group.y())
            finally:
                self._following = True

    def _enter_section(self, item: QListWidgetItem) -> None:
        """Scroll to the section's top and put the focus on its first input."""
        group = self.groups.get(item.text())
        if group is None:
            return
        if self.sections.currentItem() is not item:
            with QSignalBlocker(self.sections):
                self.sections.setCurrentItem(item)
        first = self.first_input(group)
        if first is not None:
            self._following = False  # the list chose the section: the focus keeps it
            try:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            finally:
                self._following = True
        self._go_to_section(item.text())

    def first_input(self, group: QWidget) -> QWidget | None:
        """Where a section's shortcut puts the focus: its first Tab stop."""
        return next(iter(_inputs_in_tab_order(group)), None)

    def first_field_to_fill(self) -> QWidget | None:
        """The first input, in Tab order, that is still empty (or the first input)."""
        body = self.scroller.widget()
        assert body is not None
        inputs = _inputs_in_tab_order(body)
        return next((w for w in inputs if _is_empty(w)), inputs[0] if inputs else None)

    def next_field_to_fill(self, after: QWidget | None) -> QWidget | None:
        """The first input still empty after `after` in Tab order (`after` may be off the
        Tab order, or None: from the top), else the first empty one before it; None when
        everything Tab visits holds a value."""
        body = self.scroller.widget()
        assert body is not None
        inputs = _inputs_in_tab_order(body)
        if after is not None and after not in inputs:
            following = after.nextInFocusChain()
            while following is not None and following is not after and following not in inputs:
                following = following.nextInFocusChain()
            start = inputs.index(following) if following in inputs else 0
        else:
            start = inputs.index(after) + 1 if after is not None else 0
        return next((w for w in inputs[start:] + inputs[:start] if _is_empty(w)), None)

    def after_fill(self, filled: Sequence[str]) -> None:
        """A fill (the last episode's history, a template) completed `filled`: Tab passes
        those fields by until the user visits one (a click, or its Alt+letter), and the
        focus goes on to the next field still to fill, unless it is in an empty field the
        user is about to fill."""
        self.skipped.skip(
            [
                widget
                for name in filled
                if name in _SKIPPED_ONCE_FILLED
                and (widget := self.field_widgets.get(name)) is not None
                and not _is_empty(widget)
            ]
        )
        if self._read_only:
            return
        body = self.scroller.widget()
        assert body is not None
        focus = QApplication.focusWidget()
        if focus is not None and body.isAncestorOf(focus) and _is_empty(focus):
            return
        self.move_focus_to(self.next_field_to_fill(self._last_field))

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Remember the last field the user was in: a click on a bar's button takes the
        focus away from the form, and a fill goes on from that field."""
        body = self.scroller.widget()
        if new is not None and body is not None and body.isAncestorOf(new):
            self._last_field = new

    def move_focus_to(self, widget: QWidget | None) -> None:
        if widget is not None:
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            self.scroller.ensureWidgetVisible(widget)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._focus_placed:
            self._focus_placed = True
            first = self.first_field_to_fill()
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
                self.scroller.ensureWidgetVisible(first)

    def _request_code_search(self) -> None:
        self.code_search_requested.emit(self.code_search.text())

    def show_code_results(self, results: list[tuple[str, str]]) -> None:
        self.code_results.clear()
        for code, description in results:
            item = QListWidgetItem(f"{code}  {description}")
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.code_results.addItem(item)
        self.code_results.setVisible(bool(results))

    def _add_code(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        present = [c.strip() for c in self.codes.text().split(",") if c.strip()]
        if code not in present:
            self.codes.setText(", ".join([*present, code]))
            self._typed()

    def show_coding_warnings(self, warnings: tuple[str, ...] | list[str]) -> None:
        self.coding_warnings.setText("\n".join(warnings))
        self.coding_warnings.setVisible(bool(warnings))

    def jump_to(self, field: str) -> None:
        """Scroll to a field named by a validation error or a missing item, and focus it."""
        widget = self.field_widgets.get(field)
        if widget is not None:
            self.scroller.ensureWidgetVisible(widget)
            widget.setFocus()

    def _mark_unanswered_no(self) -> None:
        unanswered = [
            c for c in self.flag_answers.values() if c.currentData() == RedFlagAnswer.NOT_ASKED
        ]
        if not unanswered:  # all answered: the button opens them to change one by keyboard
            self._reviewing_flags = True
            self._update_flag_stops()
            next(iter(self.flag_answers.values())).setFocus(Qt.FocusReason.OtherFocusReason)
            return
        for combo in unanswered:
            combo.setCurrentIndex(combo.findData(RedFlagAnswer.NO))
        if not any(c.currentData() == RedFlagAnswer.YES for c in self.flag_answers.values()):
            # The screen is answered and nothing needs an action: on to the pain scores (a
            # yes keeps the focus here, with its action and reason to check).
            self.move_focus_to(self.next_field_to_fill(list(self.flag_answers.values())[-1]))

    def _update_flag_stops(self) -> None:
        """Tab visits the questions still to ask and the yes answers (with their action and
        reason); an answered No is reached by mouse, or by the button's second press."""
        all_answered = all(
            c.currentData() != RedFlagAnswer.NOT_ASKED for c in self.flag_answers.values()
        )
        if not all_answered:
            self._reviewing_flags = False
        for combo in self.flag_answers.values():
            stop = self._reviewing_flags or combo.currentData() != RedFlagAnswer.NO
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus if stop else Qt.FocusPolicy.ClickFocus)
        self.all_no.setText(
            "Change an answer…"
            if all_answered and not self._reviewing_flags
            else "Mark unanswered as No"
        )

    def _update_assessment_stops(self) -> None:
        """Tab visits the cause note when the cause asks for one (which sport, what "other"
        is) or it holds text, and the code search while no code is entered; Alt+N and Alt+F
        reach them any time."""
        chosen = {self.primary_cause.currentData()} | {
            cause for cause, box in self.contributing.items() if box.isChecked()
        }
        wanted = bool(chosen & _CAUSES_WITH_A_NOTE) or bool(self.cause_note.text().strip())
        has_codes = bool(self.codes.text().strip())
        for widget, stop in ((self.cause_note, wanted), (self.code_search, not has_codes)):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus if stop else Qt.FocusPolicy.ClickFocus)

    def _show_suggestions(self) -> None:
        cause = self.primary_cause.currentData()
        suggested = catalogs.cause_info(cause).suggested_codes if cause is not None else ()
        self.suggested.setText(", ".join(suggested))
        typed = [c.strip().upper() for c in self.codes.text().split(",")]
        self.encounter_help.setVisible(any(_is_injury_code(code) for code in (*suggested, *typed)))

    def complexity_suggested(self) -> Complexity | None:
        """The level the findings on screen support (CPT 97161-97163), for an initial
        evaluation (a re-evaluation is one code)."""
        if self.kind != EvaluationKind.INITIAL:
            return None
        return suggest_complexity(self.content(), self.evaluation_date).level

    def _show_complexity_suggestion(self) -> None:
        if self.kind != EvaluationKind.INITIAL:
            self.complexity_suggestion.hide()
            self.agree_complexity.hide()
            return
        suggestion = suggest_complexity(self.content(), self.evaluation_date)
        self.complexity_suggestion.setText(
            f"Suggested from the findings: {_COMPLEXITY[suggestion.level]}"
        )
        self.complexity_suggestion.setToolTip(
            "\n".join(
                f"{c.name}: {_COMPLEXITY[c.level].split(' (')[0].lower()} ({c.because})"
                for c in suggestion.criteria
            )
        )
        differs = self.complexity.currentData() != suggestion.level
        self.complexity_suggestion.setVisible(differs)
        self.agree_complexity.setVisible(differs and not self._read_only)

    def _agree_complexity(self) -> None:
        level = self.complexity_suggested()
        if level is None or self._read_only:
            return
        self.complexity.setCurrentIndex(self.complexity.findData(level))  # saved as typed
        self.move_focus_to(self.next_field_to_fill(self.complexity))

    def refresh_scores(self) -> None:
        self._show_complexity_suggestion()
        sections = [_value(s) for s in self.odi]
        percent = scoring.oswestry_percent(sections)
        if percent is None:
            answered = sum(v is not None for v in sections)
            self.odi_result.setText(f"Oswestry: {answered} of 10 sections (8 needed for a score)")
        else:
            band = scoring.oswestry_band(percent).value.replace("_", " ")
            self.odi_result.setText(f"Oswestry: {percent:.1f}% ({band} disability)")
        result = scoring.start_back([c.currentData() for c in self.sbst])
        self.sbst_result.setText(
            "STarT Back: answer all 9 items for a risk group"
            if result is None
            else f"STarT Back: total {result.total}, psychosocial {result.psychosocial}, "
            f"{result.risk.value} risk"
        )
        mean = scoring.psfs_mean([_value(s) for a, s in self.psfs if a.text().strip()])
        self.psfs_result.setText("PSFS mean: —" if mean is None else f"PSFS mean: {mean:.1f}")

    # -- content in and out ---------------------------------------------------------------
    def content(self) -> EvaluationContent:
        flags = self._flag_entries()
        codes = tuple(c.strip() for c in self.codes.text().split(",") if c.strip())
        return EvaluationContent(
            chief_complaint=self.chief_complaint.text() or None,
            onset_date=read_onset(self.onset_date.text(), self.evaluation_date),
            mechanism_of_injury=self.mechanism.toPlainText() or None,
            aggravating_factors=self.aggravating.toPlainText() or None,
            easing_factors=self.easing.toPlainText() or None,
            prior_episodes=self.prior.toPlainText() or None,
            past_medical_history=self.medical_history.toPlainText() or None,
            medications=self.medications.toPlainText() or None,
            occupation=self.occupation.text() or None,
            activities=self.activities.toPlainText() or None,
            patient_goals=self.patient_goals.toPlainText() or None,
            red_flags=flags,
            red_flags_rechecked=self.rechecked.isChecked(),
            nprs_now=_value(self.nprs_now),
            nprs_best=_value(self.nprs_best),
            nprs_worst=_value(self.nprs_worst),
            pain_location=self.pain_location.text() or None,
            pain_side=self.pain_side.currentData(),
            radiates_below_knee=self.radiates.currentData(),
            odi_sections=tuple(_value(s) for s in self.odi),
            start_back=tuple(c.currentData() for c in self.sbst),
            psfs=tuple(PsfsEntry(a.text(), _value(s)) for a, s in self.psfs if a.text().strip()),
            primary_cause=self.primary_cause.currentData(),
            contributing_causes=tuple(
                cause for cause, box in self.contributing.items() if box.isChecked()
            ),
            cause_note=self.cause_note.text() or None,
            diagnosis_codes=codes,
            complexity=self.complexity.currentData(),
            assessment_note=(
                self.assessment_note if self.is_full else self.summary_note
            ).toPlainText()
            or None,
            discharge_reason=self.discharge_reason.currentData()
            if self.kind == EvaluationKind.DISCHARGE
            else None,
        )

    def draft_content(self, saved: EvaluationContent) -> tuple[EvaluationContent, dict[str, str]]:
        """What can be saved now, and each field held back with what to fix.

        A value the clinic cannot accept (an onset date that cannot be read, one after the
        evaluation, a text too long) would make the whole draft refused: it keeps its `saved`
        value in the draft instead, and its text stays on screen, so the rest still saves.
        """
        content = self.content()
        held: dict[str, str] = {}
        if self.onset_unreadable():
            content = replace(content, onset_date=saved.onset_date)
            held["onset_date"] = f"Onset date: type it as {HINT}. Not saved yet."
        names = {f.name for f in fields(EvaluationContent)}
        for _ in range(len(names)):  # each round holds back one more field, or stops
            try:
                evaluation_rules.clean(content, self.evaluation_date)
                break
            except ValidationError as error:
                if error.field not in names or error.field in held:
                    break  # not one field's value: the service says so when saving
                content = replace(content, **{error.field: getattr(saved, error.field)})
                held[error.field] = f"{error.message} Not saved yet."
        return content, held

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field (or at the top of its section), replacing the last
        ones. The keyboard focus stays where the user is typing."""
        self.history.clear_errors()
        self.assessment.clear_errors()
        for error in self.group_errors.values():
            error.show_message("")
        plan_problems: dict[str, str] = {}
        for field, message in problems.items():
            if field in self.plan.fields or self.plan.owns_field(field):
                plan_problems[field] = message
                continue
            form = next((f for f in (self.history, self.assessment) if field in f.errors), None)
            if form is not None:
                form.errors[field].show_message(message)
                continue
            widget = self.field_widgets.get(field)
            title = next(
                (
                    t
                    for t, g in self.groups.items()
                    if widget is not None and g.isAncestorOf(widget)
                ),
                None,
            )
            line = self.group_errors.get(title or "")
            if line is not None:
                line.show_message(message)
        self.plan.show_problems(plan_problems)

    def onset_unreadable(self) -> bool:
        text = self.onset_date.text().strip()
        return bool(text) and read_onset(text, self.evaluation_date) is None

    def load(self, content: EvaluationContent) -> None:
        """Fill every widget without firing `changed` (loading must never autosave)."""
        blockers = [QSignalBlocker(w) for w in self.findChildren(QWidget)]
        try:
            self.chief_complaint.setText(content.chief_complaint or "")
            self.onset_date.setText(f"{content.onset_date:%m/%d/%Y}" if content.onset_date else "")
            for box, value in (
                (self.mechanism, content.mechanism_of_injury),
                (self.aggravating, content.aggravating_factors),
                (self.easing, content.easing_factors),
                (self.prior, content.prior_episodes),
                (self.medical_history, content.past_medical_history),
                (self.medications, content.medications),
                (self.activities, content.activities),
                (self.patient_goals, content.patient_goals),
                (self.assessment_note, content.assessment_note),
            ):
                box.setPlainText(value or "")
            if self.kind != EvaluationKind.INITIAL:
                self.summary_note.setPlainText(content.assessment_note or "")
                _set_combo(self.discharge_reason, content.discharge_reason)
            self.occupation.setText(content.occupation or "")
            answered = {e.code: e for e in content.red_flags}
            self._auto_action.clear()  # what was saved was chosen
            for code, combo in self.flag_answers.items():
                entry = answered.get(code)
                _set_combo(combo, entry.answer if entry else RedFlagAnswer.NOT_ASKED)
                _set_combo(self.flag_actions[code], entry.action if entry else None)
                self.flag_reasons[code].setText(entry.reason or "" if entry else "")
                self.flag_actions[code].setEnabled(
                    entry is not None and entry.answer == RedFlagAnswer.YES
                )
            self.rechecked.setChecked(content.red_flags_rechecked)
            for spin, score in (
                (self.nprs_now, content.nprs_now),
                (self.nprs_best, content.nprs_best),
                (self.nprs_worst, content.nprs_worst),
            ):
                spin.setValue(BLANK if score is None else score)
            self.pain_location.setText(content.pain_location or "")
            _set_combo(self.pain_side, content.pain_side)
            _set_combo(self.radiates, content.radiates_below_knee)
            for spin, section in zip(self.odi, content.odi_sections, strict=True):
                spin.setValue(BLANK if section is None else section)
            for combo, answer in zip(self.sbst, content.start_back, strict=True):
                _set_combo(combo, answer)
            for index, (activity, rating) in enumerate(self.psfs):
                entry_psfs = content.psfs[index] if index < len(content.psfs) else None
                activity.setText(entry_psfs.activity if entry_psfs else "")
                rating.setValue(
                    BLANK if entry_psfs is None or entry_psfs.score is None else entry_psfs.score
                )
            _set_combo(self.primary_cause, content.primary_cause)
            for cause, check in self.contributing.items():
                check.setChecked(cause in content.contributing_causes)
            self.cause_note.setText(content.cause_note or "")
            self.codes.setText(", ".join(content.diagnosis_codes))
            _set_combo(self.complexity, content.complexity)
        finally:
            del blockers
        self._show_suggestions()
        self._show_reasons()
        self._update_flag_stops()
        self._update_assessment_stops()
        self.refresh_scores()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        body = self.scroller.widget()
        assert body is not None
        for widget in body.findChildren(QWidget):
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(read_only)
            elif isinstance(widget, QComboBox | QAbstractSpinBox | QCheckBox | QPushButton):
                if not read_only and _under_unticked_box(widget, body):
                    # An unticked treatment path keeps its inputs off (and out of the Tab
                    # order), as the group box left them: ticking the path turns them on.
                    widget.setEnabled(False)
                    widget.setAttribute(Qt.WidgetAttribute.WA_ForceDisabled, False)
                else:
                    widget.setEnabled(not read_only)
        self.plan.set_read_only(read_only)
        self._show_complexity_suggestion()  # nothing to agree to once signed
        for code, action in self.flag_actions.items():  # an action only for a yes
            answer = self.flag_answers[code].currentData()
            action.setEnabled(not read_only and answer == RedFlagAnswer.YES)
