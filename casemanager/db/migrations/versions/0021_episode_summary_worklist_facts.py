"""episode summary: the certification period in force (start, certified, the day it was set)
and the intake's and latest follow-up's outcome scores, so the caseload's worklist and
outcome figures read one row per episode; rebuilt here with every column

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SCORES = (
    ("intake_nprs", sa.SmallInteger()),
    ("intake_odi", sa.Float()),
    ("intake_psfs", sa.Float()),
    ("latest_nprs", sa.SmallInteger()),
    ("latest_odi", sa.Float()),
    ("latest_psfs", sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table("episode_summary", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certification_start", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("certified", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("plan_day", sa.Date(), nullable=True))
        for name, kind in _SCORES:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    # Filled once the upgrade reaches head, by today's code (casemanager.db.migrate.upgrade):
    # a migration knows only the schema of its own day.


def downgrade() -> None:
    with op.batch_alter_table("episode_summary", schema=None) as batch_op:
        for name, _kind in reversed(_SCORES):
            batch_op.drop_column(name)
        batch_op.drop_column("plan_day")
        batch_op.drop_column("certified")
        batch_op.drop_column("certification_start")
