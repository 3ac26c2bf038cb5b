"""How errors reach a person: refusals and environment problems calmly, bugs with a report."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from casemanager.domain.errors import DomainError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)

BUG_MESSAGE = (
    "CaseManager ran into a problem it did not expect. What you typed is still on screen. "
    "Please copy the report below (Show Details) and send it to your clinic IT contact."
)


def classify(error: BaseException) -> tuple[str, str | None]:
    """(message for the user, technical details or None)."""
    if isinstance(error, DomainError):
        return error.message, None
    # Imported here: it loads SQLAlchemy, which must stay off the start-up path.
    from casemanager.services import environment

    known = environment.describe(error)
    if known is not None:
        return known, None
    return BUG_MESSAGE, report(error)


def report(error: BaseException) -> str:
    """The traceback for a bug report: code locations and exception types, no record data.

    Exception messages are left out (a database error quotes the SQL and could quote values).
    """
    lines = []
    for entry in traceback.extract_tb(error.__traceback__):
        lines.append(f'  File "{entry.filename}", line {entry.lineno}, in {entry.name}')
    cause = error.__cause__ or error.__context__
    chain = f" (caused by {type(cause).__module__}.{type(cause).__name__})" if cause else ""
    kind = f"{type(error).__module__}.{type(error).__name__}"
    return "Traceback (most recent call last):\n" + "\n".join(lines) + f"\n{kind}{chain}\n"


def show_error(
    parent: QWidget | None, error: BaseException, title: str = "CaseManager"
) -> QMessageBox:
    from PySide6.QtWidgets import QMessageBox  # not before the first error: a lighter start

    message, details = classify(error)
    if details is not None:
        log.error("unexpected error: %s", type(error).__name__)  # no message text: may hold data
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical if details else QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(message)
    if details:
        box.setDetailedText(details)
    box.open()  # not exec(): never blocks the event loop (or a test)
    return box


_open_reports: list[QMessageBox] = []  # keeps parentless dialogs alive until closed


def install_excepthook() -> None:
    """Uncaught exceptions in Qt slots become a report dialog instead of a silent exit."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        error.__traceback__ = tb
        box = show_error(QApplication.activeWindow(), error)
        _open_reports.append(box)
        box.finished.connect(lambda _result: _open_reports.remove(box))

    sys.excepthook = hook
