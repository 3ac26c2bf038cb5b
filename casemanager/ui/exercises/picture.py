"""An exercise's picture: the clinic's own image when it has one, else the built-in line
drawing of a starter exercise, else a short note saying there is none."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from casemanager.domain import figures
from casemanager.ui import palette

_NEAR = QColor(palette.FIGURE_NEAR)
_FAR = QColor(palette.FIGURE_FAR)
_ARROW = QColor(palette.FIGURE_ARROW)
_FLOOR = QColor(palette.FIGURE_FLOOR)


def draw_figure(painter: QPainter, figure: figures.Figure, area: QRectF) -> None:
    """Scale the figure's 120 x 70 box into `area`, keeping its proportions."""
    scale = min(area.width() / figures.WIDTH, area.height() / figures.HEIGHT)
    left = area.left() + (area.width() - figures.WIDTH * scale) / 2
    top = area.top() + (area.height() - figures.HEIGHT * scale) / 2

    def at(point: figures.Point) -> QPointF:
        return QPointF(left + point[0] * scale, top + point[1] * scale)

    def stroke(color: QColor, width: float) -> QPen:
        pen = QPen(color, width * scale)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if figure.on_floor:
        painter.setPen(stroke(_FLOOR, 1.2))
        painter.drawLine(at((2.0, figures.FLOOR + 1.5)), at((118.0, figures.FLOOR + 1.5)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(stroke(_FAR, 3.2))
    for limb in figure.far:
        painter.drawPolyline(QPolygonF([at(p) for p in limb]))
    painter.setPen(stroke(_NEAR, 3.6))
    painter.drawPolyline(QPolygonF([at(p) for p in figure.spine]))
    for limb in figure.near:
        painter.drawPolyline(QPolygonF([at(p) for p in limb]))
    painter.setBrush(_NEAR)
    radius = figures.HEAD_RADIUS * scale
    painter.drawEllipse(at(figure.head), radius, radius)
    painter.setPen(stroke(_ARROW, 1.6))
    painter.setBrush(_ARROW)
    for arrow in figure.arrows:
        painter.drawPolyline(QPolygonF([at(p) for p in arrow]))
        (x0, y0), (x1, y1) = arrow[-2], arrow[-1]
        length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 0.001)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        head = (
            at((x1 + ux * 2.5, y1 + uy * 2.5)),
            at((x1 - uy * 2.2, y1 + ux * 2.2)),
            at((x1 + uy * 2.2, y1 - ux * 2.2)),
        )
        painter.drawPolygon(QPolygonF(list(head)))


class ExercisePicture(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Exercise picture")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(150)
        self.figure: figures.Figure | None = None
        self.image: QImage | None = None

    def sizeHint(self) -> QSize:
        return QSize(260, 150)

    def show_exercise(self, key: str | None, image: bytes | None) -> None:
        self.figure = figures.figure_for(key)
        self.image = None
        if image:
            loaded = QImage.fromData(image)
            self.image = None if loaded.isNull() else loaded
        described = "clinic picture" if self.image else ("drawing" if self.figure else "none")
        self.setAccessibleDescription(f"Picture: {described}")
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        area = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        painter.fillRect(self.rect(), QColor("white"))
        if self.image is not None:
            scaled = self.image.scaled(
                area.size().toSize(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            x = area.left() + (area.width() - scaled.width()) / 2
            y = area.top() + (area.height() - scaled.height()) / 2
            painter.drawImage(QPointF(x, y), scaled)
        elif self.figure is not None:
            draw_figure(painter, self.figure, area)
        else:
            painter.setPen(QColor(palette.FIGURE_CAPTION))
            painter.drawText(
                area, Qt.AlignmentFlag.AlignCenter, "No picture yet: choose one to add it."
            )
        painter.end()
