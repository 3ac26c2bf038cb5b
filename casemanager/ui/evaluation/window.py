"""One evaluation on screen: the form, autosave, signing with the missing items listed,
and addenda once signed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain import catalogs
from casemanager.domain.errors import ClosedElsewhere, ConflictError
from casemanager.domain.evaluation import EvaluationContent
from casemanager.domain.medicare import GoalAssessment
from casemanager.domain.plan import PlanContent
from casemanager.ui import palette
from casemanager.ui.evaluation.conflict import CompareDialog
from casemanager.ui.evaluation.form import EvaluationForm
from casemanager.ui.evaluation.sign_summary import SignSummary, summary_lines
from casemanager.ui.widgets import resize_within_screen

if TYPE_CHECKING:  # records only: the services (and SQLAlchemy) stay off the Qt start
    from casemanager.services.evaluations import EvaluationRecord
    from casemanager.services.goal_progress import GoalsToJudge
    from casemanager.services.plans import ExerciseInfo, PlanRecord

AUTOSAVE_DELAY_MS = 1500  # after the last keystroke
# ... and never later than this after the first unsaved one, however long the typing goes on:
# a crash loses at most this plus one save (under 2 s).
AUTOSAVE_LONGEST_WAIT_MS = 1500

Failed = Callable[[BaseException], None]


class EvaluationPort(Protocol):
    """What the window asks of the database for its one evaluation. Each call returns at
    once; `done` or `failed` is called later, on the GUI thread."""

    def save(
        self,
        content: EvaluationContent,
        version: int,
        done: Callable[[EvaluationRecord], None],
        failed: Failed,
    ) -> None: ...

    def save_plan(
        self,
        content: PlanContent,
        version: int | None,
        done: Callable[[PlanRecord], None],
        failed: Failed,
    ) -> None: ...

    def save_goals(
        self,
        assessments: tuple[GoalAssessment, ...],
        done: Callable[[GoalsToJudge], None],
        failed: Failed,
    ) -> None: ...

    def sign(
        self, version: int, done: Callable[[EvaluationRecord], None], failed: Failed
    ) -> None: ...

    def add_addendum(
        self, text: str, done: Callable[[EvaluationRecord], None], failed: Failed
    ) -> None: ...

    def search_codes(self, text: str, done: Callable[[list[tuple[str, str]]], None]) -> None: ...

    def discard(self, done: Callable[[None], None], failed: Failed) -> None: ...

    def load_current(self, done: Callable[[EvaluationRecord], None], failed: Failed) -> None:
        """The evaluation as stored now (after another workstation saved first)."""
        ...


class EvaluationWindow(QWidget):
    closed = Signal()
    # Ctrl+P once signed, or "Sign and print": the patient's care plan documents.
    print_requested = Signal()

    def __init__(
        self,
        record: EvaluationRecord,
        plan: PlanRecord | None,
        exercises: list[ExerciseInfo],
        patient_name: str,
        port: EvaluationPort,
        *,
        can_discard: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.record = record
        self.plan_version: int | None = plan.version if plan is not None else None
        self.port = port
        self._saved_plan: PlanContent | None = plan.content if plan is not None else None
        # Fields left out of the saved draft because they cannot be accepted yet, with what
        # to fix: shown beside them; signing and closing wait until they are fixed.
        self._held: dict[str, str] = {}
        self._plan_held: dict[str, str] = {}
        # What the service refused at the last save of the evaluation, the plan or the goals.
        self._refused: dict[str, dict[str, str]] = {}
        self._saving = False
        self._dirty = False
        self._plan_saving = False
        self._plan_dirty = False
        self._goals_saving = False
        self._goals_dirty = False
        self._sign_requested = False
        self._close_when_saved = False  # a close waits for the save in flight
        self._can_discard = can_discard  # the author may throw a draft away
        self._discarded = False
        self._in_conflict = False  # another workstation saved first: the user decides
        self.kind_label = catalogs.EVALUATION_KIND_LABELS[record.kind]
        self.patient_name = patient_name
        self.sign_summary: SignSummary | None = None
        self._can_print = False  # someone prints on print_requested (offer_printing)
        self._print_when_signed = False  # "Sign and print" chosen in the summary
        self.setWindowTitle(f"{self.kind_label} — {patient_name}")
        resize_within_screen(self, 1000, 760)  # the form scrolls inside
        self.header = QLabel()
        font = self.header.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.header.setFont(font)
        self.form = EvaluationForm(record.evaluation_date, exercises, record.kind)
        self.status = QLabel()
        self.status.setAccessibleName("Save status")
        self.sign_button = QPushButton(f"Sign {self.kind_label.lower()}")
        self.sign_button.setToolTip(
            "See what will be signed, then Enter locks it (Ctrl+Shift+S). Ctrl+W closes."
        )
        self.missing = QListWidget()
        self.missing.setAccessibleName("Still missing before signing")
        self.missing.setMaximumHeight(120)
        self.missing.hide()
        self.addenda = QLabel()
        self.addenda.setWordWrap(True)
        self.addendum_text = QPlainTextEdit()
        self.addendum_text.setPlaceholderText("Correction or late entry, with the reason")
        self.addendum_text.setAccessibleName("Addendum")
        self.addendum_text.setFixedHeight(60)
        self.addendum_button = QPushButton("Add addendum")
        self.discard_button = QPushButton("Discard draft…")
        self.discard_button.setToolTip("Throw this unsigned draft away (started by mistake)")
        self.discard_question = QLabel(
            "Discard this draft? Everything typed in it is deleted; the chart keeps a note "
            "in the audit log."
        )
        self.discard_question.setWordWrap(True)
        self.discard_question.setStyleSheet(palette.DANGER_STYLE)
        self.discard_yes = QPushButton("Yes, discard it")
        self.discard_no = QPushButton("Keep it")
        for widget in (self.discard_question, self.discard_yes, self.discard_no):
            widget.hide()
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setToolTip("See both versions and choose which to keep")
        self.compare_button.hide()
        self.compare_button.clicked.connect(self.compare)
        bar = QHBoxLayout()
        bar.addWidget(self.status, stretch=1)
        bar.addWidget(self.compare_button)
        bar.addWidget(self.discard_question, stretch=2)
        bar.addWidget(self.discard_yes)
        bar.addWidget(self.discard_no)
        bar.addWidget(self.discard_button)
        bar.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.form, stretch=1)
        layout.addWidget(self.missing)
        layout.addWidget(self.addenda)
        layout.addWidget(self.addendum_text)
        layout.addWidget(self.addendum_button, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addLayout(bar)

        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_DELAY_MS)
        self.autosave.timeout.connect(self.save_now)
        self.longest_wait = QTimer(self)
        self.longest_wait.setSingleShot(True)
        self.longest_wait.setInterval(AUTOSAVE_LONGEST_WAIT_MS)
        self.longest_wait.timeout.connect(self.save_now)
        self.form.changed.connect(self._changed)
        self.form.plan.changed.connect(self._plan_changed)
        self.form.goals_changed.connect(self._goals_changed)
        self.form.code_search_requested.connect(self._search_code_set)
        self.sign_button.clicked.connect(self.request_sign)
        self.addendum_button.clicked.connect(self._request_addendum)
        self.discard_button.clicked.connect(lambda: self._ask_discard(True))
        self.discard_no.clicked.connect(lambda: self._ask_discard(False))
        self.discard_yes.clicked.connect(self._discard_now)
        self.missing.itemActivated.connect(self._jump)
        self.missing.itemClicked.connect(self._jump)
        sign_action = QAction(self)
        sign_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        sign_action.triggered.connect(self.request_sign)
        save_action = QAction(self)
        save_action.setShortcut(QKeySequence.StandardKey.Save)
        save_action.triggered.connect(self.save_now)
        print_action = QAction(self)
        print_action.setShortcut(QKeySequence.StandardKey.Print)
        print_action.triggered.connect(self._request_print)
        self.addAction(print_action)
        close_action = QAction(self)
        close_action.setShortcut(QKeySequence.StandardKey.Close)  # Ctrl+W: saves, then closes
        close_action.triggered.connect(self.close)
        self.addActions([sign_action, save_action, close_action])
        self.show_record(record, reload_form=True)
        self.form.plan.load(
            plan.content if plan is not None else None,
            [g.message for g in plan.guidance] if plan is not None else [],
        )
        self.form.set_read_only(record.is_signed)

    # -- filled from elsewhere (templates, the last episode, an intake) ---------------------
    def add_bar(self, bar: QWidget) -> None:
        """A bar of its controller's (an offer to fill the draft), under the header."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, bar)

    def after_saving(self, then: Callable[[], None], failed: Callable[[str], None]) -> None:
        """Save what is typed, then `then()` with the saved versions; `failed` if it cannot
        be saved (a refused field, another workstation's change)."""
        if self.is_saving():
            QTimer.singleShot(100, lambda: self.after_saving(then, failed))
        elif self._dirty or self._plan_dirty or self._goals_dirty:
            self.save_now()
            if not self.is_saving():  # nothing could go: a conflict waits for the user
                failed("Save or resolve what is typed first.")
                return
            QTimer.singleShot(100, lambda: self._after_saved(then, failed))
        else:
            self._after_saved(then, failed)

    def _after_saved(self, then: Callable[[], None], failed: Callable[[str], None]) -> None:
        if self.is_saving():
            QTimer.singleShot(100, lambda: self._after_saved(then, failed))
        elif self._dirty or self._plan_dirty or self._goals_dirty:
            failed("Not filled: what is typed could not be saved (see the marked fields).")
        elif self._held or self._plan_held:  # the reloaded form would lose that typing
            failed("Not filled: fix what is marked first, so nothing typed is lost.")
        else:
            then()

    def show_filled(
        self,
        record: EvaluationRecord,
        plan: PlanRecord | None,
        filled: Sequence[str] | None = None,
    ) -> None:
        """The draft as an outside fill saved it: the form shows it (nothing left unsaved).
        With the `filled` field names of a fill asked for in this window (a template, the
        last episode), Tab passes those by and the focus goes on to what is still to fill."""
        self.show_record(record, reload_form=True)
        if plan is not None:
            self.plan_version = plan.version
            self._saved_plan = plan.content
            self.form.plan.load(plan.content, [g.message for g in plan.guidance])
            self.form.set_read_only(record.is_signed)  # unticked paths' inputs stay off
        self.status.setText(f"Draft saved at {datetime.now():%H:%M:%S}.")
        if filled is not None:
            self.form.after_fill(filled)

    def _search_code_set(self, text: str) -> None:
        self.port.search_codes(text, self.form.show_code_results)

    # -- showing ---------------------------------------------------------------------------
    def show_record(self, record: EvaluationRecord, *, reload_form: bool) -> None:
        self.record = record
        state = "Signed" if record.is_signed else "Draft"
        self.header.setText(
            f"{self.kind_label} of {record.evaluation_date:%m/%d/%Y} · {state} · "
            f"{record.therapist_name}"
        )
        if reload_form:
            self.form.load(record.content)
        self.form.show_outcomes(getattr(record, "outcomes", ()))
        self.form.show_coding_warnings(getattr(record, "coding_warnings", ()))
        signed = record.is_signed
        self.form.set_read_only(signed)
        self.sign_button.setVisible(not signed)
        self.discard_button.setVisible(not signed and self._can_discard)
        self.addendum_text.setVisible(signed)
        self.addendum_button.setVisible(signed)
        if signed:
            self.missing.hide()
            at = record.signed_at
            when = f" on {at.astimezone():%m/%d/%Y %H:%M}" if at is not None else ""
            self.status.setText(f"Signed by {record.signed_by_name}{when}. Locked.")
        lines = [
            f"Addendum by {a.author_name}, {a.created_at.astimezone():%m/%d/%Y %H:%M}: {a.text}"
            for a in record.addenda
        ]
        self.addenda.setText("\n".join(lines))
        self.addenda.setVisible(bool(lines))

    # -- autosave ---------------------------------------------------------------------------
    def _changed(self) -> None:
        if self.record.is_signed:
            return  # locking the form toggles widgets: that is not typing
        self._dirty = True
        self.status.setText("Changes not saved yet…")
        self._schedule_save()

    def _plan_changed(self) -> None:
        if self.record.is_signed:
            return
        self._plan_dirty = True
        self.status.setText("Changes not saved yet…")
        self._schedule_save()

    def _goals_changed(self) -> None:
        if self.record.is_signed:
            return
        self._goals_dirty = True
        self.status.setText("Changes not saved yet…")
        self._schedule_save()

    def show_goals(self, judging: GoalsToJudge) -> None:
        """The goals to judge and what is saved of the judgement, once loaded."""
        self.form.show_goals(judging.goals, judging.assessments, signed=self.record.is_signed)

    def _schedule_save(self) -> None:
        """Save once the typing pauses, or when the first unsaved change gets old."""
        self.autosave.start()
        if not self.longest_wait.isActive():
            self.longest_wait.start()

    def save_now(self) -> None:
        self.autosave.stop()
        self.longest_wait.stop()
        self._save_plan_now()  # the plan has its own version: it saves even in a conflict
        self._save_goals_now()
        if self._saving or not self._dirty or self.record.is_signed or self._in_conflict:
            return  # in a conflict the same stale version would be refused: the user decides
        content, self._held = self.form.draft_content(self.record.content)
        self._show_problems()
        self._saving = True
        self._dirty = False  # anything typed while saving makes it dirty again
        self.status.setText("Saving…")
        self.port.save(content, self.record.version, self._saved, self._save_failed)

    def _show_problems(self) -> None:
        """Every field held back or refused, with its message beside it. Never moves the
        keyboard focus: an autosave comes while the user types somewhere else."""
        refused = {f: m for by_field in self._refused.values() for f, m in by_field.items()}
        self.form.show_problems({**self._plan_held, **self._held, **refused})

    def _saved_text(self) -> str:
        held = {**self._plan_held, **self._held}
        if not held:
            return f"Draft saved at {datetime.now():%H:%M:%S}."
        return f"Draft saved at {datetime.now():%H:%M:%S}, except what is marked: " + " ".join(
            held.values()
        )

    def _saved(self, record: EvaluationRecord) -> None:
        self._saving = False
        self._cleared("evaluation")
        self.show_record(record, reload_form=False)  # keep what is being typed
        self.status.setText(self._saved_text())
        if self._dirty:
            self._schedule_save()
        self._close_if_waiting()

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self._dirty = True  # still unsaved: try again on the next change or Ctrl+S
        self._save_failed_message(error, "evaluation")
        # Signed or discarded elsewhere: no draft left to compare with or save over.
        if isinstance(error, ConflictError) and not isinstance(error, ClosedElsewhere):
            self._in_conflict = True
            self.compare_button.show()

    # -- another workstation saved first ----------------------------------------------------
    def compare(self) -> None:
        self.port.load_current(self._show_compare, self._save_failed_message)

    def _show_compare(self, theirs: EvaluationRecord) -> None:
        who = getattr(theirs, "therapist_name", "Someone")
        self.compare_dialog = CompareDialog(self.form.content(), theirs.content, who, self)
        self.compare_dialog.keep_mine.connect(lambda: self._keep_mine(theirs))
        self.compare_dialog.take_theirs.connect(lambda: self._take_theirs(theirs))
        self.compare_dialog.open()

    def _resolved(self) -> None:
        self._in_conflict = False
        self.compare_button.hide()

    def _keep_mine(self, theirs: EvaluationRecord) -> None:
        """Save what is on screen over the stored version (its version number now ours)."""
        self._resolved()
        self.show_record(theirs, reload_form=False)
        self._dirty = True
        self.save_now()

    def _take_theirs(self, theirs: EvaluationRecord) -> None:
        self._resolved()
        self._dirty = False
        self.show_record(theirs, reload_form=True)
        self.status.setText("Showing the version saved on the other workstation.")

    def _save_plan_now(self) -> None:
        if self._plan_saving or not self._plan_dirty or self.record.is_signed:
            return
        content, self._plan_held = self.form.plan.draft_content(self._saved_plan)
        self._show_problems()
        self._plan_saving = True
        self._plan_dirty = False
        self.port.save_plan(content, self.plan_version, self._plan_saved, self._plan_failed)

    def _plan_saved(self, plan: PlanRecord) -> None:
        self._plan_saving = False
        self._cleared("plan")
        self.plan_version = plan.version
        self._saved_plan = plan.content
        self.form.plan.show_guidance([g.message for g in plan.guidance])
        if not self._saving:
            self.status.setText(self._saved_text())
        if self._plan_dirty:
            self._schedule_save()
        self._close_if_waiting()

    def _plan_failed(self, error: BaseException) -> None:
        self._plan_saving = False
        self._plan_dirty = True
        self._save_failed_message(error, "plan")

    def _save_goals_now(self) -> None:
        if self._goals_saving or not self._goals_dirty or self.record.is_signed:
            return
        self._goals_saving = True
        self._goals_dirty = False
        self.port.save_goals(self.form.goal_assessments(), self._goals_saved, self._goals_failed)

    def _goals_saved(self, _judging: GoalsToJudge) -> None:
        self._goals_saving = False
        self._cleared("goals")
        if not (self._saving or self._plan_saving):
            self.status.setText(self._saved_text())
        if self._goals_dirty:
            self._schedule_save()
        self._close_if_waiting()

    def _goals_failed(self, error: BaseException) -> None:
        self._goals_saving = False
        self._goals_dirty = True
        self._save_failed_message(error, "goals")

    def _cleared(self, part: str) -> None:
        if self._refused.pop(part, None) is not None:
            self._show_problems()

    def _save_failed_message(self, error: BaseException, part: str = "evaluation") -> None:
        signing = self._sign_requested
        self._sign_requested = False
        self._print_when_signed = False
        self._close_when_saved = False  # stay open: what was typed is still on screen
        message = getattr(error, "message", None) or "The draft could not be saved."
        # A signature asked for meanwhile is not lost silently: the status says so.
        self.status.setText(f"Not saved: {message}" + (" Not signed." if signing else ""))
        field = getattr(error, "field", None)
        if field:
            self._refused[part] = {field: message}
            self._show_problems()  # beside the field; the focus stays where the user types

    # -- signing ----------------------------------------------------------------------------
    def request_sign(self) -> None:
        """Show what will be signed; Enter there signs, Escape comes back."""
        if self.record.is_signed or self._sign_requested:
            return  # one request at a time: a second click waits for the first
        if self.sign_summary is not None and self.sign_summary.isVisible():
            return
        content, held = self.form.draft_content(self.record.content)
        plan, plan_held = self.form.plan.draft_content(self._saved_plan)
        guidance = [
            line.lstrip("• ") for line in self.form.plan.guidance.text().splitlines() if line
        ]
        lines = summary_lines(
            self.patient_name,
            f"{self.kind_label} of {self.record.evaluation_date:%m/%d/%Y}",
            content,
            plan,
            guidance,
            [*held.values(), *plan_held.values()],
        )
        if self.sign_summary is not None:
            self.sign_summary.deleteLater()  # the last one, long closed
        self.sign_summary = SignSummary(lines, self.kind_label, self, can_print=self._can_print)
        self.sign_summary.accepted.connect(self._sign_confirmed)
        # Back to this window, so the keys go on working here (a missing item to jump to).
        self.sign_summary.finished.connect(lambda _result: self.activateWindow())
        self.sign_summary.open()

    def offer_printing(self) -> None:
        """Printing is wired to `print_requested`: the summary before signing offers "Sign
        and print"."""
        self._can_print = True

    def _sign_confirmed(self) -> None:
        if self.record.is_signed or self._sign_requested:
            return
        summary = self.sign_summary
        self._print_when_signed = summary is not None and summary.then_print
        self._sign_requested = True
        self.missing.hide()
        self.missing.clear()
        self._sign_when_saved()

    def _sign_when_saved(self) -> None:
        if not self._sign_requested:
            return  # a save failed meanwhile: its message stays on screen, nothing is signed
        if self._dirty or self._plan_dirty or self._goals_dirty or self.is_saving():
            # Save first, then sign what was saved.
            self.save_now()
            QTimer.singleShot(200, self._sign_when_saved)
            return
        held = {**self._held, **self._plan_held}
        if held:  # the record would be signed without what is on screen: fix it first
            self._sign_requested = False
            self._print_when_signed = False
            self._list_missing(list(held.items()))
            self.status.setText(
                f"Not signed: {len(held)} fields cannot be saved as typed (click one to go there)."
            )
            return
        self.status.setText("Checking…")
        self.port.sign(self.record.version, self._signed, self._sign_failed)

    def _signed(self, record: EvaluationRecord) -> None:
        self._sign_requested = False
        self.show_record(record, reload_form=True)
        if self._print_when_signed:
            self._print_when_signed = False
            self.print_requested.emit()

    def _sign_failed(self, error: BaseException) -> None:
        self._sign_requested = False
        self._print_when_signed = False
        missing = getattr(error, "missing", None)
        if missing is None:
            self.status.setText(getattr(error, "message", "The evaluation could not be signed."))
            return
        self._list_missing([(item.field, item.message) for item in missing])
        self.status.setText(
            f"Not signed: {len(missing)} items still missing (click one to go there)."
        )

    def _list_missing(self, items: list[tuple[str, str]]) -> None:
        self.missing.clear()
        for field, message in items:
            entry = QListWidgetItem(message)
            entry.setData(Qt.ItemDataRole.UserRole, field)
            self.missing.addItem(entry)
        self.missing.show()
        self.missing.setCurrentRow(0)

    def _jump(self, item: QListWidgetItem) -> None:
        self.form.jump_to(item.data(Qt.ItemDataRole.UserRole))

    def _request_print(self) -> None:
        if not self.record.is_signed:
            self.status.setText("Sign first: the care plan prints from a signed evaluation.")
            return
        self.print_requested.emit()

    # -- discarding a draft -----------------------------------------------------------------
    def _ask_discard(self, asking: bool) -> None:
        self.discard_question.setVisible(asking)
        self.discard_yes.setVisible(asking)
        self.discard_no.setVisible(asking)
        self.discard_button.setVisible(not asking)
        self.sign_button.setVisible(not asking)
        (self.discard_no if asking else self.discard_button).setFocus()

    def _discard_now(self) -> None:
        if not self._can_discard or self.record.is_signed:
            return
        self.autosave.stop()
        self.longest_wait.stop()
        # Nothing to save: it is being thrown away.
        self._dirty = self._plan_dirty = self._goals_dirty = False

        def done(_none: None) -> None:
            self._discarded = True
            self.close()

        def failed(error: BaseException) -> None:
            self._ask_discard(False)
            self.status.setText(getattr(error, "message", "The draft could not be discarded."))

        self.status.setText("Discarding…")
        self.port.discard(done, failed)

    # -- addenda ----------------------------------------------------------------------------
    def _request_addendum(self) -> None:
        text = self.addendum_text.toPlainText()
        if not text.strip():
            self.status.setText("Type the addendum first.")
            return

        def added(record: EvaluationRecord) -> None:
            self.addendum_text.clear()
            self.show_record(record, reload_form=False)

        def failed(error: BaseException) -> None:
            self.status.setText(getattr(error, "message", "The addendum could not be saved."))

        self.port.add_addendum(text, added, failed)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close only once everything typed is saved: a save in flight finishes first, and a
        refused one keeps the window open with its message."""
        if self._discarded:
            self.closed.emit()
            super().closeEvent(event)
            return
        self.save_now()
        if self.is_saving() or self._dirty or self._plan_dirty or self._goals_dirty:
            event.ignore()
            self._close_when_saved = self.is_saving()
            if self._close_when_saved:
                self.status.setText("Saving before closing…")
            return
        held = {**self._held, **self._plan_held}
        if held:  # closing now would lose what is typed there
            event.ignore()
            self.status.setText(
                "Not closed: fix or clear what is marked first, so nothing typed is lost. "
                + " ".join(held.values())
            )
            return
        self.closed.emit()
        super().closeEvent(event)

    def is_saving(self) -> bool:
        return self._saving or self._plan_saving or self._goals_saving

    def _close_if_waiting(self) -> None:
        if self._close_when_saved and not self.is_saving():
            self._close_when_saved = False
            self.close()
