"""evaluation templates by suspected cause (starter templates for each existing clinic);
patient intake locked to one patient

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import casemanager.db.types
from casemanager.db.types import utcnow

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CAUSE = sa.Enum(
    'tissue_injury', 'heavy_lifting', 'activity_strain', 'weak_abdominals', 'arthritis',
    'ruptured_disc', 'fibromyalgia', 'other', name='cause', native_enum=False, length=32,
)
_INTAKE_STATUS = sa.Enum(
    'open', 'submitted', 'confirmed', 'cancelled', name='intakestatus', native_enum=False,
    length=32,
)


def upgrade() -> None:
    op.create_table('evaluation_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=True),
    sa.Column('cause', _CAUSE, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('source_evaluation_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', casemanager.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', casemanager.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_evaluation_template_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_template_created_by_id_users')),
    sa.ForeignKeyConstraint(['source_evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_template_source_evaluation_id_evaluation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_template'))
    )
    with op.batch_alter_table('evaluation_template', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_template_cause', ['clinic_id', 'cause', 'active'], unique=False)
    op.create_table('patient_intake',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('status', _INTAKE_STATUS, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('expires_at', casemanager.db.types.UTCDateTime(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('submitted_at', casemanager.db.types.UTCDateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', casemanager.db.types.UTCDateTime(), nullable=True),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', casemanager.db.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', casemanager.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_patient_intake_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_patient_intake_evaluation_id_evaluation')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_patient_intake_opened_by_id_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_intake_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_intake')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_patient_intake_token_hash'))
    )
    with op.batch_alter_table('patient_intake', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_intake_patient_id'), ['patient_id'], unique=False)
    _starter_templates_for_each_clinic()


def _starter_templates_for_each_clinic() -> None:
    """Clinics created before templates existed get the starter set now, as new clinics do
    at creation, so the first evaluation after the upgrade already offers them. Exercises are
    found in each clinic's own library by their starter key."""
    from casemanager.domain import templates
    from casemanager.domain.starter_templates import STARTER_TEMPLATES, starter_content

    bind = op.get_bind()
    clinic_ids = list(bind.execute(sa.text('SELECT id FROM clinic ORDER BY id')).scalars())
    table = sa.table(
        'evaluation_template',
        sa.column('clinic_id', sa.Integer()),
        sa.column('key', sa.String()),
        sa.column('cause', sa.String()),
        sa.column('name', sa.String()),
        sa.column('note', sa.Text()),
        sa.column('content', sa.JSON()),
        sa.column('active', sa.Boolean()),
        sa.column('version', sa.Integer()),
        sa.column('created_at', casemanager.db.types.UTCDateTime()),
        sa.column('updated_at', casemanager.db.types.UTCDateTime()),
    )
    now = utcnow()
    rows = []
    for clinic_id in clinic_ids:
        ids: dict[str, int] = {}
        # Active copies first, then the oldest: the exercise the clinic uses under that key.
        for key, exercise_id in bind.execute(
            sa.text(
                'SELECT key, id FROM exercise WHERE clinic_id = :clinic AND key IS NOT NULL '
                'ORDER BY active DESC, id'
            ),
            {'clinic': clinic_id},
        ):
            ids.setdefault(key, exercise_id)
        for starter in STARTER_TEMPLATES:
            content = starter_content(starter, ids)
            rows.append(
                {
                    'clinic_id': clinic_id,
                    'key': starter.key,
                    'cause': starter.cause.value,
                    'name': content.name,
                    'note': content.note,
                    'content': templates.to_data(content),
                    'active': True,
                    'version': 1,
                    'created_at': now,
                    'updated_at': now,
                }
            )
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table('patient_intake', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_intake_patient_id'))
    op.drop_table('patient_intake')
    with op.batch_alter_table('evaluation_template', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_template_cause')
    op.drop_table('evaluation_template')
