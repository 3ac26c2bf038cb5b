"""The shell: open the clinic database, first start, log in and out, the idle lock, and quit.

Only the start window (its pages, login among them) is imported before the first window is
on screen; the main window and every feature are imported once someone has logged in.
SQLAlchemy, Alembic and the ICD-10-CM code set are imported by the database worker. The
service calls behind these steps are the start-up controller's (`startup/controller.py`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from casemanager import config
from casemanager.domain import login_memory
from casemanager.domain.errors import AuthenticationFailed, ValidationError, WrongPassphrase
from casemanager.ui import messages
from casemanager.ui.ops import Ops
from casemanager.ui.startup.controller import Created, Opened, StartupController
from casemanager.ui.startup.window import StartWindow

if TYPE_CHECKING:
    from PySide6.QtWidgets import QInputDialog

    from casemanager.db.engine import Database
    from casemanager.services.context import Actor
    from casemanager.ui.lock import IdleWatcher, Lock
    from casemanager.ui.main_window import MainWindow
    from casemanager.ui.patients.listing_audit import ListingAudit
    from casemanager.ui.workspace import Workspace

DEMO_PATIENTS = 1000  # big enough to feel real, quick enough to make on first run


class Shell(QObject):
    """Drives the start window, and the workspace of whoever is logged in."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.database_url = database_url
        self.workstation = config.workstation_name()
        self.db: Database | None = None
        self.clinic_name = ""
        self.actor: Actor | None = None
        self.workspace: Workspace | None = None
        # The list audits of logins ended: rows they may still owe are written at quit.
        self._ended: list[ListingAudit] = []
        self.start = StartWindow()
        self.ops = Ops(show_error=self._show_error, parent=self)
        self.startup = StartupController(self.ops, self.workstation)
        self.idle: IdleWatcher | None = None  # counts quiet minutes while someone is logged in
        self.lock: Lock | None = None  # the covers and unlock dialog, while locked
        self.passphrase_dialog: QInputDialog | None = None  # the open one, if any
        self.encrypted_file: Path | None = None  # the encrypted clinic file being opened
        self.ops.progress().connect(self.start.busy.set_progress)
        self.start.create_chosen.connect(self.start.show_create_clinic)
        self.start.demo_chosen.connect(self._make_demo)
        self.start.create_back.connect(self.start.show_welcome)
        self.start.create_submitted.connect(self._create_clinic)
        self.start.login_submitted.connect(self._log_in)

    @property
    def main_window(self) -> MainWindow | None:
        return self.workspace.window if self.workspace is not None else None

    def _show_error(self, error: BaseException) -> None:
        messages.show_error(self.main_window or self.start, error)

    # -- opening ---------------------------------------------------------------------------
    def open(self) -> None:
        self.start.show_busy("Opening the clinic database…")
        self.start.show()
        url = self.database_url
        encrypted_file = config.plain_sqlite_path(url)
        if encrypted_file is not None and config.looks_encrypted(encrypted_file):
            self._ask_passphrase(encrypted_file, "")
            return
        self.start.offer_encryption(config.encryption_available() and encrypted_file is not None)

        # Once the window is on screen: the worker's imports (SQLAlchemy, Alembic) would
        # otherwise compete with its drawing. The login page is built meanwhile.
        self.start.when_drawn(lambda: self.startup.open(url, self._opened, self._open_failed))
        self.start.when_drawn(self.start.prepare_pages)

    def _opened(self, result: Opened) -> None:
        self.db, clinic = result
        if clinic is None:
            self.start.show_welcome()
        else:
            self.clinic_name = clinic.name
            self.start.show_login(clinic.name, _demo_hint() if clinic.is_demo else None)
            self.startup.daily_backup(self.db, clinic.id, self._backup_failed)

    def _backup_failed(self, error: BaseException) -> None:
        messages.show_error(
            self.main_window or self.start, error, "Today's backup could not be made"
        )

    def _ask_passphrase(self, path: Path, problem: str) -> None:
        """The clinic's file is encrypted: its passphrase opens it (kept in memory only)."""
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        dialog = QInputDialog(self.start)
        dialog.setWindowTitle("Encrypted clinic database")
        dialog.setLabelText(
            (problem + "\n\n" if problem else "")
            + f"The clinic's database file is encrypted:\n{path}\n\nType its passphrase."
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_dialog = dialog
        self.encrypted_file = path

        def chosen(passphrase: str) -> None:
            self.database_url = config.encrypted_url(path, passphrase)
            self.open()

        dialog.textValueSelected.connect(chosen)
        dialog.rejected.connect(lambda: self.start.show_busy("The clinic database is locked."))
        dialog.open()

    def _open_failed(self, error: BaseException) -> None:
        if isinstance(error, WrongPassphrase) and self.encrypted_file is not None:
            self._ask_passphrase(self.encrypted_file, error.message)
            return
        self.start.show_busy("The clinic database could not be opened.")
        self.start.busy.bar.setRange(0, 1)
        messages.show_error(self.start, error, "Cannot open the clinic database")

    # -- first run -------------------------------------------------------------------------
    def _create_clinic(self) -> None:
        from casemanager.services.setup import NewClinic

        page = self.start.create_clinic
        region = page.chosen_region()
        new = NewClinic(
            name=page.clinic_name.text(),
            admin_username=page.username.text(),
            admin_display_name=page.display_name.text(),
            admin_password=page.password.text(),
            phone=page.phone.text() or None,
        )
        if region is not None:
            new = replace(new, phone_region=region)
        assert self.db is not None

        def created(made: Created) -> None:
            self.db, self.database_url = made.db, made.url
            self._logged_in(made.actor)

        def failed(error: BaseException) -> None:
            page.set_busy(False)
            if isinstance(error, ValidationError):
                page.show_error(error.field, error.message)
            else:
                self._show_error(error)

        page.set_busy(True)
        self.clinic_name = new.name.strip()
        passphrase = page.chosen_passphrase()
        self.startup.create_clinic(self.db, self.database_url, new, passphrase, created, failed)

    def _make_demo(self) -> None:
        self.start.show_busy(f"Creating a demo clinic with {DEMO_PATIENTS:,} made-up patients…")
        assert self.db is not None

        def failed(error: BaseException) -> None:
            self.start.show_welcome()
            self._show_error(error)

        self.startup.make_demo(self.db, DEMO_PATIENTS, self._opened, failed)

    # -- log in and out --------------------------------------------------------------------
    def _log_in(self) -> None:
        page = self.start.login
        assert self.db is not None

        def failed(error: BaseException) -> None:
            page.set_busy(False)
            if isinstance(error, AuthenticationFailed):
                page.show_error(error.message)
            else:
                self._show_error(error)

        page.set_busy(True)
        username, password = page.username.text(), page.password.text()
        self.startup.authenticate(self.db, username, password, self._logged_in, failed)

    def _logged_in(self, actor: Actor) -> None:
        # Imported now, not at start-up: the first window needs none of it.
        from casemanager.ui.lock import IdleWatcher
        from casemanager.ui.workspace import Workspace

        assert self.db is not None
        self.start.set_busy(False)
        self.actor = actor
        self.workspace = Workspace(self.ops, self.db, actor, self.clinic_name, self._show_error)
        self.workspace.window.log_out_requested.connect(self._log_out)
        self.workspace.window.show()
        self.start.hide()
        self.workspace.load()
        self.idle = IdleWatcher(config.idle_lock_minutes(), self)
        self.idle.idle.connect(self._lock)

    # -- locking when left alone -----------------------------------------------------------
    def _lock(self) -> None:
        actor = self.actor
        if self.lock is not None or actor is None:
            return
        from casemanager.ui.lock import Lock

        if self.idle is not None:
            self.idle.pause()
        lock = self.lock = Lock(actor.display_name, actor.username, self)
        lock.dialog.submitted.connect(self._unlock)
        lock.dialog.log_out_button.clicked.connect(self._log_out)
        lock.lifted.connect(lambda: self._lifted(lock))

    def _lifted(self, lock: Lock) -> None:
        """Ended by itself: the intake it stood beside was closed with the password."""
        if self.lock is lock:
            self.lock = None
            if self.idle is not None:
                self.idle.resume()

    def _unlock(self, password: str) -> None:
        db, actor, lock = self.db, self.actor, self.lock
        if actor is None or lock is None or db is None:
            return

        def done(_again: Actor) -> None:
            lock.lift()
            self.lock = None
            if self.idle is not None:
                self.idle.resume()

        def failed(error: BaseException) -> None:
            if isinstance(error, AuthenticationFailed):
                lock.dialog.show_error(error.message)
            else:
                lock.dialog.show_error(messages.classify(error)[0])

        # A full login (audited, with the waits after wrong passwords).
        self.startup.authenticate(db, actor.username, password, done, failed)

    def _stop_watching(self) -> None:
        if self.idle is not None:
            self.idle.stop()  # its app-wide filter and timer end with this session
            self.idle = None
        if self.lock is not None:
            self.lock.lift()
            self.lock = None

    def _log_out(self) -> None:
        db, actor = self.db, self.actor
        self._stop_watching()
        listed = self.workspace.listing_audit() if self.workspace is not None else None
        if listed is not None:
            listed.flush()  # the lists this user saw are audited before the logout's row
        if actor is not None and db is not None:
            self.startup.log_out(db, actor)
        self.actor = None
        workspace, self.workspace = self.workspace, None
        if workspace is not None:
            workspace.hide_records()  # saves what was typed first; nothing stays on screen
            workspace.stop_batches()  # between rounds: nothing more is read for this user
        self.start.login.username.clear()
        self.start.show_login(self.clinic_name)
        self.start.show()  # before closing the main window, or Qt quits with its last window
        if workspace is not None:
            audit = workspace.listing_audit()
            if audit is not None:
                self._ended.append(audit)
            workspace.close()
        # Nothing of this login's patients stays in the caches (rendered plans, phone
        # numbers, the batch's worker processes): emptied on each worker once the work
        # queued there (the saves above among it) is done, so none of it fills them again.
        self.ops.after_all_queued(login_memory.forget_everything)
        if db is not None:
            # So do the pooled connections, whose page caches hold the records read (SQLite):
            # closed once each worker is done with them, opened afresh at the next login.
            self.ops.once_all_queued(db.dispose)

    def shutdown(self) -> None:
        self._stop_watching()
        if self.workspace is not None:
            # An evaluation still open (its window outlived the main one) saves what was
            # typed while the worker still runs, and no autosave fires after it has stopped.
            self.workspace.hide_records()
            self.workspace.stop_batches()
        self.ops.shutdown()
        try:
            # The worker has stopped: whatever lists it had not audited yet, written now.
            audit = self.workspace.listing_audit() if self.workspace is not None else None
            failed: list[Exception] = []
            for waiting in [*self._ended, *([audit] if audit is not None else [])]:
                try:
                    waiting.write_waiting()
                except Exception as error:  # noqa: BLE001 - the other users' lists still go; raised below
                    failed.append(error)
            if failed:
                raise failed[0]
        finally:
            if self.db is not None:
                self.db.dispose()
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None


def _demo_hint() -> str:
    # Kept in step with services.demo.DEMO_STAFF (a test checks), without importing it here.
    return (
        "Demo accounts (password demo-password): alvarez, chen, okafor, nowak (therapists), "
        "manager (office manager), admin (administrator)."
    )
