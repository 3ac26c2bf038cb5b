"""What a logged-in user works in: the main window and one controller per feature, each made
when first used (the patients controller fills the header figures).

Controllers never tell each other to refresh: a change operation says what it changed
(`ops.Changes`) and each controller decides, on `Ops.changed`, what that means for its screen.
They do ask each other to *show* something (the caseload opens a chart, the chart opens an
evaluation) through the workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from casemanager.domain.errors import DomainError
from casemanager.domain.permissions import Permission, has_permission
from casemanager.ui.main_window import MainWindow
from casemanager.ui.ops import Changes, Ops

if TYPE_CHECKING:
    from casemanager.db.engine import Database
    from casemanager.services.context import Actor
    from casemanager.ui.admin.controller import AdminController
    from casemanager.ui.caseload.controller import CaseloadController
    from casemanager.ui.documents.controller import DocumentsController
    from casemanager.ui.evaluation.controller import EvaluationController
    from casemanager.ui.exercises.controller import ExercisesController
    from casemanager.ui.intake.controller import IntakeController
    from casemanager.ui.patients.controller import PatientsController
    from casemanager.ui.patients.listing_audit import ListingAudit

ErrorCallback = Callable[[BaseException], None]
Therapists = list[tuple[int, str]]


class Context:
    """What every controller works with: the operations, who is acting, the main window."""

    def __init__(
        self, ops: Ops, db: Database, actor: Actor, window: MainWindow, show_error: ErrorCallback
    ) -> None:
        self.ops = ops
        self.db = db
        self.actor = actor
        self.window = window
        self.show_error = show_error
        self._listeners: list[Callable[[Changes], None]] = []
        self.closed = False

    def may(self, permission: Permission) -> bool:
        return has_permission(self.actor.role, permission)

    def listen(self, handler: Callable[[Changes], None]) -> None:
        """`handler(changes)` after each change, until the user logs out."""

        def heard(changes: object) -> None:
            if not self.closed and isinstance(changes, Changes):
                handler(changes)

        self._listeners.append(heard)
        self.ops.changed.connect(heard)

    def say(self, text: str, milliseconds: int = 10_000) -> None:
        self.window.statusBar().showMessage(text, milliseconds)

    def refusal_shown_by(self, show: Callable[[str | None, str], None], what: str) -> ErrorCallback:
        """A save that failed: a refusal goes beside its field, with what was typed kept; a
        fault says `what` could not be saved there and gets the error dialog too."""

        def failed(error: BaseException) -> None:
            if isinstance(error, DomainError):
                show(getattr(error, "field", None), error.message)
            else:
                show(None, f"{what} could not be saved.")
                self.show_error(error)

        return failed

    def live(self, done: Callable[[Any], None]) -> Callable[[Any], None]:
        """`done`, or nothing once logged out: a result that lands after the logout has no
        screen to go to (its widgets are gone; the work itself is done, and audited)."""

        def landed(result: Any) -> None:
            if not self.closed:
                done(result)

        return landed

    def live_failure(self, failed: ErrorCallback) -> ErrorCallback:
        """`failed`, or once logged out the error dialog (never dropped)."""

        def landed(error: BaseException) -> None:
            (self.show_error if self.closed else failed)(error)

        return landed

    def close(self) -> None:
        self.closed = True
        for heard in self._listeners:
            self.ops.changed.disconnect(heard)
        self._listeners.clear()


class Workspace:
    """The main window of one login and the features' controllers."""

    def __init__(
        self, ops: Ops, db: Database, actor: Actor, clinic_name: str, show_error: ErrorCallback
    ) -> None:
        self.window = MainWindow(actor, clinic_name)
        self.context = Context(ops, db, actor, self.window, show_error)
        self._patients: PatientsController | None = None
        self._evaluations: EvaluationController | None = None
        self._documents: DocumentsController | None = None
        self._caseload: CaseloadController | None = None
        self._admin: AdminController | None = None
        self._exercises: ExercisesController | None = None
        self._intake: IntakeController | None = None
        window = self.window
        window.refresh_requested.connect(ops.refresh_all)
        window.exercise_library_requested.connect(lambda: self.exercises().open_library())
        window.change_password_requested.connect(lambda: self.admin().change_password())
        window.import_requested.connect(lambda: self.patients().import_patients())
        window.export_patient_requested.connect(lambda: self.patients().export_patient())
        window.new_patient_requested.connect(lambda: self.patients().new_patient())
        window.batch_export_requested.connect(
            lambda: self.documents().export_batch(self.patients().selected_patient_ids())
        )
        window.export_patient_action.setVisible(self.context.may(Permission.EXPORT_DATA))
        window.import_action.setVisible(self.context.may(Permission.EDIT_DEMOGRAPHICS))

    # -- the features, each made when first used --------------------------------------------
    def patients(self) -> PatientsController:
        if self._patients is None:
            from casemanager.ui.patients.controller import PatientsController

            self._patients = PatientsController(self.context, self)
        return self._patients

    def evaluations(self) -> EvaluationController:
        if self._evaluations is None:
            from casemanager.ui.evaluation.controller import EvaluationController

            self._evaluations = EvaluationController(self.context, self)
        return self._evaluations

    def intake(self) -> IntakeController:
        if self._intake is None:
            from casemanager.ui.intake.controller import IntakeController

            self._intake = IntakeController(self.context, self)
        return self._intake

    def documents(self) -> DocumentsController:
        if self._documents is None:
            from casemanager.ui.documents.controller import DocumentsController

            self._documents = DocumentsController(self.context)
        return self._documents

    def caseload(self) -> CaseloadController:
        if self._caseload is None:
            from casemanager.ui.caseload.controller import CaseloadController

            self._caseload = CaseloadController(self.context, self)
        return self._caseload

    def admin(self) -> AdminController:
        if self._admin is None:
            from casemanager.ui.admin.controller import AdminController

            self._admin = AdminController(self.context)
        return self._admin

    def exercises(self) -> ExercisesController:
        if self._exercises is None:
            from casemanager.ui.exercises.controller import ExercisesController

            self._exercises = ExercisesController(self.context)
        return self._exercises

    # -- start and end -----------------------------------------------------------------------
    def load(self) -> None:
        """The header figures, the patient list and, for those who may, caseload and admin."""
        context = self.context
        self.patients().read_overview()
        if context.may(Permission.MANAGE_USERS) or context.may(Permission.VIEW_AUDIT_LOG):
            self.admin().show_panels()

        def build(found: Therapists) -> None:
            if context.closed:
                return  # logged out meanwhile
            self.patients().show_list(found)
            if context.may(Permission.VIEW_CASELOAD):
                self.caseload().show_dashboard(found)

        self.patients().read_therapists(build)

    def hide_records(self) -> None:
        """Logging out: the evaluation on screen saves what was typed and goes away."""
        if self._evaluations is not None:
            self._evaluations.close_for_log_out()
        if self._intake is not None:
            self._intake.close_for_log_out()

    def listing_audit(self) -> ListingAudit | None:
        """The patient list's access audit, whose rows may still be waiting at quit."""
        return self._patients.listing_audit if self._patients is not None else None

    def stop_batches(self) -> None:
        if self._documents is not None:
            self._documents.stop_batch()

    def close(self) -> None:
        self.context.close()
        if self._patients is not None and self._patients.patient_list is not None:
            self._patients.patient_list.forget_measured()  # not left to the widget's deletion
        self.window.close()
        self.window.deleteLater()
