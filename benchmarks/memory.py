"""The app's resident memory (RSS) on a big clinic: after login, and after opening the caseload
the way the dashboard does (its figures first, then the worklist's first page), in a fresh
process.

    python benchmarks/memory.py URL [--username manager]

The process loads what the app loads before its first window (the application module and a
QApplication, offscreen) and then calls the same services the app calls. Prints one line per
moment, in MB, read from /proc/self/statm (resource.getrusage's peak where /proc is absent).
benchmarks/waits.py runs it for each clinic it measures.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 26)  # the demo clinics' "today"


def resident_mb() -> float:
    """This process's resident set now (or its peak, where /proc is not there)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str, username: str) -> list[tuple[str, float]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    import casemanager.app  # noqa: F401 - what the app has loaded before its first window
    from casemanager.db.engine import Database
    from casemanager.domain.caseload import CaseloadFilter, default_period
    from casemanager.services import accounts, caseload, demo

    seen = [("started (app loaded, no database)", resident_mb())]
    qt = QApplication.instance() or QApplication([])
    db = Database(url)
    actor = accounts.authenticate(db, username, demo.DEMO_PASSWORD, "bench")
    seen.append(("after login", resident_mb()))
    whole = CaseloadFilter(*default_period(TODAY))
    board = caseload.figures(db, actor, whole, today=TODAY)
    seen.append(("after the caseload figures", resident_mb()))
    page = caseload.worklist_page(db, actor, whole, today=TODAY)
    seen.append(
        (f"after the worklist's first page ({len(page.items)} of {page.total:,})", resident_mb())
    )
    assert board.totals is not None and qt is not None
    db.dispose()
    return seen


def in_child(url: str, username: str = "manager") -> list[tuple[str, float]]:
    """measure() in a fresh interpreter, so nothing this process loaded is counted."""
    here = Path(__file__).resolve()
    done = subprocess.run(
        [sys.executable, str(here), url, "--username", username],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    rows = []
    for line in done.stdout.splitlines():
        moment, _, mb = line.rpartition("\t")
        rows.append((moment, float(mb)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--username", default="manager")
    args = parser.parse_args()
    for moment, mb in measure(args.url, args.username):
        print(f"{moment}\t{mb:.1f}")


if __name__ == "__main__":
    main()
