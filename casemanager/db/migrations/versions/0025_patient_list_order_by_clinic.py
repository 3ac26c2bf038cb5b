"""patient list index led by the clinic, so a page of the list is found from the index alone

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0025'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_list_order')
        batch_op.create_index(
            'ix_patient_list_order',
            ['clinic_id', 'family_name', 'given_name', 'id', 'search_name'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_list_order')
        batch_op.create_index(
            'ix_patient_list_order',
            ['family_name', 'given_name', 'id', 'search_name'],
            unique=False,
        )
