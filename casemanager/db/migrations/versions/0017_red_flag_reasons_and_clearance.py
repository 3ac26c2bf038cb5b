"""red flags: the reason for a lower action or for monitoring, the follow-up re-screen, and
how a red-flag referral ended (who saw the patient, cleared for therapy or not, recorded by)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("red_flag_finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "red_flags_rechecked", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("cleared_for_therapy", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_referral_closed_by_id_users"), "users", ["closed_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_referral_closed_by_id_users"), type_="foreignkey")
        batch_op.drop_column("closed_by_id")
        batch_op.drop_column("cleared_for_therapy")
        batch_op.drop_column("seen_by")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_column("red_flags_rechecked")
    with op.batch_alter_table("red_flag_finding", schema=None) as batch_op:
        batch_op.drop_column("action_reason")
