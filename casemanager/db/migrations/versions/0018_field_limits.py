"""field limits: the patient search key fits three full names; email fits the longest address

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02

Only widening: every stored value still fits. PostgreSQL changes the declared size in place;
SQLite (which never enforced it) rebuilds the tables so the schema says the same.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.alter_column(
            "search_name", existing_type=sa.String(length=220), type_=sa.String(length=302)
        )
        batch_op.alter_column(
            "email", existing_type=sa.String(length=200), type_=sa.String(length=254)
        )
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.alter_column(
            "email", existing_type=sa.String(length=200), type_=sa.String(length=254)
        )


def downgrade() -> None:
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.alter_column(
            "email", existing_type=sa.String(length=254), type_=sa.String(length=200)
        )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.alter_column(
            "email", existing_type=sa.String(length=254), type_=sa.String(length=200)
        )
        batch_op.alter_column(
            "search_name", existing_type=sa.String(length=302), type_=sa.String(length=220)
        )
