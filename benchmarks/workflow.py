"""What a therapist waits for, through the real widgets: typing a search until the rows are on
screen, and opening a chart until its timeline is shown.

Runs offscreen on an empty clinic and on a big one built in the same run, and prints medians
and the ratio to the empty clinic (shared, noisy machines: ratios and medians only).

    python benchmarks/workflow.py [--size 100000] [--repeat 15] [--database URL]

`--database` reuses an existing demo clinic instead of building one (minutes at 100,000).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from demo_clinic import build  # noqa: E402 - benchmarks/ is on sys.path when run as a script
from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from casemanager.db.engine import Database  # noqa: E402
from casemanager.db.models import EpisodeOfCare, Patient, Visit  # noqa: E402
from casemanager.services import accounts, chart, demo, patients  # noqa: E402
from casemanager.services.context import Actor  # noqa: E402
from casemanager.ui.patients.chart import ChartPanel  # noqa: E402
from casemanager.ui.patients.list_widget import (  # noqa: E402
    SEARCH_DELAY_MS,
    SHORTEST_PAUSE_MS,
    PatientListWidget,
)
from casemanager.ui.patients.model import PatientTableModel  # noqa: E402
from casemanager.ui.tasks import TaskRunner  # noqa: E402

SEARCHES = ("mar", "nguyen", "garcía lo", "smith j", "王", "ива")


def _wait(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        QCoreApplication.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not update in time")
        time.sleep(0.0005)


class Screen:
    """The patient list and chart panel, wired as the app wires them."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.tasks = TaskRunner(default_error=lambda error: print("error:", error))
        self.db, self.actor = db, actor

        def fetch(query: Any, offset: int, limit: int, deliver: Any) -> None:
            def shown(rows: list[Any]) -> None:  # as the app: rows first, then their audit
                deliver(rows)
                self.tasks.run(lambda: patients.record_listed(db, actor, rows), lambda _: None)

            self.tasks.run(
                lambda: patients.find_patients(db, actor, query, offset=offset, limit=limit),
                shown,
            )

        self.model = PatientTableModel(fetch)
        self.list = PatientListWidget(self.model, [], actor.user_id)
        self.list.therapist.setCurrentIndex(0)  # all therapists: the widest search
        self.list.status.setCurrentIndex(0)  # all statuses
        self.panel = ChartPanel()  # not shown: offscreen, drawing is not what is measured

    def search_ms(self, text: str) -> tuple[float, float]:
        """Type the text; times from the last keystroke, and from the end of the pause (the
        query going out), until its rows are shown."""
        self.list.search.clear()
        _wait(lambda: not self.model.is_loading() and self.model.query.text == "")
        for character in text[:-1]:
            self.list.search.insert(character)  # as typed: each edit restarts the pause
        asked: list[float] = []
        self.model.modelAboutToBeReset.connect(lambda: asked.append(time.perf_counter()))
        started = time.perf_counter()
        self.list.search.insert(text[-1])
        _wait(lambda: self.model.query.text == text and not self.model.is_loading())
        done = time.perf_counter()
        self.model.modelAboutToBeReset.disconnect()
        return (done - started) * 1000, (done - asked[-1]) * 1000

    def open_chart_ms(self, patient_id: int) -> float:
        shown: list[bool] = []
        started = time.perf_counter()
        self.tasks.run(
            lambda: chart.open_chart(self.db, self.actor, patient_id),
            lambda found: (self.panel.show_chart(found), shown.append(True)),
        )
        _wait(lambda: bool(shown))
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.tasks.shutdown()
        self.list.close()
        self.panel.close()


def _longest_history(db: Database) -> int:
    with db.session() as session:
        found = session.scalar(
            select(Patient.id)
            .join(EpisodeOfCare, EpisodeOfCare.patient_id == Patient.id)
            .join(Visit, Visit.episode_id == EpisodeOfCare.id)
            .group_by(Patient.id)
            .order_by(func.count(Visit.id).desc(), Patient.id)
            .limit(1)
        )
        assert found is not None
        return found


def measure(db: Database, repeat: int, chart_patient: int) -> dict[str, float]:
    actor = accounts.authenticate(db, "alvarez", demo.DEMO_PASSWORD, "bench")
    screen = Screen(db, actor)
    figures: dict[str, float] = {}
    try:
        for text in SEARCHES:
            screen.search_ms(text)  # warm
            runs = [screen.search_ms(text) for _ in range(repeat)]
            figures[f"type {text!r} → rows"] = statistics.median(r[0] for r in runs)
            figures[f"  query → rows {text!r}"] = statistics.median(r[1] for r in runs)
        screen.open_chart_ms(chart_patient)
        figures["open chart → timeline"] = statistics.median(
            screen.open_chart_ms(chart_patient) for _ in range(repeat)
        )
    finally:
        screen.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database", metavar="URL", help="an existing demo clinic to measure")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        empty, _seconds, _summary = build(f"sqlite:///{Path(folder) / 'empty.sqlite3'}", 20)
        baseline = measure(empty, args.repeat, _longest_history(empty))
        empty.dispose()
        if args.database:
            big = Database(args.database)
        else:
            big, seconds, _summary = build(f"sqlite:///{Path(folder) / 'big.sqlite3'}", args.size)
            print(f"built {args.size:,} patients in {seconds:.0f} s")
        with big.session() as session:
            count = session.scalar(select(func.count()).select_from(Patient))
        figures = measure(big, args.repeat, _longest_history(big))
        big.dispose()
    print(
        f"\nSearch waits for a pause in typing, twice the last answer's time (from "
        f"{SHORTEST_PAUSE_MS} to {SEARCH_DELAY_MS} ms), in each 'type' figure; "
        "'query → rows' starts after it."
    )
    print(f"{'':28} {'20 patients':>12} {f'{count:,} patients':>17} {'ratio':>7}")
    for name, value in figures.items():
        print(f"{name:28} {baseline[name]:10.1f}ms {value:15.1f}ms {value / baseline[name]:7.2f}")
    del app


if __name__ == "__main__":
    main()
