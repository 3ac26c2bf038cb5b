"""How long documents take: one take-home plan warm (median), through the service (read,
render, audit), and a batch of 1,000 plans in one process against the process pool (first
batch, then again with the pool warm), each beside an anchor measured in the same run:

- the floor: a minimal 3-page ReportLab document with an embedded TrueType font, nothing of
  ours (the issue's anchor: a plan should take at most twice as long);
- the batch's anchor: that minimal document made once per plan on one core;
- for reference, a one-paragraph PDF through our page machinery (fonts embedded, page X of Y).

    python benchmarks/documents.py [--plans 1000] [--repeat 30] [--database URL]
        [--postgres-clinic URL | --postgres ADMIN_URL]

`--database` reuses an existing demo clinic (e.g. the 100,000-patient one built for
benchmarks/waits.py) instead of building one of 1.4 × plans patients; `--postgres-clinic`
measures the rows that read the database (service, batch) on that PostgreSQL clinic too
(`--postgres` builds one on that server).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path

from demo_clinic import _pg_database, build
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import EpisodeOfCare, Evaluation
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import EvaluationStatus
from casemanager.reports import page, plan_of_care, take_home
from casemanager.services import accounts, batch, demo, documents


class Median(float):
    """A median wall time in ms, with the median CPU time of the same runs beside it: on a
    machine others are using, the CPU time still says what the work costs."""

    cpu: float

    def __new__(cls, wall: float, cpu: float) -> Median:
        made = super().__new__(cls, wall)
        made.cpu = cpu
        return made


def median_ms(action: object, repeat: int) -> Median:
    assert callable(action)
    action()  # warm: fonts registered, caches filled
    times, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return Median(statistics.median(times), statistics.median(cpu))


def _cpu_seconds(pids: Collection[int]) -> float:
    """CPU seconds used so far by these processes (Linux /proc; 0 where unreadable)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


GOALS = {"render": 2.0, "render_ms": 18.0, "service_ms": 25.0, "batch_s": 10.0}


def floor_document() -> Callable[[], bytes]:
    """The anchor: a minimal 3-page ReportLab document with an embedded TrueType font (one
    line a page), nothing of ours on the way."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    from casemanager.reports import fonts

    pdfmetrics.registerFont(TTFont("FloorSans", str(fonts.FONT_DIR / "DejaVuSans.ttf")))
    style = ParagraphStyle("floor", fontName="FloorSans", fontSize=11, leading=15)

    def make() -> bytes:
        out = io.BytesIO()
        story: list[object] = []
        for number in range(1, 4):
            story += [Paragraph(f"Page {number}.", style), PageBreak()]
        SimpleDocTemplate(out, initialFontName="FloorSans").build(story[:-1])
        return out.getvalue()

    return make


def printable(db: Database, plans: int) -> list[int]:
    """Patients with a printable (signed) plan, the first `plans` by id."""
    with db.session() as session:
        return list(
            session.scalars(
                select(EpisodeOfCare.patient_id)
                .join(Evaluation, Evaluation.episode_id == EpisodeOfCare.id)
                .where(
                    Evaluation.status == EvaluationStatus.SIGNED,
                    Evaluation.kind.in_(rules.PLAN_KINDS),
                )
                .distinct()
                .order_by(EpisodeOfCare.patient_id)
                .limit(plans)
            )
        )


def batches(
    db: Database, ids: list[int], folder: Path, label: str
) -> dict[str, tuple[float, float, float]]:
    """Seconds for the batch in one process, then with the pool (first batch, then warm):
    wall time, the CPU seconds the parent and the pool's workers spent on it, and the
    parent's alone (reading, auditing, writing files, handing plans to the workers)."""
    manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "bench")
    timings: dict[str, tuple[float, float, float]] = {}
    runs = [("one process", 1), ("pool, first batch", os.cpu_count() or 1)]
    runs.append(("pool, warm", os.cpu_count() or 1))
    for name, workers in runs:
        out = folder / f"batch-{label}-{len(timings)}"
        out.mkdir()
        started, used = time.perf_counter(), time.process_time()
        workers_used = _cpu_seconds(_pool_pids())
        if workers == 1:
            original = batch.POOL_FROM
            batch.POOL_FROM = len(ids) + 1  # one process: the sequential baseline
            try:
                result = batch.export_take_home_plans(db, manager, ids, out)
            finally:
                batch.POOL_FROM = original
        else:
            result = batch.export_take_home_plans(db, manager, ids, out, workers=workers)
        spent = time.perf_counter() - started
        parent = time.process_time() - used
        timings[name] = (spent, parent + _cpu_seconds(_pool_pids()) - workers_used, parent)
        assert len(result.written) == len(ids), result.skipped[:3]
    return timings


def _pool_pids() -> list[int]:
    pool = batch._pool
    return list(getattr(pool, "_processes", None) or {}) if pool is not None else []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database", metavar="URL", help="an existing demo clinic")
    parser.add_argument("--postgres-clinic", metavar="URL", help="an existing PostgreSQL clinic")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="build a clinic on this server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.database:
            db, seconds = Database(args.database), 0.0
            upgrade(db)
        else:
            db, seconds, _summary = build(
                f"sqlite:///{Path(folder) / 'clinic.sqlite3'}", int(args.plans * 1.4)
            )
        manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "bench")
        ids = printable(db, args.plans)
        evaluation = documents.latest_signed_evaluation(db, manager, ids[0])
        snapshot = documents.snapshot(db, manager, evaluation, today=date(2026, 11, 27))

        floor = median_ms(floor_document(), args.repeat)
        look = page.styles()
        frame = page.clinician_frame(snapshot, "Baseline", "one paragraph")
        ours = median_ms(
            lambda: page.build([page.para("One paragraph.", look.body)], frame), args.repeat
        )
        plan = median_ms(lambda: take_home.render(snapshot), args.repeat)
        patients = [  # the same plan again and again is kind to what the render keeps
            documents.snapshot(
                db,
                manager,
                documents.latest_signed_evaluation(db, manager, pid),
                today=date(2026, 11, 27),
            )
            for pid in ids[:40]
        ]
        turn = iter(range(10**9))
        varied = median_ms(
            lambda: take_home.render(patients[next(turn) % len(patients)]), args.repeat
        )
        rows = [
            ("floor: minimal 3-page PDF, embedded TTF", floor, ""),
            ("one-paragraph PDF, our page machinery", ours, ""),
            (
                "take-home plan, warm render",
                plan,
                f"≤ {GOALS['render']:g}× floor and ≤ {GOALS['render_ms']:g} ms: "
                + _met(plan <= GOALS["render"] * floor and plan <= GOALS["render_ms"]),
            ),
            (f"take-home plan, {len(patients)} patients in turn", varied, ""),
            (
                "take-home plan, Spanish, large print",
                median_ms(lambda: take_home.render(snapshot, "es", True), args.repeat),
                "",
            ),
            ("plan of care", median_ms(lambda: plan_of_care.render(snapshot), args.repeat), ""),
        ]
        clinics = [("SQLite", db)]
        if args.postgres_clinic:
            pg = Database(args.postgres_clinic)
            upgrade(pg)
            clinics.append(("PostgreSQL", pg))
        elif args.postgres:
            pg, _seconds, _summary = build(
                _pg_database(args.postgres, f"documents{args.plans}"), int(args.plans * 1.4)
            )
            clinics.append(("PostgreSQL", pg))
        for label, clinic in clinics:
            actor = accounts.authenticate(clinic, "manager", demo.DEMO_PASSWORD, "bench")
            chosen = documents.latest_signed_evaluation(clinic, actor, printable(clinic, 1)[0])
            service = median_ms(
                lambda c=clinic, a=actor, e=chosen: documents.render(c, a, e),
                args.repeat,
            )
            rows.append(
                (
                    f"take-home plan via service ({label})",
                    service,
                    f"≤ {GOALS['service_ms']:g} ms: {_met(service <= GOALS['service_ms'])}",
                )
            )
        print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"\n{'one document, warm (medians)':46} {'ms':>8} {'× floor':>8} "
            f"{'CPU ms':>8} {'× floor':>8}  goal"
        )
        for name, value, goal in rows:
            print(
                f"{name:46} {value:8.1f} {value / floor:8.1f} {value.cpu:8.1f} "
                f"{value.cpu / floor.cpu:8.1f}  {goal}"
            )

        anchor = floor * len(ids) / 1000  # the minimal document, once per plan, one core
        for label, clinic in clinics:
            chosen_ids = ids if clinic is db else printable(clinic, args.plans)
            timings = batches(clinic, chosen_ids, Path(folder), label)
            print(
                f"\nbatch of {len(chosen_ids):,} take-home plans, {label} "
                f"(records read, PDFs written, audited; {os.cpu_count()} cores)"
            )
            print(f"  anchor: the floor document x {len(chosen_ids):,}, one core: {anchor:6.1f} s")
            for name, (spent, cpu, parent) in timings.items():
                per_thousand = spent * 1000 / len(chosen_ids)
                print(
                    f"  {name:20} {spent:6.1f} s  ({spent / len(chosen_ids) * 1000:4.0f} ms a "
                    f"plan)  ratio to anchor {spent / anchor:4.2f}  goal ≤ "
                    f"{GOALS['batch_s']:g} s for 1,000: {_met(per_thousand <= GOALS['batch_s'])}"
                )
                each = cpu / len(chosen_ids) * 1000
                print(
                    f"  {'':20} CPU {cpu:6.1f} s, parent and workers ({each:4.1f} ms a plan, "
                    f"{each / floor.cpu:3.1f}× the floor's CPU): on {os.cpu_count()} idle cores "
                    f"at least {each / (os.cpu_count() or 1):4.1f} s for 1,000"
                )
                print(
                    f"  {'':20} of which the parent {parent / len(chosen_ids) * 1000:4.1f} ms "
                    f"a plan, the workers {(cpu - parent) / len(chosen_ids) * 1000:4.1f} ms"
                )
            print(f"  load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"(clinic built in {seconds:.0f} s)" if seconds else "(existing clinic)")
        for _label, clinic in clinics:
            clinic.dispose()


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
