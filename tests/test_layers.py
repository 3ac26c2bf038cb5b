"""The architecture holds: Qt stays in ui/, and start-up does not load the heavy libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "casemanager"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        cwd=PACKAGE.parent,
    )


def test_core_layers_import_without_qt() -> None:
    modules = sorted(
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for layer in ("domain", "db", "services", "reports", "interop")
        for path in (PACKAGE / layer).rglob("*.py")
        if "migrations" not in path.parts
    )
    assert len(modules) > 15
    result = _run(
        f"""
        import importlib, sys
        sys.modules["PySide6"] = None  # any import of Qt now fails
        for name in {modules!r}:
            importlib.import_module(name)
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_start_up_path_skips_heavy_libraries() -> None:
    result = _run(
        """
        import sys
        import casemanager.app
        heavy = {"sqlalchemy", "alembic", "reportlab", "simple_icd_10_cm", "faker"}
        print(sorted(heavy & set(sys.modules)))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_ui_does_not_import_sqlalchemy() -> None:
    offenders = [
        str(path)
        for path in (PACKAGE / "ui").rglob("*.py")
        if any(
            line.lstrip().startswith(("import sqlalchemy", "from sqlalchemy"))
            for line in path.read_text().splitlines()
        )
    ]
    assert offenders == []


def test_first_window_is_shown_before_any_screen_is_imported(tmp_path: Path) -> None:
    """The start window is on screen before the pages behind it, the main window or any
    feature's screen is imported (they come after its first paint, or after login)."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import json, os, sys
                from PySide6.QtCore import QEvent, QObject
                from PySide6.QtWidgets import QApplication

                class FirstWindow(QObject):
                    def eventFilter(self, watched, event):
                        if event.type() == QEvent.Type.Expose and watched.isWindowType():
                            loaded = [m for m in sys.modules if m.startswith("casemanager")]
                            qt = [m for m in sys.modules if m.startswith("PySide6.Qt")]
                            print(json.dumps({"casemanager": loaded, "qt": qt}), flush=True)
                            os._exit(0)
                        return False

                app = QApplication(sys.argv[:1])
                watch = FirstWindow()
                app.installEventFilter(watch)
                from casemanager.app import main
                main(["--database", sys.argv[1]])
                """
            ),
            f"sqlite:///{tmp_path / 'clinic.sqlite3'}",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=PACKAGE.parent,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "CASEMANAGER_DATA_DIR": str(tmp_path / "data"),
        },
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    ui = sorted(m for m in loaded["casemanager"] if m.startswith("casemanager.ui."))
    assert ui == [
        "casemanager.ui.messages",
        "casemanager.ui.ops",
        "casemanager.ui.shell",
        "casemanager.ui.startup",
        "casemanager.ui.startup.busy",
        "casemanager.ui.startup.controller",
        "casemanager.ui.startup.window",
        "casemanager.ui.tasks",
    ]
    below = {m.split(".")[1] for m in loaded["casemanager"] if m.count(".") >= 1}
    assert below <= {"app", "config", "domain", "ui"}  # no services, db or reports yet
    assert not {"PySide6.QtCharts", "PySide6.QtPdf", "PySide6.QtPrintSupport"} & set(loaded["qt"])


# Outside the controllers, ui/ names services only for types, with these reasons:
SERVICE_USES_OUTSIDE_CONTROLLERS = {
    "ui/messages.py": {"casemanager.services.environment"},  # words for a failed environment
    "ui/shell.py": {"casemanager.services.setup"},  # the new clinic's fields (NewClinic)
}


def _runtime_imports(path: Path) -> set[str]:
    """The modules a file imports when it runs: imports under `if TYPE_CHECKING:` are left
    out, those inside functions are counted."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for statement in block.body
        for node in ast.walk(statement)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_only_controllers_call_services_in_ui() -> None:
    """Widgets, the shell and the workspace take data and emit intentions; the service calls
    are the controllers' (ui/<feature>/controller.py), so each screen's rules live in one place."""
    offenders = {}
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        if path.name == "controller.py":
            continue
        name = path.relative_to(PACKAGE).as_posix()
        services = {
            m
            for m in _runtime_imports(path)
            if m == "casemanager.services" or m.startswith("casemanager.services.")
        }
        allowed = SERVICE_USES_OUTSIDE_CONTROLLERS.get(name, set())
        extra = {m for m in services if not any(m.startswith(a) for a in allowed)}
        if extra:
            offenders[name] = sorted(extra)
    assert offenders == {}


def test_import_contracts_hold() -> None:
    """The contracts of pyproject.toml (`make lint` runs them too): the layers, Qt only in ui/,
    no SQLAlchemy in ui/, domain/ or reports/, and no use case importing another."""
    pytest.importorskip("importlinter", reason="import-linter comes with the dev extra")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=PACKAGE.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
