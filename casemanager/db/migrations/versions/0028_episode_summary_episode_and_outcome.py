"""episode summary: each episode's therapist, patient, status, dates and outcome, so the
caseload's figures read the summary alone

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-02 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from casemanager.db import episode_summary

revision: str = '0028'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("therapist_id", sa.Integer()),
    ("patient_id", sa.Integer()),
    ("status", sa.String(length=32)),
    ("start_date", sa.Date()),
    ("end_date", sa.Date()),
    ("followed_up", sa.SmallInteger()),
    ("nprs_change", sa.SmallInteger()),
    ("nprs_ok", sa.SmallInteger()),
    ("odi_change", sa.Float()),
    ("odi_ok", sa.SmallInteger()),
    ("psfs_change", sa.Float()),
    ("psfs_ok", sa.SmallInteger()),
)


def upgrade() -> None:
    with op.batch_alter_table("episode_summary", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    # Rebuilt with every column: an older file's earlier migrations left it to the last one.
    episode_summary.rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("episode_summary", schema=None) as batch_op:
        for name, _kind in reversed(_COLUMNS):
            batch_op.drop_column(name)
