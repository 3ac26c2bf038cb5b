"""Start the desktop app: the QApplication, then the shell (`ui/shell.py`) shows a window
first and opens the database in the background."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication

from casemanager import config
from casemanager.ui import messages
from casemanager.ui.shell import Shell


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
    shell: Shell | None = Shell(config.database_url(args.database))
    assert shell is not None
    shell.open()
    try:
        return qt_app.exec()
    finally:
        shell.shutdown()
        # Free the Qt objects while the QApplication still exists, not in the interpreter's
        # final clean-up.
        shell = None
        gc.collect()
