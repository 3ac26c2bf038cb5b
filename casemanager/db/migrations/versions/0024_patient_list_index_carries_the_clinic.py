"""patient list index carries the clinic on PostgreSQL, so a page of the list is found from
the index alone (an index-only scan); SQLite's index is left as it is

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ['family_name', 'given_name', 'id', 'search_name']


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_patient_list_order', table_name='patient')
    op.create_index(
        'ix_patient_list_order', 'patient', _COLUMNS, postgresql_include=['clinic_id']
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_patient_list_order', table_name='patient')
    op.create_index('ix_patient_list_order', 'patient', _COLUMNS)
