"""The whole clinic as CSV, one file per table, with a data dictionary: for a spreadsheet, a
statistics package or another system. Plain RFC 4180 CSV in UTF-8 (no formula guard: values
are exactly what is stored), streamed table by table.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select

from casemanager import output_files
from casemanager.db.engine import Database
from casemanager.db.models import Base
from casemanager.domain.enums import AuditAction, DataCategory
from casemanager.domain.errors import DomainError
from casemanager.domain.permissions import Permission
from casemanager.interop import dictionary
from casemanager.services import audit
from casemanager.services.context import Actor, Progress, no_progress

CHUNK = 5000
DICTIONARY_FILE = "data-dictionary.csv"


@dataclass(frozen=True)
class CsvExport:
    folder: Path
    rows: dict[str, int]  # table -> rows written
    images: int


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):  # stored in UTC
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):  # a JSON column (templates, intake answers): as JSON
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def export(db: Database, actor: Actor, folder: Path, progress: Progress = no_progress) -> CsvExport:
    """Every table to `folder`; `progress` hears the rows written of all the tables'."""
    audit.authorize(db, actor, Permission.EXPORT_DATA, AuditAction.EXPORT, DataCategory.CLINICAL)
    live = [db.sqlite_path]  # each file written is checked: none may land on the database
    output_files.check_folder(folder, databases=[db.sqlite_path])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        counts: dict[str, int] = {}
        images = 0
        with db.session() as session:
            tables = [
                table
                for table in Base.metadata.sorted_tables
                if isinstance(table, Table) and table.name not in dictionary.DERIVED_TABLES
            ]
            total = sum(
                int(session.scalar(select(func.count()).select_from(table)) or 0)
                for table in tables
            )
            written = 0
            for table in tables:
                columns = [
                    c for c in table.columns if (table.name, c.name) not in dictionary.NOT_EXPORTED
                ]
                path = folder / f"{table.name}.csv"
                with output_files.replacing(path, databases=live, text=True) as handle:
                    writer = csv.writer(handle, lineterminator="\r\n")
                    writer.writerow([c.name for c in columns])
                    result = session.execute(
                        select(*columns).order_by(*table.primary_key.columns),
                        execution_options={"yield_per": CHUNK},
                    )
                    count = 0
                    for row in result:
                        writer.writerow([_cell(v) for v in row])
                        count += 1
                        if count % CHUNK == 0:
                            progress(written + count, total)
                counts[table.name] = count
                written += count
                progress(written, total)
            pictures = Base.metadata.tables["exercise"]
            for exercise_id, image in session.execute(
                select(pictures.c.id, pictures.c.image).where(pictures.c.image.is_not(None))
            ):
                (folder / "exercise-images").mkdir(exist_ok=True)
                picture = folder / "exercise-images" / f"{exercise_id}.png"
                output_files.write_bytes(picture, image, databases=live)
                images += 1
            _write_dictionary(folder / DICTIONARY_FILE, live)
            audit.record(
                session,
                actor,
                AuditAction.EXPORT,
                DataCategory.CLINICAL,
                detail=f"CSV export: {len(counts)} tables, {sum(counts.values())} rows",
            )
    except OSError as error:
        raise DomainError(
            f"Could not write the export to {folder}: {error.strerror or error}. Check the "
            "folder and the free space; the files there are incomplete."
        ) from None
    return CsvExport(folder, counts, images)


def _write_dictionary(path: Path, live: list[Path | None]) -> None:
    meanings = dictionary.tables()
    with output_files.replacing(path, databases=live, text=True) as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["table", "column", "type", "required", "refers to", "meaning"])
        current = ""
        for column in dictionary.columns():
            if column.table in dictionary.DERIVED_TABLES:
                continue
            if column.table != current:
                current = column.table
                writer.writerow([current, "", "table", "", "", meanings.get(current, "")])
            exported = (column.table, column.name) not in dictionary.NOT_EXPORTED
            writer.writerow(
                [
                    column.table,
                    column.name,
                    column.type,
                    "yes" if column.required else "no",
                    column.key,
                    column.meaning + ("" if exported else " (not in the export)"),
                ]
            )
