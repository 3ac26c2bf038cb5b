"""audit hash chain: each row keeps the previous row's hash and its own; rows already written
are chained in id order; audit_chain_head holds the count and the last hash

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 03:54:10.690936
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from casemanager.db.types import UTCDateTime
from casemanager.domain.audit_chain import GENESIS, ChainedFields, row_hash


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _append_only(on: bool) -> None:
    """The triggers of 0002: lifted only while this migration writes the hashes."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            if on:
                op.execute(
                    f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                )
            else:
                op.execute(f"DROP TRIGGER audit_log_no_{event.lower()}")
    elif on:
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")


_CHAINED = (
    'id', 'occurred_at', 'user_id', 'actor', 'workstation', 'patient_id', 'action',
    'data_category', 'outcome', 'detail',
)


def _chain_existing_rows() -> tuple[int, str]:
    """In id order, a page at a time (a clinic's log may hold millions of rows)."""
    bind = op.get_bind()
    # audit_log as it stands at this revision (the model follows the head schema).
    table = sa.table(
        'audit_log',
        sa.column('id', sa.Integer()),
        sa.column('occurred_at', UTCDateTime()),
        sa.column('user_id', sa.Integer()),
        sa.column('actor', sa.String()),
        sa.column('workstation', sa.String()),
        sa.column('patient_id', sa.Integer()),
        sa.column('action', sa.String()),
        sa.column('data_category', sa.String()),
        sa.column('outcome', sa.String()),
        sa.column('detail', sa.Text()),
        sa.column('prev_hash', sa.String()),
        sa.column('row_hash', sa.String()),
    )
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values(prev_hash=sa.bindparam("prev"), row_hash=sa.bindparam("own"))
    )
    previous, last_id, count = GENESIS, 0, 0
    while True:
        page = bind.execute(
            sa.select(
                *[table.c[name] for name in _CHAINED]
            ).where(table.c.id > last_id).order_by(table.c.id).limit(10_000)
        ).all()
        if not page:
            return count, previous
        changes = []
        for row in page:
            fields = ChainedFields(
                occurred_at=row.occurred_at,
                user_id=row.user_id,
                actor=row.actor,
                workstation=row.workstation,
                patient_id=row.patient_id,
                action=row.action,
                data_category=row.data_category,
                outcome=row.outcome,
                detail=row.detail,
            )
            own = row_hash(previous, fields)
            changes.append({"row_id": row.id, "prev": previous, "own": own})
            previous = own
        bind.execute(update, changes)
        last_id = page[-1].id
        count += len(page)


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    _append_only(False)
    rows, last_hash = _chain_existing_rows()
    _append_only(True)
    op.bulk_insert(head, [{"id": 1, "rows": rows, "last_hash": last_hash}])


def downgrade() -> None:
    op.drop_table("audit_chain_head")
    _append_only(False)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
    _append_only(True)
