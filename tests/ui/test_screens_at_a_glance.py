"""Screens read at a glance: a chart names every bar in full with ticks at round numbers, and
the patient list keeps each row on one line with no column or header cut."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QValueAxis
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from casemanager.db.engine import Database
from casemanager.db.migrate import upgrade
from casemanager.domain import catalogs
from casemanager.domain.patients import PatientQuery, PatientSummary
from casemanager.services import accounts, demo, patients
from casemanager.ui.caseload.charts import BarChart, round_step
from casemanager.ui.patients.list_widget import PHONE_COLUMN, PatientListWidget
from casemanager.ui.patients.model import PatientTableModel


def test_round_steps() -> None:
    assert [round_step(end) for end in (5, 7, 49.5, 100, 200.1, 1000)] == [1, 2, 10, 20, 50, 200]


@pytest.mark.parametrize(
    ("values", "maximum"), [((43, 27, 25, 22, 21, 13, 7, 6, 2), None), ((64, 51, 38), 100)]
)
def test_a_bar_chart_names_each_bar_in_full_with_round_ticks(
    qtbot: QtBot, values: tuple[int, ...], maximum: float | None
) -> None:
    chart = BarChart("Suspected causes (episodes)")
    qtbot.addWidget(chart)
    chart.resize(640, 300)  # half a 1366-pixel screen, as on the caseload tab
    chart.show()
    qtbot.waitExposed(chart)
    names = [info.label for info in catalogs.CAUSES][: len(values)]
    chart.show_bars(names, {"Episodes": list(values)}, maximum)
    plot = chart.chart()
    qtbot.waitUntil(lambda: plot.plotArea().width() > 0)
    chart.grab()  # lays the axes out as painting does
    (categories,) = plot.axes(Qt.Orientation.Vertical)
    (scale,) = plot.axes(Qt.Orientation.Horizontal)
    assert isinstance(categories, QBarCategoryAxis) and isinstance(scale, QValueAxis)
    assert categories.categories() == list(reversed(names))
    assert not categories.labelsTruncated()  # no "..."
    assert scale.tickType() == QValueAxis.TickType.TicksDynamic
    step = scale.tickInterval()
    assert step in (1, 2, 5, 10, 20, 50, 100)
    assert scale.min() == 0 and scale.max() % step == 0 and scale.max() >= max(values)


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'list.sqlite3'}")
    upgrade(db)
    demo.generate_demo_clinic(db, patients=60, seed=4, today=date(2026, 11, 26))
    yield db
    db.dispose()


def test_the_patient_list_keeps_rows_on_one_line_and_headers_whole(
    qtbot: QtBot, clinic: Database
) -> None:
    actor = accounts.authenticate(clinic, "manager", demo.DEMO_PASSWORD, "ws")

    def fetch(
        query: PatientQuery,
        offset: int,
        limit: int,
        deliver: Callable[[list[PatientSummary]], None],
    ) -> None:
        rows = patients.list_patients(clinic, actor, query, offset=offset, limit=limit)
        QTimer.singleShot(0, lambda: deliver(rows))

    listing = PatientListWidget(PatientTableModel(fetch), [], None)
    qtbot.addWidget(listing)
    listing.resize(640, 500)  # the list beside an open chart on a 1366-pixel screen
    listing.show()
    listing.apply_filters()
    qtbot.waitUntil(lambda: listing.model.rowCount() > 0)
    table = listing.table
    header = table.horizontalHeader()
    assert not table.wordWrap()

    def nothing_cut() -> None:
        shown = [c for c in range(header.count()) if not table.isColumnHidden(c)]
        for column in shown:
            needed = max(header.sectionSizeHint(column), table.sizeHintForColumn(column))
            assert table.columnWidth(column) >= needed, header.model().headerData(
                column, Qt.Orientation.Horizontal
            )
        assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width()

    qtbot.waitUntil(lambda: table.isColumnHidden(PHONE_COLUMN))  # left out first
    nothing_cut()
    therapist = header.count() - 1
    longest = max(
        (listing.model.index(r, therapist).data() for r in range(listing.model.rowCount())),
        key=table.fontMetrics().horizontalAdvance,
    )
    assert table.columnWidth(therapist) > table.fontMetrics().horizontalAdvance(longest)
    listing.resize(1200, 500)
    qtbot.waitUntil(lambda: not table.isColumnHidden(PHONE_COLUMN))
    nothing_cut()


def test_the_caseload_review_fits_a_1366_by_768_screen(qtbot: QtBot) -> None:
    """Its filters take two rows and the review scrolls, so the main window is never pushed
    past the screen's edge (the window takes 92% by 90% of the screen)."""
    from casemanager.ui.caseload.dashboard import CaseloadDashboard

    therapists = [(1, "Chinedu Okafor, PT, DPT"), (2, "María Álvarez, PT, DPT")]
    review = CaseloadDashboard(therapists, today=date(2026, 11, 26))
    qtbot.addWidget(review)
    review.show()
    smallest = review.minimumSizeHint()
    assert smallest.width() <= 1366 * 0.92 - 40 and smallest.height() <= 768 * 0.9 - 300
    review.resize(1256, 420)
    filters = [review.start, review.end, review.therapist, review.status, review.cause]
    assert all(w.visibleRegion().boundingRect().width() == w.width() for w in filters)


def test_the_print_preview_fits_the_screen(qtbot: QtBot) -> None:
    """On a screen smaller than its usual 900x900 it opens smaller, its buttons on screen."""
    from tests.ui.test_accessibility import SCREENS

    preview = SCREENS["print or save"]()
    qtbot.addWidget(preview)
    area = preview.screen().availableGeometry()
    assert preview.height() <= area.height() and preview.width() <= area.width()
