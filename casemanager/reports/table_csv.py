"""A table as CSV that opens cleanly in a spreadsheet.

UTF-8 with a byte-order mark (Excel otherwise reads accented names as Latin-1), CRLF line
ends, every field quoted when needed. A cell a spreadsheet would run as a formula (starting
with = + - @, a tab or a carriage return) gets a leading apostrophe, as OWASP advises, so an
exported name cannot run anything; plain negative numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?%?$")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def write(
    out: TextIO, headers: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = True
) -> int:
    """Write rows as they come (an export may be larger than memory); returns how many.
    `out` is a text file opened with newline="" and UTF-8; `bom=False` for scripts."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in headers])
    count = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        count += 1
    return count


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]], bom: bool = True) -> bytes:
    buffer = io.StringIO(newline="")
    write(buffer, headers, rows, bom)
    return buffer.getvalue().encode("utf-8")
