"""The page every document shares: clinic and patient on top, "Page X of Y" and the print
date at the foot, embedded fonts only, and PDF metadata. Documents hand in their flowables."""

from __future__ import annotations

import copy
import functools
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab import platypus, rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Flowable, SimpleDocTemplate
from reportlab.rl_config import _FUZZ

from casemanager.domain import login_memory
from casemanager.reports import dates, fonts, wording
from casemanager.reports.data import EvaluationSnapshot

INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#b8c4d2")
WARNING_FILL = colors.HexColor("#fde7e9")
WARNING_INK = colors.HexColor("#8a1020")
NOTE_FILL = colors.HexColor("#fff4ce")


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    warning_heading: ParagraphStyle
    bullet: ParagraphStyle
    scale: float


@cache
def styles(large_print: bool = False) -> Styles:
    """Body 11 pt (15 pt in large print), headings to match; line spacing 1.35. Made once
    (documents only read them)."""
    fonts.register()
    size = 15.0 if large_print else 11.0
    body = ParagraphStyle(
        "body",
        fontName=fonts.REGULAR,
        bulletFontName=fonts.REGULAR,  # ReportLab's default bullet font is Helvetica
        fontSize=size,
        leading=size * 1.35,
        textColor=INK,
        alignment=TA_LEFT,
        spaceAfter=size * 0.45,
    )
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=size * 0.8, leading=size * 1.05),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=fonts.BOLD,
            fontSize=size * 1.3,
            leading=size * 1.65,
            textColor=ACCENT,
            spaceBefore=size * 0.9,
            spaceAfter=size * 0.35,
            keepWithNext=True,
        ),
        title=ParagraphStyle(
            "title",
            parent=body,
            fontName=fonts.BOLD,
            fontSize=size * 1.9,
            leading=size * 2.3,
            textColor=ACCENT,
            spaceAfter=size * 0.4,
        ),
        warning_heading=ParagraphStyle(
            "warning_heading",
            parent=body,
            fontName=fonts.BOLD,
            textColor=WARNING_INK,
            keepWithNext=True,
        ),
        bullet=ParagraphStyle(
            "bullet", parent=body, leftIndent=size * 1.3, bulletIndent=size * 0.3, spaceAfter=2
        ),
        scale=size / 11.0,
    )


_PARSED_LIMIT = 2048  # markup kept parsed: the catalog's wording, and then some
_parsed: dict[tuple[str, ParagraphStyle, str | None], tuple[Any, ...]] = {}
_widest_word: dict[tuple[str, ParagraphStyle, str | None], float] = {}


class Paragraph(platypus.Paragraph):
    """ReportLab's paragraph, with two things it does again and again done once:

    - parsing the markup: a plan is mostly the same catalog wording each time, so the parsed
      fragments are kept (a paragraph copies them before breaking lines, which may mark them);
    - breaking lines for a width: a table, a keep-together group and the frame each ask in
      turn, and the answer for the width asked last is the one still held (`blPara`);
    - and across documents: the same wording in the same style at the same width breaks the
      same way in every plan, so plain lines (no word split or hyphenated, which are the
      only ones ReportLab may alter later) are kept, and only read after that; and so are
      the page operators that draw them (see `draw`).
    """

    width: float
    height: float
    frags: Any
    bulletText: Any

    def _setup(  # ReportLab's names
        self,
        text: Any,
        style: Any,
        bulletText: Any,  # noqa: N803
        frags: Any,
        cleaner: Any,
    ) -> None:
        if frags is not None or not isinstance(text, str):  # a split's remainder
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        key = (text, style, bulletText if isinstance(bulletText, str) else None)
        known = _parsed.get(key) if isinstance(bulletText, str | None) else None
        self._layout_key = key if isinstance(bulletText, str | None) else None
        if known is None:
            super()._setup(text, style, bulletText, frags, cleaner)
            if isinstance(bulletText, str | None):
                if len(_parsed) >= _PARSED_LIMIT:
                    _parsed.clear()
                _parsed[key] = (self.text, self.frags, self.style, self.bulletText)
                self._shared_fragments = True  # kept now: copied before breaking lines
            return
        text, parsed, style, bullet = known
        self.__dict__.update(  # shared until lines are broken here (see `_own_fragments`)
            text=text,
            frags=parsed,
            style=style,
            bulletText=bullet,
            debug=0,
            _shared_fragments=True,
        )

    def _own_fragments(self) -> None:
        """Copies of the kept fragments for ReportLab's line breaking, which may mark them
        (reading and drawing kept lines never does)."""
        if self.__dict__.pop("_shared_fragments", False):
            self.frags = [f.clone() for f in self.frags]
            if isinstance(self.bulletText, list):
                self.bulletText = [f.clone() for f in self.bulletText]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if getattr(self, "_wrapped_for", None) == availWidth and hasattr(self, "blPara"):
            return self.width, self.height  # (a split that found no room drops blPara)
        key = getattr(self, "_layout_key", None)
        known = _broken.get((key, availWidth)) if key is not None else None
        if known is not None:
            self.blPara, widths, self._width_max, width, height, words, self._inks = known
            if words is not None:  # several fonts: the lines point into the word list
                self.frags = words
            self.width, self.height = width, height
            self._wrapWidths = list(widths)
            self._wrapped_for: float | None = availWidth
            return width, height
        self._inks = None
        self._own_fragments()
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth if availWidth >= _FUZZ else None  # else: no lines made
        if key is not None and availWidth >= _FUZZ and _plain_lines(self.blPara, self.frags):
            if len(_broken) >= _BROKEN_LIMIT:
                _broken.clear()
            self._inks = _inks(self.blPara, self.style, self.bulletText)
            _broken[(key, availWidth)] = (
                self.blPara,
                tuple(self._wrapWidths),
                self._width_max,
                self.width,
                self.height,
                self.frags if self.blPara.kind == 1 else None,
                self._inks,
            )
        return size

    def minWidth(self) -> float:  # noqa: N802 - ReportLab's name
        """The widest word, which a table asks of each cell it sizes: the same for the same
        markup in the same style, so kept like the parsed fragments."""
        key = getattr(self, "_layout_key", None)
        if key is None:
            return float(super().minWidth())
        known = _widest_word.get(key)
        if known is None:
            if len(_widest_word) >= _PARSED_LIMIT:
                _widest_word.clear()
            known = _widest_word[key] = float(super().minWidth())
        return known

    def draw(self) -> None:
        """Lines kept across plans are drawn with the page operators they made last time,
        when this document has given each of their characters the same code (printable
        ASCII always has its own; another character, the code its first use here gave
        it) and each font the same name; else drawn afresh, and those operators kept."""
        inks = getattr(self, "_inks", None)
        if inks is None or getattr(self, "_wrapped_for", None) is None:
            super().draw()
            return
        canvas = self.canv
        ready = _ink_codes(inks, canvas._doc)
        known = _drawn.get((self._layout_key, self._wrapped_for, ready)) if ready else None
        if known is not None:
            canvas._code.extend(known)
            return
        start = len(canvas._code)
        super().draw()
        ready = _ink_codes(inks, canvas._doc)
        if ready is not None:
            if len(_drawn) >= _BROKEN_LIMIT:
                _drawn.clear()
            _drawn[(self._layout_key, self._wrapped_for, ready)] = tuple(canvas._code[start:])


_BROKEN_LIMIT = 4096  # (wording, style, width) laid out: a few languages and sizes of plans
_broken: dict[tuple[Any, float], tuple[Any, ...]] = {}
_drawn: dict[tuple[Any, float | None, tuple[Any, ...]], tuple[str, ...]] = {}
Inks = tuple[tuple[str, tuple[int, ...]], ...]  # (font, the codes of its non-ASCII characters)


def _inks(lines: Any, style: ParagraphStyle, bullet: Any) -> Inks:
    """The fonts a paragraph draws in, each with the characters whose codes a document
    assigns as it goes (all but printable ASCII)."""
    used: dict[str, set[int]] = {}

    def note(font: str, text: str) -> None:
        used.setdefault(font, set()).update(ord(c) for c in text if not " " <= c <= "~")

    if isinstance(bullet, str):
        note(style.bulletFontName, bullet)
    elif bullet:
        for frag in bullet:
            note(frag.fontName, frag.text)
    if lines.kind == 0:
        for _unused, words in lines.lines:
            note(lines.fontName, " ".join(words))
    else:
        for line in lines.lines:
            for frag in line.words:
                note(frag.fontName, getattr(frag, "text", ""))
    return tuple((font, tuple(sorted(chars))) for font, chars in sorted(used.items()))


def _ink_codes(inks: Inks, doc: Any) -> tuple[Any, ...] | None:
    """Each font's name in this document and its characters' codes; None while one of them
    has none yet (the first drawing gives it)."""
    found = []
    for name, characters in inks:
        state = getattr(pdfmetrics.getFont(name), "state", {}).get(doc)
        if state is None or state.internalName is None:
            return None
        codes = tuple(state.assignments.get(c) for c in characters)
        if None in codes:
            return None
        found.append((state.internalName, codes))
    return tuple(found)


_PLAIN_WORDS = (list, platypus.paragraph._HSFrag)  # a word, a word with a space after it


def _plain_lines(lines: Any, words: Any) -> bool:
    """Lines ReportLab only reads once broken, never alters: no word split or hyphenated
    (such a word's class is changed when a page splits the paragraph), no image or link.
    One font (kind 0): the words are plain str. Several (kind 1, e.g. a line break or a
    character in a fallback font): the paragraph's word list, which the lines index."""
    if lines.kind == 0:
        return all(type(word) is str for _unused, line in lines.lines for word in line)
    return lines.kind == 1 and all(
        type(word) in _PLAIN_WORDS
        and all(
            not hasattr(frag, "cbDefn") and not getattr(frag, "link", None) for frag, _t in word[1:]
        )
        for word in words
    )


def para(text: str, style: ParagraphStyle, bold: bool = False) -> Flowable:
    """User or catalog text, escaped and set in fonts that have its characters."""
    return Paragraph(fonts.markup(text, bold), style)


class Table(platypus.Table):
    """A table whose cells default to our font: ReportLab's default is Helvetica, which
    would land, unembedded, in every PDF even when no cell uses it."""

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        style = kwargs.pop("style", None)
        kwargs.setdefault("splitInRow", 1)  # a tall cell (a long note) may break across pages
        super().__init__(data, *args, **kwargs)
        self.setStyle(platypus.TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR)]))
        if style is not None:
            self.setStyle(style)


class Box(Flowable):
    """Flowables on a filled background, padded: what a one-cell table drew (same places,
    same fill), without a table's layout work (its cells measured for widths and twice
    for heights), which was a tenth of a plan. It splits across pages as the table did."""

    def __init__(
        self,
        content: list[Flowable],
        fill: Any,
        padding: tuple[float, float, float, float] = (10, 10, 8, 6),  # left right top bottom
    ) -> None:
        super().__init__()
        self.content, self.fill, self.padding = list(content), fill, padding
        self.hAlign = "LEFT"
        self._heights: list[float] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        left, right, top, bottom = self.padding
        inner, self._heights, total, after = availWidth - left - right, [], 0.0, 0.0
        for flowable in self.content:  # as a table's cell: any height, spacing kept inside
            _width, height = flowable.wrapOn(self.canv, inner, _CELL_ROOM - top - bottom)
            after = flowable.getSpaceAfter()
            self._heights.append(height)
            total += height + flowable.getSpaceBefore() + after
        if self.content:
            total -= self.content[0].getSpaceBefore() + after
        self.width, self.height = availWidth, total + top + bottom
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        left, _right, top, _bottom = self.padding
        canvas.saveState()
        canvas.setFillColor(self.fill)
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canvas.restoreState()
        y = self.height - top + (self.content[0].getSpaceBefore() if self.content else 0)
        for flowable, height in zip(self.content, self._heights, strict=True):
            y -= flowable.getSpaceBefore() + height
            flowable.drawOn(canvas, left, y)
            y -= flowable.getSpaceAfter()

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        left, right, top, bottom = self.padding
        inner, room = availWidth - left - right, availHeight - top - bottom
        first: list[Flowable] = []
        used = 0.0
        for index, flowable in enumerate(self.content):
            before = flowable.getSpaceBefore() if first else 0.0
            _width, height = flowable.wrapOn(self.canv, inner, room)
            if used + before + height <= room:
                first.append(flowable)
                used += before + height + flowable.getSpaceAfter()
                continue
            parts = flowable.splitOn(self.canv, inner, room - used - before) if room > used else []
            if parts:
                first.append(parts[0])
                rest = [*parts[1:], *self.content[index + 1 :]]
            else:
                rest = self.content[index:]
            break
        else:
            return [self]
        if not first:
            return []
        return [Box(first, self.fill, self.padding), Box(rest, self.fill, self.padding)]


_CELL_ROOM = 72000  # the height a table offers its cells to measure in


def bullets(items: list[str], style: ParagraphStyle) -> list[Flowable]:
    return [Paragraph(fonts.markup(item), style, bulletText="•") for item in items]


@dataclass(frozen=True)
class PageFrame:
    """What each page's header and footer say, and the file's metadata."""

    clinic: str
    patient: str  # name and date of birth, on every page
    printed: str  # e.g. "Printed November 27, 2026"
    page_label: Callable[[int, int], str]  # (page, pages) -> "Page 1 of 3"
    title: str
    author: str
    subject: str
    language: str  # BCP 47, e.g. "en" or "es"


def clinician_frame(snapshot: EvaluationSnapshot, title: str, subject: str) -> PageFrame:
    """The frame of the documents for clinicians (plan of care, referral letters)."""
    patient = snapshot.patient
    return PageFrame(
        clinic=snapshot.clinic.name,
        patient=f"{patient.full_name} · DOB {dates.day(patient.date_of_birth)} · MRN {patient.mrn}",
        printed=f"Printed {dates.day(snapshot.printed_on)}",
        page_label=lambda number, total: f"Page {number} of {total}",
        title=f"{title}: {patient.full_name}",
        author=snapshot.therapist_name,
        subject=subject,
        language="en",
    )


class _NumberedCanvas(pdf_canvas.Canvas):
    """A canvas that holds pages until the end, so each can say 'of Y'."""

    def __init__(self, *args: Any, frame: PageFrame, scale: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._frame, self._scale = frame, scale
        self._pages: list[dict[str, Any]] = []
        # The characters beyond ASCII that the wording uses get their codes first, the same
        # in every document (a name's own come after): lines drawn before can be reused.
        for name in (fonts.REGULAR, fonts.BOLD):
            pdfmetrics.getFont(name).splitString(_usual_characters(frame.language), self._doc)

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(number, total)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int) -> None:
        frame = self._frame
        width, height = self._pagesize
        size = 8.5 * min(self._scale, 1.35)
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.6)
        self.line(0.75 * inch, height - 0.62 * inch, width - 0.75 * inch, height - 0.62 * inch)
        self.line(0.75 * inch, 0.62 * inch, width - 0.75 * inch, 0.62 * inch)
        self.setFillColor(MUTED)
        _draw(self, 0.75 * inch, height - 0.52 * inch, frame.clinic, size, bold=True)
        _draw(self, width - 0.75 * inch, height - 0.52 * inch, frame.patient, size, right=True)
        _draw(self, 0.75 * inch, 0.45 * inch, frame.printed, size)
        label = frame.page_label(number, total)
        _draw(self, width - 0.75 * inch, 0.45 * inch, label, size, right=True)
        self.restoreState()


@cache
def _usual_characters(language: str) -> str:
    """The characters beyond printable ASCII that documents in this language print whoever
    the patient is (bullets, the dot between facts, the wording's accents), in a fixed
    order."""
    try:
        data = wording.load(language)
    except ValueError:
        data = {}

    def texts(value: Any) -> Any:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict | list):
            for item in value.values() if isinstance(value, dict) else value:
                yield from texts(item)

    found = {c for text in texts(data) for c in text if not " " <= c <= "~" and not c.isspace()}
    return "".join(sorted(found | {"•", "·"}))


class _Frame(platypus.Frame):
    """The page's text frame. ReportLab deep-copies it each time a group (a box, a
    keep-together) measures its contents, so that anything the measuring adds lands on the
    copy; the copy only needs its own attributes (none of them is a shared list but the
    added content, which the copy drops), and a deep copy was a twentieth of a plan."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Frame:
        return copy.copy(self)


class _Document(SimpleDocTemplate):
    """SimpleDocTemplate with our frame (same size and place as its own)."""

    def build(self, flowables: list[Flowable], **kwargs: Any) -> None:
        self._calc()
        frame = _Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="normal")
        self.addPageTemplates(
            [
                platypus.PageTemplate(id="First", frames=frame, pagesize=self.pagesize),
                platypus.PageTemplate(id="Later", frames=frame, pagesize=self.pagesize),
            ]
        )
        platypus.BaseDocTemplate.build(self, flowables, **kwargs)


def _draw(
    canvas: pdf_canvas.Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    right: bool = False,
    bold: bool = False,
) -> None:
    """Header and footer text, run by run in fonts that have each character."""
    pieces = fonts.runs(text, bold)
    width = sum(canvas.stringWidth(piece, font, size) for font, piece in pieces)
    cursor = x - width if right else x
    for font, piece in pieces:
        canvas.setFont(font, size)
        canvas.drawString(cursor, y, piece)
        cursor += canvas.stringWidth(piece, font, size)


def build(
    story: list[Flowable],
    frame: PageFrame,
    large_print: bool = False,
    invariant: bool = False,
    encrypt: Any = None,
) -> bytes:
    """Lay out the story on US Letter pages and return the PDF bytes.

    `invariant` gives the same bytes for the same input (no time stamps or random ids),
    so tests can compare documents.
    """
    fonts.register()
    with _BUILDING:
        return _build(story, frame, large_print, invariant, encrypt)


def headings_kept_with_next(story: list[Flowable]) -> list[Flowable]:
    """A heading (keepWithNext) followed by a KeepTogether block goes inside that block.
    ReportLab keeps a heading with a plain next flowable only: before a block it would be
    left alone at the foot of a page ("Your home exercises", then the exercises overleaf)."""
    out: list[Flowable] = []
    for flowable in story:
        before = out[-1] if out else None
        if (
            isinstance(flowable, platypus.KeepTogether)
            and before is not None
            and not isinstance(before, platypus.KeepTogether)
            and before.getKeepWithNext()
        ):
            out[-1] = platypus.KeepTogether([before, *flowable._content])
        else:
            out.append(flowable)
    return out


# ReportLab keeps global state while it builds (rl_config.invariant, font and canvas caches,
# our shared drawings): one document at a time in a process. A single print on the worker
# thread and a small in-process batch take turns; big batches run in a process pool.
_BUILDING = threading.Lock()


@login_memory.forget_at_log_out
def forget_patient_text() -> None:
    """At logout: the markup parsed, lines broken and drawn, and font subsets cut for this
    login's documents (names, notes) go. Between two documents, never during one; within a
    login they stay, so each plan after the first is quicker."""
    with _BUILDING:
        _parsed.clear()
        _broken.clear()
        _drawn.clear()
        _widest_word.clear()
        fonts.forget()


def _build(
    story: list[Flowable], frame: PageFrame, large_print: bool, invariant: bool, encrypt: Any
) -> bytes:
    previous = rl_config.invariant
    rl_config.invariant = 1 if invariant else previous
    try:
        out = io.BytesIO()
        doc = _Document(
            out,
            pagesize=LETTER,
            leftMargin=0.75 * inch,
            rightMargin=0.75 * inch,
            topMargin=0.85 * inch,
            bottomMargin=0.85 * inch,
            title=frame.title,
            author=frame.author,
            subject=frame.subject,
            creator="CaseManager",
            lang=frame.language,
            initialFontName=fonts.REGULAR,
            encrypt=encrypt,
        )
        scale = 1.3 if large_print else 1.0
        doc.build(
            headings_kept_with_next(story),
            canvasmaker=functools.partial(_NumberedCanvas, frame=frame, scale=scale),
        )
        return out.getvalue()
    finally:
        rl_config.invariant = previous
