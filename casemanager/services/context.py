"""Who is acting, and the shared plumbing every service uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from casemanager import config
from casemanager.domain.enums import Role


@dataclass(frozen=True)
class Actor:
    """The logged-in user (or the operating-system user for the CLI) behind a service call."""

    user_id: int | None
    username: str
    display_name: str
    role: Role
    clinic_id: int
    workstation: str

    @classmethod
    def command_line(cls, clinic_id: int) -> Actor:
        """Clinic IT at a terminal: audited as the OS user, with administrator rights."""
        name = config.operating_system_user()
        return cls(
            user_id=None,
            username=f"os:{name}",
            display_name=f"{name} (command line)",
            role=Role.ADMINISTRATOR,
            clinic_id=clinic_id,
            workstation=config.workstation_name(),
        )


class Progress(Protocol):
    """How far a long piece of work has got: `done` of `total` (0 when not known) in the
    stage it is at ("checking", "importing"). The caller shows it (the command line draws a
    bar); services only report, they never print."""

    def __call__(self, done: int, total: int, stage: str = "") -> None: ...


def no_progress(done: int, total: int, stage: str = "") -> None:
    """For callers that do not watch."""
