"""The invisible font of a text layer: every character, no glyphs.

A searchable PDF draws its recognized text invisibly (render mode 3) over the image. The text
needs a font, but nothing of it is ever painted, so embedding a real CJK font (15 to 20 MB)
would only carry glyphs no one sees. As Tesseract's PDF renderer does, the layer uses a
*glyphless* font instead: a TrueType font (built here with fontTools, a few hundred bytes)
whose one glyph is empty and half an em wide, embedded as a ``Type0`` font with
``Identity-H`` encoding.

Each document numbers the characters it uses (character ids 1, 2, ...); every id draws the
empty glyph (``CIDToGIDMap``), and the ``ToUnicode`` map gives each id back its character,
so selecting, searching and copying give the exact Unicode text, Chinese, Japanese and
characters beyond the Basic Multilingual Plane included. Positions come from the text matrix
and horizontal scaling (``Tz``) that stretch each word over its box, since every glyph has
the same width.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf

#: Units per em of the font; the glyph's advance (half an em) and the vertical metrics.
UNITS_PER_EM = 1000
GLYPH_WIDTH = 500
#: Ascent and descent of the font: a line of text spans exactly one em, 0.2 of it under the
#: baseline, so an item of height ``h`` is drawn at font size ``h`` with its baseline ``0.2 h``
#: above the item's bottom edge.
ASCENT = 800
DESCENT = -200
FONT_NAME = "WxOcrGlyphless"


@functools.lru_cache(maxsize=1)
def glyphless_font() -> bytes:
    """The TrueType program: ``.notdef`` and one empty glyph, both half an em wide.

    Examples
    --------
    >>> data = glyphless_font()
    >>> data[:4], len(data) < 2000
    (b'\\x00\\x01\\x00\\x00', True)
    """
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(UNITS_PER_EM, isTTF=True)
    names = [".notdef", "blank"]
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0x20: "blank"})
    empty = TTGlyphPen(None).glyph()
    builder.setupGlyf({name: empty for name in names})
    builder.setupHorizontalMetrics({name: (GLYPH_WIDTH, 0) for name in names})
    builder.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    builder.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, usWinAscent=ASCENT,
                     usWinDescent=-DESCENT)
    builder.setupPost()
    buffer = io.BytesIO()
    builder.save(buffer)
    return buffer.getvalue()


class GlyphlessEncoding:
    """Character ids for the characters of one document.

    Examples
    --------
    >>> encoding = GlyphlessEncoding(["合计 41.60", "合"])
    >>> encoding.encode("合计").hex()
    '00070008'
    >>> b"<0007> <5408>" in encoding.to_unicode()
    True
    """

    def __init__(self, texts: Iterable[str]) -> None:
        chars = sorted({char for text in texts for char in text})
        if len(chars) > 0xFFFE:
            raise ValueError(f"{len(chars)} distinct characters: more than one font can number")
        self.ids = {char: number for number, char in enumerate(chars, start=1)}

    def encode(self, text: str) -> bytes:
        """The string operand of ``Tj`` for ``text`` (two bytes per character)."""
        return b"".join(self.ids[char].to_bytes(2, "big") for char in text)

    def to_unicode(self) -> bytes:
        """The ``ToUnicode`` CMap: each character id to its character (UTF-16BE)."""
        lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
                 b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                 b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
                 b"1 begincodespacerange", b"<0000> <FFFF>", b"endcodespacerange"]
        pairs = list(self.ids.items())
        for start in range(0, len(pairs), 100):  # at most 100 entries per block
            chunk = pairs[start:start + 100]
            lines.append(f"{len(chunk)} beginbfchar".encode())
            lines += [f"<{number:04X}> <{char.encode('utf-16-be').hex().upper()}>".encode()
                      for char, number in chunk]
            lines.append(b"endbfchar")
        lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
        return b"\n".join(lines) + b"\n"

    def cid_to_gid(self) -> bytes:
        """The ``CIDToGIDMap``: id 0 to glyph 0, every other id to the empty glyph 1."""
        return b"\x00\x00" + b"\x00\x01" * len(self.ids)

    def font(self, pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        """The ``Type0`` font object for ``pdf``, with the font program embedded."""
        import pikepdf
        from pikepdf import Array, Dictionary, Name

        program = pikepdf.Stream(pdf, glyphless_font())
        program.Length1 = len(glyphless_font())
        descriptor = pdf.make_indirect(Dictionary(
            Type=Name.FontDescriptor, FontName=Name("/" + FONT_NAME), Flags=5,
            FontBBox=Array([0, DESCENT, GLYPH_WIDTH, ASCENT]), ItalicAngle=0, Ascent=ASCENT,
            Descent=DESCENT, CapHeight=ASCENT, StemV=80, FontFile2=program))
        descendant = pdf.make_indirect(Dictionary(
            Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/" + FONT_NAME),
            CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"),
                                     Ordering=pikepdf.String("Identity"), Supplement=0),
            FontDescriptor=descriptor, DW=GLYPH_WIDTH,
            CIDToGIDMap=pikepdf.Stream(pdf, self.cid_to_gid())))
        return pdf.make_indirect(Dictionary(
            Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + FONT_NAME),
            Encoding=Name("/Identity-H"), DescendantFonts=Array([descendant]),
            ToUnicode=pikepdf.Stream(pdf, self.to_unicode())))
