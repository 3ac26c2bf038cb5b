"""The caseload review: figures, worklist and exports, read again after each change that
moves them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from casemanager.domain.caseload import WORKLIST_PAGE
from casemanager.domain.enums import Role
from casemanager.domain.errors import DomainError
from casemanager.domain.permissions import Permission
from casemanager.ui import messages
from casemanager.ui.caseload.dashboard import CaseloadDashboard
from casemanager.ui.ops import Change, Changes, Lane

if TYPE_CHECKING:
    from casemanager.domain.caseload import CaseloadFilter, Dashboard, WorkKey, WorklistPage
    from casemanager.ui.workspace import Context, Workspace

EXPORTED = Changes(Change.AUDIT)


class CaseloadController:
    def __init__(self, context: Context, workspace: Workspace) -> None:
        self.context = context
        self.workspace = workspace
        self.dashboard: CaseloadDashboard | None = None
        self._stale = False  # changes made while the figures were out of sight
        context.listen(self._changed)

    def show_dashboard(self, therapists: list[tuple[int, str]]) -> None:
        context = self.context
        is_therapist = context.actor.role == Role.THERAPIST
        dashboard = CaseloadDashboard(
            therapists,
            today=date.today(),
            own_therapist_id=context.actor.user_id if is_therapist else None,
            show_worklist=context.may(Permission.VIEW_CLINICAL),
            can_export=context.may(Permission.EXPORT_DATA),
        )
        self.dashboard = dashboard
        context.window.set_caseload(
            dashboard,
            "My &caseload" if is_therapist else "&Caseload",
            first=context.actor.role == Role.OFFICE_MANAGER,
        )
        dashboard.refresh_requested.connect(self._read)
        dashboard.worklist_page_requested.connect(self._read_worklist)
        dashboard.open_patient.connect(self._open_chart)
        dashboard.export_csv_requested.connect(self._export_csv)
        dashboard.export_report_requested.connect(self._export_report)
        context.window.views.currentChanged.connect(self._in_sight)
        dashboard.request_refresh()

    def _changed(self, changes: Changes) -> None:
        if changes.touches(Change.CASELOAD):
            self._stale = True
            self._in_sight()

    def _in_sight(self, *_index: int) -> None:
        """Figures are read again when they can be seen: a query at 100,000 patients is not
        run for a tab nobody looks at."""
        if self.dashboard is not None and self._stale and self.dashboard.isVisible():
            self._stale = False
            self.dashboard.request_refresh()

    def _read(self, filt: CaseloadFilter) -> None:
        """The figures first, then the worklist's first page: each is shown as it arrives. Both
        on the caseload's own worker, so a slow query at 100,000 patients never holds up a
        search."""
        db, actor, dashboard = self.context.db, self.context.actor, self.dashboard
        assert dashboard is not None

        def work() -> Dashboard:
            from casemanager.services import caseload

            return caseload.figures(db, actor, filt)

        def failed(error: BaseException) -> None:
            dashboard.load_failed(messages.classify(error)[0])
            self.context.show_error(error)

        live, live_failure = self.context.live, self.context.live_failure
        self.context.ops.read(
            work, live(dashboard.show_figures), live_failure(failed), Lane.CASELOAD
        )
        if dashboard.shows_worklist:
            self._read_worklist(filt, None, WORKLIST_PAGE)

    def _read_worklist(
        self, filt: CaseloadFilter, after: WorkKey | None, limit: int | None
    ) -> None:
        db, actor, dashboard = self.context.db, self.context.actor, self.dashboard
        assert dashboard is not None

        def work() -> WorklistPage:
            from casemanager.services import caseload

            return caseload.worklist_page(db, actor, filt, after=after, limit=limit)

        def failed(error: BaseException) -> None:
            first = after is None and limit is not None  # a refresh's first page
            dashboard.worklist_failed(filt, first, messages.classify(error)[0])
            self.context.show_error(error)

        shown = self.context.live(lambda page: dashboard.show_worklist(filt, page))
        self.context.ops.read(work, shown, self.context.live_failure(failed), Lane.CASELOAD)

    def _open_chart(self, patient_id: int) -> None:
        self.workspace.patients().show_chart(patient_id)  # read-only for a manager; audited

    def _save(self, data: bytes, path: str) -> None:
        from casemanager import output_files

        try:  # never over the database; a failure leaves the old file as it was
            output_files.write_bytes(path, data, databases=[self.context.db.sqlite_path])
        except DomainError as error:
            self.context.show_error(error)
            return
        self.context.say(f"Saved {path}", 8000)

    def _refused(self, path: str) -> bool:
        """Checked before the export is made (and audited): a refused path costs nothing."""
        from casemanager import output_files

        try:
            output_files.check(path, databases=[self.context.db.sqlite_path])
        except DomainError as error:
            self.context.show_error(error)
            return True
        return False

    def _export_csv(self, title: str, headers: list[str], rows: list[list[str]]) -> None:
        path = self.context.window.ask_save_path(
            f"Save {title.lower()} as CSV", f"{title}.csv", "CSV files (*.csv)"
        )
        if not path or self._refused(path):
            return
        db, actor = self.context.db, self.context.actor

        def work() -> bytes:
            from casemanager.services import caseload

            return caseload.export_csv(db, actor, title, headers, rows)

        self.context.ops.change(
            work, EXPORTED, lambda data: self._save(data, path), lane=Lane.CASELOAD
        )

    def _export_report(self) -> None:
        board = self.dashboard.board if self.dashboard is not None else None
        if board is None:
            return
        path = self.context.window.ask_save_path(
            "Save the caseload report", "Caseload report.pdf", "PDF files (*.pdf)"
        )
        if not path or self._refused(path):
            return
        db, actor = self.context.db, self.context.actor

        def work() -> bytes:
            from casemanager.services import caseload

            return caseload.export_report(db, actor, board)

        self.context.ops.change(
            work, EXPORTED, lambda data: self._save(data, path), lane=Lane.CASELOAD
        )
