"""Importing a big CSV of patients (read, check every row, write all or none): time and the
process's peak memory, against a 100-row file in the same run. The goal is 200,000 patients
in at most 60 s and 200 MB. The CPU time of the import process is printed too: on a busy
machine the wall time also counts the time other processes had the CPU.

    python benchmarks/patient_import.py [--size 200000] [--runs 3] [--database URL]

Each import runs in a fresh process (so its maximum resident size is its own) into a fresh
empty clinic: a SQLite file, or with `--database` a PostgreSQL server URL whose database is
emptied first (it must be a throwaway one). Medians of `--runs` imports are printed.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GIVEN = ["Ana", "María José", "Chen", "Olusegun", "Siobhán", "Łucja", "Văn An", "Yuki", "Omar"]
FAMILY = ["Silva", "García López", "Wang", "Adeyemi", "O'Brien", "Wiśniewska", "Nguyễn", "Sato"]


def write_csv(path: Path, size: int) -> None:
    rng = random.Random(size)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Patient ID,First Name,Last Name,DOB,Sex,Phone,Email,Address,Language\r\n")
        for n in range(size):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            out.write(
                f'OLD-{n:07d},{given},"{family}",{rng.randint(1, 12)}/{rng.randint(1, 28)}/'
                f"{rng.randint(1930, 2015)},{rng.choice('FMOU')},(631) 555-01"
                f'{rng.randint(0, 99):02d},p{n}@example.org,"{rng.randint(1, 999)} Main St, '
                f'Springfield",{rng.choice(["en", "es"])}\r\n'
            )


def child(csv_path: str, url: str) -> None:
    """One import in this process; prints its seconds and peak resident memory as JSON."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text

    from casemanager.db.engine import Database
    from casemanager.db.migrate import upgrade
    from casemanager.db.models import Base
    from casemanager.domain.audit_chain import GENESIS
    from casemanager.interop import patient_files
    from casemanager.services import patient_import, setup

    db = Database(url)
    if not db.is_sqlite:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(db)
    del Base, GENESIS
    admin = setup.create_clinic(
        db, setup.NewClinic("Bench", "admin", "Admin", "bench-password-1"), workstation="bench"
    )
    started = time.perf_counter()
    cpu_started = time.process_time()
    header, rows = patient_files.iter_csv(Path(csv_path))
    candidates = patient_files.csv_candidates(header, rows, patient_files.suggest_mapping(header))
    report = patient_import.import_patients(db, admin, candidates, dry_run=False)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    assert not report.problems, report.problems[:3]
    db.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": peak, "added": report.added}))


def run(csv_path: Path, url: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(csv_path), url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", metavar="URL", help="a throwaway PostgreSQL database")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        small, big = Path(folder) / "small.csv", Path(folder) / "big.csv"
        write_csv(small, 100)
        write_csv(big, args.size)
        results: dict[str, list[dict[str, float]]] = {"small": [], "big": []}
        for n in range(args.runs):
            for name, path in (("small", small), ("big", big)):
                url = args.database or f"sqlite:///{Path(folder) / f'{name}-{n}.sqlite3'}"
                results[name].append(run(path, url))
    engine = "PostgreSQL" if args.database else "SQLite"
    print(f"\nPatient import (CSV), {engine}: median of {args.runs} runs, each in a new process")
    print(f"{'':24} {'100 rows':>12} {f'{args.size:,} rows':>14} {'ratio':>7}")
    for key, unit, label in (
        ("seconds", "s", "time"),
        ("cpu", "s", "CPU time of the import"),
        ("peak_mib", "MiB", "peak resident"),
    ):
        base = statistics.median(r[key] for r in results["small"])
        value = statistics.median(r[key] for r in results["big"])
        print(f"{label:24} {base:10.2f}{unit:<2} {value:12.1f}{unit:<3} {value / base:6.1f}")
    seconds = statistics.median(r["seconds"] for r in results["big"])
    print(f"{'patients per second':24} {'':>12} {args.size / seconds:14,.0f}")


if __name__ == "__main__":
    main()
