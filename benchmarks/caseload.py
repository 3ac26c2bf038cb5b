"""How long the caseload review takes: the dashboard's figures (period statement plus the
therapist table) and the worklist's first page, on a 20-patient clinic and a big one built in
the same run, and what keeping the episode summary adds to each save.

Prints medians and the ratio to the small clinic (shared, noisy machines: ratios and medians).

    python benchmarks/caseload.py [--size 100000] [--repeat 7] [--database URL]

`--database` reuses an existing demo clinic dated 11/26/2026 (minutes to build at 100,000).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from demo_clinic import build  # benchmarks/ is on sys.path when run as a script
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemanager.db import episode_summary
from casemanager.db.caseload_queries import CaseloadQueries
from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import EpisodeOfCare, Visit
from casemanager.domain.caseload import CaseloadFilter, default_period
from casemanager.domain.enums import Cause
from casemanager.services import accounts, caseload, demo

TODAY = date(2026, 11, 26)  # the demo clinics' "today"


def _median_ms(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(db: Database, repeat: int) -> dict[str, float]:
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "bench")
    # An administrator's dashboard has no worklist: the figures alone.
    admin = accounts.authenticate(db, "admin", demo.DEMO_PASSWORD, "bench")
    whole = CaseloadFilter(*default_period(TODAY))
    one_cause = CaseloadFilter(whole.start, whole.end, cause=Cause.HEAVY_LIFTING)
    now = datetime.now(UTC)

    def part(name: str, filt: CaseloadFilter = whole) -> Callable[[], Any]:
        def run() -> Any:
            with db.session() as session:
                return getattr(CaseloadQueries(session, 1, filt, TODAY, now), name)()

        return run

    return {
        "period figures": _median_ms(part("period"), repeat),
        "therapist table": _median_ms(part("therapist_counts"), repeat),
        "worklist, first page": _median_ms(
            lambda: caseload.worklist_page(db, manager, whole, today=TODAY), repeat
        ),
        "period, one cause": _median_ms(part("period", one_cause), repeat),
        "dashboard figures (service)": _median_ms(
            lambda: caseload.dashboard(db, admin, whole, today=TODAY), repeat
        ),
        "figures and worklist": _median_ms(
            lambda: caseload.dashboard(db, manager, whole, today=TODAY), repeat
        ),
        "summary rewrite, 1 episode": _median_ms(lambda: _rewrite_one(db), repeat),
    }


def _rewrite_one(db: Database) -> None:
    """What each save adds: one episode's summary row written again (rolled back here)."""
    with Session(db.engine) as session:
        episode = session.scalar(select(func.max(EpisodeOfCare.id)))
        episode_summary.refresh(session, [int(episode or 0)])
        session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database", metavar="URL", help="an existing demo clinic to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        small, _seconds, _summary = build(f"sqlite:///{Path(folder) / 'small.sqlite3'}", 20)
        baseline = measure(small, args.repeat)
        small.dispose()
        if args.database:
            big = Database(args.database)
            upgrade(big)
        else:
            big, seconds, _summary = build(f"sqlite:///{Path(folder) / 'big.sqlite3'}", args.size)
            print(f"built {args.size:,} patients in {seconds:.0f} s")
        with big.session() as session:
            visits = session.scalar(select(func.count()).select_from(Visit))
            episodes = session.scalar(select(func.count()).select_from(EpisodeOfCare))
        figures = measure(big, args.repeat)
        big.dispose()
    print(f"\ncaseload, SQLite: {episodes:,} episodes, {visits:,} visits")
    print(f"medians of {args.repeat} runs")
    print(f"{'':28} {'20 patients':>12} {'big clinic':>12} {'ratio':>7}")
    for name, value in figures.items():
        print(f"{name:28} {baseline[name]:10.1f}ms {value:10.1f}ms {value / baseline[name]:7.1f}")


if __name__ == "__main__":
    main()
