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
from collections.abc import Sequence
from typing import Any

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


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]], bom: bool = True) -> bytes:
    """`bom=False` for scripts, which read plain UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(h) for h in headers])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")
