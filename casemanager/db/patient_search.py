"""Finding patients by any part of their name, fast at 100,000 patients on both engines.

What matches is defined once, by `words_condition`: every word of the search is somewhere in
the patient's search name (a LIKE per word, as it always was). The index (migration 0020)
only narrows which rows that condition is checked on:

- a few matches (a rare name, "王", "nguyen"): the index lists them, and only those rows are
  read and sorted;
- many matches (a common piece such as "ma"): walking the list in its order finds a page
  after a few hundred rows, faster than reading every match to sort it.

On PostgreSQL a word of 3 or more characters is left to pg_trgm's index (migration 0004),
which serves the LIKE itself; the pieces index answers searches made only of 1- and
2-character words, which pg_trgm cannot.

Which case applies is asked of the index first (counting at most `FEW + 1` matches, a
fraction of a millisecond): neither planner can tell from its statistics how many rows a
piece of a name matches.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, column, literal, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from casemanager.db.models import Patient

# Above this many index matches, walking the list order is the faster way to a page.
FEW = 2000
# Pads a 1- or 2-character piece to a trigram in the SQLite index (no name holds U+001F).
_PAD = "\x1f"
_SQLITE_COUNT = text(
    "SELECT count(*) FROM (SELECT 1 FROM patient_search WHERE patient_search MATCH :terms LIMIT :n)"
)
_SQLITE_INDEX = table("patient_search", column("rowid"))
# The driver prepares a statement run often, and after a few runs PostgreSQL may plan it
# once for any search: a plan made without the words in hand cannot tell a rare name from a
# common one (a rare name would walk the whole list). The rest of the transaction plans
# with them. Each statement is a round trip to the server, which on a busy machine costs
# more than the work: for short pieces the setting rides along with the count.
_PG_CUSTOM_PLANS = text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
_PG_COUNT = text(
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), (SELECT count(*) FROM "
    "(SELECT 1 FROM patient WHERE search_pieces @> CAST(:wanted AS text[]) LIMIT :n) AS hits)"
)
# For a common piece: the list's own order, never every match read and sorted.
_PG_WALK = text(
    "SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)"
)
# On patient, PostgreSQL only: filled by a trigger (0020), not in the models.
_PG_PIECES = literal_column("patient.search_pieces", ARRAY(Text))


def words_condition(words: list[str]) -> ColumnElement[bool]:
    """The definition of a name match: each (normalized) word is part of the search name."""
    return and_(*(Patient.search_name.contains(w, autoescape=True) for w in words))


def pieces(word: str) -> list[str]:
    """What the PostgreSQL index must hold for a word to be part of a name: the word itself
    when it is short, else each of its trigrams."""
    if len(word) <= 3:
        return [word]
    return sorted({word[i : i + 3] for i in range(len(word) - 2)})


def _fts_phrase(word: str) -> str:
    if len(word) >= 3:
        column, phrase = "name", word
    else:
        column, phrase = "grams", word + _PAD * (3 - len(word))
    return f'{column} : "{phrase.replace(chr(34), chr(34) * 2)}"'


def narrowing(session: Session, words: list[str]) -> ColumnElement[bool] | None:
    """A condition the index answers that keeps every name match (and drops most other rows),
    or None when the words are so common that the list order is the faster way (on
    PostgreSQL the rest of the session's transaction is then told to walk that order)."""
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        if any(len(word) >= 3 for word in words):
            # pg_trgm's index (0004) serves the LIKE of such a word directly, and the
            # planner knows from its statistics how common it is.
            session.execute(_PG_CUSTOM_PLANS)
            return None
        wanted = sorted({piece for word in words for piece in pieces(word)})
        counted = session.execute(_PG_COUNT, {"wanted": wanted, "n": FEW + 1}).one()
        if int(counted[1] or 0) > FEW:
            session.execute(_PG_WALK)
            return None
        return _PG_PIECES.contains(literal(wanted, ARRAY(Text)))
    terms = " AND ".join(_fts_phrase(w) for w in words)
    if int(session.scalar(_SQLITE_COUNT, {"terms": terms, "n": FEW + 1}) or 0) > FEW:
        return None
    matching = text("patient_search MATCH :terms").bindparams(terms=terms)
    return Patient.id.in_(select(_SQLITE_INDEX.c.rowid).where(matching))
