"""Every cache in the package at module level (functools caches, dicts, lists, sets) is
either emptied at logout (`domain.login_memory`) or named below as holding fixed wording
only, with why. A new cache of patients' text, left out of both, fails here."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import MutableMapping, MutableSet
from typing import Any

import casemanager
from casemanager.domain import login_memory

# Emptied at logout (checked below: something put in is gone after `forget_everything`).
EMPTIED_AT_LOG_OUT = {
    "casemanager.domain.phones._read",
    "casemanager.domain.validation._valid_email_domain",
    "casemanager.reports.fonts.runs",
    "casemanager.reports.fonts.markup",
    "casemanager.reports.fonts._kept",  # each font's subsets, widths and maps
    "casemanager.reports.page._parsed",
    "casemanager.reports.page._broken",
    "casemanager.reports.page._drawn",
    "casemanager.reports.page._widest_word",
}

# Kept across logins: nothing in them comes from a patient's record.
FIXED = {
    "casemanager.db.episode_summary._insert": "a SQL statement",
    "casemanager.db.schema_check.head": "the code's own schema revision",
    "casemanager.db.patient_search._shares": (
        "PostgreSQL's statistics of the commonest 1- and 2-character name pieces over the"
        " whole list (no one patient's text), read again every 10 minutes"
    ),
    "casemanager.services.audit._permitted": "SQL expressions made of account ids and roles",
    "casemanager.domain.codes._icd": "the ICD-10-CM code set",
    "casemanager.domain.codes._excluded_references": "the ICD-10-CM code set",
    "casemanager.domain.codes._billable_index": "the ICD-10-CM code set",
    "casemanager.domain.login_memory._forgets": "this registry",
    "casemanager.reports.dates._locale": "Babel locales",
    "casemanager.reports.figures._shared_art": "exercise drawings, by catalog key",
    "casemanager.reports.fonts.register": "the fonts",
    "casemanager.reports.page.styles": "paragraph styles",
    "casemanager.reports.page._usual_characters": "the wording's characters, by language",
    "casemanager.reports.wording.load": "the documents' wording",
    "casemanager.services.caseload._day": "dates formatted (no one's, just days)",
    "casemanager.services.demo.records._names": "made-up names for demo clinics",
    "casemanager.services.passwords._dummy": "a hash of a fixed dummy password",
    "casemanager.ui.messages._open_reports": "open bug reports (code locations, no values)",
}


def _caches() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for info in pkgutil.walk_packages(casemanager.__path__, "casemanager."):
        name = info.name
        if ".migrations." in name:  # run by Alembic inside an upgrade, never at rest
            continue
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, functools._lru_cache_wrapper):
                if getattr(value, "__module__", None) == name:
                    found[f"{name}.{attribute}"] = value
            elif isinstance(value, (MutableMapping, MutableSet, list)) and not attribute.isupper():
                if not attribute.startswith("__"):
                    found[f"{name}.{attribute}"] = value
    return found


def test_every_cache_is_emptied_at_log_out_or_holds_fixed_wording() -> None:
    found = _caches()
    unexplained = sorted(set(found) - EMPTIED_AT_LOG_OUT - set(FIXED))
    assert unexplained == [], "empty these at logout (domain/login_memory) or say why not"
    assert sorted((EMPTIED_AT_LOG_OUT | set(FIXED)) - set(found)) == []  # no stale names


def test_forgetting_empties_each_of_them() -> None:
    from casemanager.domain import validation
    from casemanager.reports import fonts, page

    found = _caches()
    fonts.register()
    validation.validate_phone("phone", "(631) 555-0142")
    validation.validate_email("email", "ottilie@example.org")
    fonts.markup("Ottilie Quillfeatherova")
    for name in EMPTIED_AT_LOG_OUT:
        value = found[name]
        if isinstance(value, functools._lru_cache_wrapper):
            assert value.cache_info().currsize, name  # filled by the calls above
        elif isinstance(value, dict):
            value["a patient's text"] = "kept"
        elif name.endswith("._kept"):
            for kept in value:
                kept["a patient's text"] = "kept"
    page._broken[("Ottilie", 1.0)] = ()
    login_memory.forget_everything()
    for name in EMPTIED_AT_LOG_OUT:
        value = found[name]
        if isinstance(value, functools._lru_cache_wrapper):
            assert value.cache_info().currsize == 0, name
        elif name.endswith("._kept"):
            assert value and not any(value), name
        else:
            assert not value, name
