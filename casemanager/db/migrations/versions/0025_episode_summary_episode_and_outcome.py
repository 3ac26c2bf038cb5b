"""episode summary: each episode's therapist, patient, status, dates and outcome, so the
caseload's figures read the summary alone

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0025'
down_revision: str | None = '0024'
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
    # Filled by casemanager.db.migrate once the upgrade reaches head (migrations change shapes only).


def downgrade() -> None:
    with op.batch_alter_table("episode_summary", schema=None) as batch_op:
        for name, _kind in reversed(_COLUMNS):
            batch_op.drop_column(name)
