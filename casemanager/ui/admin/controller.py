"""Administration: accounts, the audit log, and changing one's own password."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QTabWidget

from casemanager.domain.permissions import Permission
from casemanager.ui import messages
from casemanager.ui.admin.audit_view import AuditPanel
from casemanager.ui.admin.users import PasswordDialog, UserDialog, UsersPanel
from casemanager.ui.ops import Change, Changes, Lane

if TYPE_CHECKING:
    from casemanager.services.accounts import UserInfo
    from casemanager.services.audit_log import AuditRow, ChainReport
    from casemanager.ui.workspace import Context

AUDIT_ROWS_SHOWN = 5000  # the newest rows matching the filters; exports take them all
ACCOUNTS = Changes(Change.USERS)


class AdminController:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.tabs: QTabWidget | None = None
        self.users: UsersPanel | None = None
        self.audit: AuditPanel | None = None
        self._users_said = ""  # what the last account change did, shown with the new list
        self._audit_stale = False  # changes made while the log was out of sight
        context.listen(self._changed)

    # -- the Administration tab ----------------------------------------------------------------
    def show_panels(self) -> None:
        context = self.context
        self.tabs = QTabWidget()
        if context.may(Permission.MANAGE_USERS):
            self.users = self._users_panel()
            self.tabs.addTab(self.users, "&Users")
            self._read_users("")
        if context.may(Permission.VIEW_AUDIT_LOG):
            self.audit = self._audit_panel()
            self.tabs.addTab(self.audit, "Audit &log")
            self.audit.request()
        context.window.set_admin(self.tabs)
        self.tabs.currentChanged.connect(self._audit_in_sight)
        context.window.views.currentChanged.connect(self._audit_in_sight)

    def _changed(self, changes: Changes) -> None:
        if changes.touches(Change.USERS) and self.users is not None:
            said, self._users_said = self._users_said, ""
            self._read_users(said)
        if changes.touches(Change.AUDIT):
            self._audit_stale = True

    def _audit_in_sight(self, *_index: int) -> None:
        """Rows added meanwhile are read when the log comes into sight again: never while it
        is being read (the rows would move under the reader, a status be overwritten)."""
        if self.audit is not None and self._audit_stale and self.audit.isVisible():
            self._audit_stale = False
            self.audit.request()

    # -- accounts ------------------------------------------------------------------------------
    def _users_panel(self) -> UsersPanel:
        panel = UsersPanel(self.context.actor.user_id)
        panel.add_requested.connect(self._add_user)
        panel.role_requested.connect(self._set_role)
        panel.active_requested.connect(self._set_active)
        panel.reset_requested.connect(self._reset_password)
        return panel

    def _read_users(self, said: str) -> None:
        db, actor, panel = self.context.db, self.context.actor, self.users

        def work() -> list[UserInfo]:
            from casemanager.services import accounts

            return accounts.list_users(db, actor)

        def show(found: list[UserInfo]) -> None:
            if panel is not None:
                panel.show_users(found, said)

        self.context.ops.read(work, show)

    def _account_change(
        self, work: Callable[[], object], said: str, dialog: UserDialog | None = None
    ) -> None:
        panel = self.users

        def done(_result: object) -> None:
            self._users_said = said

        def failed(error: BaseException) -> None:
            text = messages.classify(error)[0]
            if dialog is not None:  # typed values stay in the dialog, shown again
                dialog.show_error(text)
                dialog.open()
            elif panel is not None:
                panel.message.setText(text)

        self.context.ops.change(work, ACCOUNTS, done, failed)

    def _add_user(self, dialog: UserDialog) -> None:
        from casemanager.services import accounts

        db, actor = self.context.db, self.context.actor
        new = accounts.NewUser(
            dialog.username.text(),
            dialog.full_name.text(),
            dialog.chosen_role(),
            dialog.password.text(),
            dialog.licence.text() or None,
        )
        self._account_change(
            lambda: accounts.create_user(db, actor, new), f"Added {new.username}.", dialog
        )

    def _set_role(self, user_id: int, dialog: UserDialog) -> None:
        from casemanager.services import accounts

        db, actor = self.context.db, self.context.actor
        chosen, licence = dialog.chosen_role(), dialog.licence.text() or None
        self._account_change(
            lambda: accounts.set_role(db, actor, user_id, chosen, licence),
            "Role changed: it applies from their next login.",
            dialog,
        )

    def _set_active(self, user_id: int, value: bool) -> None:
        from casemanager.services import accounts

        db, actor = self.context.db, self.context.actor
        said = "Reactivated." if value else "Deactivated: they can no longer log in."
        self._account_change(lambda: accounts.set_active(db, actor, user_id, value), said)

    def _reset_password(self, user_id: int, password: str) -> None:
        from casemanager.services import accounts

        db, actor = self.context.db, self.context.actor
        self._account_change(
            lambda: accounts.reset_password(db, actor, user_id, password),
            "New password set. Ask them to change it at their next login.",
        )

    def change_password(self) -> PasswordDialog:
        """One's own password, for every role."""
        context = self.context
        db, actor = context.db, context.actor
        dialog = PasswordDialog("Change your password", ask_current=True, parent=context.window)
        dialog.rejected.connect(dialog.deleteLater)  # a refusal opens it again, typing kept

        def submit() -> None:
            from casemanager.services import accounts

            current, new = dialog.current.text(), dialog.password.text()

            def failed(error: BaseException) -> None:
                dialog.show_error(messages.classify(error)[0])
                dialog.open()

            def done(_none: None) -> None:
                dialog.deleteLater()
                context.say("Your password is changed.")

            context.ops.change(
                lambda: accounts.change_password(db, actor, current, new),
                ACCOUNTS,
                done,
                failed,
            )

        dialog.accepted.connect(submit)
        dialog.open()
        return dialog

    # -- the audit log --------------------------------------------------------------------------
    def _audit_panel(self) -> AuditPanel:
        panel = AuditPanel(date.today())
        panel.search_requested.connect(self._search_audit)
        panel.export_requested.connect(self._export_audit)
        panel.verify_requested.connect(self._verify_chain)
        return panel

    def _audit_failed(self, error: BaseException) -> None:
        if self.audit is not None:
            self.audit.load_failed(messages.classify(error)[0])

    def _search_audit(self, filters: dict[str, Any]) -> None:
        from casemanager.services import audit_log

        db, actor, panel, limit = self.context.db, self.context.actor, self.audit, AUDIT_ROWS_SHOWN
        assert panel is not None

        def work() -> list[AuditRow]:
            return audit_log.search(db, actor, audit_log.AuditFilter(**filters), limit=limit)

        # Its own worker: checking a million rows never holds up autosave or searches.
        self.context.ops.read(
            work, lambda rows: panel.show_rows(rows, limit), self._audit_failed, Lane.ADMIN
        )

    def _verify_chain(self) -> None:
        from casemanager.services import audit_log

        db, actor, panel = self.context.db, self.context.actor, self.audit
        assert panel is not None

        def work() -> ChainReport:
            return audit_log.verify_chain(db, actor)

        self.context.ops.read(work, panel.show_verdict, self._audit_failed, Lane.ADMIN)

    def _export_audit(self, _title: str, _headers: object, _rows: object) -> None:
        from casemanager.services import audit_log

        context, panel = self.context, self.audit
        assert panel is not None
        path = context.window.ask_save_path(
            "Save the audit log", "audit-log.csv", "CSV files (*.csv)"
        )
        if not path:
            return
        db, actor, filt = context.db, context.actor, audit_log.AuditFilter(**panel.filters())

        def work() -> int:
            from casemanager import output_files

            # Never over the database: written beside the target, then renamed.
            with output_files.replacing(path, databases=[db.sqlite_path], text=True) as out:
                return audit_log.export_csv(db, actor, filt, out)

        def done(count: int) -> None:
            panel.status.setText(f"Saved {count:,} rows (every row the filters match) to {path}.")

        context.ops.change(work, Changes(Change.AUDIT), done, self._audit_failed, Lane.ADMIN)
