"""How long documents take: one take-home plan warm (median), and a batch of 1,000 plans in
one process against the process pool (first batch, then again with the pool warm). The
baseline, measured in the same run, is a one-paragraph PDF through the same page machinery
(fonts embedded, page X of Y); the batch's anchor is that document made once per plan on
one core.

    python benchmarks/documents.py [--plans 1000] [--repeat 30] [--database URL]

`--database` reuses an existing demo clinic (e.g. the 100,000-patient one built for
benchmarks/waits.py) instead of building one of 1.4 × plans patients.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from demo_clinic import build
from sqlalchemy import select

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.db.models import EpisodeOfCare, Evaluation
from casemanager.domain import evaluation as rules
from casemanager.domain.enums import EvaluationStatus
from casemanager.reports import page, plan_of_care, take_home
from casemanager.services import accounts, batch, demo, documents


def median_ms(action: object, repeat: int) -> float:
    assert callable(action)
    action()  # warm: fonts registered, caches filled
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database", metavar="URL", help="an existing demo clinic")
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
        with db.session() as session:  # patients with a printable (signed) plan
            signed = list(
                session.scalars(
                    select(EpisodeOfCare.patient_id)
                    .join(Evaluation, Evaluation.episode_id == EpisodeOfCare.id)
                    .where(
                        Evaluation.status == EvaluationStatus.SIGNED,
                        Evaluation.kind.in_(rules.PLAN_KINDS),
                    )
                    .distinct()
                    .order_by(EpisodeOfCare.patient_id)
                    .limit(args.plans)
                )
            )
        ids = signed[: args.plans]
        evaluation = documents.latest_signed_evaluation(db, manager, ids[0])
        snapshot = documents.snapshot(db, manager, evaluation, today=date(2026, 11, 27))

        look = page.styles()
        frame = page.clinician_frame(snapshot, "Baseline", "one paragraph")
        baseline = median_ms(
            lambda: page.build([page.para("One paragraph.", look.body)], frame), args.repeat
        )
        plan = median_ms(lambda: take_home.render(snapshot), args.repeat)
        spanish = median_ms(lambda: take_home.render(snapshot, "es", True), args.repeat)
        care = median_ms(lambda: plan_of_care.render(snapshot), args.repeat)
        service = median_ms(
            lambda: documents.render(db, manager, evaluation), max(5, args.repeat // 3)
        )
        print(f"\n{'one document, warm':44} {'median ms':>10} {'× baseline':>11}")
        for name, value in (
            ("baseline: one-paragraph PDF", baseline),
            ("take-home plan (render only)", plan),
            ("take-home plan, Spanish, large print", spanish),
            ("plan of care", care),
            ("take-home plan via service (read + audit)", service),
        ):
            print(f"{name:44} {value:10.1f} {value / baseline:11.1f}")

        timings = {}
        runs = [("one process", 1), ("pool, first batch", os.cpu_count() or 1)]
        runs.append(("pool, warm", os.cpu_count() or 1))
        for label, workers in runs:
            out = Path(folder) / f"batch-{len(timings)}"
            out.mkdir()
            started = time.perf_counter()
            if workers == 1:
                original = batch.POOL_FROM
                batch.POOL_FROM = len(ids) + 1  # one process: the sequential baseline
                try:
                    result = batch.export_take_home_plans(db, manager, ids, out)
                finally:
                    batch.POOL_FROM = original
            else:
                result = batch.export_take_home_plans(db, manager, ids, out, workers=workers)
            timings[label] = time.perf_counter() - started
            assert len(result.written) == len(ids), result.skipped[:3]
        anchor = baseline * len(ids) / 1000  # the one-paragraph PDF, once per plan, one core
        print(f"\nbatch of {len(ids):,} take-home plans (records read, PDFs written, audited)")
        print(f"  anchor: the one-paragraph PDF x {len(ids):,} on one core: {anchor:6.1f} s")
        for label, spent in timings.items():
            print(
                f"  {label:20} {spent:6.1f} s  ({spent / len(ids) * 1000:4.0f} ms a plan)  "
                f"ratio to anchor {spent / anchor:4.2f}  goal ≤ 10 s for 1,000: "
                f"{'met' if spent * 1000 / len(ids) <= 10 else 'NOT met'}"
            )
        print(f"(clinic built in {seconds:.0f} s)" if seconds else "(existing clinic)")
        db.dispose()


if __name__ == "__main__":
    main()
