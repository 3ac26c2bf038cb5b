"""Migrations must not call the application's code: it follows the head schema, so a
migration using it breaks on any database still older than the head (0021 did, reading a
column a later revision adds). They may use Alembic, SQLAlchemy, the column types of
casemanager.db.types and helpers under casemanager.db.migrations; anything derived from the
records is rebuilt by casemanager.db.migrate once the upgrade reaches head."""

from __future__ import annotations

import ast
from pathlib import Path

from casemanager.db.migrate import MIGRATIONS_DIR

ALLOWED = ("casemanager.db.types", "casemanager.db.migrations")
# Each exception says why it is safe, or what it costs.
EXCEPTIONS = {
    # The chain's hash must equal the one the app verifies rows with, whatever the release.
    "0012_audit_hash_chain.py": {"casemanager.domain.audit_chain"},
    # Known debt: the starter templates are written in today's template format. A change to
    # that format must convert rows in its own migration with frozen code, and freeze these.
    "0022_evaluation_templates_and_patient_intake.py": {
        "casemanager.domain.templates",
        "casemanager.domain.starter_templates",
    },
}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from casemanager.db import episode_summary` imports casemanager.db.episode_summary
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] == "casemanager"}


def _allowed(name: str, exceptions: set[str]) -> bool:
    return any(name == ok or name.startswith(ok + ".") for ok in (*ALLOWED, *exceptions))


def test_migrations_use_no_application_code() -> None:
    files = sorted((MIGRATIONS_DIR / "versions").glob("*.py"))
    assert len(files) > 20
    wrong = {
        path.name: sorted(
            name for name in _imported(path) if not _allowed(name, EXCEPTIONS.get(path.name, set()))
        )
        for path in files
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_the_check_sees_application_imports(tmp_path: Path) -> None:
    """The check can fail: the import 0021 used to make is caught, in both spellings."""
    for line in ("from casemanager.db import episode_summary", "import casemanager.db.models"):
        path = tmp_path / "9999_example.py"
        path.write_text(f"{line}\nimport casemanager.db.types\n")
        assert [n for n in _imported(path) if not _allowed(n, set())] != []
