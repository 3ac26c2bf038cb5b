"""Reading patients from another system's files: a CSV export (with a column mapping) or FHIR
Patient NDJSON, into rows to import or row-by-row problems. No database here: the checks
and the import itself are services/patient_import.py.
"""

from __future__ import annotations

import _csv
import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from casemanager.domain import phones
from casemanager.domain.enums import Sex
from casemanager.domain.errors import DomainError
from casemanager.domain.patients import PatientFields, parse_date_of_birth

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


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    message: str


@dataclass(frozen=True, slots=True)
class Candidate:
    row: int
    source: str  # "system|value"
    fields: PatientFields


# -- reading files ------------------------------------------------------------------------------
def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DomainError(f"Cannot read {path}: {error.strerror}.") from None
    if size > MAX_FILE_BYTES:
        raise DomainError(f"{path.name} is larger than 200 MB: split it into smaller files.")


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV file (comma, semicolon or tab separated)."""
    header, rows = iter_csv(path)
    return header, list(rows)


def iter_csv(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    """The header, and the rows as they are read from the file (an import of 200,000 rows
    never holds the whole file). Lines may end in CR LF, LF or CR alone (old Mac exports)."""
    _check_size(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(10_000)
    except UnicodeDecodeError:
        raise _not_utf8(path, "its first lines") from None
    except OSError as error:
        raise DomainError(f"Cannot read {path}: {error.strerror}.") from None
    if not sample.strip():
        raise DomainError(f"{path.name} is empty.")
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = _rows(path, dialect)
    header = [h.strip() for h in next(rows, [])]
    return header, rows


def _rows(path: Path, dialect: Any) -> Iterator[list[str]]:
    # newline="": the csv module sees each line ending as it is, and ends a line at any.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, dialect)
        while (row := _next_row(reader, path)) is not None:
            yield row


def _not_utf8(path: Path, where: str) -> DomainError:
    return DomainError(
        f"{path.name} is not UTF-8 text ({where} cannot be read). Save it again as "
        "'CSV UTF-8' (Excel) or UTF-8 (other programs), then import it."
    )


def _next_row(reader: _csv.Reader, path: Path) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except UnicodeDecodeError:
        raise _not_utf8(path, f"line {reader.line_num + 1:,}") from None
    except csv.Error as error:
        line = f"{reader.line_num:,}"
        if "field larger than field limit" in str(error):
            raise DomainError(
                f"{path.name}, line {line}: a field is longer than {csv.field_size_limit():,} "
                'characters. No patient field is that long: most often a quote mark (") '
                "opens a field and is never closed. Fix that line and import again."
            ) from None
        raise DomainError(f"{path.name}, line {line} cannot be read as CSV ({error}).") from None


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


def csv_candidates(
    header: Sequence[str], rows: Iterable[Sequence[str]], mapping: dict[str, str]
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
                parse_date_of_birth(cell("date_of_birth")),
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
    """FHIR R4 Patient resources, one JSON object per line (NDJSON). Each line is checked
    against the R4 Patient definition before anything is read from it, so a wrong shape (a
    name given as text, a phone number without its ContactPoint) is a row problem saying
    where, never a name spelled out letter by letter or a crash."""
    from fhir.resources.R4B.patient import Patient  # slow to import: only when reading FHIR
    from pydantic import ValidationError as ShapeError

    for number, line in enumerate(_ndjson_lines(path), start=1):
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
            patient = Patient.model_validate(resource)
        except ShapeError as error:
            yield RowProblem(number, _shape_problem(error))
            continue
        except (ValueError, TypeError) as error:  # fhir.resources' own checks
            yield RowProblem(number, f"not a valid FHIR R4 Patient: {error}")
            continue
        try:
            yield _from_fhir(number, patient)
        except ValueError as error:
            yield RowProblem(number, str(error))


# Pydantic's error types in our words (what FHIR expects there).
_SHAPE_WORDS = {
    "list_type": "must be a list [ ... ], even for a single value",
    "model_type": "must be an object { ... } with its own elements",
    "dict_type": "must be an object { ... } with its own elements",
    "model_attributes_type": "must be an object { ... } with its own elements",
    "extra_forbidden": "is not an element of a FHIR R4 Patient",
    "missing": "is required here",
    "string_type": "must be text",
    "bool": "must be true or false",
    "date": "is not a date as FHIR writes it (YYYY-MM-DD, a real day)",
    "datetime": "is not a date and time as FHIR writes it",
    "literal_error": "has a value FHIR does not allow here",
    "enum": "has a value FHIR does not allow here",
}


def _ndjson_lines(path: Path) -> Iterator[str]:
    """The file's lines, read one at a time; only CR LF, LF and CR end a line (JSON text may
    hold U+2028 or a form feed, which str.splitlines would also split at)."""
    _check_size(path)
    number = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, line in enumerate(handle, start=1):  # noqa: B007 - used below
                yield line.rstrip("\r\n")
    except UnicodeDecodeError:
        raise _not_utf8(path, f"line {number + 1:,}") from None


def _shape_problem(error: Any) -> str:
    """Pydantic's findings as one line: where in the resource, and what is wrong there."""
    found = []
    for item in error.errors()[:3]:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"])
        kind = str(item["type"])
        said = next((words for k, words in _SHAPE_WORDS.items() if kind.startswith(k)), None)
        found.append(f"{where.lstrip('.') or 'the resource'} {said or ': ' + item['msg']}")
    more = error.error_count() - len(found)
    return (
        "not a valid FHIR R4 Patient: "
        + "; ".join(found)
        + (f" (and {more} more)" if more > 0 else "")
    )


def _from_fhir(number: int, patient: Any) -> Candidate:
    """A checked R4 Patient (fhir.resources model) to our fields."""
    names = patient.name or []
    official = next((n for n in names if n.use == "official"), names[0] if names else None)
    given = " ".join(official.given or []) if official is not None else ""
    family = (official.family or "") if official is not None else ""
    if not given or not family:
        raise ValueError("the patient has no official given and family name")
    born = patient.birthDate
    if born is None:
        raise ValueError("birthDate is missing")
    if not isinstance(born, date):
        raise ValueError(
            f"birthDate {born} gives only the year{'' if len(str(born)) == 4 else ' and month'}"
            ": the full date of birth (YYYY-MM-DD) is needed to tell patients apart. Add the "
            "day in the old system, or ask the patient, then import again."
        )
    telecom = patient.telecom or []
    phone = phones.for_people(
        next((t.value for t in telecom if t.system == "phone" and t.value), None)
    )
    email = next((t.value for t in telecom if t.system == "email" and t.value), None)
    address = (patient.address or [None])[0]
    address_text = ""
    if address is not None:
        address_text = address.text or ", ".join(
            part
            for part in [*(address.line or []), address.city, address.state, address.postalCode]
            if part
        )
    identifier = (patient.identifier or [None])[0]
    if identifier is not None and identifier.value:
        source = f"{identifier.system or ''}|{identifier.value}"
    elif patient.id:
        source = f"fhir|{patient.id}"
    else:
        raise ValueError("the patient has neither an identifier nor an id")
    language = "en"
    for entry in patient.communication or []:
        for coding in entry.language.coding or []:
            language = str(coding.code or "en")[:2].lower()
    return Candidate(
        number,
        source,
        PatientFields(
            given,
            family,
            born,
            _SEX.get(str(patient.gender or "").lower(), Sex.UNKNOWN),
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
    header, rows = iter_csv(path)
    return list(csv_candidates(header, rows, mapping))
