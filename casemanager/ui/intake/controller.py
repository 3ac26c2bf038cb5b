"""Patient intake: the therapist opens one for the patient on screen (the intake screen then
holds only that intake's token), later reviews the answers from the chart and confirms them
into their evaluation draft for that patient (started for it when there is none)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from casemanager.domain.errors import AuthenticationFailed, DomainError
from casemanager.domain.intake import IntakeAnswers, IntakeStatus
from casemanager.ui.intake.review import IntakeReviewDialog
from casemanager.ui.intake.window import IntakeWindow
from casemanager.ui.ops import EPISODE_MOVED, Change, Changes

if TYPE_CHECKING:
    from casemanager.services.intake import (
        IntakeConfirmed,
        IntakeForm,
        IntakeReview,
        IntakeTicket,
    )
    from casemanager.ui.evaluation.window import EvaluationWindow
    from casemanager.ui.workspace import Context, Workspace

Failed = Callable[[BaseException], None]


class TokenPort:
    """The intake screen's `IntakePort`: every call goes with the one token it was given,
    which opens that patient's intake and nothing else."""

    def __init__(self, context: Context, token: str) -> None:
        self.context = context
        self._token = token

    def load(self, done: Callable[[IntakeForm], None], failed: Failed) -> None:
        db, token, workstation = self.context.db, self._token, self.context.actor.workstation

        def work() -> IntakeForm:
            from casemanager.services import intake

            return intake.intake_form(db, token, workstation)

        self.context.ops.read(work, done, failed)

    def save(
        self, answers: IntakeAnswers, done: Callable[[IntakeAnswers], None], failed: Failed
    ) -> None:
        db, token, workstation = self.context.db, self._token, self.context.actor.workstation

        def work() -> IntakeAnswers:
            from casemanager.services import intake

            return intake.save_intake_answers(db, token, answers, workstation)

        # The patient's own draft: no screen shows it until it is submitted.
        self.context.ops.change(work, Changes(), done, failed)

    def submit(self, done: Callable[[None], None], failed: Failed) -> None:
        db, token, workstation = self.context.db, self._token, self.context.actor.workstation

        def work() -> None:
            from casemanager.services import intake

            intake.submit_intake(db, token, workstation)

        self.context.ops.change(work, Changes(), done, failed)

    def unlock(self, password: str, done: Callable[[bool], None]) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> bool:
            from casemanager.services import accounts

            # A full login of the therapist who opened it (audited, slowed after misses).
            accounts.authenticate(db, actor.username, password, actor.workstation)
            return True

        def failed(error: BaseException) -> None:
            done(False)  # stays locked
            if not isinstance(error, AuthenticationFailed):
                self.context.show_error(error)

        self.context.ops.read(work, done, failed)


class LanguageDialog(QDialog):
    """Which language the patient reads: their preferred one unless the therapist changes it."""

    def __init__(self, patient_name: str) -> None:
        super().__init__()
        self.setWindowTitle("Patient intake")
        self.language = QComboBox()
        self.language.addItem("The patient's preferred language", None)
        self.language.addItem("English", "en")
        self.language.addItem("Español (Spanish)", "es")
        caption = QLabel("&Language:")
        caption.setBuddy(self.language)
        text = QLabel(
            f"Open an intake for {patient_name}. The screen fills the display and shows only "
            "this patient's questions; your password closes it."
        )
        text.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(caption)
        layout.addWidget(self.language)
        layout.addWidget(buttons)


class IntakeController:
    def __init__(self, context: Context, workspace: Workspace) -> None:
        self.context = context
        self.workspace = workspace
        self.screen: IntakeWindow | None = None
        self.review_dialog: IntakeReviewDialog | None = None
        self._hidden: list[QWidget] = []  # the windows the intake screen stands in for

    # -- opening one for the patient -------------------------------------------------------
    def ask_open(self, patient_id: int, patient_name: str) -> None:
        self.language_dialog = LanguageDialog(patient_name)
        dialog = self.language_dialog
        dialog.accepted.connect(lambda: self.open_for(patient_id, dialog.language.currentData()))
        dialog.open()

    def open_for(self, patient_id: int, language: str | None) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> IntakeTicket:
            from casemanager.services import intake

            return intake.open_intake(db, actor, patient_id, language)

        self.context.ops.change(work, Changes.chart(patient_id), self._show)

    def _show(self, ticket: IntakeTicket) -> None:
        if self.context.closed:
            return
        if self.screen is not None:
            self.screen.close_for_therapist()  # one tablet, one intake: the older is cancelled
        screen = IntakeWindow(TokenPort(self.context, ticket.token))
        self.screen = screen
        # Nothing else stays on screen to switch to (Alt+Tab, the task bar): the chart and
        # any evaluation come back once the therapist's password has closed the intake.
        self._hidden = [
            w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not screen
        ]
        for window in self._hidden:
            window.hide()
        screen.finished.connect(lambda: self._finished(screen))
        screen.showFullScreen()

    def _finished(self, screen: IntakeWindow) -> None:
        if self.screen is screen:
            self.screen = None
            hidden, self._hidden = self._hidden, []
            if not self.context.closed:
                for window in hidden:
                    window.show()
        screen.deleteLater()

    def close_for_log_out(self) -> None:
        if self.screen is not None:
            self.screen.close_for_therapist()

    # -- the therapist's review ------------------------------------------------------------
    def review(self, patient_id: int) -> None:
        db, actor = self.context.db, self.context.actor

        def work() -> list[IntakeReview]:
            from casemanager.services import intake

            return intake.list_intakes(db, actor, patient_id)

        def listed(found: list[IntakeReview]) -> None:
            waiting = next((r for r in found if r.status == IntakeStatus.SUBMITTED), None)
            if waiting is None:
                self.context.say("No submitted intake is waiting for this patient.")
                return
            self.show_review(waiting)

        self.context.ops.read(work, listed)

    def show_review(self, review: IntakeReview) -> None:
        dialog = IntakeReviewDialog(review, self.context.window)
        self.review_dialog = dialog
        dialog.confirm_requested.connect(lambda: self.confirm(review, dialog))
        dialog.open()

    def confirm(self, review: IntakeReview, dialog: IntakeReviewDialog) -> None:
        """Into the therapist's draft for this patient: the one on screen (what is typed there
        is saved first), else their newest, else a new episode's initial evaluation started
        for it. The change says a draft was filled, so an evaluation window shows it."""
        screen = self._own_draft_on_screen(review.patient_id)
        db, actor = self.context.db, self.context.actor

        def put() -> None:
            target = (screen.record.id, screen.record.version) if screen is not None else None

            def work() -> IntakeConfirmed:
                from casemanager.services import intake

                if target is None:
                    return intake.confirm_intake_from_chart(db, actor, review.id)
                return intake.confirm_intake(db, actor, review.id, *target)

            def changed(result: IntakeConfirmed) -> Changes:
                # A new episode: the patient list, the caseload and the header counts too.
                also = EPISODE_MOVED if result.started else Change.NOTHING
                return Changes.chart(review.patient_id, Change.DRAFTS | also)

            def confirmed(result: IntakeConfirmed) -> None:
                filled = result.filled
                dialog.show_confirmed(list(filled.filled), list(filled.kept), result.started)

            def failed(error: BaseException) -> None:
                if isinstance(error, DomainError):
                    dialog.show_error(error.message)
                else:
                    dialog.show_error("The answers could not be put into the evaluation.")
                    self.context.show_error(error)

            self.context.ops.change(work, changed, confirmed, failed)

        if screen is not None:
            screen.after_saving(put, dialog.show_error)
        else:
            put()

    def _own_draft_on_screen(self, patient_id: int) -> EvaluationWindow | None:
        """The evaluation window, when it shows this therapist's draft for the patient."""
        screen = self.workspace.evaluations().window
        if screen is None:
            return None
        record = screen.record
        mine = record.therapist_id == self.context.actor.user_id
        return screen if record.patient_id == patient_id and mine and not record.is_signed else None
