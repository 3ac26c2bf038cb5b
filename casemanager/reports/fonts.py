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
from reportlab.pdfbase import pdfdoc, pdfmetrics
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
    for name, file in (
        (REGULAR, "DejaVuSans.ttf"),
        (BOLD, "DejaVuSans-Bold.ttf"),
        *_FALLBACKS,
    ):
        font = TTFont(name, str(FONT_DIR / file))
        _embed_subsets_once(font.face)
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


def _embed_subsets_once(face: TTFontFace) -> None:
    """Each PDF embeds the subset of a font its text used: the same characters (ASCII, and
    the few others of the wording) in nearly every plan. Cutting the subset out of the font
    and compressing it was a fifth of a plan's render, so the compressed subset is kept per
    character list (the same bytes as made afresh)."""
    made: dict[tuple[int, ...], tuple[bytes, int]] = {}

    def add_subset_objects(doc: Any, fontname: str, subset: list[int]) -> Any:
        if not doc.compression:
            return TTFontFace.addSubsetObjects(face, doc, fontname, subset)
        key = tuple(subset)
        if key not in made:
            if len(made) >= _SUBSETS_KEPT:
                made.clear()
            program = face.makeSubset(subset)
            made[key] = (zlib.compress(program), len(program))
        compressed, length = made[key]
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


def missing_glyphs(text: str) -> set[str]:
    """Characters no embedded font can draw (for tests and a warning, never silently)."""
    fonts = register()
    return {c for c in text if not c.isspace() and not any(ord(c) in f.glyphs for f in fonts)}
