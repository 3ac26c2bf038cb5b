"""Filling a draft from somewhere else (a template, the last episode, the patient's intake)
without losing what the therapist typed: a field already holding their value is kept unless
they ask to replace it, and the caller is told which fields were filled and which kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from casemanager.domain.evaluation import EvaluationContent

_FIELDS = {f.name for f in fields(EvaluationContent)}


@dataclass(frozen=True)
class Filled:
    """What one fill did: form field names (as `Missing.field` names them) now holding the
    offered value, those that kept the therapist's own value, and notes to show."""

    filled: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __add__(self, other: Filled) -> Filled:
        return Filled(self.filled + other.filled, self.kept + other.kept, self.notes + other.notes)


def is_blank(value: object) -> bool:
    """Nothing entered: None, empty text or list, or a list of blanks (unscored sections)."""
    if value is None or value == "":
        return True
    if isinstance(value, tuple):
        return all(is_blank(v) for v in value)
    return False


def fill_content(
    content: EvaluationContent, offered: Mapping[str, Any], overwrite: bool = False
) -> tuple[EvaluationContent, Filled]:
    """`content` with each offered value put where the field is blank (or everywhere when
    `overwrite`); an offered blank never clears anything."""
    changes: dict[str, Any] = {}
    filled: list[str] = []
    kept: list[str] = []
    for name, value in offered.items():
        if name not in _FIELDS:
            raise KeyError(f"not an evaluation field: {name}")  # a programming error
        if is_blank(value):
            continue
        current = getattr(content, name)
        if current == value:
            continue
        if is_blank(current) or overwrite:
            changes[name] = value
            filled.append(name)
        else:
            kept.append(name)
    return replace(content, **changes), Filled(tuple(filled), tuple(kept))
