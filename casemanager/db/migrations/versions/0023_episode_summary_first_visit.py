"""episode summary: the day of each episode's first visit, so the caseload counts the visits
in a period from the summary for every episode whose visits all fall in it

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("episode_summary", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_visit", sa.Date(), nullable=True))
    # Filled once the upgrade reaches head, by today's code (casemanager.db.migrate.upgrade):
    # a migration knows only the schema of its own day.


def downgrade() -> None:
    with op.batch_alter_table("episode_summary", schema=None) as batch_op:
        batch_op.drop_column("first_visit")
