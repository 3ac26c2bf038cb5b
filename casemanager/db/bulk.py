"""Bulk inserts for big imports: each row converted to what the database driver takes (the
columns' own type conversions: dates, enums, UTC times) ahead of time, outside the write
transaction, then inserted with the driver's executemany on SQLite and with COPY on
PostgreSQL (psycopg parses a long multi-row INSERT on the client for every chunk: COPY
streams the rows instead). SQLite has one writer at a time: the less work done while
holding its lock, the less other workstations wait."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Dialect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from casemanager.db import schema_check
from casemanager.db.models import Base

_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": ":{n}"}


class BulkInsert:
    """Rows of one table, columns in a fixed order, in the driver's own terms."""

    def __init__(self, dialect: Dialect, model: type[Base], columns: Sequence[str]) -> None:
        table = model.metadata.tables[model.__tablename__]
        self.columns = list(columns)
        processors: list[Callable[[Any], Any] | None] = [
            table.c[name].type._cached_bind_processor(dialect)  # noqa: SLF001 - SQLAlchemy's own
            for name in self.columns
        ]
        self._processors = [(i, p) for i, p in enumerate(processors) if p is not None]
        self._marker = _MARKERS[dialect.paramstyle]
        self._quote = dialect.identifier_preparer.quote
        self._table = table.name
        self.copies = dialect.name == "postgresql"  # rows go in with COPY
        self._into = (
            f"INSERT INTO {self._quote(table.name)} "
            f"({', '.join(self._quote(c) for c in self.columns)}) VALUES "
        )
        self.sql = self._into + self._values(1)
        self._returning_sql: dict[tuple[int, tuple[str, ...]], str] = {}

    def _values(self, rows: int) -> str:
        width = len(self.columns)
        return ", ".join(
            "(" + ", ".join(self._marker.format(n=r * width + n + 1) for n in range(width)) + ")"
            for r in range(rows)
        )

    def convert(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """One row (values in column order) as the driver takes it."""
        if not self._processors:
            return tuple(values)
        row = list(values)
        for index, process in self._processors:
            if row[index] is not None:
                row[index] = process(row[index])
        return tuple(row)

    def insert(self, session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert converted rows in the session's transaction, in the order given."""
        if not rows:
            return
        if self.copies and len(rows) > 1:
            self._copy(session, self.columns, rows)
        elif len(rows) == 1:  # one row (a single print's audit row): COPY costs a round trip more
            session.connection().exec_driver_sql(self.sql, rows[0])
        else:
            session.connection().exec_driver_sql(self.sql, list(rows))

    def insert_with_new_ids(self, session: Session, rows: Sequence[tuple[Any, ...]]) -> list[int]:
        """PostgreSQL: insert converted rows with ids drawn from the table's sequence first;
        returns the id of each row, in the order given."""
        ids = list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": self._table, "n": len(rows)},
            )
        )
        self._copy(
            session, ["id", *self.columns], ((i, *r) for i, r in zip(ids, rows, strict=True))
        )
        return ids

    def _copy(
        self, session: Session, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> None:
        sql = (
            f"COPY {self._quote(self._table)} ({', '.join(self._quote(c) for c in columns)}) "
            "FROM STDIN"
        )
        connection = session.connection()
        schema_check.mark_written(connection)  # COPY goes past SQLAlchemy's cursor events
        driver = connection.dialect.loaded_dbapi
        psycopg_connection: Any = connection.connection.driver_connection
        try:
            with psycopg_connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        except driver.Error as error:
            # As SQLAlchemy would raise it (IntegrityError for a duplicate), without the rows.
            raise DBAPIError.instance(
                sql, None, error, driver.Error, hide_parameters=True, dialect=connection.dialect
            ) from error

    def insert_returning(
        self, session: Session, rows: Sequence[tuple[Any, ...]], returning: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        """Insert converted rows in one multi-row statement and return the `returning`
        columns of each (in no particular order: return a key with them). Keep the rows
        times columns under the drivers' limit of bound parameters (32,766 for SQLite)."""
        if not rows:
            return []
        key = (len(rows), tuple(returning))
        if key not in self._returning_sql:  # the same chunk size each time: build it once
            self._returning_sql[key] = (
                self._into
                + self._values(len(rows))
                + " RETURNING "
                + ", ".join(self._quote(c) for c in returning)
            )
        sql = self._returning_sql[key]
        flat = [value for row in rows for value in row]
        return [tuple(r) for r in session.connection().exec_driver_sql(sql, tuple(flat))]
