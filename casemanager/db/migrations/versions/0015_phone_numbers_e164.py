"""phone numbers in E.164 beside the number as typed; the clinic's phone region

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 03:00:00.000000
"""

from collections.abc import Sequence

import phonenumbers
import sqlalchemy as sa
from alembic import op


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Numbers typed without "+" were all read as US numbers until the clinic had a region.
_REGION = "US"


def _e164(typed: str | None) -> str | None:
    """The E.164 form of a stored number that reads as a real one, else None (kept as typed)."""
    if not typed:
        return None
    try:
        number = phonenumbers.parse(typed, _REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def upgrade() -> None:
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_e164", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("phone_region", sa.String(length=2), server_default="US", nullable=False)
        )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_e164", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("emergency_contact_phone_e164", sa.String(length=16), nullable=True)
        )
        batch_op.create_index("ix_patient_phone_e164", ["phone_e164"], unique=False)
    _backfill()


def _backfill() -> None:
    """Fill the E.164 column of every number that reads as a real US (or "+") number.
    Only the new columns change: versions and update times stay, nobody edited a record."""
    bind = op.get_bind()
    clinic = sa.table("clinic", sa.column("id"), sa.column("phone"), sa.column("phone_e164"))
    for row in bind.execute(sa.select(clinic.c.id, clinic.c.phone)).all():
        bind.execute(
            clinic.update().where(clinic.c.id == row.id).values(phone_e164=_e164(row.phone))
        )
    patient = sa.table(
        "patient",
        sa.column("id"),
        sa.column("phone"),
        sa.column("phone_e164"),
        sa.column("emergency_contact_phone"),
        sa.column("emergency_contact_phone_e164"),
    )
    rows = bind.execute(
        sa.select(patient.c.id, patient.c.phone, patient.c.emergency_contact_phone).where(
            sa.or_(patient.c.phone.is_not(None), patient.c.emergency_contact_phone.is_not(None))
        )
    ).all()
    changes = [
        {"key": r.id, "own": _e164(r.phone), "contact": _e164(r.emergency_contact_phone)}
        for r in rows
    ]
    if changes:
        bind.execute(
            patient.update()
            .where(patient.c.id == sa.bindparam("key"))
            .values(
                phone_e164=sa.bindparam("own"),
                emergency_contact_phone_e164=sa.bindparam("contact"),
            ),
            changes,
        )


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_phone_e164")
        batch_op.drop_column("emergency_contact_phone_e164")
        batch_op.drop_column("phone_e164")
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.drop_column("phone_region")
        batch_op.drop_column("phone_e164")
