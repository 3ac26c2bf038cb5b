"""How long documents take: one take-home plan warm (median), and a batch of 1,000 plans in
one process against the process pool. The baseline, measured in the same run, is a
one-paragraph PDF through the same page machinery (fonts embedded, page X of Y).

    python benchmarks/documents.py [--plans 1000] [--repeat 30]
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

from casemanager.reports import page, plan_of_care, take_home
from casemanager.services import accounts, batch, demo, documents, patients


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db, seconds, _summary = build(
            f"sqlite:///{Path(folder) / 'clinic.sqlite3'}", int(args.plans * 1.4)
        )
        manager = accounts.authenticate(db, "manager", demo.DEMO_PASSWORD, "bench")
        everyone = patients.search_patients(db, manager, "", limit=100_000)
        signed = []
        for patient in everyone:
            try:
                documents.latest_signed_evaluation(db, manager, patient.id)
            except Exception:  # noqa: BLE001 - drafts only: not printable, not measured
                continue
            signed.append(patient.id)
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
        for workers in (1, os.cpu_count() or 1):
            out = Path(folder) / f"batch-{workers}"
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
            timings[workers] = time.perf_counter() - started
            assert len(result.written) == len(ids)
        one, pool = timings[1], timings[max(timings)]
        print(f"\nbatch of {len(ids):,} take-home plans (records read, PDFs written, audited)")
        print(f"  one process:         {one:6.1f} s  ({one / len(ids) * 1000:.0f} ms a plan)")
        print(f"  {max(timings)} worker processes:  {pool:6.1f} s  (speed-up {one / pool:.2f}×)")
        print(f"(clinic built in {seconds:.0f} s)")
        db.dispose()


if __name__ == "__main__":
    main()
