"""What users wait for at the database, on SQLite and PostgreSQL, each row beside an anchor
measured in the same run on the same clinic, as medians (shared, noisy machines: read the
ratios): the patient search and the caseload (figures, worklist).

    python benchmarks/waits.py [--size 100000] [--repeat 15]
        [--sqlite URL] [--postgres ADMIN_URL | --postgres-clinic URL]

A 100,000-patient clinic takes minutes to build: `--sqlite sqlite:////tmp/clinic.sqlite3`
and `--postgres-clinic URL` reuse demo clinics dated 11/26/2026 (upgraded first); without
them, clinics are built (`--postgres` names a server where a database may be created).

Anchors:
- search: a plain `LIKE '%…%'` scan of every search name, sorted, first 200 (what the
  search did before its index), run through the same session machinery; keystroke to rows
  shown (benchmarks/keystroke.py: the app's patient list offscreen, its typing pause
  included) beside the search service call for the same text;
- caseload: one pass over the per-episode summary (the sum of its visit counts), the floor
  of any figure that looks at every episode;
- resident memory (benchmarks/memory.py, a fresh process): the app loaded, before it opens
  the database; then after login and after opening the caseload (figures, then the
  worklist's first page, as the screen asks for them).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from demo_clinic import _pg_database, build  # benchmarks/ is on sys.path when run as a script
from memory import in_child
from sqlalchemy import func, select

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import EpisodeSummary, Patient, User
from casemanager.domain import validation
from casemanager.domain.caseload import CaseloadFilter, default_period
from casemanager.services import accounts, caseload, demo, patients

TODAY = date(2026, 11, 26)  # the demo clinics' "today"
SEARCHES = ("nguyen", "garcía lo", "王", "smith j", "ива", "mar", "a", "li")
GOALS = {"search": 5.0, "caseload": 300.0}


CPU: dict[str, float] = {}  # row name -> median CPU ms of this process (SQLite runs in it)


def median_ms(action: Callable[[], object], repeat: int, name: str = "") -> float:
    action()  # warm caches, the connection pool and prepared statements
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    CPU[name] = statistics.median(cpu)
    return statistics.median(times)


def plain_scan(db: Database, text: str) -> Callable[[], object]:
    """The anchor: every search name checked with LIKE, sorted, first 200."""
    words = validation.normalize_for_search(text).split()
    query = (
        select(*patients.LIST_COLUMNS)  # the same row the service reads
        .outerjoin(User, User.id == Patient.primary_therapist_id)
        .where(*(Patient.search_name.contains(w, autoescape=True) for w in words))
        .order_by(Patient.family_name, Patient.given_name, Patient.id)
        .limit(200)
    )

    def run() -> object:
        with db.session() as session:
            return session.execute(query).all()

    return run


Row = tuple[str, float, str, float, float | None]  # name, ms, anchor name, anchor ms, goal


def search_rows(db: Database, repeat: int) -> list[Row]:
    from keystroke import GOAL_MS, keystroke_to_rows

    actor = accounts.authenticate(db, "alvarez", demo.DEMO_PASSWORD, "bench")
    rows: list[Row] = []
    typed = keystroke_to_rows(db, actor, SEARCHES, repeat)
    for needle in SEARCHES:
        query = patients.PatientQuery(needle)
        shown = patients.find_patients(db, actor, query)
        anchor = median_ms(plain_scan(db, needle), repeat)
        call = median_ms(
            lambda q=query: patients.find_patients(db, actor, q),
            repeat,
            f"search {needle!r} ({len(shown)} rows)",
        )
        rows.append(
            (
                f"search {needle!r} ({len(shown)} rows)",
                call,
                "plain LIKE scan",
                anchor,
                GOALS["search"],
            )
        )
        rows.append(
            (
                f"  keystroke → rows shown (pause {typed[needle].pause_ms} ms)",
                typed[needle].median_ms,
                "the search service call above",
                call,
                GOAL_MS,
            )
        )
        rows.append(
            (
                "  + its audit row (record_listed)",
                median_ms(lambda s=shown: patients.record_listed(db, actor, s), repeat),
                "plain LIKE scan",
                anchor,
                None,
            )
        )
        rows.append(
            (
                "  list_patients (rows, then audit)",
                median_ms(lambda q=query: patients.list_patients(db, actor, q), repeat),
                "plain LIKE scan",
                anchor,
                None,
            )
        )
    return rows


def caseload_rows(db: Database, repeat: int) -> list[Row]:
    """What the caseload screen waits for: its figures, then the worklist's first page (each
    shown as it arrives), then a page more for each scroll to the end."""
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "bench")
    whole = CaseloadFilter(*default_period(TODAY))

    def one_pass() -> object:
        # A sum, not count(*): a count reads the smallest index (the summary's follow-up
        # days since 0026), not every episode's row.
        with db.session() as session:
            return session.scalar(select(func.sum(EpisodeSummary.visit_count)))

    anchor = median_ms(one_pass, repeat)
    name = "one pass over episode_summary"
    goal = GOALS["caseload"]
    first = caseload.worklist_page(db, manager, whole, today=TODAY)
    deep = caseload.worklist_page(db, manager, whole, today=TODAY, limit=first.total // 2)

    def timed(label: str, action: Callable[[], object], goal: float | None) -> Row:
        return (label, median_ms(action, repeat, label), name, anchor, goal)

    return [
        timed(
            "caseload figures (manager)",
            lambda: caseload.figures(db, manager, whole, today=TODAY),
            goal,
        ),
        timed(
            f"caseload worklist, first page ({len(first.items)} of {first.total:,})",
            lambda: caseload.worklist_page(db, manager, whole, today=TODAY),
            goal,
        ),
        timed(
            "  the next page",
            lambda: caseload.worklist_page(db, manager, whole, after=first.last_key, today=TODAY),
            goal,
        ),
        timed(
            "  a page halfway down",
            lambda: caseload.worklist_page(db, manager, whole, after=deep.last_key, today=TODAY),
            goal,
        ),
        timed(
            "  every item (for a CSV, or a sort)",
            lambda: caseload.worklist(db, manager, whole, today=TODAY),
            None,
        ),
        timed(
            "dashboard, both whole in one call (CLI)",
            lambda: caseload.dashboard(db, manager, whole, today=TODAY),
            None,
        ),
    ]


def report(label: str, db: Database, repeat: int, parts: list[str]) -> None:
    with db.session() as session:
        count = session.scalar(select(func.count()).select_from(Patient)) or 0
    print(f"\n== {label}: {count:,} patients, medians of {repeat} runs")
    print("(cpu here: this process's CPU time, which includes SQLite's work but not a server's)")
    print(f"{'':42} {'median ms':>10}  {'anchor':32} {'ms':>8} {'ratio':>7}  goal")
    rows: list[Row] = []
    if "search" in parts:
        rows += search_rows(db, repeat)
    if "caseload" in parts:
        rows += caseload_rows(db, repeat)
    for name, value, anchor_name, anchor, goal in rows:
        verdict = "" if goal is None else f"≤ {goal:g} ms: {'met' if value <= goal else 'NOT met'}"
        if name in CPU:
            verdict += f" (cpu here {CPU[name]:.1f} ms)"
        print(
            f"{name:42} {value:10.2f}  {anchor_name:32} {anchor:8.2f} "
            f"{value / anchor:7.1f}  {verdict}"
        )


def memory(label: str, db: Database) -> None:
    rows = in_child(db.engine.url.render_as_string(hide_password=False))
    anchor = rows[0][1]
    print(f"\n== {label}: the app's resident memory (RSS), manager, a fresh process")
    print(f"{'':46} {'MB':>8}  {'× the app loaded':>16}")
    for moment, mb in rows:
        print(f"{moment:46} {mb:8.1f}  {mb / anchor:16.2f}")


def _clinic(url: str | None, build_url: Callable[[], str], size: int) -> Database:
    if url:
        db = Database(url)
        upgrade(db)
        return db
    db, seconds, _summary = build(build_url(), size)
    print(f"(built {size:,} patients in {seconds:.0f} s)")
    return db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sqlite", metavar="URL", help="an existing SQLite demo clinic")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="build a clinic on this server")
    parser.add_argument("--postgres-clinic", metavar="URL", help="an existing PostgreSQL clinic")
    parser.add_argument("--only", nargs="+", default=["search", "caseload"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = _clinic(args.sqlite, lambda: f"sqlite:///{Path(folder) / 'big.sqlite3'}", args.size)
        report("SQLite", db, args.repeat, args.only)
        if "caseload" in args.only:
            memory("SQLite", db)
        db.dispose()
    if args.postgres or args.postgres_clinic:
        pg = _clinic(
            args.postgres_clinic,
            lambda: _pg_database(args.postgres, f"waits{args.size}"),
            args.size,
        )
        report("PostgreSQL", pg, args.repeat, args.only)
        if "caseload" in args.only:
            memory("PostgreSQL", pg)
        pg.dispose()


if __name__ == "__main__":
    main()
