"""PDF pages through pdfium (:mod:`pypdfium2`): opening, the text layer, and rendering.

:mod:`wxocr_pandas.documents` decides what a PDF page becomes; this module knows the PDF:

- :func:`read_text_layers` reads each page's **text layer**: its characters grouped into
  items (runs of one line without wide gaps), in pixels of the page as rendered at ``dpi``
  (a US-letter page at 150 dpi is 1275×1650 pixels), and the boxes of the page's images that
  the text layer does not transcribe (a scanned figure, a photo of a sign), which are worth
  recognizing;
- :func:`render_pdf_page` draws one page, optionally with only some regions kept;
- :func:`open_pdf` turns pdfium's failures into the package's errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image

from .errors import ImageTooLargeError, InvalidImageError, ProtectedDocumentError
from .images import to_rgb
from .result import ImgSize, Item, OcrResult, Point

#: An image on a text page is recognized when it is at least this many pixels wide and high
#: as rendered (smaller ones are icons and rules) ...
MIN_REGION_PIXELS = (48, 16)
#: ... and the text layer's characters cover less than this share of it (more: the text layer
#: already transcribes it, as the invisible text of a searchable scan does).
TRANSCRIBED_SHARE = 0.05
#: Characters further apart than this many font heights start a new item, as OCR would split
#: two table cells or two columns.
ITEM_GAP = 1.0

_PDFIUM_REASON = re.compile(r"\(PDFium: ([^)]*)\)")
#: A pixel box on the page as rendered: left, top, right, bottom.
Box = tuple[float, float, float, float]


def open_pdf(data: bytes, label: str) -> Any:
    """The pdfium document of ``data``.

    Raises
    ------
    ProtectedDocumentError
        The PDF needs a password, or uses a security handler pdfium does not know.
    InvalidImageError
        A broken or truncated PDF.

    Examples
    --------
    >>> open_pdf(b"%PDF-1.7 not really", "x.pdf")
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.InvalidImageError: x.pdf: broken PDF: Data format error (errcode 101002)
    """
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        import pypdfium2.raw as pdfium_c

        if _loads_without_pages(data):
            # pypdfium2 refuses such a document with pdfium's last error, which is stale
            # ("Success" at first, then the reason of whatever PDF failed before).
            raise InvalidImageError("the PDF has no pages", image=label) from None

        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ProtectedDocumentError(
                "the PDF is password-protected; decrypt it first (e.g. `qpdf --decrypt "
                "--password=... in.pdf out.pdf`)", image=label) from None
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_SECURITY:
            raise ProtectedDocumentError("the PDF uses an unsupported security handler",
                                         image=label) from None
        raise InvalidImageError(f"broken PDF: {_pdfium_reason(exc)}", image=label) from None


def _loads_without_pages(data: bytes) -> bool:
    """True when pdfium opens ``data`` as a document with no pages."""
    import pypdfium2.raw as pdfium_c

    document = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not document:
        return False
    try:
        return pdfium_c.FPDF_GetPageCount(document) < 1
    finally:
        pdfium_c.FPDF_CloseDocument(document)


def _pdfium_reason(exc: Exception) -> str:
    """pdfium's own words from ``Failed to load document (PDFium: <reason>).``"""
    found = _PDFIUM_REASON.search(str(exc))
    return found.group(1) if found else str(exc)


@dataclass(frozen=True)
class TextLayer:
    """What a PDF page's text layer says: its items (with the page's ``img_size``), and the
    boxes of the page's images it does not transcribe (empty: the text layer says it all)."""

    text: OcrResult
    regions: tuple[Box, ...]


def read_text_layers(data: bytes, label: str, *, dpi: float, text: bool = True,
                     first: int | None = None) -> tuple[list[TextLayer | None], int]:
    """One entry per page of the PDF, page 1 first (only the ``first`` pages, when given):
    its :class:`TextLayer`, or None for a page without text (a scan, or text drawn as
    outlines), or for every page when ``text`` is False (only the pages are counted); and
    the number of pages of the whole PDF.

    Raises
    ------
    InvalidImageError
        A broken PDF, or one with no pages.
    ProtectedDocumentError
        A PDF that needs a password.
    """
    document = open_pdf(data, label)
    try:
        if len(document) == 0:
            raise InvalidImageError("the PDF has no pages", image=label)
        layers: list[TextLayer | None] = []
        for index in range(min(len(document), len(document) if first is None else first)):
            if not text:
                layers.append(None)
                continue
            page = document[index]
            try:
                layers.append(_text_layer(page, dpi))
            finally:
                page.close()
        return layers, len(document)
    finally:
        document.close()


def _text_layer(page: Any, dpi: float) -> TextLayer | None:
    geometry = PageGeometry.of(page, dpi)
    textpage = page.get_textpage()
    try:
        items, char_boxes = _text_items(textpage, geometry)
    finally:
        textpage.close()
    if not items:
        return None
    return TextLayer(OcrResult(items=items, img_size=geometry.size),
                     _untranscribed_images(page, geometry, char_boxes))


#: A text-layer character on the page as shown: left, top, right, bottom, drawn invisible.
_Char = tuple[float, float, float, float, bool]


@dataclass(frozen=True)
class PageGeometry:
    """Maps PDF page coordinates (points, y up) to pixels of the page as rendered."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int
    scale: float
    size: ImgSize

    @classmethod
    def of(cls, page: Any, dpi: float) -> PageGeometry:
        scale = dpi / 72.0
        left, bottom, right, top = page.get_bbox()
        # The size pypdfium2's render() gives: the displayed (rotated) page, rounded up.
        size = ImgSize(math.ceil(page.get_width() * scale), math.ceil(page.get_height() * scale))
        return cls(left, bottom, right, top, page.get_rotation() % 360, scale, size)

    def upright(self, x: float, y: float) -> tuple[float, float]:
        """Pixels of page point ``(x, y)`` on the page before its ``/Rotate``, y down."""
        return (x - self.left) * self.scale, (self.top - y) * self.scale

    def shown(self, across: float, down: float) -> tuple[float, float]:
        """Pixels on the page as shown (turned by its ``/Rotate``) of upright pixels."""
        width = (self.right - self.left) * self.scale
        height = (self.top - self.bottom) * self.scale
        if self.rotation == 90:
            return height - down, across
        if self.rotation == 180:
            return width - across, height - down
        if self.rotation == 270:
            return down, width - across
        return across, down

    def box(self, left: float, bottom: float, right: float, top: float
            ) -> tuple[float, float, float, float]:
        """Upright pixel box ``(left, top, right, bottom)`` of a page box."""
        (x0, y0), (x1, y1) = self.upright(left, top), self.upright(right, bottom)
        return x0, y0, x1, y1

    def shown_box(self, box: tuple[float, float, float, float]
                  ) -> tuple[float, float, float, float]:
        """The box an upright pixel box covers on the page as shown."""
        (x0, y0), (x1, y1) = self.shown(box[0], box[1]), self.shown(box[2], box[3])
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _text_items(textpage: Any, geometry: PageGeometry) -> tuple[tuple[Item, ...], list[_Char]]:
    """Group a text layer's characters into items (runs of one line without wide gaps), and
    return each character's box on the page as shown, and whether it is drawn invisible.

    Grouping happens on the upright page, where the text runs as its author wrote it; each
    item's corners are then turned with the page, so on a page shown sideways an item's
    ``left_top`` is still where its text starts, as the engine reports turned text.
    """
    import pypdfium2.raw as pdfium_c

    items: list[Item] = []
    char_boxes: list[_Char] = []
    run: list[tuple[str, tuple[float, float, float, float], tuple[float, float, float, float]]] = []

    def flush() -> None:
        text = "".join(char for char, _, _ in run).strip()
        inked = [tight for char, tight, _ in run if not char.isspace()]
        if text and inked:
            items.append(_item_of(text, inked, geometry))
        run.clear()

    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        char = chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else ""
        if char in ("", "\r", "\n", "\x02") or pdfium_c.FPDFText_IsGenerated(textpage, index) == 1:
            if char != " ":
                flush()
            elif run:  # a word break pdfium inferred from spacing: keep it, it has no box
                run.append((" ", (0.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 0.0)))
            continue
        tight = geometry.box(*textpage.get_charbox(index))
        loose = geometry.box(*textpage.get_charbox(index, loose=True))
        if not char.isspace():
            mode = pdfium_c.FPDFTextObj_GetTextRenderMode(
                pdfium_c.FPDFText_GetTextObject(textpage, index))
            char_boxes.append((*geometry.shown_box(tight),
                               mode == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE))
        if run and _starts_new_item(run, loose):
            flush()
        run.append((char, tight, loose))
    flush()
    return tuple(items), char_boxes


def _starts_new_item(run: Sequence[tuple[str, Any, Any]],
                     loose: tuple[float, float, float, float]) -> bool:
    """True when a character is not on the run's line, or is far from its last character."""
    last = next(box for char, _, box in reversed(run) if not char.isspace() or box[2] > box[0])
    line_height = max(last[3] - last[1], loose[3] - loose[1], 1e-6)
    centre = (loose[1] + loose[3]) / 2
    if not last[1] <= centre <= last[3]:
        return True
    gap = loose[0] - last[2]
    return gap > ITEM_GAP * line_height or gap < -line_height


def _item_of(text: str, boxes: Sequence[tuple[float, float, float, float]],
             geometry: PageGeometry) -> Item:
    left = min(box[0] for box in boxes)
    top = min(box[1] for box in boxes)
    right = max(box[2] for box in boxes)
    bottom = max(box[3] for box in boxes)
    corners = (geometry.shown(left, top), geometry.shown(right, top),
               geometry.shown(right, bottom), geometry.shown(left, bottom))
    return Item(text, *(Point(round(x, 2), round(y, 2)) for x, y in corners))


def _untranscribed_images(page: Any, geometry: PageGeometry, chars: Sequence[_Char]
                          ) -> tuple[tuple[float, float, float, float], ...]:
    """Pixel boxes of the page's images worth recognizing: big enough, on the page, and not
    already transcribed by the text layer (invisible text over them, as OCR tools write it
    over a scan, or visible characters covering :data:`TRANSCRIBED_SHARE` of them)."""
    import pypdfium2.raw as pdfium_c

    width, height = geometry.size.w, geometry.size.h
    regions = []
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, top, right, bottom = geometry.shown_box(geometry.box(*image.get_bounds()))
        left, top = max(0.0, left), max(0.0, top)
        right, bottom = min(float(width), right), min(float(height), bottom)
        if right - left < MIN_REGION_PIXELS[0] or bottom - top < MIN_REGION_PIXELS[1]:
            continue
        box = (left, top, right, bottom)
        inside = [char for char in chars if _overlap(box, char[:4]) > 0]
        if any(char[4] for char in inside):
            continue
        covered = sum(_overlap(box, char[:4]) for char in inside)
        if covered < TRANSCRIBED_SHARE * (right - left) * (bottom - top):
            regions.append(tuple(round(value, 2) for value in box))
    return tuple(regions)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def render_pdf_page(data: bytes, index: int, dpi: float, label: str, *, max_pixels: int,
                    regions: Sequence[Box] | None = None) -> Image.Image:
    """Draw page ``index`` (0-based) as an RGB image at ``dpi``; with ``regions``, only those
    pixel boxes are kept and the rest is painted white.

    Raises
    ------
    ImageTooLargeError
        The page as rendered is over ``max_pixels``.
    """
    document = open_pdf(data, label)
    try:
        page = document[index]
        try:
            geometry = PageGeometry.of(page, dpi)
            if geometry.size.w * geometry.size.h > max_pixels:
                raise ImageTooLargeError(
                    f"{geometry.size.w}x{geometry.size.h} pixels at {dpi:g} dpi is over the "
                    f"{max_pixels}-pixel guard; lower dpi", image=label)
            image = page.render(scale=geometry.scale).to_pil()
        finally:
            page.close()
    finally:
        document.close()
    image = to_rgb(image)
    if regions is None:
        return image
    kept = Image.new("RGB", image.size, (255, 255, 255))
    for left, top, right, bottom in regions:
        box = (math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom))
        kept.paste(image.crop(box), box[:2])
    return kept


def dpi_for_size(data: bytes, index: int, size: tuple[int, int], label: str) -> float:
    """A DPI at which page ``index`` renders to exactly ``size`` pixels: the middle of the
    DPIs whose rounded-up width and height are ``size`` (the batch's DPI is one of them)."""
    document = open_pdf(data, label)
    try:
        page = document[index]
        try:
            points = (page.get_width(), page.get_height())
        finally:
            page.close()
    finally:
        document.close()
    low = max((pixels - 1) * 72.0 / length for pixels, length in zip(size, points))
    high = min(pixels * 72.0 / length for pixels, length in zip(size, points))
    return (low + high) / 2 if low < high else size[0] * 72.0 / points[0]
