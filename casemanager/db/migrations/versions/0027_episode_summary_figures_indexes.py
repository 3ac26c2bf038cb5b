"""episode summary indexes for the caseload: one that holds every column the period figures
read, in the order they are grouped by; one of the open episodes with what today's figures
and the worklist read of them; one of the latest follow-up's day

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 16:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: the models may list other columns later.
_INDEXES = {
    'ix_episode_summary_figures': [
        'therapist_id', 'cause', 'paths', 'episode_id', 'start_date', 'end_date', 'status',
        'visit_count', 'first_visit', 'last_visit', 'initial_date', 'latest_follow_up_date',
        'followed_up', 'nprs_change', 'nprs_ok', 'odi_change', 'odi_ok', 'psfs_change',
        'psfs_ok', 'patient_id',
    ],
    'ix_episode_summary_open': [
        'status', 'therapist_id', 'cause', 'paths', 'patient_id', 'visits_since_report',
        'certification_end', 'certified', 'plan_day', 'last_visit', 'last_evaluation',
    ],
    'ix_episode_summary_follow_up': ['latest_follow_up_date', 'start_date', 'end_date'],
}


def upgrade() -> None:
    for name, columns in _INDEXES.items():
        op.create_index(name, 'episode_summary', columns)


def downgrade() -> None:
    for name in reversed(_INDEXES):
        op.drop_index(name, table_name='episode_summary')
