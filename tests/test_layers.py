"""The architecture holds: Qt stays in ui/, and start-up does not load the heavy libraries."""

from __future__ import annotations

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
