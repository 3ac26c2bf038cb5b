"""Evaluations: starting one, opening one, one window at a time, and the rules of who may
change what (the author types and signs; anyone else reads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from casemanager.domain.enums import EvaluationKind
from casemanager.domain.evaluation import GOAL_REPORT_KINDS
from casemanager.ui.evaluation.fills import DraftFills
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.ops import EPISODE_MOVED, NO_CHANGE, Change, Changes

if TYPE_CHECKING:
    from casemanager.domain.enums import Cause
    from casemanager.domain.evaluation import EvaluationContent
    from casemanager.domain.medicare import Certification, GoalAssessment
    from casemanager.domain.plan import PlanContent
    from casemanager.services.carry_forward import CarriedForward, CarryForwardOffer
    from casemanager.services.evaluations import EvaluationRecord
    from casemanager.services.goal_progress import GoalsToJudge
    from casemanager.services.plans import ExerciseInfo, PlanRecord
    from casemanager.services.templates import TemplateApplied, TemplateRecord
    from casemanager.ui.evaluation.plan_section import PlanSection
    from casemanager.ui.workspace import Context, Workspace

Opened = tuple["EvaluationRecord", "PlanRecord | None", list["ExerciseInfo"]]
Failed = Callable[[BaseException], None]


class DatabasePort:
    """The window's `EvaluationPort`: one evaluation's reads and changes as operations."""

    def __init__(self, context: Context, record: EvaluationRecord) -> None:
        self.context = context
        self.evaluation_id = record.id
        self.patient_id = record.patient_id

    def save(
        self,
        content: EvaluationContent,
        version: int,
        done: Callable[[EvaluationRecord], None],
        failed: Failed,
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> EvaluationRecord:
            from casemanager.services import evaluations

            return evaluations.save_draft(db, actor, evaluation_id, version, content)

        # A draft's typing shows nowhere else: nothing to refresh.
        self.context.ops.change(work, NO_CHANGE, done, failed)

    def save_plan(
        self,
        content: PlanContent,
        version: int | None,
        done: Callable[[PlanRecord], None],
        failed: Failed,
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> PlanRecord:
            from casemanager.services import plans

            return plans.save_plan(db, actor, evaluation_id, version, content)

        self.context.ops.change(work, NO_CHANGE, done, failed)

    def save_goals(
        self,
        assessments: tuple[GoalAssessment, ...],
        done: Callable[[GoalsToJudge], None],
        failed: Failed,
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> GoalsToJudge:
            from casemanager.services import goal_progress

            return goal_progress.save_goal_assessments(db, actor, evaluation_id, assessments)

        self.context.ops.change(work, NO_CHANGE, done, failed)

    def sign(self, version: int, done: Callable[[EvaluationRecord], None], failed: Failed) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> EvaluationRecord:
            from casemanager.services import evaluations

            return evaluations.sign(db, actor, evaluation_id, version)

        # A signature opens referrals, may discharge the episode and the patient.
        signed = Changes.chart(self.patient_id, EPISODE_MOVED)
        self.context.ops.change(work, signed, done, failed)

    def add_addendum(
        self, text: str, done: Callable[[EvaluationRecord], None], failed: Failed
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> EvaluationRecord:
            from casemanager.services import evaluations

            return evaluations.add_addendum(db, actor, evaluation_id, text)

        self.context.ops.change(work, Changes.chart(self.patient_id), done, failed)

    def search_codes(self, text: str, done: Callable[[list[tuple[str, str]]], None]) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> list[tuple[str, str]]:
            from casemanager.services import evaluations

            return evaluations.search_codes(db, actor, text)

        self.context.ops.read(work, done)

    def discard(self, done: Callable[[None], None], failed: Failed) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> None:
            from casemanager.services import evaluations

            evaluations.discard_draft(db, actor, evaluation_id)

        discarded = Changes.chart(self.patient_id, EPISODE_MOVED)
        self.context.ops.change(work, discarded, done, failed)

    def load_current(self, done: Callable[[EvaluationRecord], None], failed: Failed) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> EvaluationRecord:
            from casemanager.services import evaluations

            return evaluations.get_evaluation(db, actor, evaluation_id)

        self.context.ops.read(work, done, failed)

    def load_goals(self, done: Callable[[GoalsToJudge], None]) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> GoalsToJudge:
            from casemanager.services import goal_progress

            return goal_progress.goals_to_judge(db, actor, evaluation_id)

        self.context.ops.read(work, done)

    def certify(
        self,
        certification: Certification,
        done: Callable[[PlanRecord], None],
        failed: Failed,
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> PlanRecord:
            from casemanager.services import plans

            return plans.record_certification(db, actor, evaluation_id, certification)

        # The chart's certification warning and timeline, the caseload's worklist.
        certified = Changes.chart(self.patient_id, Change.CASELOAD)
        self.context.ops.change(work, certified, done, failed)


class FillsPort(DatabasePort):
    """The template and carry-forward bars' operations on the same evaluation."""

    def list_templates(self, cause: Cause, done: Callable[[list[TemplateRecord]], None]) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> list[TemplateRecord]:
            from casemanager.services import templates

            return templates.list_templates(db, actor, cause)

        self.context.ops.read(work, done)

    def apply_template(
        self,
        template_id: int,
        versions: tuple[int, int | None],
        done: Callable[[TemplateApplied], None],
        failed: Failed,
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> TemplateApplied:
            from casemanager.services import templates

            return templates.apply_template(db, actor, evaluation_id, template_id, *versions)

        self.context.ops.change(work, Changes.chart(self.patient_id), done, failed)

    def save_as_template(
        self, name: str, done: Callable[[TemplateRecord], None], failed: Failed
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> TemplateRecord:
            from casemanager.services import templates

            return templates.save_plan_as_template(db, actor, evaluation_id, name)

        # A clinic record: no chart or list shows it.
        self.context.ops.change(work, NO_CHANGE, done, failed)

    def carry_forward_offer(
        self, done: Callable[[CarryForwardOffer], None], failed: Failed
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> CarryForwardOffer:
            from casemanager.services import carry_forward

            return carry_forward.carry_forward_offer(db, actor, evaluation_id)

        self.context.ops.read(work, done, failed)

    def confirm_carry_forward(
        self, version: int, done: Callable[[CarriedForward], None], failed: Failed
    ) -> None:
        db, actor, evaluation_id = self.context.db, self.context.actor, self.evaluation_id

        def work() -> CarriedForward:
            from casemanager.services import carry_forward

            return carry_forward.confirm_carry_forward(db, actor, evaluation_id, version)

        self.context.ops.change(work, Changes.chart(self.patient_id), done, failed)


class EvaluationController:
    def __init__(self, context: Context, workspace: Workspace | None = None) -> None:
        self.context = context
        self.workspace = workspace  # for printing from the window (Ctrl+P)
        self.window: EvaluationWindow | None = None  # one at a time
        self.fills: DraftFills | None = None  # the window's template and carry-forward bars
        context.listen(self._changed)

    def _changed(self, changes: Changes) -> None:
        """The exercise library edited meanwhile: the open window's picker offers it as it is
        now (a renamed exercise under its new name, a new one added). Signed just now: the
        bars stop offering to fill it."""
        screen = self.window
        self._heard(changes)
        if screen is not None and changes.touches(Change.DRAFTS):
            self._read_again(screen, changes)
        if screen is None or not changes.touches(Change.EXERCISES):
            return
        db, actor = self.context.db, self.context.actor
        keep = _picked(screen.form.plan)

        def work() -> list[ExerciseInfo]:
            from casemanager.services import plans

            return plans.list_exercises(db, actor, keep)

        def done(library: list[ExerciseInfo]) -> None:
            if self.window is screen:  # not closed meanwhile
                screen.form.plan.offer_library(library)

        self.context.ops.read(work, done)

    # -- starting and opening ----------------------------------------------------------------
    def start(self, patient_id: int, patient_name: str) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> Opened:
            from casemanager.services import evaluations, plans

            # The chief complaint is the patient's words: it starts blank (the focus is put
            # there), or comes from the patient's intake when the therapist confirms it.
            record = evaluations.start_initial_evaluation(db, actor, patient_id)
            return record, None, plans.list_exercises(db, actor)

        # A new episode; a discharged patient is active again.
        started = Changes.chart(patient_id, EPISODE_MOVED)
        self.context.ops.change(work, started, lambda opened: self._show(opened, patient_name))

    def follow_up(self, episode_id: int, kind: str, patient_name: str) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> Opened:
            from casemanager.services import follow_up, plans

            record = follow_up.start_follow_up(db, actor, episode_id, EvaluationKind(kind))
            plan = plans.get_plan(db, actor, record.id)
            return record, plan, plans.list_exercises(db, actor, _exercises_of(plan))

        def started(opened: Opened) -> Changes:
            return Changes.chart(opened[0].patient_id, Change.EPISODES | Change.CASELOAD)

        self.context.ops.change(work, started, lambda opened: self._show(opened, patient_name))

    def open(self, evaluation_id: int, patient_name: str) -> None:
        shown = self.window
        if shown is not None and shown.record.id == evaluation_id:
            shown.raise_()  # already on screen, perhaps with typing not yet saved
            shown.activateWindow()
            return
        db, actor = self.context.db, self.context.actor

        def work() -> Opened:
            from casemanager.services import evaluations, plans

            record = evaluations.get_evaluation(db, actor, evaluation_id)
            plan = plans.get_plan(db, actor, record.id)
            return record, plan, plans.list_exercises(db, actor, _exercises_of(plan))

        self.context.ops.read(work, lambda opened: self._show(opened, patient_name))

    # -- the window --------------------------------------------------------------------------
    def _show(self, opened: Opened, patient_name: str) -> None:
        if self.context.closed:
            return
        record, plan, exercises = opened
        if self.window is not None:
            self.window.close()  # one at a time: it saves what was typed
        port = DatabasePort(self.context, record)
        # The author types and signs; anyone else reads (the service refuses them anyway).
        is_author = self.context.actor.user_id == record.therapist_id
        screen = EvaluationWindow(
            record, plan, exercises, patient_name, port, can_discard=is_author
        )
        screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if record.kind in GOAL_REPORT_KINDS:

            def goals_loaded(judging: GoalsToJudge) -> None:
                if self.window is screen:  # not closed meanwhile
                    screen.show_goals(judging)

            port.load_goals(goals_loaded)
        plan_section = screen.form.plan
        plan_section.show_certification(plan.certification if plan is not None else None)

        def certify(certification: Certification) -> None:
            def done(saved: PlanRecord) -> None:
                plan_section.show_certification(saved.certification)

            failed = self.context.refusal_shown_by(
                plan_section.show_certification_error, "The certification"
            )
            port.certify(certification, done, failed)

        plan_section.certification_requested.connect(certify)
        if not is_author:
            screen.form.set_read_only(True)  # say so up front
            screen.sign_button.hide()
        workspace = self.workspace
        if workspace is not None:
            screen.print_requested.connect(
                lambda: workspace.documents().print_plan(record.patient_id, patient_name)
            )
            screen.offer_printing()
        self.window = screen
        self.fills = DraftFills(self.context, FillsPort(self.context, record), screen, is_author)
        screen.closed.connect(lambda: self._closed(screen))
        screen.show()

    def _closed(self, screen: EvaluationWindow) -> None:
        if self.window is screen:
            self.window = None
            self.fills = None

    def _heard(self, changes: Changes) -> None:
        screen, fills = self.window, self.fills
        if screen is not None and fills is not None and screen.record.is_signed:
            if changes.touches_chart(screen.record.patient_id):
                fills.signed()

    def _read_again(self, screen: EvaluationWindow, changes: Changes) -> None:
        """This patient's draft filled from elsewhere (an intake from the chart): shown as
        saved now, once what is typed here is saved (a clash is then the user's choice)."""
        if screen.record.is_signed or screen.record.patient_id not in changes.patient_ids:
            return  # named, not a Refresh of everything: what is typed stays as it is

        def read(record: EvaluationRecord) -> None:
            if self.window is screen and record.version != screen.record.version:
                screen.show_filled(record, None)

        def not_yet(why: str) -> None:
            screen.status.setText(f"The patient's intake was put into this draft. {why}")

        screen.after_saving(
            lambda: screen.port.load_current(read, self.context.show_error), not_yet
        )

    def close_for_log_out(self) -> None:
        """Saves what was typed first; a logged-out session leaves no record on screen."""
        screen, self.window, self.fills = self.window, None, None
        if screen is None:
            return
        screen.close()
        if screen.isVisible():
            # Still saving, or its save was refused: hidden now. A save in flight closes it
            # when done.
            screen.hide()
            if not screen.is_saving():
                screen.deleteLater()


def _picked(plan: PlanSection) -> tuple[int, ...]:
    """The exercises picked on screen, saved or not: kept in the picker even once retired."""
    return tuple(row[0].currentData() for row in plan.exercise_rows if row[0].currentData())


def _exercises_of(plan: PlanRecord | None) -> tuple[int, ...]:
    """The exercises a plan holds: kept in its picker even once retired from the library."""
    return tuple(h.exercise_id for h in plan.content.home_exercises) if plan else ()
