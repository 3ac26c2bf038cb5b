"""An exercise's picture for print: the clinic's own image, or the built-in line drawing
(the same pose data the screen draws), or nothing."""

from __future__ import annotations

import io
import threading
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
    resource (a graphics state, an image) makes it render afresh each time.
    Each use is a fresh flowable (a flowable holds the canvas it is drawn on); they share
    the drawing and its operators, worked out under a lock, since two documents may render
    at once on different threads."""

    def __init__(self, shared: _SharedArt) -> None:
        super().__init__()
        self.shared = shared
        self.width, self.height = shared.art.width, shared.art.height
        self.hAlign = shared.art.hAlign

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        shared = self.shared
        operators = shared.operators
        if operators is None:
            with shared.lock:
                operators = shared.operators or self._draw_afresh()
        if operators:
            self.canv._code.extend(operators)

    def _draw_afresh(self) -> tuple[str, ...]:
        """Draw the shapes here; keep their operators when they need no page resource.
        Returns (): the shapes are on this page already."""
        art, start = self.shared.art, len(self.canv._code)
        art.canv = self.canv  # the drawing draws where this flowable stands
        try:
            art.draw()
        finally:
            del art.canv
        made = tuple(self.canv._code[start:])
        if not any(op.endswith((" gs", " Do")) for op in made):
            self.shared.operators = made
        return ()


class _SharedArt:
    """One exercise's drawing at one size, and its page operators once known."""

    def __init__(self, art: Drawing) -> None:
        self.art = art
        self.operators: tuple[str, ...] | None = None
        self.lock = threading.Lock()


@lru_cache(maxsize=256)
def _shared_art(starter_key: str | None, width: float) -> _SharedArt | None:
    figure = figures.figure_for(starter_key)
    return _SharedArt(drawing(figure, width)) if figure is not None else None


def _line_drawing(starter_key: str | None, width: float) -> Flowable | None:
    """A fresh flowable over the drawing made once per exercise and size."""
    shared = _shared_art(starter_key, width)
    return _LineDrawing(shared) if shared is not None else None
