"""The FHIR export of a big clinic: its time and peak memory, against a 20-patient clinic in
the same run (the export streams: memory must not grow with the clinic).

    python benchmarks/fhir_export.py [--size 100000] [--database URL]

`--database` reuses an existing demo clinic (minutes to build at 100,000 patients).
Peak memory is the Python heap's peak during the export (tracemalloc), and the process's
maximum resident size. tracemalloc slows Python down severalfold: the times printed are
upper bounds, comparable with each other but not with an export run without it.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from demo_clinic import build  # benchmarks/ is on sys.path when run as a script

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.services import accounts, demo, fhir_export


def measure(db: Database, folder: Path) -> tuple[float, float, dict[str, int]]:
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "bench")
    tracemalloc.start()
    started = time.perf_counter()
    result = fhir_export.export(db, manager, folder)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, result.counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database", metavar="URL", help="an existing demo clinic to export")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        small, _s, _summary = build(f"sqlite:///{Path(folder) / 'small.sqlite3'}", 20)
        base = measure(small, Path(folder) / "small-out")
        small.dispose()
        if args.database:
            big = Database(args.database)
            upgrade(big)
        else:
            big, seconds, _summary = build(f"sqlite:///{Path(folder) / 'big.sqlite3'}", args.size)
            print(f"built {args.size:,} patients in {seconds:.0f} s")
        seconds, peak, counts = measure(big, Path(folder) / "big-out")
        size = sum(p.stat().st_size for p in (Path(folder) / "big-out").glob("*.ndjson"))
        big.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = sum(counts.values())
    print(f"\nFHIR export, SQLite: {total:,} resources, {size / 2**20:,.0f} MiB of NDJSON")
    for kind, count in sorted(counts.items()):
        print(f"  {count:>12,}  {kind}")
    print(f"{'':24} {'20 patients':>12} {'big clinic':>12} {'ratio':>7}")
    print(f"{'time':24} {base[0]:11.2f}s {seconds:11.1f}s {seconds / base[0]:7.0f}")
    print(f"{'Python heap peak':24} {base[1]:10.1f}MiB {peak:9.1f}MiB {peak / base[1]:7.1f}")
    print(f"{'resources per second':24} {'':>12} {total / seconds:12,.0f}")
    print(f"process maximum resident size: {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
