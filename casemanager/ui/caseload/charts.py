"""Horizontal bar charts (QtCharts) for the caseload: one bar set per measure."""

from __future__ import annotations

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
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_y)
        axis_x = QValueAxis()
        top = max((max(v, default=0) for v in sets.values()), default=0)
        axis_x.setRange(0, maximum if maximum is not None else max(top * 1.2, 1))
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
