"""patient search: an index of every 1-, 2- and 3-character piece of each search name, so the
list's "any part of the name" search reads a few index entries instead of every patient; the
open-episode index carries the patient, for the caseload worklist

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02

SQLite: an FTS5 table with the trigram tokenizer, kept by triggers on `patient` (so the app,
imports and bulk loads all keep it true without knowing it exists). Its `name` column holds
the search name (words of 3 or more characters match as phrases of trigrams); `grams` holds
each 1- and 2-character piece of a word padded to a trigram with U+001F, which no name can
hold (control characters are refused), so "王" and "li" are index look-ups too.

PostgreSQL: a column `search_pieces` (text[], filled by a trigger from the search name) lists
the same pieces (1, 2 and 3 characters, never across a space), with a GIN index. It needs no
extension and does not depend on the server's locale, unlike pg_trgm (0004), which stays. A
column rather than an index over the function: the planner keeps statistics of its pieces
(a common piece is better found by walking the list in order), and checking a row reads the
column instead of cutting the name up again. It is not in the models: nothing else reads it.

Both are only filters: the service still checks each row with the same LIKE as before, so
the results are exactly those of a scan. `db/patient_search.py` writes the queries.

A later migration that rebuilds `patient` on SQLite (batch mode: copy, drop, rename) drops
these triggers with the old table: it must create them again (`sqlite_triggers()` below).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Longest search name the SQLite pieces cover (the three name fields allow 302 characters);
# longer names still match words of 3 or more characters.
POSITIONS = 512


def _sqlite_grams(name: str) -> str:
    """SQL for the `grams` text of one search name (distinct pieces, order irrelevant)."""
    return f"""(
        SELECT coalesce(group_concat(piece, ''), '') FROM (
            SELECT substr({name}, n, 1) || char(31, 31) AS piece
              FROM patient_search_position
             WHERE n <= length({name}) AND substr({name}, n, 1) <> ' '
            UNION
            SELECT substr({name}, n, 2) || char(31)
              FROM patient_search_position
             WHERE n < length({name}) AND instr(substr({name}, n, 2), ' ') = 0
        )
    )"""


def sqlite_triggers() -> list[str]:
    new = f"INSERT INTO patient_search (rowid, name, grams) VALUES (new.id, new.search_name, {_sqlite_grams('new.search_name')});"
    return [
        f"CREATE TRIGGER patient_search_insert AFTER INSERT ON patient BEGIN {new} END",
        "CREATE TRIGGER patient_search_update AFTER UPDATE OF search_name ON patient BEGIN "
        f"DELETE FROM patient_search WHERE rowid = old.id; {new} END",
        "CREATE TRIGGER patient_search_delete AFTER DELETE ON patient BEGIN "
        "DELETE FROM patient_search WHERE rowid = old.id; END",
    ]


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION patient_search_grams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT piece), '{}')
      FROM (
            SELECT substr(name, i, size) AS piece
              FROM generate_series(1, 3) AS size,
                   generate_series(1, length(name) - size + 1) AS i
           ) AS pieces
     WHERE position(' ' in piece) = 0
$$
"""


POSTGRES_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION patient_search_pieces_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_pieces := patient_search_grams(NEW.search_name);
    RETURN NEW;
END
$$
"""


def _episode_index(columns: list[str]) -> None:
    op.drop_index("ix_episode_status_therapist", table_name="episode_of_care")
    op.create_index("ix_episode_status_therapist", "episode_of_care", columns)


def upgrade() -> None:
    _episode_index(["status", "therapist_id", "patient_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER_FUNCTION)
        op.execute("ALTER TABLE patient ADD COLUMN search_pieces text[]")
        op.execute("UPDATE patient SET search_pieces = patient_search_grams(search_name)")
        op.execute(
            "CREATE TRIGGER patient_search_pieces BEFORE INSERT OR UPDATE OF search_name "
            "ON patient FOR EACH ROW EXECUTE FUNCTION patient_search_pieces_fill()"
        )
        op.execute("CREATE INDEX ix_patient_search_pieces ON patient USING gin (search_pieces)")
        op.execute("ANALYZE patient")  # the planner weighs common pieces against rare ones
        return
    op.execute("CREATE TABLE patient_search_position (n INTEGER PRIMARY KEY)")
    op.execute(
        "INSERT INTO patient_search_position (n) "
        f"WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < {POSITIONS}) "
        "SELECT n FROM k"
    )
    op.execute("CREATE VIRTUAL TABLE patient_search USING fts5(name, grams, tokenize='trigram')")
    op.execute(
        "INSERT INTO patient_search (rowid, name, grams) "
        f"SELECT id, search_name, {_sqlite_grams('search_name')} FROM patient"
    )
    for trigger in sqlite_triggers():
        op.execute(trigger)


def downgrade() -> None:
    _episode_index(["status", "therapist_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS patient_search_pieces ON patient")
        op.execute("DROP INDEX IF EXISTS ix_patient_search_pieces")
        op.execute("ALTER TABLE patient DROP COLUMN IF EXISTS search_pieces")
        op.execute("DROP FUNCTION IF EXISTS patient_search_pieces_fill()")
        op.execute("DROP FUNCTION IF EXISTS patient_search_grams(text)")
        return
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS patient_search_{name}")
    op.execute("DROP TABLE IF EXISTS patient_search")
    op.execute("DROP TABLE IF EXISTS patient_search_position")
