"""Starting up: the service calls behind opening the clinic database, first run, logging in,
unlocking and logging out. The shell decides what the windows show; this is the only start-up
code that calls services (imported by the worker, so the first window needs none of them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from casemanager import config
from casemanager.ui.ops import Lane, Ops
from casemanager.ui.tasks import ErrorCallback

if TYPE_CHECKING:
    from casemanager.db.engine import Database
    from casemanager.services.context import Actor
    from casemanager.services.setup import ClinicInfo, NewClinic

# The database, and its clinic (None before first run).
Opened = tuple["Database", "ClinicInfo | None"]


@dataclass(frozen=True)
class Created:
    """A new clinic: its administrator, logged in, and the database as it is now reached
    (another one when the file was encrypted on creation)."""

    actor: Actor
    db: Database
    url: str


class StartupController:
    def __init__(self, ops: Ops, workstation: str) -> None:
        self.ops = ops
        self.workstation = workstation

    def open(self, url: str, done: Callable[[Opened], None], failed: ErrorCallback) -> None:
        def work() -> Opened:
            from casemanager.services import setup

            db, _result = setup.open_database(url, config.backup_dir())
            return db, setup.clinic_info(db)

        self.ops.read(work, done, failed)

    def daily_backup(self, db: Database, clinic_id: int, failed: ErrorCallback) -> None:
        """Today's copy of an embedded database, on its own worker while the user logs in."""

        def work() -> Path | None:
            from casemanager.services import backup
            from casemanager.services.context import Actor

            return backup.daily(db, Actor.command_line(clinic_id), config.backup_dir() / "daily")

        self.ops.read(work, lambda _path: None, failed, lane=Lane.BACKUP)

    def create_clinic(
        self,
        db: Database,
        url: str,
        new: NewClinic,
        passphrase: str | None,
        done: Callable[[Created], None],
        failed: ErrorCallback,
    ) -> None:
        workstation = self.workstation

        def work() -> Created:
            from casemanager.services import encryption, setup

            if passphrase is None:
                return Created(setup.create_clinic(db, new, workstation), db, url)
            encryption.check_passphrase(passphrase)  # before anything is written
            actor = setup.create_clinic(db, new, workstation)
            db.dispose()
            encrypted = encryption.encrypt_database(url, passphrase)
            return Created(actor, encryption.reopen(encrypted.url), encrypted.url)

        self.ops.read(work, done, failed)

    def make_demo(
        self, db: Database, patients: int, done: Callable[[Opened], None], failed: ErrorCallback
    ) -> None:
        report = self.ops.report_progress()

        def work() -> Opened:
            from casemanager.services import demo, setup

            demo.generate_demo_clinic(
                db,
                patients=patients,
                progress=report,
                actor_name=f"os:{config.operating_system_user()}",  # nobody has logged in yet
                workstation=config.workstation_name(),
            )
            return db, setup.clinic_info(db)

        self.ops.read(work, done, failed)

    def authenticate(
        self,
        db: Database,
        username: str,
        password: str,
        done: Callable[[Actor], None],
        failed: ErrorCallback,
    ) -> None:
        """A full login (audited, with the waits after wrong passwords); unlocking too."""
        workstation = self.workstation

        def work() -> Actor:
            from casemanager.services import accounts

            return accounts.authenticate(db, username, password, workstation)

        self.ops.read(work, done, failed)

    def log_out(self, db: Database, actor: Actor) -> None:
        def work() -> None:
            from casemanager.services import accounts

            accounts.log_out(db, actor)

        self.ops.read(work, lambda _none: None)
