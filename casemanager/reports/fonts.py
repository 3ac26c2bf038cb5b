"""The fonts every document embeds, and text set in them: each run of characters goes to the
first font that has all of them, so a name in Greek, a note in Vietnamese and a line mixing
Chinese and Korean all print, and none depends on the reader's fonts.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import STATE_DEFAULTS
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFont, TTFontFace

FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"

REGULAR = "CMSans"
BOLD = "CMSans-Bold"
_FALLBACKS = (("CMHan", "DroidSansFallbackFull.ttf"), ("CMHangul", "NanumGothic.ttf"))


@dataclass(frozen=True)
class _Font:
    name: str
    glyphs: frozenset[int]


@cache
def register() -> tuple[_Font, ...]:
    """Register the fonts with ReportLab once; returns them in the order they are tried."""
    fonts = []
    _unicode_maps_once()
    for name, file in (
        (REGULAR, "DejaVuSans.ttf"),
        (BOLD, "DejaVuSans-Bold.ttf"),
        *_FALLBACKS,
    ):
        font = TTFont(name, str(FONT_DIR / file))
        _embed_subsets_once(font.face)
        _encode_ascii_directly(font)
        _font_objects_once(font)
        pdfmetrics.registerFont(font)
        fonts.append(_Font(name, frozenset(font.face.charToGlyph)))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    for name, _file in _FALLBACKS:  # no bold cut: <b> keeps the same face
        pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    # Drawings (exercise figures) start from this state; its Helvetica would otherwise land,
    # unembedded, on every page with a figure even though no text is drawn in it.
    STATE_DEFAULTS["fontName"] = REGULAR
    return tuple(fonts)


_SUBSETS_KEPT = 32  # per font: a few languages' worth of the usual character sets
# Every font's kept subsets, widths and maps: a subset is cut for the characters a document
# used, a patient's name among them, so all go at logout (`forget`).
_kept: list[dict[Any, Any]] = []


def _embed_subsets_once(face: TTFontFace) -> None:
    """Each PDF embeds the subset of a font its text used: the same characters (ASCII, and
    the few others of the wording) in nearly every plan. Cutting the subset out of the font
    and compressing it was a fifth of a plan's render, so the compressed subset is kept per
    character list (the same bytes as made afresh)."""
    made: dict[tuple[int, ...], tuple[bytes, int]] = {}
    _kept.append(made)

    def add_subset_objects(doc: Any, fontname: str, subset: list[int]) -> Any:
        if not doc.compression:
            return TTFontFace.addSubsetObjects(face, doc, fontname, subset)
        key = tuple(subset)
        found = made.get(key)  # (read once: another thread's document may clear the dict)
        if found is None:
            if len(made) >= _SUBSETS_KEPT:
                made.clear()
            program = face.makeSubset(subset)
            found = made[key] = (zlib.compress(program), len(program))
        compressed, length = found
        program_file = pdfdoc.PDFStream(content=compressed)
        program_file.dictionary["Length1"] = length
        program_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        program_ref = doc.Reference(program_file, f"fontFile:{face.filename}({fontname})")
        descriptor = pdfdoc.PDFDictionary(
            {  # as ReportLab's TTFontFace.addSubsetObjects writes it
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": program_ref,
                "MissingWidth": face.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)

    face.addSubsetObjects = add_subset_objects


def _unicode_maps_once() -> None:
    """Each subset's map back to Unicode (a line of text per character) is written out the
    same for the same subset name and characters: kept, as the compressed copy of it is
    (`_font_objects_once`), instead of written again for every document."""
    usual = ttfonts.makeToUnicodeCMap
    if getattr(usual, "kept", False):
        return
    made: dict[tuple[str, tuple[int, ...]], str] = {}
    _kept.append(made)  # the characters a document used: emptied at logout with the subsets

    def make(fontname: str, subset: list[int]) -> str:
        key = (fontname, tuple(subset))
        found = made.get(key)
        if found is None:
            if len(made) >= _SUBSETS_KEPT * 4:
                made.clear()
            found = made[key] = usual(fontname, subset)
        return found

    make.kept = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = make


class _Formatted(pdfdoc.PDFObject):
    """A PDF value written out once (numbers only: nothing a document changes)."""

    def __init__(self, written: bytes) -> None:
        self.written = written

    def format(self, document: Any) -> bytes:
        return self.written


def _font_objects_once(font: TTFont) -> None:
    """Beside the font program, each subset's widths (256 numbers written one by one) and
    its map back to Unicode (made and compressed) are the same for the same characters:
    kept too, so a document's fonts cost little more than a reference."""
    usual = font.addObjects
    widths: dict[tuple[Any, ...], _Formatted] = {}
    maps: dict[bytes, bytes] = {}
    _kept.extend((widths, maps))

    def add_objects(doc: Any) -> None:
        state = font.state.get(doc)
        usual(doc)  # (ReportLab forgets the document's state here)
        if state is None or state.internalName is None or not doc.compression:
            return
        if len(widths) >= _SUBSETS_KEPT or len(maps) >= _SUBSETS_KEPT:
            widths.clear()
            maps.clear()
        fonts = doc.idToObject["BasicFonts"].dict
        for number in range(len(state.subsets)):
            subset = fonts.get(f"{state.internalName}+{number}")
            if subset is None or not isinstance(subset.Widths, pdfdoc.PDFArray):
                continue
            key = tuple(subset.Widths.sequence)
            written = widths.get(key)
            if written is None:
                written = widths[key] = _Formatted(subset.Widths.format(doc))
            subset.Widths = written
            cmap = doc.idToObject.get("toUnicodeCMap:" + subset.BaseFont)
            if cmap is None or "Filter" in cmap.dictionary.dict or cmap.filters is None:
                continue
            plain = cmap.content.encode("utf8") if isinstance(cmap.content, str) else cmap.content
            packed = maps.get(plain)
            if packed is None:
                packed = maps[plain] = zlib.compress(plain)
            cmap.content = packed
            cmap.filters = None
            cmap.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])

    font.addObjects = add_objects


_PRINTABLE_ASCII = range(32, 127)


def _encode_ascii_directly(font: TTFont) -> None:
    """ReportLab gives printable ASCII its own codes in a font's first subset (so a PDF's
    text stays readable) and then still looks every character up, one by one, for each run
    of text drawn: a tenth of a plan. A run of printable ASCII is encoded as itself; any
    other run goes the usual way (the same bytes either way)."""
    if not font._asciiReadable or any(n not in font.face.charToGlyph for n in _PRINTABLE_ASCII):
        return
    usual = font.splitString

    def split_string(text: Any, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        if isinstance(text, str) and text and text.isascii() and text.isprintable():
            if doc in font.state:  # (the document's first run sets its subsets up)
                return [(0, text.encode("ascii"))]
        found: list[tuple[int, bytes]] = usual(text, doc, encoding)
        return found

    font.splitString = split_string


def _font_for(character: str, bold: bool) -> str:
    fonts = register()
    code = ord(character)
    main = fonts[1] if bold else fonts[0]
    if code in main.glyphs or character.isspace():
        return main.name
    for fallback in fonts[2:]:
        if code in fallback.glyphs:
            return fallback.name
    return main.name  # no font has it: the main font's empty box, never a crash


@lru_cache(maxsize=4096)
def runs(text: str, bold: bool = False) -> tuple[tuple[str, str], ...]:
    """Split text into (font name, characters) runs, each wholly printable in its font.

    Kept for texts seen before: most of a document is the same catalog wording each time,
    and looking each character up was a tenth of a plan's render."""
    fonts = register()
    main = fonts[1] if bold else fonts[0]
    if main.glyphs.issuperset(map(ord, text)):  # the usual case: one run in the main font
        return ((main.name, text),) if text else ()
    pieces: list[tuple[str, str]] = []
    for character in text:
        font = _font_for(character, bold)
        if pieces and pieces[-1][0] == font:
            pieces[-1] = (font, pieces[-1][1] + character)
        else:
            pieces.append((font, character))
    return tuple(pieces)


@lru_cache(maxsize=4096)
def markup(text: str, bold: bool = False) -> str:
    """User text as Paragraph markup: escaped (a '<b>' in a note prints as typed), each run
    in its font, line breaks kept. Works inside any paragraph style of ours."""
    parts = []
    for font, piece in runs(text, bold):
        escaped = escape(piece).replace("\n", "<br/>")
        parts.append(escaped if font == REGULAR else f'<font face="{font}">{escaped}</font>')
    return "".join(parts)


def forget() -> None:
    """Everything kept from the texts set so far (see `page.forget_patient_text`, which
    calls this between documents)."""
    runs.cache_clear()
    markup.cache_clear()
    for kept in _kept:
        kept.clear()


def missing_glyphs(text: str) -> set[str]:
    """Characters no embedded font can draw (for tests and a warning, never silently)."""
    fonts = register()
    return {c for c in text if not c.isspace() and not any(ord(c) in f.glyphs for f in fonts)}
