"""An exercise's picture for print: the clinic's own image, or the built-in line drawing
(the same pose data the screen draws), or nothing."""

from __future__ import annotations

import io
from functools import lru_cache

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image

from casemanager.domain import figures

_NEAR = colors.HexColor("#1f3a5f")
_FAR = colors.HexColor("#8aa0b8")
_ARROW = colors.HexColor("#c2571a")
_FLOOR = colors.HexColor("#b8b8b8")


def drawing(figure: figures.Figure, width: float) -> Drawing:
    """The figure scaled to `width` points (PDF y runs upward, so y is flipped)."""
    scale = width / figures.WIDTH
    height = figures.HEIGHT * scale
    art = Drawing(width, height)

    def at(point: figures.Point) -> list[float]:
        return [point[0] * scale, height - point[1] * scale]

    def line(points: tuple[figures.Point, ...], color: colors.Color, stroke: float) -> None:
        flat = [value for point in points for value in at(point)]
        art.add(
            PolyLine(
                flat,
                strokeColor=color,
                strokeWidth=stroke * scale,
                strokeLineCap=1,
                strokeLineJoin=1,
            )
        )

    if figure.on_floor:
        y = height - (figures.FLOOR + 1.5) * scale
        art.add(Line(2 * scale, y, 118 * scale, y, strokeColor=_FLOOR, strokeWidth=1.2 * scale))
    for limb in figure.far:
        line(limb, _FAR, 3.2)
    line(figure.spine, _NEAR, 3.6)
    for limb in figure.near:
        line(limb, _NEAR, 3.6)
    x, y = at(figure.head)
    art.add(Circle(x, y, figures.HEAD_RADIUS * scale, fillColor=_NEAR, strokeColor=None))
    for arrow in figure.arrows:
        line(arrow, _ARROW, 1.6)
        (x0, y0), (x1, y1) = arrow[-2], arrow[-1]
        length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 0.001)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        tip = [
            *at((x1 + ux * 2.5, y1 + uy * 2.5)),
            *at((x1 - uy * 2.2, y1 + ux * 2.2)),
            *at((x1 + uy * 2.2, y1 - ux * 2.2)),
        ]
        art.add(Polygon(tip, fillColor=_ARROW, strokeColor=None))
    return art


def picture(starter_key: str | None, image: bytes | None, width: float) -> Flowable | None:
    """At most `width` wide and 1.3 × `width` tall, so a tall photo still fits a page."""
    if image:
        reader = ImageReader(io.BytesIO(image))
        pixels_wide, pixels_high = reader.getSize()
        scale = min(width / pixels_wide, 1.3 * width / pixels_high)
        return Image(io.BytesIO(image), width=pixels_wide * scale, height=pixels_high * scale)
    return _line_drawing(starter_key, width)


class _LineDrawing(Flowable):
    """A line drawing whose page operators are worked out once and then copied: they are
    the same on every page (the frame moves the origin), and rendering the shapes one by
    one was a tenth of a plan. Only plain paths and colours: an operator that needs a page
    resource (a graphics state, an image) makes it render afresh each time."""

    def __init__(self, art: Drawing) -> None:
        super().__init__()
        self.art = art
        self.width, self.height = art.width, art.height
        self.hAlign = art.hAlign
        self._operators: tuple[str, ...] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        if self._operators is not None:
            self.canv._code.extend(self._operators)
            return
        start = len(self.canv._code)
        self.art.canv = self.canv  # the drawing draws where this flowable stands
        try:
            self.art.draw()
        finally:
            del self.art.canv
        made = tuple(self.canv._code[start:])
        if not any(op.endswith((" gs", " Do")) for op in made):
            self._operators = made


@lru_cache(maxsize=256)
def _line_drawing(starter_key: str | None, width: float) -> Flowable | None:
    """Made once per exercise and size: drawing it on a page leaves it as it was."""
    figure = figures.figure_for(starter_key)
    return _LineDrawing(drawing(figure, width)) if figure is not None else None
