"""Words and colours defined once: an enum's label and a warning's colour read the same on
every screen because every screen takes them from the same module."""

from __future__ import annotations

import re
from pathlib import Path

import casemanager

PACKAGE = Path(casemanager.__file__).parent
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")
# Label dictionaries: a key of one of these enums (or a language code) mapped to words.
LABEL_KEYS = re.compile(r"(PatientStatus\.\w+|Sex\.\w+|Side\.\w+|\"es\")\s*:\s*\"", re.MULTILINE)


def _sources(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_colours_come_from_the_palette() -> None:
    found = []
    for path in _sources(PACKAGE / "ui"):
        if path.name == "palette.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HEX_COLOUR.search(line):
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert found == []


def test_enum_labels_are_defined_once() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}: {match.group(1)}"
        for path in _sources(PACKAGE)
        if path.name != "catalogs.py"
        for match in LABEL_KEYS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
