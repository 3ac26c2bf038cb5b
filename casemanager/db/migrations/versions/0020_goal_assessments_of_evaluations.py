"""goal assessments of a progress report or re-evaluation written as an evaluation

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_PROGRESS = sa.Enum(
    'met', 'progressing', 'not_progressing', name='goalprogress', native_enum=False, length=32
)


def upgrade() -> None:
    with op.batch_alter_table('goal_assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_id', sa.Integer(), nullable=True))
        batch_op.alter_column('visit_id', existing_type=_BIG_ID, nullable=True)
        batch_op.alter_column('progress', existing_type=_PROGRESS, nullable=True)
        batch_op.alter_column('note', existing_type=sa.Text(), nullable=True)
        batch_op.create_index(
            batch_op.f('ix_goal_assessment_evaluation_id'), ['evaluation_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_goal_assessment_evaluation_id_evaluation'),
            'evaluation',
            ['evaluation_id'],
            ['id'],
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_goal_assessment_evaluation_id'), ['evaluation_id', 'goal_id']
        )
        batch_op.create_check_constraint(
            'one_report', '(visit_id IS NULL) <> (evaluation_id IS NULL)'
        )


def downgrade() -> None:
    # An evaluation's assessments have no visit to hang on: they go with the column.
    op.execute('DELETE FROM goal_assessment WHERE evaluation_id IS NOT NULL')
    with op.batch_alter_table('goal_assessment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_goal_assessment_one_report'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_goal_assessment_evaluation_id'), type_='unique')
        batch_op.drop_constraint(
            batch_op.f('fk_goal_assessment_evaluation_id_evaluation'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_goal_assessment_evaluation_id'))
        batch_op.alter_column('note', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('progress', existing_type=_PROGRESS, nullable=False)
        batch_op.alter_column('visit_id', existing_type=_BIG_ID, nullable=False)
        batch_op.drop_column('evaluation_id')
