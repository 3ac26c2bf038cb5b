"""Build demo clinics and time what a clinic feels: making data, a name search, a caseload count.

Prints medians and each figure's ratio to the same query on an empty clinic measured in the
same run (machines here are shared and noisy: ratios and medians, never single timings).

    python benchmarks/demo_clinic.py [--sizes 10000 100000] [--repeat 15] [--postgres URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.services import accounts, clinic, demo, patients
from casemanager.services.context import Actor

SEARCHES = ("mar", "nguyen", "garcía lo", "王", "smith j", "ива")


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm caches and the connection pool
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def therapist(db: Database) -> Actor:
    return accounts.authenticate(db, "alvarez", demo.DEMO_PASSWORD, "bench")


def measure(db: Database, actor: Actor, repeat: int) -> dict[str, float]:
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "bench")
    figures = {}
    for needle in SEARCHES:
        figures[f"search {needle!r}"] = median_ms(
            lambda n=needle: patients.search_patients(db, actor, n, limit=200), repeat
        )
    figures["search, first page of all"] = median_ms(
        lambda: patients.search_patients(db, actor, "", limit=200), repeat
    )
    figures["caseload by therapist"] = median_ms(
        lambda: clinic.caseload_by_therapist(db, manager), repeat
    )
    figures["clinic overview counts"] = median_ms(lambda: clinic.overview(db, actor), repeat)
    return figures


def build(url: str, size: int) -> tuple[Database, float, demo.DemoSummary]:
    db = Database(url)
    upgrade(db)
    summary = demo.generate_demo_clinic(db, patients=size, seed=1, today=date(2026, 11, 26))
    return db, summary.seconds, summary


def run(label: str, make_url: Callable[[str], str], sizes: list[int], repeat: int) -> None:
    print(f"\n== {label}")
    baseline_db, _, _ = build(make_url("empty"), 0)
    baseline = measure(baseline_db, therapist(baseline_db), repeat)
    baseline_db.dispose()
    for size in sizes:
        db, seconds, summary = build(make_url(f"n{size}"), size)
        print(
            f"\n{size:,} patients: generated in {seconds:.1f} s "
            f"({summary.visits:,} visits, {summary.evaluations:,} evaluations, "
            f"{summary.patients / seconds:,.0f} patients/s)"
        )
        figures = measure(db, therapist(db), repeat)
        print(f"  {'query':32} {'median ms':>10} {'empty ms':>10} {'ratio':>8}")
        for name, value in figures.items():
            base = baseline[name]
            print(f"  {name:32} {value:10.2f} {base:10.2f} {value / base:8.1f}")
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--postgres", metavar="URL", help="also run on this server (creates bench databases)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(
            "SQLite",
            lambda name: f"sqlite:///{Path(folder) / name}.sqlite3",
            args.sizes,
            args.repeat,
        )
    if args.postgres:
        run("PostgreSQL", lambda name: _pg_database(args.postgres, name), args.sizes, args.repeat)


def _pg_database(admin_url: str, name: str) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = Database(admin_url)
    database = f"casemanager_bench_{name}"
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        conn.execute(text(f"CREATE DATABASE \"{database}\" TEMPLATE template0 ENCODING 'UTF8'"))
    admin.dispose()
    return make_url(admin_url).set(database=database).render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
