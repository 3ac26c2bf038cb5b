"""Everything a patient reads on a take-home plan, per language, from one catalog:
resources/care_plan_text/<code>.json. A clinic adds a language by adding a file with the
same keys (a test checks every language has them all)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

TEXT_DIR = Path(__file__).resolve().parents[2] / "resources" / "care_plan_text"


def languages() -> dict[str, str]:
    """Language code -> its own name, e.g. {'en': 'English', 'es': 'Español'}."""
    return {path.stem: load(path.stem)["language_name"] for path in sorted(TEXT_DIR.glob("*.json"))}


@cache
def load(code: str) -> dict[str, Any]:
    path = TEXT_DIR / f"{code}.json"
    if not path.is_file():
        raise ValueError(f"No care plan wording for language {code!r}.")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class Wording:
    """Look up text by dotted key; `fill` substitutes {fields}."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.data = load(code)

    def __call__(self, key: str, **fields: object) -> str:
        value: Any = self.data
        for part in key.split("."):
            value = value[part]
        if not isinstance(value, str):
            raise TypeError(f"{key} is not a text")
        if not fields:
            return value
        text = value.format(**fields)
        # A name with a title takes an article in some languages; its preposition then
        # contracts ("a" + "el Dr." -> "al Dr." in Spanish).
        for before, after in self.data.get("contractions", []):
            text = text.replace(before, after)
        return text

    def recipient(self, name: str) -> str:
        """A referral's recipient as a sentence of this language names them: the app's own
        default recipients and a trailing "(specialty)" translated, a title given its
        article. A name typed by the clinic otherwise prints as typed."""
        text = name.strip()
        specialty = ""
        if text.endswith(")") and "(" in text:
            head, _, tail = text.rpartition("(")
            known = self.data.get("specialties", {}).get(tail[:-1].strip().lower())
            if known:
                text, specialty = head.rstrip(), f" ({known})"
        for default, said in self.data.get("recipients", {}).items():
            if text == default or text.startswith(default + ","):
                return f"{said}{text[len(default) :]}{specialty}"
        for title, with_article in self.data.get("titles", []):
            if text.startswith(title):
                return f"{with_article}{text[len(title) :]}{specialty}"
        return text + specialty

    def goal(self, description: str) -> str:
        """A goal the app itself wrote (the demo's, say) in this language; a goal the
        therapist typed prints as typed."""
        for english, translated in self.data.get("known_goals", []):
            if description == english:
                return str(translated)
        return description

    def items(self, key: str) -> list[str]:
        value: Any = self.data
        for part in key.split("."):
            value = value[part]
        return list(value)

    def exercise(self, starter_key: str | None) -> dict[str, str] | None:
        """This language's own wording of a starter exercise, if the catalog has one."""
        found = self.data.get("exercises", {}).get(starter_key or "")
        return dict(found) if found else None
