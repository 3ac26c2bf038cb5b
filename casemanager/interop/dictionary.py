"""The data dictionary: every table and column of the clinic database, with its type, whether
it may be empty, what it refers to, and what it means. Meanings come from the models
themselves (a class's docstring, a column's trailing comment), so the dictionary cannot
drift from the code.
"""

from __future__ import annotations

import inspect
import io
import re
import tokenize
from dataclasses import dataclass

from sqlalchemy import Table

from casemanager.db import models
from casemanager.db.models import Base

# Never leave the database in an export: secrets, and the app's own bookkeeping.
NOT_EXPORTED = {
    ("users", "password_hash"): "secret: the argon2id hash of the user's password",
    ("exercise", "image"): "a picture: exported as exercise-images/ID.png beside the CSV",
    ("patient_intake", "token_hash"): "secret: the hash of an intake tablet's open token",
}
DERIVED_TABLES = {"episode_summary", "audit_chain_head", "alembic_version"}


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    type: str
    required: bool
    key: str  # "primary key", "→ table.column" or ""
    meaning: str


def _comments() -> dict[tuple[str, str], str]:
    """(class name, attribute) -> its trailing comment in models.py."""
    source = inspect.getsource(models)
    found: dict[tuple[str, str], str] = {}
    current = ""
    pending: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            pending[token.start[0]] = token.string.lstrip("# ").strip()
    for number, line in enumerate(source.splitlines(), start=1):
        if line.startswith("class "):
            current = line.split()[1].split("(")[0]
        match = re.match(r"\s{4}(\w+): Mapped\[", line)
        if match and number in pending:
            found[(current, match.group(1))] = pending[number]
    return found


def _describe_type(column: object) -> str:
    kind = getattr(column, "type", None)
    enums = getattr(kind, "enums", None)
    if enums:
        return "text, one of: " + ", ".join(enums)
    name = type(kind).__name__
    return {
        "Integer": "integer",
        "BigInteger": "integer",
        "SmallInteger": "integer",
        "String": f"text (up to {getattr(kind, 'length', '')} characters)",
        "Text": "text",
        "Boolean": "true/false",
        "Date": "date (YYYY-MM-DD)",
        "UTCDateTime": "date and time, UTC (YYYY-MM-DD HH:MM:SS)",
        "Float": "decimal number",
        "LargeBinary": "binary",
    }.get(name, name.lower())


# Meanings shared by many tables, used where a column has no comment of its own.
_COMMON = {
    "id": "this row's number: stable, what other tables refer to",
    "version": "edit counter: a save names the version it read, so a later save is refused",
    "created_at": "when the row was written (UTC)",
    "updated_at": "when the row last changed (UTC)",
    "position": "order on screen and in documents",
}


def _meaning(table: str, column: object, notes: dict[tuple[str, str], str], owner: str) -> str:
    name = getattr(column, "name", "")
    if (table, name) in NOT_EXPORTED:
        return NOT_EXPORTED[(table, name)]
    if (owner, name) in notes:
        return notes[(owner, name)]
    if name in _COMMON:
        return _COMMON[name]
    for foreign in getattr(column, "foreign_keys", ()):
        return f"the {foreign.column.table.name.replace('_', ' ')} row it belongs to"
    return name.replace("_", " ")


def columns() -> list[Column]:
    notes = _comments()
    classes = {m.class_.__tablename__: m.class_.__name__ for m in Base.registry.mappers}
    rows: list[Column] = []
    for table in Base.metadata.sorted_tables:
        assert isinstance(table, Table)
        for column in table.columns:
            key = "primary key" if column.primary_key else ""
            for foreign in column.foreign_keys:
                key = f"→ {foreign.target_fullname}"
            meaning = _meaning(table.name, column, notes, classes.get(table.name, ""))
            rows.append(
                Column(
                    table.name,
                    column.name,
                    _describe_type(column),
                    not column.nullable,
                    key,
                    meaning,
                )
            )
    return rows


def tables() -> dict[str, str]:
    """Table name -> what it holds (the model class's docstring, first paragraph)."""
    found = {}
    for mapper in Base.registry.mappers:
        doc = inspect.cleandoc(mapper.class_.__doc__ or "")  # its own, not a base class's
        found[mapper.class_.__tablename__] = " ".join(doc.split("\n\n")[0].split())
    return found
