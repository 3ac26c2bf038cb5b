"""One table of text limits (domain/field_limits.py) for the whole model: every text column
has its entry, every String column is exactly as wide as its entry, and the table names no
column that does not exist. The services read the same table (tests/services/
test_every_field_limit.py saves a value at and over each typed field's limit)."""

from __future__ import annotations

from sqlalchemy import Enum, String, Text

from casemanager.db.models import Base
from casemanager.domain import field_limits


def _text_columns() -> dict[str, String]:
    """Every column holding free text, "table.column": its type (enums are not free text)."""
    return {
        f"{table.name}.{column.name}": column.type
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String) and not isinstance(column.type, Enum)
    }


def test_every_text_column_has_a_limit() -> None:
    missing = sorted(set(_text_columns()) - set(field_limits.COLUMNS))
    assert not missing, f"no entry in field_limits.COLUMNS for {missing}"


def test_string_columns_are_as_wide_as_their_limit() -> None:
    wrong = {
        name: (kind.length, field_limits.COLUMNS[name])
        for name, kind in _text_columns().items()
        if not isinstance(kind, Text) and kind.length != field_limits.COLUMNS[name]
    }
    assert not wrong, f"column size, limit: {wrong}"


def test_unbounded_columns_are_text_and_still_limited() -> None:
    unbounded = [n for n, kind in _text_columns().items() if kind.length is None]
    assert unbounded and all(isinstance(_text_columns()[n], Text) for n in unbounded)
    assert all(field_limits.COLUMNS[n] > 0 for n in unbounded)


def test_the_table_names_only_real_columns() -> None:
    assert set(field_limits.COLUMNS) <= set(_text_columns())
    assert field_limits.TYPED <= set(field_limits.COLUMNS)
