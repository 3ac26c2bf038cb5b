"""How long `audit verify` takes on a big log, and what chaining adds to each audit write.

Builds logs of 10,000 and (by default) 1,000,000 rows with the app's own hashing, then
prints medians and the ratio of the big log to the small one (shared, noisy machines).

    python benchmarks/audit.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from demo_clinic import median_ms  # benchmarks/ is on sys.path when run as a script
from sqlalchemy import Table, insert, update

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import AuditChainHead, AuditEntry
from casemanager.domain.audit_chain import ChainedFields, row_hash
from casemanager.domain.enums import AuditAction, AuditOutcome, DataCategory
from casemanager.services import audit, audit_log, setup
from casemanager.services.context import Actor

ACTIONS = [AuditAction.READ, AuditAction.UPDATE, AuditAction.PRINT, AuditAction.LOGIN]


def build(folder: Path, rows: int) -> tuple[Database, Actor]:
    """A clinic whose log holds `rows` chained rows, written in bulk like years of use."""
    db = Database(f"sqlite:///{folder / f'audit{rows}.sqlite3'}")
    upgrade(db)
    admin = setup.create_clinic(
        db, setup.NewClinic("Bench Clinic", "admin", "Admin", "bench password 1"), "bench"
    )
    table = cast(Table, AuditEntry.__table__)
    with db.session() as session:
        previous = session.get(AuditChainHead, audit.CHAIN_HEAD_ID)
        assert previous is not None
        last, count = previous.last_hash, previous.rows
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with db.engine.begin() as conn:
        batch: list[dict[str, Any]] = []
        for n in range(rows):
            action = ACTIONS[n % len(ACTIONS)]
            fields = ChainedFields(
                occurred_at=start + timedelta(seconds=37 * n),
                user_id=admin.user_id,
                actor="admin",
                workstation="front-desk-2",
                patient_id=None,
                action=action.value,
                data_category=DataCategory.CLINICAL.value,
                outcome=AuditOutcome.SUCCESS.value,
                detail=f"evaluation {n}",
            )
            own = row_hash(last, fields)
            batch.append(
                {
                    "occurred_at": fields.occurred_at,
                    "user_id": admin.user_id,
                    "actor": "admin",
                    "workstation": "front-desk-2",
                    "action": action,
                    "data_category": DataCategory.CLINICAL,
                    "outcome": AuditOutcome.SUCCESS,
                    "detail": fields.detail,
                    "prev_hash": last,
                    "row_hash": own,
                }
            )
            last = own
            if len(batch) == 50_000:
                conn.execute(insert(table), batch)
                batch.clear()
        if batch:
            conn.execute(insert(table), batch)
        conn.execute(
            update(AuditChainHead)
            .where(AuditChainHead.id == audit.CHAIN_HEAD_ID)
            .values(rows=count + rows, last_hash=last)
        )
    return db, admin


def measure(db: Database, admin: Actor, repeat: int) -> dict[str, float]:
    def verify() -> None:
        report = audit_log.verify_chain(db, admin)
        assert report.broken is None

    def one_write() -> None:
        audit.record_now(db, admin, AuditAction.READ, DataCategory.SYSTEM, detail="bench")

    return {
        "audit verify": median_ms(verify, repeat),
        "one audit write (commit)": median_ms(one_write, max(repeat, 21)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        small_db, small_admin = build(Path(folder), 10_000)
        small = measure(small_db, small_admin, args.repeat)
        started = time.perf_counter()
        big_db, big_admin = build(Path(folder), args.rows)
        print(f"built a log of {args.rows:,} rows in {time.perf_counter() - started:.0f} s")
        big = measure(big_db, big_admin, args.repeat)
    print(f"\naudit log, SQLite: medians of {args.repeat} runs (writes: 21)")
    print(f"{'':26} {'10,000 rows':>12} {f'{args.rows:,} rows':>14} {'ratio':>7}")
    for name, value in big.items():
        print(f"{name:26} {small[name]:10.1f}ms {value:12.1f}ms {value / small[name]:7.1f}")


if __name__ == "__main__":
    main()
