"""physician certification of a plan of care; goal assessments of a progress report; the
episode summary counts treatment days from the evaluation day

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casemanager.db.types

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('treatment_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certified_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('certified_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('certification_delay_reason', sa.Text(), nullable=True))
    op.create_table('goal_assessment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('visit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Enum('met', 'progressing', 'not_progressing', name='goalprogress', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', casemanager.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', casemanager.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], name=op.f('fk_goal_assessment_goal_id_goal')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_goal_assessment_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_assessment')),
    sa.UniqueConstraint('visit_id', 'goal_id', name=op.f('uq_goal_assessment_visit_id'))
    )
    with op.batch_alter_table('goal_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_assessment_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_assessment_visit_id'), ['visit_id'], unique=False)
    # Filled once the upgrade reaches head, by today's code (casemanager.db.migrate.upgrade):
    # a migration knows only the schema of its own day.


def downgrade() -> None:
    with op.batch_alter_table('goal_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_assessment_visit_id'))
        batch_op.drop_index(batch_op.f('ix_goal_assessment_goal_id'))
    op.drop_table('goal_assessment')
    with op.batch_alter_table('treatment_plan', schema=None) as batch_op:
        batch_op.drop_column('certification_delay_reason')
        batch_op.drop_column('certified_on')
        batch_op.drop_column('certified_by')
