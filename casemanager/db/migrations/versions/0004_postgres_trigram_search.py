"""PostgreSQL: a trigram index so 'any part of the name' searches need no full scan

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

pg_trgm ships with PostgreSQL and is a trusted extension (PostgreSQL 13+), so the database
owner may create it. If it cannot be created, the search still works, only slower: the
migration goes on without the index rather than fail the upgrade. SQLite needs none of this
(the patient list index carries the search name there).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_patient_search_trgm"  # kept out of the model comparison (db/migrate.py)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        DO $$
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            CREATE INDEX IF NOT EXISTS {INDEX} ON patient USING gin (search_name gin_trgm_ops);
        EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
            RAISE NOTICE 'pg_trgm unavailable: patient search works without its index';
        END $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
