"""Reading patients from another system's files: a CSV export (with a column mapping) or FHIR
Patient NDJSON, into rows to import or row-by-row problems. No database here: the checks
and the import itself are services/patient_import.py.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from casemanager.domain import phones
from casemanager.domain.enums import Sex
from casemanager.domain.errors import DomainError
from casemanager.domain.patients import PatientFields

MAX_FILE_BYTES = 200 * 2**20
# Our fields, what a person calls them, and whether a row needs one.
FIELDS: dict[str, tuple[str, bool]] = {
    "source_id": ("Record number in the old system", True),
    "given_name": ("First name", True),
    "family_name": ("Last name", True),
    "date_of_birth": ("Date of birth", True),
    "sex": ("Sex", False),
    "phone": ("Phone", False),
    "email": ("Email", False),
    "address": ("Address", False),
    "preferred_language": ("Preferred language", False),
}
# Header words other systems use for each field, for the suggested mapping.
_ALIASES = {
    "source_id": (
        "mrn",
        "id",
        "patient id",
        "patientid",
        "record number",
        "chart number",
        "account",
    ),
    "given_name": ("first name", "firstname", "given name", "given", "first"),
    "family_name": ("last name", "lastname", "surname", "family name", "family", "last"),
    "date_of_birth": ("date of birth", "dob", "birth date", "birthdate", "born"),
    "sex": ("sex", "gender"),
    "phone": ("phone", "telephone", "mobile", "cell", "home phone"),
    "email": ("email", "e-mail", "email address"),
    "address": ("address", "street address", "home address"),
    "preferred_language": ("language", "preferred language"),
}
_SEX = {
    "f": Sex.FEMALE, "female": Sex.FEMALE, "woman": Sex.FEMALE,
    "m": Sex.MALE, "male": Sex.MALE, "man": Sex.MALE,
    "o": Sex.OTHER, "other": Sex.OTHER,
    "u": Sex.UNKNOWN, "unknown": Sex.UNKNOWN, "": Sex.UNKNOWN,
}  # fmt: skip


@dataclass(frozen=True)
class RowProblem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    message: str


@dataclass(frozen=True)
class Candidate:
    row: int
    source: str  # "system|value"
    fields: PatientFields


# -- reading files ------------------------------------------------------------------------------
def _text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DomainError(f"Cannot read {path}: {error.strerror}.") from None
    if size > MAX_FILE_BYTES:
        raise DomainError(f"{path.name} is larger than 200 MB: split it into smaller files.")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(
            f"{path.name} is not UTF-8 text (byte {error.start + 1} cannot be read). Save it "
            "again as 'CSV UTF-8' (Excel) or UTF-8 (other programs), then import it."
        ) from None


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV file (comma, semicolon or tab separated)."""
    text = _text(path)
    if not text.strip():
        raise DomainError(f"{path.name} is empty.")
    try:
        dialect = csv.Sniffer().sniff(text[:10_000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    header = [h.strip() for h in rows[0]]
    return header, rows[1:]


def suggest_mapping(header: Sequence[str]) -> dict[str, str]:
    """Our field -> the file's column, where a column's name says which field it is."""
    found: dict[str, str] = {}
    for name in header:
        words = name.strip().lower().replace("_", " ")
        for key, aliases in _ALIASES.items():
            if key not in found and words in aliases:
                found[key] = name
    return found


def check_mapping(header: Sequence[str], mapping: dict[str, str]) -> None:
    missing = [
        FIELDS[k][0] for k, (_label, needed) in FIELDS.items() if needed and not mapping.get(k)
    ]
    if missing:
        raise DomainError("Choose a column for: " + ", ".join(missing) + ".")
    unknown = [column for column in mapping.values() if column and column not in header]
    if unknown:
        raise DomainError("The file has no column named " + ", ".join(unknown) + ".")


def _date(text: str) -> date:
    text = text.strip()
    for parse in (
        lambda t: date.fromisoformat(t),
        lambda t: date(int(t[6:10]), int(t[0:2]), int(t[3:5])) if t[2] in "/-." else None,
    ):
        try:
            value = parse(text)
        except (ValueError, IndexError):
            continue
        if value is not None:
            return value
    raise ValueError(f"date of birth {text!r} is not a date: write YYYY-MM-DD or MM/DD/YYYY")


def csv_candidates(
    header: Sequence[str], rows: Sequence[Sequence[str]], mapping: dict[str, str]
) -> Iterator[Candidate | RowProblem]:
    check_mapping(header, mapping)
    where = {key: header.index(column) for key, column in mapping.items() if column}
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines at the end of a spreadsheet

        def cell(key: str, cells: Sequence[str] = cells) -> str:
            index = where.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        try:
            sex = _SEX.get(cell("sex").lower())
            if sex is None:
                raise ValueError(f"sex {cell('sex')!r} is not female, male, other or unknown")
            fields = PatientFields(
                cell("given_name"),
                cell("family_name"),
                _date(cell("date_of_birth")),
                sex,
                phone=cell("phone") or None,
                email=cell("email") or None,
                address=cell("address") or None,
                preferred_language=(cell("preferred_language") or "en").lower()[:2],
            )
        except ValueError as error:
            yield RowProblem(number, str(error))
            continue
        if not cell("source_id"):
            yield RowProblem(number, "the record number in the old system is empty")
            continue
        yield Candidate(number, f"csv|{cell('source_id')}", fields)


def fhir_candidates(path: Path) -> Iterator[Candidate | RowProblem]:
    """FHIR R4 Patient resources, one JSON object per line (NDJSON)."""
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            resource = json.loads(line)
        except json.JSONDecodeError as error:
            yield RowProblem(number, f"not JSON ({error.msg} at character {error.pos + 1})")
            continue
        if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
            yield RowProblem(number, "not a FHIR Patient resource")
            continue
        try:
            yield _from_fhir(number, resource)
        except (ValueError, KeyError, TypeError, IndexError) as error:
            yield RowProblem(number, str(error) or "a required element is missing")


def _from_fhir(number: int, resource: dict[str, Any]) -> Candidate:
    names = resource.get("name") or []
    official = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    given = " ".join(official.get("given") or [])
    family = official.get("family") or ""
    if not given or not family:
        raise ValueError("the patient has no official given and family name")
    born = resource.get("birthDate")
    if not born:
        raise ValueError("birthDate is missing")
    telecom = resource.get("telecom") or []
    phone = phones.for_people(
        next((t.get("value") for t in telecom if t.get("system") == "phone"), None)
    )
    email = next((t.get("value") for t in telecom if t.get("system") == "email"), None)
    address: dict[str, Any] = next(iter(resource.get("address") or []), {})
    address_text = address.get("text") or ", ".join(
        [*address.get("line", []), *(address.get(k, "") for k in ("city", "state", "postalCode"))]
    ).strip(", ")
    identifiers = resource.get("identifier") or []
    identifier = identifiers[0] if identifiers else {}
    source = (
        f"{identifier.get('system', '')}|{identifier['value']}"
        if identifier.get("value")
        else f"fhir|{resource.get('id', '')}"
    )
    if source.endswith("|"):
        raise ValueError("the patient has neither an identifier nor an id")
    language = "en"
    for entry in resource.get("communication") or []:
        for coding in (entry.get("language") or {}).get("coding") or []:
            language = str(coding.get("code", "en"))[:2].lower()
    return Candidate(
        number,
        source,
        PatientFields(
            given,
            family,
            date.fromisoformat(born),
            _SEX.get(str(resource.get("gender", "")).lower(), Sex.UNKNOWN),
            phone=phone,
            email=email,
            address=address_text or None,
            preferred_language=language,
        ),
    )


def read_candidates(path: Path, mapping: dict[str, str] | None) -> list[Candidate | RowProblem]:
    """The whole file read again (the user may have fixed it): CSV with `mapping`, else FHIR
    Patient NDJSON. Run off the GUI thread: a big file takes seconds."""
    if mapping is None:
        return list(fhir_candidates(path))
    header, rows = read_csv(path)
    return list(csv_candidates(header, rows, mapping))
