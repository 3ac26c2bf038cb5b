"""patient source identifier: where an imported patient came from, so imports do not repeat

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 05:09:17.805371
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("patient", sa.Column("source_identifier", sa.String(length=300), nullable=True))
    op.create_index(
        "ix_patient_source_identifier", "patient", ["source_identifier"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_patient_source_identifier", table_name="patient")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("source_identifier")
