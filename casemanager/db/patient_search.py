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
of a millisecond), as its planner cannot tell from its statistics how many rows a piece of a
name matches. PostgreSQL reads its statistics of the pieces column (`_PG_ESTIMATE`), in the
statement that reads the page: both ways are in it, each gated by the estimate, and only the
way chosen runs. That saves the round trips a count of its own, and a setting for the next
statement, would cost: on a busy machine each costs more than the work. SQLite asks first
(`chooses_in_statement`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    bindparam,
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

    `found` is what matches (for a name, words_condition). When there is a choice of way,
    `few` is true when the index holds at most FEW matches, and `narrowed` is the index's
    condition, which keeps every match."""

    found: ColumnElement[bool]
    few: ColumnElement[bool] | None = None
    narrowed: ColumnElement[bool] | None = None

    def ways(self, few: bool | None = None) -> list[list[ColumnElement[bool]]]:
        """The WHERE conditions of each way to the matches: the way for `few` when it was
        asked already, else both ways, each gated by `few` (at most one reads anything)."""
        if self.few is None or self.narrowed is None:
            return [[self.found]]
        if few is not None:
            return [[self.narrowed, self.found]] if few else [[self.found]]
        return [[self.few, self.narrowed, self.found], [~self.few, self.found]]


def chooses_in_statement(dialect: str) -> bool:
    """Whether the engine runs only the way chosen when both are in one statement.
    PostgreSQL does (a condition naming no row of its query gates the plan below it, which
    never runs when the condition is false). SQLite evaluates such a condition once but
    still walks the rows it gates, so it is asked `few` first (in process: no round trip)."""
    return dialect == "postgresql"


def name_search(dialect: str, words: list[str]) -> Matches:
    """How to find these words (normalized, at least one) on this engine."""
    found = words_condition(words)
    if dialect == "postgresql":
        if any(len(word) >= 3 for word in words):
            # pg_trgm's index (0004) serves the LIKE of such a word directly, and the planner
            # knows from its statistics how common it is.
            return Matches(found)
        wanted = sorted({p for word in words for p in pieces(word)})
        estimate = _PG_ESTIMATE.bindparams(bindparam("wanted", wanted, type_=ARRAY(Text)))
        few = select(estimate.cte("common").c.n).scalar_subquery() <= FEW
        return Matches(found, few, _PG_PIECES.contains(literal(wanted, ARRAY(Text))))
    terms = " AND ".join(_fts_phrase(w) for w in words)
    matching = _SQLITE_INDEX.c.patient_search.op("MATCH")(terms)
    hits: Select[Any] = (
        select(literal_column("1")).select_from(_SQLITE_INDEX).where(matching).limit(FEW + 1)
    )
    counted = select(func.count()).select_from(hits.subquery()).scalar_subquery()
    narrowed = Patient.id.in_(select(_SQLITE_INDEX.c.rowid).where(matching))
    return Matches(found, counted <= FEW, narrowed)


# PostgreSQL: how many patients hold every piece wanted, at most, as ANALYZE last saw them.
# The pieces column was made for this (0019): its statistics list the 1,000 most common
# pieces with the share of patients holding each. A piece not listed is rare (the last one
# listed is held by about 0.1%), and so are its matches. Counting them instead read up to
# 2,000 rows: 3-8 ms for "a" or "li". A table never analyzed has no list: every piece reads
# as rare, which is slower for a common one but finds the same patients.
_PG_ESTIMATE = text(
    """
    SELECT coalesce(min(coalesce(s.most_common_elem_freqs[array_position(
               CAST(CAST(s.most_common_elems AS text) AS text[]), w.piece)], 0))
             * max(c.reltuples), 0) AS n
      FROM pg_stats AS s
      JOIN pg_class AS c ON c.oid = CAST('patient' AS regclass)
     CROSS JOIN unnest(CAST(:wanted AS text[])) AS w(piece)
     WHERE s.schemaname = current_schema()
       AND s.tablename = 'patient'
       AND s.attname = 'search_pieces'
    """
).columns(column("n", Float))


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
