"""Horizontal bar charts (QtCharts) for the caseload: one bar set per measure."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from casemanager.ui import palette

PALETTE = palette.CHART_SERIES


def round_step(end: float, most_ticks: int = 6) -> float:
    """A tick interval of 1, 2 or 5 times a power of ten giving at most `most_ticks` steps
    from 0 to `end` (ticks a reader can take in at a glance: 0, 20, 40, not 0, 43, 87)."""
    if end <= 0:
        return 1
    power = 10.0 ** math.floor(math.log10(end / most_ticks))
    for factor in (1, 2, 5, 10):
        if end / (factor * power) <= most_ticks:
            return max(factor * power, 1)
    return max(10 * power, 1)


class BarChart(QChartView):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.title = title
        self.setAccessibleName(title)
        self.show_bars([], {})

    def show_bars(
        self,
        categories: Sequence[str],
        sets: dict[str, Sequence[float]],
        maximum: float | None = None,
    ) -> None:
        """`sets` maps a legend name to one value per category (first category on top)."""
        chart = QChart()
        chart.setTitle(self.title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.legend().setVisible(len(sets) > 1)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        series = QHorizontalBarSeries()
        # Qt draws the first category at the bottom: reverse so the list reads downwards.
        names = list(reversed(categories))
        for colour, (name, values) in zip(PALETTE, sets.items(), strict=False):
            bars = QBarSet(name)
            bars.append([float(v) for v in reversed(values)])
            bars.setColor(QColor(colour))
            series.append(bars)
        series.setLabelsVisible(len(sets) == 1)  # several sets' labels would overlap
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append(names or [""])
        axis_y.setTruncateLabels(False)  # a cause's name in full, never "..."
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_y)
        axis_x = QValueAxis()
        top = max((max(v, default=0) for v in sets.values()), default=0)
        end = maximum if maximum is not None else max(top * 1.15, 1)
        step = round_step(end)
        axis_x.setRange(0, step * math.ceil(end / step))
        axis_x.setTickType(QValueAxis.TickType.TicksDynamic)  # ticks at 0, 20, 40 ...
        axis_x.setTickAnchor(0)
        axis_x.setTickInterval(step)
        axis_x.setLabelFormat("%d")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_x)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()
        self.categories = list(categories)  # what is shown, for tests and screen readers
        self.setAccessibleDescription(
            "; ".join(
                f"{c}: " + ", ".join(f"{n} {v[i]:g}" for n, v in sets.items())
                for i, c in enumerate(categories)
            )
        )
