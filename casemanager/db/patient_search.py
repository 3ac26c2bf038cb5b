"""Finding patients by any part of their name, fast at 100,000 patients on both engines.

What matches is defined once, by `words_condition`: every word of the search is somewhere in
the patient's search name (a LIKE per word, as it always was). The index (migration 0019)
only narrows which rows that condition is checked on:

- a few matches (a rare name, "王", "nguyen"): the index lists them, and only those rows are
  read and sorted;
- many matches (a common piece such as "ma"): walking the list in its order finds a page
  after a few hundred rows, faster than reading every match to sort it.

On PostgreSQL a word of 3 or more characters is left to pg_trgm's index (migration 0004),
which serves the LIKE itself; the pieces index answers searches made only of 1- and
2-character words, which pg_trgm cannot.

Which case applies: SQLite asks its index (counting at most `FEW + 1` matches, a fraction
of a millisecond) before the page is read, as its planner cannot tell from its statistics
how many rows a piece of a name matches. PostgreSQL's statistics of the pieces column can
(`_piece_shares`), so its search is one statement: no count, and no setting for the next
statement, each a round trip that on a busy machine costs more than the work.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from casemanager.db.models import Patient

# Above this many index matches, walking the list order is the faster way to a page.
FEW = 2000
# Pads a 1- or 2-character piece to a trigram in the SQLite index (no name holds U+001F).
_PAD = "\x1f"
# The FTS5 table (0019); its own name as a column is the whole row, for MATCH.
_SQLITE_INDEX = table("patient_search", column("rowid"), column("patient_search"))
# On patient, PostgreSQL only: filled by a trigger (0019), not in the models.
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


@dataclass(frozen=True)
class Matches:
    """The conditions that find a search's matches.

    `found` is what matches (for a name, words_condition); `narrowed`, when there is an
    index to ask, is its condition, which keeps every match. On SQLite `few` says in SQL
    whether the index holds at most FEW matches (asked before the page is read); on
    PostgreSQL the choice is made already: `narrowed` is there only for a few."""

    found: ColumnElement[bool]
    few: ColumnElement[bool] | None = None
    narrowed: ColumnElement[bool] | None = None

    def where(self, few: bool = True) -> list[ColumnElement[bool]]:
        """The WHERE conditions of the way to the matches: through the index for a few, else
        along the list's order."""
        if self.narrowed is None or not few:
            return [self.found]
        return [self.narrowed, self.found]


def name_search(session: Session, words: list[str]) -> Matches:
    """How to find these words (normalized, at least one) on this session's engine."""
    found = words_condition(words)
    if session.get_bind().dialect.name == "postgresql":
        if any(len(word) >= 3 for word in words):
            # pg_trgm's index (0004) serves the LIKE of such a word directly, and the planner
            # knows from its statistics how common it is.
            return Matches(found)
        wanted = sorted({p for word in words for p in pieces(word)})
        shares, patients = _piece_shares(session)
        if min(shares.get(piece, 0.0) for piece in wanted) * patients > FEW:
            return Matches(found)  # along the list's order (the planner walks its index)
        return Matches(found, narrowed=_PG_PIECES.contains(literal(wanted, ARRAY(Text))))
    terms = " AND ".join(_fts_phrase(w) for w in words)
    matching = _SQLITE_INDEX.c.patient_search.op("MATCH")(terms)
    hits: Select[Any] = (
        select(literal_column("1")).select_from(_SQLITE_INDEX).where(matching).limit(FEW + 1)
    )
    counted = select(func.count()).select_from(hits.subquery()).scalar_subquery()
    narrowed = Patient.id.in_(select(_SQLITE_INDEX.c.rowid).where(matching))
    return Matches(found, counted <= FEW, narrowed)


# PostgreSQL: the share of patients holding each common piece, as ANALYZE last saw them. The
# pieces column was made for this (0019): its statistics list the 1,000 most common pieces.
# A piece not listed is rare (the last one listed is held by about 0.1%), and so are its
# matches. Counting matches instead read up to 2,000 rows (3-8 ms for "a" or "li"), and
# reading the statistics in the search's own statement cost its planning 1-2 ms. They change
# only at an ANALYZE, so a reading is kept a while; a stale one only picks a slower way to
# the same patients. A table never analyzed has no list: every piece reads as rare.
_SHARES_KEPT_S = 600.0
_PG_SHARES = text(
    """
    SELECT CAST(CAST(s.most_common_elems AS text) AS text[]), s.most_common_elem_freqs,
           c.reltuples
      FROM pg_class AS c
      LEFT JOIN pg_stats AS s
        ON s.schemaname = current_schema()
       AND s.tablename = 'patient'
       AND s.attname = 'search_pieces'
     WHERE c.oid = CAST('patient' AS regclass)
    """
)
_shares: WeakKeyDictionary[Any, tuple[float, dict[str, float], float]] = WeakKeyDictionary()


def _piece_shares(session: Session) -> tuple[dict[str, float], float]:
    """Each common piece's share of patients, and how many patients there are."""
    engine = session.get_bind()
    kept = _shares.get(engine)
    if kept is not None and time.monotonic() - kept[0] < _SHARES_KEPT_S:
        return kept[1], kept[2]
    pieces_listed, shares, patients = session.execute(_PG_SHARES).one()
    read = dict(zip(pieces_listed or (), shares or (), strict=False))  # shares has 3 more
    _shares[engine] = (time.monotonic(), read, max(float(patients or 0), 0.0))
    return read, max(float(patients or 0), 0.0)


@contextmanager
def planned_for_its_words(session: Session) -> Iterator[None]:
    """On PostgreSQL, the search statement is never prepared on the server, so it is planned
    each time with the words in hand. psycopg prepares a statement run often, and after a few
    runs PostgreSQL may plan it once for any words: a plan that cannot tell a rare name from
    a common one (a rare name then walked the whole list: 30-60 ms instead of 3). Only the
    driver's setting changes: nothing is sent to the server."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    driver: Any = session.connection().connection.driver_connection
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold
