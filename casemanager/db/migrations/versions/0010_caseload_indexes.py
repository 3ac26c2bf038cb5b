"""indexes for the caseload dashboard: each episode's signed evaluations, and open referrals

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_evaluation_episode_signed",
        "evaluation",
        ["episode_id", "status", "kind", "evaluation_date"],
    )
    op.create_index("ix_referral_status_kind", "referral", ["status", "kind"])


def downgrade() -> None:
    op.drop_index("ix_referral_status_kind", table_name="referral")
    op.drop_index("ix_evaluation_episode_signed", table_name="evaluation")
