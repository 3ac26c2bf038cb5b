"""one of each, enforced by the database: one unsigned evaluation per episode, one open
intake per patient, one clinic per database

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 16:30:00

Until now the services checked these before writing, so two workstations acting at the same
moment could both pass the check. Rows from such a moment may exist:

- two open intakes for a patient: the newest stays open and the older ones are cancelled,
  as opening an intake does (answers kept, token closed);
- two unsigned evaluations in one episode, or two clinics: each holds what someone wrote,
  and only the clinic can say which to keep, so the upgrade is refused, naming them, and
  nothing is changed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from casemanager.db.migrations.refusals import UpgradeRefused

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _refuse_two_clinics(conn: sa.Connection) -> None:
    names = conn.execute(sa.text("SELECT name FROM clinic ORDER BY id")).scalars().all()
    if len(names) > 1:
        raise UpgradeRefused(
            f"This database holds {len(names)} clinics ({', '.join(names)}): it was set up "
            "on two workstations at the same moment. This version of CaseManager keeps one "
            "clinic per database, and only you can say whose records to keep, so nothing was "
            "changed. Keep using the version you had and ask clinic IT to contact CaseManager "
            "support with this message."
        )


def _refuse_two_drafts(conn: sa.Connection) -> None:
    mrns = (
        conn.execute(
            sa.text(
                "SELECT p.mrn FROM evaluation e "
                "JOIN episode_of_care ep ON ep.id = e.episode_id "
                "JOIN patient p ON p.id = ep.patient_id "
                "WHERE e.status = 'draft' "
                "GROUP BY p.mrn, e.episode_id HAVING count(*) > 1 ORDER BY p.mrn"
            )
        )
        .scalars()
        .all()
    )
    if mrns:
        raise UpgradeRefused(
            "Some episodes of care hold two unsigned evaluations (patients with MRN "
            f"{', '.join(dict.fromkeys(mrns))}): two workstations started one at the same "
            "moment. This version of CaseManager keeps one unsigned evaluation per episode, "
            "and only the therapist can say which to keep, so nothing was changed. With the "
            "version you had, open each patient's chart, copy what you need from one draft "
            "into the other, sign or discard the extra one, then start this version again."
        )


def _cancel_older_open_intakes(conn: sa.Connection) -> None:
    conn.execute(
        sa.text(
            "UPDATE patient_intake SET status = 'cancelled', token_hash = NULL, "
            "version = version + 1 "
            "WHERE status = 'open' AND id NOT IN "
            "(SELECT max(id) FROM patient_intake WHERE status = 'open' GROUP BY patient_id)"
        )
    )


def upgrade() -> None:
    conn = op.get_bind()
    _refuse_two_clinics(conn)
    _refuse_two_drafts(conn)
    _cancel_older_open_intakes(conn)
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("only_clinic", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_check_constraint("only_clinic", sa.text("only_clinic"))
    op.create_index("uq_clinic_only_one", "clinic", ["only_clinic"], unique=True)
    op.create_index(
        "uq_evaluation_one_draft_per_episode",
        "evaluation",
        ["episode_id"],
        unique=True,
        sqlite_where=sa.text("status = 'draft'"),
        postgresql_where=sa.text("status = 'draft'"),
    )
    op.create_index(
        "uq_patient_intake_one_open_per_patient",
        "patient_intake",
        ["patient_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("uq_patient_intake_one_open_per_patient", table_name="patient_intake")
    op.drop_index("uq_evaluation_one_draft_per_episode", table_name="evaluation")
    op.drop_index("uq_clinic_only_one", table_name="clinic")
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_clinic_only_clinic"), type_="check")
        batch_op.drop_column("only_clinic")
