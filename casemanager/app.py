"""Start the desktop app: show a window first, then open the database in the background.

SQLAlchemy, Alembic and the ICD-10-CM code set are imported by the database worker after
the first window is on screen, never on the GUI thread's start-up path.
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QTabWidget

from casemanager import config
from casemanager.domain.enums import Role
from casemanager.domain.errors import DomainError, ValidationError, WrongPassphrase
from casemanager.domain.evaluation import GOAL_REPORT_KINDS
from casemanager.domain.permissions import Permission, has_permission
from casemanager.services.context import Actor
from casemanager.ui import messages
from casemanager.ui.admin.audit_view import AuditPanel
from casemanager.ui.admin.users import PasswordDialog, UsersPanel
from casemanager.ui.caseload.dashboard import CaseloadDashboard
from casemanager.ui.documents.dialog import BatchProgress, DocumentDialog
from casemanager.ui.evaluation.window import EvaluationWindow
from casemanager.ui.exercises.library import ExerciseLibraryDialog
from casemanager.ui.lock import IdleWatcher, Lock
from casemanager.ui.main_window import MainWindow
from casemanager.ui.patients.chart import ChartPanel
from casemanager.ui.patients.import_dialog import ImportDialog
from casemanager.ui.patients.list_widget import PatientListWidget
from casemanager.ui.patients.model import PatientTableModel
from casemanager.ui.patients.new_patient import NewPatientDialog
from casemanager.ui.patients.visit_dialog import VisitDialog
from casemanager.ui.startup.window import StartWindow
from casemanager.ui.tasks import TaskRunner

DEMO_PATIENTS = 1000  # big enough to feel real, quick enough to make on first run
AUDIT_ROWS_SHOWN = 5000  # the newest rows matching the filters; exports take them all


class Application(QObject):
    """Drives the start window and the main window; every database call goes to `tasks`."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.database_url = database_url
        self.workstation = config.workstation_name()
        self.db: Any = None  # casemanager.db.engine.Database, once opened
        self.clinic_name = ""
        self.actor: Actor | None = None
        self.main_window: MainWindow | None = None
        self.start = StartWindow()
        self.tasks = TaskRunner(default_error=self._show_error, parent=self)
        self.batch_tasks: TaskRunner | None = None  # started with the first batch
        self.caseload_tasks: TaskRunner | None = None  # started with the first dashboard
        self.batch_stop = threading.Event()  # set on quit: a running batch stops between plans
        self.idle: IdleWatcher | None = None  # counts quiet minutes while someone is logged in
        self.lock: Lock | None = None  # the covers and unlock dialog, while locked
        self.admin_tasks: TaskRunner | None = None  # started with the audit log
        self.backup_tasks: TaskRunner | None = None  # started with the daily backup
        self.passphrase_dialog: Any = None  # the open one, if any (for tests)
        self.encrypted_file: Any = None  # the encrypted clinic file being opened, if any
        self.tasks.progress.connect(self.start.busy.set_progress)
        self.start.welcome.create_chosen.connect(self.start.show_create_clinic)
        self.start.welcome.demo_chosen.connect(self._make_demo)
        self.start.create_clinic.back.connect(self.start.show_welcome)
        self.start.create_clinic.submitted.connect(self._create_clinic)
        self.start.login.submitted.connect(self._log_in)

    def _show_error(self, error: BaseException) -> None:
        messages.show_error(self.main_window or self.start, error)

    def _refusal_shown_by(
        self, show: Callable[[str | None, str], None], what: str
    ) -> Callable[[BaseException], None]:
        """A save that failed: a refusal goes beside its field, with what was typed kept; a
        fault says `what` could not be saved there and gets the error dialog too."""

        def failed(error: BaseException) -> None:
            if isinstance(error, DomainError):
                show(getattr(error, "field", None), error.message)
            else:
                show(None, f"{what} could not be saved.")
                self._show_error(error)

        return failed

    # -- opening ---------------------------------------------------------------------------
    def open(self) -> None:
        self.start.show_busy("Opening the clinic database…")
        self.start.show()
        url = self.database_url
        encrypted_file = config.plain_sqlite_path(url)
        if encrypted_file is not None and config.looks_encrypted(encrypted_file):
            self._ask_passphrase(encrypted_file, "")
            return
        self.start.create_clinic.offer_encryption(
            config.encryption_available() and encrypted_file is not None
        )

        def work() -> tuple[Any, Any]:
            from casemanager.services import setup

            db, _result = setup.open_database(url, config.backup_dir())
            return db, setup.clinic_info(db)

        self.tasks.run(work, self._opened, self._open_failed)

    def _opened(self, result: tuple[Any, Any]) -> None:
        self.db, clinic = result
        if clinic is None:
            self.start.show_welcome()
        else:
            self.clinic_name = clinic.name
            self.start.show_login(clinic.name, _demo_hint() if clinic.is_demo else None)
            self._daily_backup(clinic.id)

    def _daily_backup(self, clinic_id: int) -> None:
        """Today's copy of an embedded database, on its own worker while the user logs in."""
        db = self.db
        if self.backup_tasks is None:
            self.backup_tasks = TaskRunner(default_error=self._show_error, parent=self)

        def work() -> Any:
            from casemanager.services import backup

            folder = config.backup_dir() / "daily"
            return backup.daily(db, Actor.command_line(clinic_id), folder)

        def failed(error: BaseException) -> None:
            messages.show_error(
                self.main_window or self.start, error, "Today's backup could not be made"
            )

        self.backup_tasks.run(work, lambda _path: None, failed)

    def _ask_passphrase(self, path: Any, problem: str) -> None:
        """The clinic's file is encrypted: its passphrase opens it (kept in memory only)."""
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        dialog = QInputDialog(self.start)
        dialog.setWindowTitle("Encrypted clinic database")
        dialog.setLabelText(
            (problem + "\n\n" if problem else "")
            + f"The clinic's database file is encrypted:\n{path}\n\nType its passphrase."
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_dialog = dialog  # for tests
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
        db, workstation, url = self.db, self.workstation, self.database_url
        passphrase = page.chosen_passphrase()

        def work() -> Actor:
            from casemanager.services import encryption, setup

            if passphrase is None:
                return setup.create_clinic(db, new, workstation)
            encryption.check_passphrase(passphrase)  # before anything is written
            actor = setup.create_clinic(db, new, workstation)
            db.dispose()
            done = encryption.encrypt_database(url, passphrase)
            self._reopen(done.url)
            return actor

        def failed(error: BaseException) -> None:
            page.set_busy(False)
            if isinstance(error, ValidationError):
                page.show_error(error.field, error.message)
            else:
                self._show_error(error)

        page.set_busy(True)
        self.clinic_name = new.name.strip()
        self.tasks.run(work, self._logged_in, failed)

    def _reopen(self, url: str) -> None:
        """From the worker: the same clinic, now through `url` (after encrypting it)."""
        from casemanager.db.engine import Database

        self.database_url = url
        self.db = Database(url)

    def _make_demo(self) -> None:
        self.start.show_busy(f"Creating a demo clinic with {DEMO_PATIENTS:,} made-up patients…")
        db, report = self.db, self.tasks.report_progress

        def work() -> Any:
            from casemanager.services import demo, setup

            demo.generate_demo_clinic(
                db,
                patients=DEMO_PATIENTS,
                progress=report,
                actor_name=f"os:{config.operating_system_user()}",  # nobody has logged in yet
                workstation=config.workstation_name(),
            )
            return db, setup.clinic_info(db)

        def failed(error: BaseException) -> None:
            self.start.show_welcome()
            self._show_error(error)

        self.tasks.run(work, self._opened, failed)

    # -- log in and out --------------------------------------------------------------------
    def _log_in(self) -> None:
        page = self.start.login
        username, password = page.username.text(), page.password.text()
        db, workstation = self.db, self.workstation

        def work() -> Actor:
            from casemanager.services import accounts

            return accounts.authenticate(db, username, password, workstation)

        def failed(error: BaseException) -> None:
            page.set_busy(False)
            from casemanager.domain.errors import AuthenticationFailed

            if isinstance(error, AuthenticationFailed):
                page.show_error(error.message)
            else:
                self._show_error(error)

        page.set_busy(True)
        self.tasks.run(work, self._logged_in, failed)

    def _logged_in(self, actor: Actor) -> None:
        self.start.login.set_busy(False)
        self.start.create_clinic.set_busy(False)
        self.actor = actor
        window = MainWindow(actor, self.clinic_name)
        window.log_out_requested.connect(self._log_out)
        window.refresh_requested.connect(self._refresh)
        window.exercise_library_requested.connect(lambda: self._exercise_library(window, actor))
        self.main_window = window
        window.show()
        self.start.hide()
        self._refresh()
        self._load_patient_list(window, actor)
        self._load_admin(window, actor)
        window.change_password_requested.connect(lambda: self._change_password(window, actor))
        window.import_requested.connect(lambda: self._import_patients(window, actor))
        window.export_patient_requested.connect(lambda: self._export_patient(window, actor))
        window.export_patient_action.setVisible(has_permission(actor.role, Permission.EXPORT_DATA))
        window.import_action.setVisible(has_permission(actor.role, Permission.EDIT_DEMOGRAPHICS))
        self.idle = IdleWatcher(config.idle_lock_minutes(), self)
        self.idle.idle.connect(self._lock)

    # -- administration: accounts and the audit log ---------------------------------------
    def _load_admin(self, window: MainWindow, actor: Actor) -> None:
        can_users = has_permission(actor.role, Permission.MANAGE_USERS)
        can_audit = has_permission(actor.role, Permission.VIEW_AUDIT_LOG)
        if not (can_users or can_audit):
            return
        tabs = QTabWidget()
        if can_users:
            tabs.addTab(self._users_panel(actor), "&Users")
        if can_audit:
            tabs.addTab(self._audit_panel(window, actor), "Audit &log")
        window.set_admin(tabs)

    def _users_panel(self, actor: Actor) -> UsersPanel:
        from casemanager.services import accounts

        db, panel = self.db, UsersPanel(actor.user_id)

        def reload(message: str = "") -> None:
            def show(found: Any) -> None:
                panel.show_users(found, message)

            self.tasks.run(lambda: accounts.list_users(db, actor), show)

        def change(work: Callable[[], Any], done: str, dialog: Any = None) -> None:
            def failed(error: BaseException) -> None:
                text = messages.classify(error)[0]
                if dialog is not None:  # typed values stay in the dialog, shown again
                    dialog.show_error(text)
                    dialog.open()
                else:
                    panel.message.setText(text)

            self.tasks.run(work, lambda _result: reload(done), failed)

        def add(dialog: Any) -> None:
            new = accounts.NewUser(
                dialog.username.text(),
                dialog.full_name.text(),
                dialog.chosen_role(),
                dialog.password.text(),
                dialog.licence.text() or None,
            )
            change(lambda: accounts.create_user(db, actor, new), f"Added {new.username}.", dialog)

        def role(user_id: int, dialog: Any) -> None:
            chosen, licence = dialog.chosen_role(), dialog.licence.text() or None
            change(
                lambda: accounts.set_role(db, actor, user_id, chosen, licence),
                "Role changed: it applies from their next login.",
                dialog,
            )

        def active(user_id: int, value: bool) -> None:
            done = "Reactivated." if value else "Deactivated: they can no longer log in."
            change(lambda: accounts.set_active(db, actor, user_id, value), done)

        def reset(user_id: int, password: str) -> None:
            change(
                lambda: accounts.reset_password(db, actor, user_id, password),
                "New password set. Ask them to change it at their next login.",
            )

        panel.add_requested.connect(add)
        panel.role_requested.connect(role)
        panel.active_requested.connect(active)
        panel.reset_requested.connect(reset)
        reload()
        return panel

    def _audit_panel(self, window: MainWindow, actor: Actor) -> AuditPanel:
        from datetime import date

        from casemanager.services import audit_log

        db, panel = self.db, AuditPanel(date.today())
        if self.admin_tasks is None:
            # Its own worker: checking a million rows never holds up autosave or searches.
            self.admin_tasks = TaskRunner(default_error=self._show_error, parent=self)
        tasks = self.admin_tasks

        def failed(error: BaseException) -> None:
            panel.load_failed(messages.classify(error)[0])

        def search(filters: dict[str, Any]) -> None:
            limit = AUDIT_ROWS_SHOWN
            tasks.run(
                lambda: audit_log.search(db, actor, audit_log.AuditFilter(**filters), limit=limit),
                lambda rows: panel.show_rows(rows, limit),
                failed,
            )

        def export(_title: str, _headers: Any, _rows: Any) -> None:
            path = window.ask_save_path("Save the audit log", "audit-log.csv", "CSV files (*.csv)")
            if not path:
                return
            filt = audit_log.AuditFilter(**panel.filters())

            def work() -> int:
                from casemanager import output_files

                # Never over the database: written beside the target, then renamed.
                live = [db.sqlite_path]
                with output_files.replacing(path, databases=live, text=True) as out:
                    return audit_log.export_csv(db, actor, filt, out)

            def done(count: int) -> None:
                panel.status.setText(
                    f"Saved {count:,} rows (every row the filters match) to {path}."
                )

            tasks.run(work, done, failed)

        panel.search_requested.connect(search)
        panel.export_requested.connect(export)
        panel.verify_requested.connect(
            lambda: tasks.run(lambda: audit_log.verify_chain(db, actor), panel.show_verdict, failed)
        )
        panel.request()
        return panel

    def _export_patient(self, window: MainWindow, actor: Actor) -> None:
        """The open chart's patient as FHIR R4 NDJSON, in a folder the user picks."""
        from pathlib import Path

        patient_id = getattr(window.details, "patient_id", None)
        if patient_id is None:
            window.statusBar().showMessage("Open a patient's chart first.", 10_000)
            return
        folder = window.ask_folder("Folder for the patient's FHIR record")
        if not folder:
            return
        db = self.db

        def work() -> Any:
            from casemanager.services import fhir_export

            return fhir_export.export(db, actor, Path(folder), patient_id=patient_id)

        def done(result: Any) -> None:
            total = sum(result.counts.values())
            window.statusBar().showMessage(
                f"Exported {total} FHIR resources to {result.folder}.", 15_000
            )

        self.tasks.run(work, done)

    def _import_patients(self, window: MainWindow, actor: Actor) -> None:
        from pathlib import Path

        path = window.ask_open_path(
            "Import patients", "Patient files (*.csv *.txt *.ndjson *.json);;All files (*)"
        )
        if not path:
            return
        try:
            dialog = ImportDialog(Path(path), window)
        except DomainError as refused:
            messages.show_error(window, refused, "Cannot import this file")
            return
        window.import_dialog = dialog
        db = self.db

        def run(path: Any, mapping: Any, dry_run: bool) -> None:
            def work() -> Any:
                from casemanager.interop import patient_files
                from casemanager.services import patient_import

                candidates = patient_files.read_candidates(path, mapping)
                return patient_import.import_patients(db, actor, candidates, dry_run=dry_run)

            def done(report: Any) -> None:
                dialog.show_report(report, imported=not dry_run)
                if not dry_run and report.imported:
                    self._refresh()

            self.tasks.run(
                work, done, lambda error: dialog.show_failure(messages.classify(error)[0])
            )

        dialog.check_requested.connect(lambda path, mapping: run(path, mapping, True))
        dialog.import_requested.connect(lambda path, mapping: run(path, mapping, False))
        dialog.open()

    def _change_password(self, window: MainWindow, actor: Actor) -> None:
        from casemanager.services import accounts

        db = self.db
        dialog = PasswordDialog("Change your password", ask_current=True, parent=window)
        window.password_dialog = dialog  # for tests

        def submit() -> None:
            current, new = dialog.current.text(), dialog.password.text()

            def failed(error: BaseException) -> None:
                dialog.show_error(messages.classify(error)[0])
                dialog.open()

            def done(_none: None) -> None:
                window.statusBar().showMessage("Your password is changed.", 10_000)

            self.tasks.run(lambda: accounts.change_password(db, actor, current, new), done, failed)

        dialog.accepted.connect(submit)
        dialog.open()

    # -- locking when left alone -----------------------------------------------------------
    def _lock(self) -> None:
        actor = self.actor
        if self.lock is not None or actor is None:
            return
        if self.idle is not None:
            self.idle.pause()
        self.lock = Lock(actor.display_name, actor.username, self)
        self.lock.dialog.submitted.connect(self._unlock)
        self.lock.dialog.log_out_button.clicked.connect(self._log_out)

    def _unlock(self, password: str) -> None:
        db, actor, workstation, lock = self.db, self.actor, self.workstation, self.lock
        if actor is None or lock is None:
            return

        def work() -> Actor:
            from casemanager.services import accounts

            # A full login (audited, with the waits after wrong passwords).
            return accounts.authenticate(db, actor.username, password, workstation)

        def done(_again: Actor) -> None:
            lock.lift()
            self.lock = None
            if self.idle is not None:
                self.idle.resume()

        def failed(error: BaseException) -> None:
            from casemanager.domain.errors import AuthenticationFailed

            if isinstance(error, AuthenticationFailed):
                lock.dialog.show_error(error.message)
            else:
                lock.dialog.show_error(messages.classify(error)[0])

        self.tasks.run(work, done, failed)

    def _load_patient_list(self, window: MainWindow, actor: Actor) -> None:
        db = self.db

        def therapists() -> list[tuple[int, str]]:
            from casemanager.services import accounts

            users = accounts.list_users(db, actor, role=Role.THERAPIST)
            return [(u.id, u.display_name) for u in users if u.active]

        def fetch(query: Any, offset: int, limit: int, deliver: Any) -> None:
            def work() -> Any:
                from casemanager.services import patients

                return patients.list_patients(db, actor, query, offset=offset, limit=limit)

            def failed(error: BaseException) -> None:
                model.load_failed()
                self._show_error(error)

            self.tasks.run(work, deliver, failed)

        model = PatientTableModel(fetch)
        details = ChartPanel(can_evaluate=actor.role == Role.THERAPIST)
        details.chart_shown.connect(window.widen_chart)

        def refresh_chart() -> None:
            if details.patient_id is not None:
                open_patient(details.patient_id)

        details.start_evaluation.connect(
            lambda pid: self._start_evaluation(window, actor, pid, details, refresh_chart)
        )
        details.open_evaluation.connect(
            lambda eid: self._open_evaluation(window, actor, eid, details, refresh_chart)
        )
        details.follow_up.connect(
            lambda episode, kind: self._start_follow_up(
                window, actor, episode, kind, details, refresh_chart
            )
        )
        details.print_requested.connect(
            lambda pid: self._documents(window, actor, pid, details, refresh_chart)
        )
        details.record_visit.connect(
            lambda pid: self._record_visit(window, actor, pid, refresh_chart)
        )
        details.record_referral_outcome.connect(
            lambda _pid: self._record_referral_outcome(window, actor, details, refresh_chart)
        )

        def open_patient(patient_id: int) -> None:
            def work() -> Any:
                from casemanager.services import chart

                return chart.open_chart(db, actor, patient_id)

            self.tasks.run(work, details.show_chart)

        def build(therapist_list: list[tuple[int, str]]) -> None:
            if self.main_window is not window:
                return  # logged out meanwhile
            patient_list = PatientListWidget(model, therapist_list, actor.user_id)
            model.setParent(patient_list)  # Qt owns it from here: freed with the window
            patient_list.open_patient.connect(open_patient)
            window.set_patient_list(patient_list, details)
            window.new_patient_requested.connect(
                lambda: self._new_patient(window, patient_list, therapist_list, open_patient)
            )
            window.batch_export_requested.connect(
                lambda: self._export_batch(window, actor, patient_list)
            )
            patient_list.apply_filters()
            self._load_caseload(window, actor, therapist_list, open_patient)

        self.tasks.run(therapists, build)

    # -- the caseload review -----------------------------------------------------------------
    def _load_caseload(
        self,
        window: MainWindow,
        actor: Actor,
        therapist_list: list[tuple[int, str]],
        open_patient: Callable[[int], None],
    ) -> None:
        if not has_permission(actor.role, Permission.VIEW_CASELOAD):
            return
        from datetime import date

        db = self.db
        if self.caseload_tasks is None:
            # Its own worker: a slow query at 100,000 patients never holds up a search.
            self.caseload_tasks = TaskRunner(default_error=self._show_error, parent=self)
        tasks = self.caseload_tasks
        is_therapist = actor.role == Role.THERAPIST
        dashboard = CaseloadDashboard(
            therapist_list,
            today=date.today(),
            own_therapist_id=actor.user_id if is_therapist else None,
            show_worklist=has_permission(actor.role, Permission.VIEW_CLINICAL),
            can_export=has_permission(actor.role, Permission.EXPORT_DATA),
        )
        window.set_caseload(
            dashboard,
            "My &caseload" if is_therapist else "&Caseload",
            first=actor.role == Role.OFFICE_MANAGER,
        )

        def refresh(filt: Any) -> None:
            def work() -> Any:
                from casemanager.services import caseload

                return caseload.dashboard(db, actor, filt)

            def failed(error: BaseException) -> None:
                dashboard.load_failed(messages.classify(error)[0])
                self._show_error(error)

            tasks.run(work, dashboard.show_dashboard, failed)

        def open_chart(patient_id: int) -> None:
            window.show_patients()
            open_patient(patient_id)  # read-only for a manager; audited by the service

        def save(data: bytes, path: str) -> None:
            from casemanager import output_files

            try:  # never over the database; a failure leaves the old file as it was
                output_files.write_bytes(path, data, databases=[db.sqlite_path])
            except DomainError as error:
                self._show_error(error)
                return
            window.statusBar().showMessage(f"Saved {path}", 8000)

        def refused(path: str) -> bool:
            """Checked before the export is made (and audited): a refused path costs nothing."""
            from casemanager import output_files

            try:
                output_files.check(path, databases=[db.sqlite_path])
            except DomainError as error:
                self._show_error(error)
                return True
            return False

        def export_csv(title: str, headers: list[str], rows: list[list[str]]) -> None:
            path = window.ask_save_path(
                f"Save {title.lower()} as CSV", f"{title}.csv", "CSV files (*.csv)"
            )
            if not path or refused(path):
                return

            def work() -> bytes:
                from casemanager.services import caseload

                return caseload.export_csv(db, actor, title, headers, rows)

            tasks.run(work, lambda data: save(data, path))

        def export_report() -> None:
            board = dashboard.board
            if board is None:
                return
            path = window.ask_save_path(
                "Save the caseload report", "Caseload report.pdf", "PDF files (*.pdf)"
            )
            if not path or refused(path):
                return

            def work() -> bytes:
                from casemanager.services import caseload

                return caseload.export_report(db, actor, board)

            tasks.run(work, lambda data: save(data, path))

        dashboard.refresh_requested.connect(refresh)
        dashboard.open_patient.connect(open_chart)
        dashboard.export_csv_requested.connect(export_csv)
        dashboard.export_report_requested.connect(export_report)
        window.refresh_requested.connect(dashboard.request_refresh)
        dashboard.request_refresh()

    # -- evaluations -------------------------------------------------------------------------
    def _start_evaluation(
        self,
        window: MainWindow,
        actor: Actor,
        patient_id: int,
        details: ChartPanel,
        refresh: Callable[[], None],
    ) -> None:
        db = self.db

        def work() -> Any:
            from casemanager.services import evaluations, plans

            record = evaluations.start_initial_evaluation(
                db, actor, patient_id, "Low back pain with spasm"
            )
            return record, None, plans.list_exercises(db, actor)

        def opened(result: Any) -> None:
            self._show_evaluation(window, actor, result, details, refresh)
            refresh()

        self.tasks.run(work, opened)

    def _start_follow_up(
        self,
        window: MainWindow,
        actor: Actor,
        episode_id: int,
        kind: str,
        details: ChartPanel,
        refresh: Callable[[], None],
    ) -> None:
        db = self.db

        def work() -> Any:
            from casemanager.domain.enums import EvaluationKind
            from casemanager.services import follow_up, plans

            record = follow_up.start_follow_up(db, actor, episode_id, EvaluationKind(kind))
            plan = plans.get_plan(db, actor, record.id)
            return record, plan, plans.list_exercises(db, actor, _exercises_of(plan))

        def opened(result: Any) -> None:
            self._show_evaluation(window, actor, result, details, refresh)
            refresh()

        self.tasks.run(work, opened)

    def _open_evaluation(
        self,
        window: MainWindow,
        actor: Actor,
        evaluation_id: int,
        details: ChartPanel,
        refresh: Callable[[], None],
    ) -> None:
        db = self.db
        open_now: Any = window.evaluation_window
        if open_now is not None and open_now.record.id == evaluation_id:
            open_now.raise_()  # already on screen, perhaps with typing not yet saved
            open_now.activateWindow()
            return

        def work() -> Any:
            from casemanager.services import evaluations, plans

            record = evaluations.get_evaluation(db, actor, evaluation_id)
            plan = plans.get_plan(db, actor, record.id)
            return record, plan, plans.list_exercises(db, actor, _exercises_of(plan))

        self.tasks.run(
            work, lambda opened: self._show_evaluation(window, actor, opened, details, refresh)
        )

    def _show_evaluation(
        self,
        window: MainWindow,
        actor: Actor,
        opened: Any,
        details: ChartPanel,
        refresh: Callable[[], None],
    ) -> None:
        record, plan, exercises = opened
        db, evaluation_id = self.db, record.id
        if window.evaluation_window is not None:
            window.evaluation_window.close()  # one at a time: it saves what was typed

        def save_plan(content: Any, version: int | None, done: Any, failed: Any) -> None:
            def work() -> Any:
                from casemanager.services import plans

                return plans.save_plan(db, actor, evaluation_id, version, content)

            self.tasks.run(work, done, failed)

        def save(content: Any, version: int, done: Any, failed: Any) -> None:
            def work() -> Any:
                from casemanager.services import evaluations

                return evaluations.save_draft(db, actor, evaluation_id, version, content)

            self.tasks.run(work, done, failed)

        def sign(version: int, done: Any, failed: Any) -> None:
            def work() -> Any:
                from casemanager.services import evaluations

                return evaluations.sign(db, actor, evaluation_id, version)

            def signed(result: Any) -> None:
                done(result)
                refresh()  # the chart shows the signature, referrals, or the discharge

            self.tasks.run(work, signed, failed)

        def add_addendum(text: str, done: Any, failed: Any) -> None:
            def work() -> Any:
                from casemanager.services import evaluations

                return evaluations.add_addendum(db, actor, evaluation_id, text)

            self.tasks.run(work, done, failed)

        def search_codes(text: str, done: Any) -> None:
            def work() -> Any:
                from casemanager.services import evaluations

                return evaluations.search_codes(db, actor, text)

            self.tasks.run(work, done)

        def discard(done: Any, failed: Any) -> None:
            def work() -> None:
                from casemanager.services import evaluations

                evaluations.discard_draft(db, actor, evaluation_id)

            self.tasks.run(work, done, failed)

        def load_current(done: Any, failed: Any) -> None:
            def work() -> Any:
                from casemanager.services import evaluations

                return evaluations.get_evaluation(db, actor, evaluation_id)

            self.tasks.run(work, done, failed)

        def save_goals(assessments: Any, done: Any, failed: Any) -> None:
            def work() -> Any:
                from casemanager.services import goal_progress

                return goal_progress.save_goal_assessments(db, actor, evaluation_id, assessments)

            self.tasks.run(work, done, failed)

        screen = EvaluationWindow(
            record,
            plan,
            exercises,
            details.name.text(),
            save,
            save_plan,
            sign,
            add_addendum,
            search_codes,
            discard if actor.user_id == record.therapist_id else None,
            load_current,
            save_goals=save_goals,
        )
        screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if record.kind in GOAL_REPORT_KINDS:

            def load_goals() -> Any:
                from casemanager.services import goal_progress

                return goal_progress.goals_to_judge(db, actor, evaluation_id)

            def goals_loaded(judging: Any) -> None:
                if window.evaluation_window is screen:  # not closed meanwhile
                    screen.show_goals(judging)

            self.tasks.run(load_goals, goals_loaded)
        plan_section = screen.form.plan
        plan_section.show_certification(plan.certification if plan is not None else None)

        def certify(certification: Any) -> None:
            def work() -> Any:
                from casemanager.services import plans

                return plans.record_certification(db, actor, evaluation_id, certification)

            def done(saved: Any) -> None:
                plan_section.show_certification(saved.certification)
                refresh()  # the chart's certification warning and timeline

            failed = self._refusal_shown_by(
                plan_section.show_certification_error, "The certification"
            )
            self.tasks.run(work, done, failed)

        plan_section.certification_requested.connect(certify)
        if actor.user_id != record.therapist_id:
            screen.form.set_read_only(True)  # the service refuses anyway; say so up front
            screen.sign_button.hide()
        window.evaluation_window = screen

        def closed() -> None:
            if window.evaluation_window is screen:
                window.evaluation_window = None
            refresh()  # queued after the closing save on the one database worker

        screen.closed.connect(closed)
        screen.show()

    def _record_visit(
        self, window: MainWindow, actor: Actor, patient_id: int, refresh: Any
    ) -> None:
        db = self.db

        def find() -> Any:
            from casemanager.services import visits

            episode = visits.current_episode(db, actor, patient_id)
            if episode is None:
                return None
            progress = visits.progress(db, actor, episode)
            return episode, progress, visits.goals_to_assess(db, actor, episode)

        def found(result: Any) -> None:
            if result is None:
                window.statusBar().showMessage(
                    "No open episode of care: start and sign an evaluation first.", 10_000
                )
                return
            episode, progress, goals = result
            dialog = VisitDialog(progress.progress_report_text, goals, window)
            window.visit_dialog = dialog
            dialog.finished.connect(lambda _r: setattr(window, "visit_dialog", None))
            dialog.finished.connect(dialog.deleteLater)

            def submitted(values: dict[str, Any]) -> None:
                def work() -> Any:
                    from casemanager.services import visits

                    return visits.record_visit(db, actor, episode, visits.VisitContent(**values))

                def done(_visit: Any) -> None:
                    dialog.accept()
                    window.statusBar().showMessage("Visit recorded.", 8000)
                    refresh()

                self.tasks.run(work, done, self._refusal_shown_by(dialog.show_error, "The visit"))

            dialog.submitted.connect(submitted)
            dialog.open()

        self.tasks.run(find, found)

    def _record_referral_outcome(
        self, window: MainWindow, actor: Actor, details: ChartPanel, refresh: Any
    ) -> None:
        from casemanager.ui.patients.referral_outcome import ReferralOutcomeDialog

        db = self.db
        dialog = ReferralOutcomeDialog(list(details.chart.open_red_flags), window)
        window.referral_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(window, "referral_dialog", None))
        dialog.finished.connect(dialog.deleteLater)

        def submitted(values: dict[str, Any]) -> None:
            def work() -> Any:
                from casemanager.services import referrals

                referral_id = values.pop("referral_id")
                return referrals.record_outcome(
                    db, actor, referral_id, referrals.ReferralOutcome(**values)
                )

            def done(_result: Any) -> None:
                dialog.accept()
                window.statusBar().showMessage("Referral outcome recorded.", 8000)
                refresh()

            self.tasks.run(work, done, self._refusal_shown_by(dialog.show_error, "The outcome"))

        dialog.submitted.connect(submitted)
        dialog.open()

    def _new_patient(
        self,
        window: MainWindow,
        patient_list: PatientListWidget,
        therapists: list[tuple[int, str]],
        open_patient: Any,
    ) -> None:
        db, actor = self.db, self.actor
        if actor is None:
            return
        mine = actor.user_id if any(t[0] == actor.user_id for t in therapists) else None
        dialog = NewPatientDialog(therapists, mine, window)
        window.new_patient_dialog = dialog

        def failed(error: BaseException) -> None:
            if isinstance(error, ValidationError):
                dialog.show_error(error.field, error.message)
            else:
                dialog.set_busy(False)
                self._show_error(error)

        def created(record: Any) -> None:
            dialog.accept()
            window.statusBar().showMessage(
                f"Registered {record.fields.given_name} {record.fields.family_name}, "
                f"MRN {record.mrn}.",
                10_000,
            )
            self._refresh()
            patient_list.model.set_query(patient_list.model.query)
            open_patient(record.id)

        def create(fields: Any) -> None:
            def work() -> Any:
                from casemanager.services import patients

                return patients.create_patient(db, actor, fields)

            self.tasks.run(work, created, failed)

        def submitted(fields: Any) -> None:
            if dialog.confirmed_duplicates:
                create(fields)
                return

            def check() -> Any:
                from casemanager.services import patients

                return patients.possible_duplicates(
                    db, actor, fields.given_name, fields.family_name, fields.date_of_birth
                )

            def checked(found: list[Any]) -> None:
                if found:
                    dialog.show_duplicates(found)
                else:
                    create(fields)

            self.tasks.run(check, checked, failed)

        dialog.submitted.connect(submitted)
        dialog.finished.connect(lambda _result: setattr(window, "new_patient_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()  # not exec(): the window stays responsive, and tests can drive it

    def _documents(
        self,
        window: MainWindow,
        actor: Actor,
        patient_id: int,
        details: ChartPanel,
        refresh: Callable[[], None],
    ) -> None:
        db = self.db

        def find() -> Any:
            from casemanager.reports import wording
            from casemanager.services import documents, patients

            evaluation_id = documents.latest_signed_evaluation(db, actor, patient_id)
            snapshot = documents.snapshot(db, actor, evaluation_id)
            record = patients.get_patient(db, actor, patient_id)
            return (
                evaluation_id,
                bool(snapshot.referrals),
                record.fields.preferred_language,
                wording.languages(),
                documents.unprintable(snapshot),
            )

        def found(result: Any) -> None:
            evaluation_id, has_referrals, language, languages, unprintable = result

            def render(
                kind: str,
                language: str,
                large: bool,
                action: str,
                password: str | None,
                done: Any,
                failed: Any,
            ) -> None:
                def work() -> bytes:
                    from casemanager.domain.enums import AuditAction
                    from casemanager.services import documents

                    return documents.render(
                        db,
                        actor,
                        evaluation_id,
                        documents.DocumentKind(kind),
                        language=language,
                        large_print=large,
                        action=AuditAction(action),
                        password=password,
                    )

                def printed(pdf: bytes) -> None:
                    done(pdf)
                    if action != "read":
                        refresh()  # the timeline lists what was printed

                self.tasks.run(work, printed, failed)

            dialog = DocumentDialog(
                details.name.text(),
                languages,
                language,
                has_referrals,
                render,
                window,
                unprintable=unprintable,
                live_database=db.sqlite_path,
            )
            window.document_dialog = dialog
            dialog.finished.connect(lambda _r: setattr(window, "document_dialog", None))
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()
            dialog.preview()

        self.tasks.run(find, found)

    def _export_batch(
        self, window: MainWindow, actor: Actor, patient_list: PatientListWidget
    ) -> None:
        ids = patient_list.selected_patient_ids()
        if not ids:
            window.statusBar().showMessage(
                "Select patients in the list first (Ctrl+click or Shift+click).", 10_000
            )
            return
        folder = window.ask_folder()
        if not folder:
            return
        if self.batch_tasks is None:
            # Its own worker thread: the chart, searches and autosave go on meanwhile.
            self.batch_tasks = TaskRunner(default_error=self._show_error, parent=self)
        runner = self.batch_tasks
        if runner.is_busy():
            window.statusBar().showMessage("A batch is already being written.", 10_000)
            return
        self.batch_stop = threading.Event()
        db, stop = self.db, self.batch_stop
        progress = BatchProgress(len(ids), window)
        progress.canceled.connect(stop.set)
        window.batch_progress = progress
        runner.progress.connect(progress.moved)
        progress.show()
        report = runner.report_progress

        def work() -> Any:
            from pathlib import Path

            from casemanager.services import batch

            return batch.export_take_home_plans(
                db, actor, ids, Path(folder), progress=report, cancelled=stop.is_set
            )

        def finish() -> None:
            runner.progress.disconnect(progress.moved)
            progress.close()
            progress.deleteLater()
            window.batch_progress = None

        def done(result: Any) -> None:
            finish()
            said = f"Wrote {len(result.written):,} take-home plans to {folder}"
            if result.cancelled:
                said += " before you cancelled"
            if result.skipped:
                said += f"; {len(result.skipped)} skipped (no signed evaluation yet)"
            window.statusBar().showMessage(said + ".", 30_000)

        def failed(error: BaseException) -> None:
            finish()
            self._show_error(error)

        runner.run(work, done, failed)

    def _exercise_library(self, window: MainWindow, actor: Actor) -> None:
        if window.exercise_library is not None:
            window.exercise_library.raise_()
            window.exercise_library.activateWindow()
            return
        db = self.db

        def save(exercise_id: Any, version: Any, content: Any, done: Any, failed: Any) -> None:
            def work() -> Any:
                from casemanager.services import exercises

                return exercises.save_exercise(db, actor, exercise_id, version, content)

            self.tasks.run(work, done, failed)

        def set_image(exercise_id: int, data: bytes | None, done: Any, failed: Any) -> None:
            def work() -> Any:
                from casemanager.services import exercises

                return exercises.set_image(db, actor, exercise_id, data)

            self.tasks.run(work, done, failed)

        def get_image(exercise_id: int, done: Any) -> None:
            def work() -> Any:
                from casemanager.services import exercises

                return exercises.get_image(db, actor, exercise_id)

            self.tasks.run(work, done)

        can_edit = has_permission(actor.role, Permission.EDIT_EXERCISE_LIBRARY)
        dialog = ExerciseLibraryDialog(can_edit, save, set_image, get_image, window)
        window.exercise_library = dialog
        dialog.finished.connect(lambda _r: setattr(window, "exercise_library", None))
        dialog.finished.connect(dialog.deleteLater)

        def load() -> Any:
            from casemanager.services import exercises

            return exercises.list_library(db, actor)

        self.tasks.run(load, dialog.show_library)
        dialog.open()

    def _refresh(self) -> None:
        db, actor = self.db, self.actor
        if actor is None:
            return

        def work() -> Any:
            from casemanager.services import clinic

            return clinic.overview(db, actor)

        def show(overview: Any) -> None:
            if self.main_window is not None:
                self.main_window.show_overview(
                    overview.patients,
                    overview.active_patients,
                    overview.my_active_patients,
                    overview.is_demo,
                )

        self.tasks.run(work, show)

    def _log_out(self) -> None:
        db, actor = self.db, self.actor
        if self.idle is not None:
            self.idle.stop()
            self.idle = None
        if self.lock is not None:
            self.lock.lift()
            self.lock = None
        if actor is not None:

            def work() -> None:
                from casemanager.services import accounts

                accounts.log_out(db, actor)

            self.tasks.run(work, lambda _none: None)
        self.actor = None
        screen = self.main_window.evaluation_window if self.main_window is not None else None
        if screen is not None:
            screen.close()  # saves what was typed first
            if screen.isVisible():
                # Still saving, or its save was refused: a logged-out session must not leave
                # a patient's evaluation on screen. A save in flight closes it when done.
                screen.hide()
                if not getattr(screen, "is_saving", lambda: False)():
                    screen.deleteLater()
        self.start.login.username.clear()
        self.start.show_login(self.clinic_name)
        self.start.show()  # before closing the main window, or Qt quits with its last window
        if self.main_window is not None:
            self.main_window.close()
            self.main_window.deleteLater()
            self.main_window = None

    def shutdown(self) -> None:
        if self.idle is not None:
            self.idle.stop()  # its app-wide filter and timer end with this session
            self.idle = None
        if self.lock is not None:
            self.lock.lift()
            self.lock = None
        self.tasks.shutdown()
        if self.batch_tasks is not None:
            self.batch_stop.set()
            self.batch_tasks.shutdown()
        if self.caseload_tasks is not None:
            self.caseload_tasks.shutdown()
        for runner in (self.admin_tasks, self.backup_tasks):
            if runner is not None:
                runner.shutdown()
        if self.db is not None:
            self.db.dispose()
        if self.main_window is not None:
            self.main_window.close()
            self.main_window = None


def _exercises_of(plan: Any) -> tuple[int, ...]:
    """The exercises a plan holds: kept in its picker even once retired from the library."""
    return tuple(h.exercise_id for h in plan.content.home_exercises) if plan else ()


def _demo_hint() -> str:
    # Kept in step with services.demo.DEMO_STAFF (a test checks), without importing it here.
    return (
        "Demo accounts (password demo-password): alvarez, chen, okafor, nowak (therapists), "
        "manager (office manager), admin (administrator)."
    )


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="casemanager", description="CaseManager desktop app")
    parser.add_argument("--database", metavar="URL", help="database URL (default: embedded)")
    known, _qt_args = parser.parse_known_args(argv)
    return known


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName(config.APP_NAME)
    qt_app.setOrganizationName(config.APP_NAME)
    messages.install_excepthook()
    app: Application | None = Application(config.database_url(args.database))
    assert app is not None
    app.open()
    try:
        return qt_app.exec()
    finally:
        app.shutdown()
        # Free the Qt objects while the QApplication still exists, not in the interpreter's
        # final clean-up.
        app = None
        gc.collect()
