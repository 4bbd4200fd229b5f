"""Documents: PDFs, multi-page TIFFs and animated GIFs, read page by page.

A *document* input gives one WeChat-shaped :class:`~wxocr_pandas.result.OcrResult` per page,
each in the pixels of that page as rendered. :func:`open_document` tells a document from a
single image (by content for paths and bytes, by suffix for URLs, which are not downloaded
just to look) and lists its :class:`Page` objects:

- a **PDF** page is rendered with pdfium (:mod:`pypdfium2`) at ``dpi`` dots per inch, so a
  US-letter page at 150 dpi is 1275×1650 pixels. A page whose **text layer** has text gives
  that text and its boxes directly: exact, and hundreds of times faster than OCR. Images on such a page that the text layer does not cover (a scanned figure, a
  photo of a sign) are recognized too, alone: the page is rendered with everything but those
  images painted white, and the OCR items that repeat a text-layer item are dropped. A page
  without a text layer (a scan) is recognized whole. ``pdf_ocr=True`` recognizes every page
  whole and ignores the text layer.
- a **multi-page TIFF** or **animated GIF** gives one page per frame, each frame as shown
  (GIF frames composed over the previous ones, as a viewer shows them).

A page to recognize travels as an :class:`~wxocr_pandas.images.ImageSource` of kind
``"page"`` whose value is a :class:`PageRef`: small and picklable (the document's path, or
its bytes), so worker processes render their own pages. :func:`render_page` draws it.

A document that cannot be opened raises: :class:`~wxocr_pandas.errors.InvalidImageError`
(a broken or truncated PDF) or :class:`~wxocr_pandas.errors.ProtectedDocumentError` (a PDF
that needs a password). One page that fails (say, over the pixel guard) fails alone.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from PIL import Image, ImageOps, UnidentifiedImageError

from .config import DEFAULT_DPI
from .errors import ImageTooLargeError, InvalidImageError, ProtectedDocumentError, WxOcrError
from .images import DEFAULT_MAX_PIXELS, ImageSource, to_rgb
from .result import ImgSize, Item, OcrResult, Point

DocumentKind = Literal["pdf", "tiff", "gif"]
#: One input's answer: an image's result, or a document's page results (page 1 first).
InputResult = OcrResult | tuple[OcrResult, ...]

#: URL suffixes read as documents (a URL is not downloaded just to see what it holds).
DOCUMENT_SUFFIXES: dict[str, DocumentKind] = {
    ".pdf": "pdf", ".tif": "tiff", ".tiff": "tiff", ".gif": "gif"}
#: An image on a text page is recognized when it is at least this many pixels wide and high
#: as rendered (smaller ones are icons and rules) ...
MIN_REGION_PIXELS = (48, 16)
#: ... and the text layer's characters cover less than this share of it (more: the text layer
#: already transcribes it, as the invisible text of a searchable scan does).
TRANSCRIBED_SHARE = 0.05
#: Characters further apart than this many font heights start a new item, as OCR would split
#: two table cells or two columns.
ITEM_GAP = 1.0

_PDF_MAGIC = b"%PDF-"
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
_GIF_MAGIC = (b"GIF87a", b"GIF89a")
_HEADER_BYTES = 1024  # PDF readers accept junk before %PDF- in the first kilobyte


@dataclass(frozen=True)
class PageRef:
    """One page of a document, as a worker process needs it to render that page.

    ``document`` is a ``"path"`` or ``"bytes"`` source; ``index`` is 0-based. ``regions``
    (pixel boxes ``(left, top, right, bottom)``) keeps only those parts of a PDF page and
    paints the rest white: the images of a page whose text comes from its text layer.
    """

    document: ImageSource
    kind: DocumentKind
    index: int
    dpi: float = DEFAULT_DPI
    regions: tuple[tuple[float, float, float, float], ...] | None = None

    def render(self, label: str, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
        """Draw this page with :func:`render_page` (what :func:`~wxocr_pandas.images.decode`
        does for a ``"page"`` source)."""
        return render_page(self, label, max_pixels=max_pixels)


@dataclass(frozen=True)
class Page:
    """One page of a document, as the batch sees it.

    ``source`` is the image to recognize (kind ``"page"``, or ``"pil"`` for frames of an
    in-memory image), None when the text layer says it all. ``text`` holds the items read
    from a PDF text layer (with the page's ``img_size``), None for pages with none. ``key``
    identifies the page's pixels for the result cache (document content, page, DPI, mode).
    """

    number: int
    source: ImageSource | None
    key: str | None
    text: OcrResult | None = None

    def finish(self, recognized: OcrResult | None = None) -> OcrResult:
        """The page's answer: its text layer, the recognized image, or both merged.

        Recognized items whose centre falls inside a text-layer item are dropped (they repeat
        it); the rest are appended, and all items are put in top-to-bottom, left-to-right order.

        Examples
        --------
        >>> def box(text, left, top, right, bottom):
        ...     return Item(text, Point(left, top), Point(right, top), Point(right, bottom),
        ...                 Point(left, bottom))
        >>> layer = OcrResult(items=(box("Title", 10, 10, 90, 30),), img_size=ImgSize(200, 200))
        >>> ocr = OcrResult(items=(box("Title", 12, 11, 88, 29), box("图中文字", 20, 120, 80, 140)),
        ...                 img_size=ImgSize(200, 200))
        >>> [item.text for item in Page(1, None, None, layer).finish(ocr).items]
        ['Title', '图中文字']
        """
        if self.text is None:
            if recognized is None:
                raise ValueError(f"page {self.number} has neither a text layer nor an answer")
            return recognized
        if recognized is None:
            return self.text
        if not recognized.ok:
            return recognized
        boxes = [_bounds(item) for item in self.text.items]
        fresh = tuple(item for item in recognized.items
                      if not any(_contains(box, _centre(item)) for box in boxes))
        items = sorted(self.text.items + fresh, key=lambda item: (_bounds(item)[1], _bounds(item)[0]))
        return replace(self.text, items=tuple(items))


@dataclass(frozen=True)
class Document:
    """An opened document: its kind and its pages, page 1 first."""

    label: str
    kind: DocumentKind
    pages: tuple[Page, ...]


def sniff(header: bytes) -> DocumentKind | None:
    """The document kind of encoded bytes from their first kilobyte, or None for anything else.

    Examples
    --------
    >>> sniff(b"%PDF-1.7 ..."), sniff(b"II*\\x00..."), sniff(b"GIF89a..."), sniff(b"\\x89PNG")
    ('pdf', 'tiff', 'gif', None)
    """
    if header.startswith(_TIFF_MAGIC):
        return "tiff"
    if header.startswith(_GIF_MAGIC):
        return "gif"
    if _PDF_MAGIC in header[:_HEADER_BYTES]:
        return "pdf"
    return None


def open_document(source: ImageSource, *, dpi: float = DEFAULT_DPI, pdf_ocr: bool = False,
                  digest: str | None = None, max_pixels: int = DEFAULT_MAX_PIXELS
                  ) -> Document | None:
    """Open ``source`` as a document and list its pages; None when it is a single image.

    PDFs are always documents (a one-page PDF has page 1). TIFF and GIF files are documents
    when they hold more than one frame; a single frame stays a plain image.

    Parameters
    ----------
    source
        A checked cell (:func:`~wxocr_pandas.images.as_source`).
    dpi
        Rendering resolution of PDF pages.
    pdf_ocr
        Recognize every PDF page as an image, ignoring its text layer.
    digest
        The content hash of the source (:func:`~wxocr_pandas.cache.image_digest`), which the
        pages' cache keys build on; computed when not given.
    max_pixels
        Pixel guard: a page larger than this as rendered fails alone.

    Raises
    ------
    InvalidImageError
        A broken PDF, or a TIFF/GIF whose frames cannot be read.
    ProtectedDocumentError
        A PDF that needs a password.

    Examples
    --------
    >>> from wxocr_pandas.images import as_source
    >>> open_document(as_source("samples/receipt.png")) is None
    True
    """
    kind, data = _document_bytes(source)
    if kind is None:
        return None
    if digest is None:
        digest = hashlib.sha256(data).hexdigest() if data is not None else _pil_digest(source)
    if kind == "pdf":
        assert data is not None  # a PDF is never an in-memory PIL image
        pages = _pdf_pages(source, data, dpi=dpi, pdf_ocr=pdf_ocr, digest=digest,
                           max_pixels=max_pixels)
    else:
        pages = _frame_pages(source, kind, data, digest)
        if pages is None:
            return None
    return Document(source.label, kind, pages)


def _document_bytes(source: ImageSource) -> tuple[DocumentKind | None, bytes | None]:
    """The kind and the whole bytes of a document source; ``(None, None)`` for an image.

    A path is sniffed from its first kilobyte before being read whole; a URL is a document
    only by its suffix; an in-memory PIL image by its format (its bytes are then None).
    """
    if source.kind == "bytes":
        return sniff(source.value[:_HEADER_BYTES]), source.value
    if source.kind == "path":
        try:
            with open(source.value, "rb") as stream:
                kind = sniff(stream.read(_HEADER_BYTES))
        except OSError:
            return None, None  # not readable: the image path reports it as usual
        return (kind, source.read_bytes()) if kind else (None, None)
    if source.kind in ("url", "fsspec"):
        suffix = PurePosixPath(urlsplit(source.value).path).suffix.lower()
        if suffix not in DOCUMENT_SUFFIXES:
            return None, None
        data = source.read_bytes()
        return sniff(data[:_HEADER_BYTES]), data
    if source.kind == "pil" and source.value.format in ("TIFF", "GIF"):
        return ("tiff" if source.value.format == "TIFF" else "gif"), None
    return None, None


def page_key(digest: str, kind: DocumentKind, number: int, mode: str = "") -> str:
    """The cache identity of one page: the document's content hash, the page and how it is
    read (DPI and mode for PDFs).

    Examples
    --------
    >>> page_key("ab" * 32, "pdf", 2, "dpi=200:regions") != page_key("ab" * 32, "pdf", 2, "dpi=300:regions")
    True
    """
    payload = f"{digest}\0{kind}\0page={number}\0{mode}"
    return hashlib.sha256(payload.encode()).hexdigest()


def page_label(label: str, number: int) -> str:
    """How messages name a page of a document.

    Examples
    --------
    >>> page_label("scans/a.pdf", 3)
    'scans/a.pdf page 3'
    """
    return f"{label} page {number}"


# --- PDF ---------------------------------------------------------------------------------


def _open_pdf(data: bytes, label: str) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        import pypdfium2.raw as pdfium_c

        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ProtectedDocumentError(
                "the PDF is password-protected; decrypt it first (e.g. `qpdf --decrypt "
                "--password=... in.pdf out.pdf`)", image=label) from None
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_SECURITY:
            raise ProtectedDocumentError("the PDF uses an unsupported security handler",
                                         image=label) from None
        raise InvalidImageError(f"broken PDF: {_pdfium_reason(exc)}", image=label) from None


def _pdfium_reason(exc: Exception) -> str:
    message = str(exc)
    return message[message.find("(PDFium: ") + 9:-1] if "(PDFium: " in message else message


def _pdf_pages(source: ImageSource, data: bytes, *, dpi: float, pdf_ocr: bool, digest: str,
               max_pixels: int) -> tuple[Page, ...]:
    document = _open_pdf(data, source.label)
    held = source if source.kind in ("path", "bytes") else ImageSource("bytes", data, source.label)
    pages = []
    try:
        if len(document) == 0:
            raise InvalidImageError("the PDF has no pages", image=source.label)
        for index in range(len(document)):
            number = index + 1
            page = document[index]
            try:
                pages.append(_pdf_page(held, page, index, dpi=dpi, pdf_ocr=pdf_ocr,
                                       digest=digest, max_pixels=max_pixels))
            finally:
                page.close()
    finally:
        document.close()
    return tuple(pages)


def _pdf_page(held: ImageSource, page: Any, index: int, *, dpi: float, pdf_ocr: bool,
              digest: str, max_pixels: int) -> Page:
    number = index + 1
    ref = PageRef(held, "pdf", index, dpi)
    whole = Page(number, ImageSource("page", ref, page_label(held.label, number)),
                 page_key(digest, "pdf", number, f"dpi={dpi:g}"))
    if pdf_ocr:
        return whole
    geometry = _PageGeometry.of(page, dpi)
    textpage = page.get_textpage()
    try:
        items, char_boxes = _text_items(textpage, geometry)
    finally:
        textpage.close()
    if not items:
        return whole  # a scan (or text drawn as outlines): recognize the page
    text = OcrResult(items=items, img_size=geometry.size)
    regions = _untranscribed_images(page, geometry, char_boxes)
    if not regions:
        return Page(number, None, None, text)
    ref = replace(ref, regions=regions)
    mode = f"dpi={dpi:g}:regions={regions}"
    return Page(number, ImageSource("page", ref, page_label(held.label, number)),
                page_key(digest, "pdf", number, mode), text)


#: A text-layer character on the page as shown: left, top, right, bottom, drawn invisible.
_Char = tuple[float, float, float, float, bool]


@dataclass(frozen=True)
class _PageGeometry:
    """Maps PDF page coordinates (points, y up) to pixels of the page as rendered."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int
    scale: float
    size: ImgSize

    @classmethod
    def of(cls, page: Any, dpi: float) -> _PageGeometry:
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


def _text_items(textpage: Any, geometry: _PageGeometry) -> tuple[tuple[Item, ...], list[_Char]]:
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
             geometry: _PageGeometry) -> Item:
    left = min(box[0] for box in boxes)
    top = min(box[1] for box in boxes)
    right = max(box[2] for box in boxes)
    bottom = max(box[3] for box in boxes)
    corners = (geometry.shown(left, top), geometry.shown(right, top),
               geometry.shown(right, bottom), geometry.shown(left, bottom))
    return Item(text, *(Point(round(x, 2), round(y, 2)) for x, y in corners))


def _untranscribed_images(page: Any, geometry: _PageGeometry, chars: Sequence[_Char]
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


# --- TIFF and GIF ------------------------------------------------------------------------


def _frame_pages(source: ImageSource, kind: DocumentKind, data: bytes | None,
                 digest: str) -> tuple[Page, ...] | None:
    """One page per frame, or None for a single frame (read as a plain image)."""
    if data is None:  # an in-memory PIL image: its frames are copied here
        return _pil_frame_pages(source, kind)
    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidImageError(f"corrupt {kind.upper()} data: {exc}", image=source.label) from None
    if frames <= 1:
        return None
    held = source if source.kind in ("path", "bytes") else ImageSource("bytes", data, source.label)
    return tuple(
        Page(index + 1, ImageSource("page", PageRef(held, kind, index),
                                    page_label(source.label, index + 1)),
             page_key(digest, kind, index + 1))
        for index in range(frames))


def _pil_frame_pages(source: ImageSource, kind: DocumentKind) -> tuple[Page, ...] | None:
    image = source.value
    frames = getattr(image, "n_frames", 1)
    if frames <= 1:
        return None
    current = image.tell()
    pages = []
    try:
        for index in range(frames):
            image.seek(index)
            frame = ImageSource("pil", image.copy(), page_label(source.label, index + 1))
            pages.append(Page(index + 1, frame, None))
    finally:
        image.seek(current)
    return tuple(pages)


def _pil_digest(source: ImageSource) -> str:
    return hashlib.sha256(source.value.tobytes()).hexdigest()


# --- rendering ---------------------------------------------------------------------------


def render_page(ref: PageRef, label: str, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Draw one page as an RGB image: a PDF page rendered at ``ref.dpi`` (with only
    ``ref.regions`` kept, when given), or one frame of a TIFF/GIF.

    Raises
    ------
    ImageTooLargeError
        The page as rendered is over ``max_pixels``.
    InvalidImageError
        The page cannot be drawn.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (40, 30), "white").save(buffer, "GIF", save_all=True,
    ...     append_images=[Image.new("RGB", (40, 30), "black")])
    >>> doc = ImageSource("bytes", buffer.getvalue(), "anim.gif")
    >>> render_page(PageRef(doc, "gif", 1), "anim.gif page 2").getpixel((0, 0))
    (0, 0, 0)
    """
    data = ref.document.read_bytes()
    if ref.kind == "pdf":
        return _render_pdf(data, ref, label, max_pixels)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(ref.index)
            if image.width * image.height > max_pixels:
                raise ImageTooLargeError(f"{image.width}x{image.height} pixels is over the "
                                         f"{max_pixels}-pixel guard", image=label)
            frame = ImageOps.exif_transpose(image.convert("RGBA") if image.mode == "P" else image)
            return to_rgb(frame.copy())
    except WxOcrError:
        raise
    except (OSError, EOFError, SyntaxError, ValueError) as exc:
        raise InvalidImageError(f"corrupt frame: {exc}", image=label) from None


def _render_pdf(data: bytes, ref: PageRef, label: str, max_pixels: int) -> Image.Image:
    document = _open_pdf(data, label)
    try:
        page = document[ref.index]
        try:
            geometry = _PageGeometry.of(page, ref.dpi)
            if geometry.size.w * geometry.size.h > max_pixels:
                raise ImageTooLargeError(
                    f"{geometry.size.w}x{geometry.size.h} pixels at {ref.dpi:g} dpi is over the "
                    f"{max_pixels}-pixel guard; lower dpi", image=label)
            image = page.render(scale=geometry.scale).to_pil()
        finally:
            page.close()
    finally:
        document.close()
    image = to_rgb(image)
    if ref.regions is None:
        return image
    kept = Image.new("RGB", image.size, (255, 255, 255))
    for left, top, right, bottom in ref.regions:
        box = (math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom))
        kept.paste(image.crop(box), box[:2])
    return kept


def page_image(value: Any, page: int = 1, size: tuple[int, int] | None = None, *,
               dpi: float = DEFAULT_DPI) -> Image.Image:
    """One page of an input as an RGB image, drawn as it was recognized: for plots.

    ``size`` (``img_w, img_h`` of the page's rows) renders a PDF page at the resolution its
    coordinates are in, whatever DPI the batch used; without it, ``dpi``. A single image is
    its own page 1.

    Raises
    ------
    UsageError
        ``page`` is not a page of the input.

    Examples
    --------
    >>> page_image("samples/sign.png").size
    (800, 400)
    """
    from .errors import UsageError
    from .images import as_source, decode

    source = as_source(value)
    document = open_document(source, dpi=dpi, pdf_ocr=True)
    count = len(document.pages) if document is not None else 1
    if not 1 <= page <= count:
        raise UsageError(f"{source.label} has {count} page(s); there is no page {page}")
    if document is None:
        return decode(source)
    ref = document.pages[page - 1].source.value
    if ref.kind == "pdf" and size is not None:
        ref = replace(ref, dpi=_dpi_for(ref, size))
    return decode(ImageSource("page", ref, page_label(source.label, page)))


def _dpi_for(ref: PageRef, size: tuple[int, int]) -> float:
    """A DPI at which the page renders to exactly ``size`` pixels: the middle of the DPIs
    whose rounded-up width and height are ``size`` (the batch's DPI is one of them)."""
    document = _open_pdf(ref.document.read_bytes(), ref.document.label)
    try:
        page = document[ref.index]
        try:
            points = (page.get_width(), page.get_height())
        finally:
            page.close()
    finally:
        document.close()
    low = max((pixels - 1) * 72.0 / length for pixels, length in zip(size, points))
    high = min(pixels * 72.0 / length for pixels, length in zip(size, points))
    return (low + high) / 2 if low < high else size[0] * 72.0 / points[0]


# --- page results ------------------------------------------------------------------------


def iter_page_results(results: Sequence[InputResult]
                      ) -> Iterator[tuple[int, int | None, OcrResult]]:
    """``(input position, page number or None, result)`` for each page of each input.

    An input gives one :class:`OcrResult` (a single image: page 1, or None when it failed)
    or a sequence of them (a document: pages 1, 2, ...; a page that failed keeps its number).

    Examples
    --------
    >>> failed = OcrResult(errcode=900002, errmsg="x.png: file not found (errcode 900002)")
    >>> [(position, page) for position, page, _ in iter_page_results([OcrResult(), failed,
    ...                                                             (OcrResult(), OcrResult())])]
    [(0, 1), (1, None), (2, 1), (2, 2)]
    """
    for position, result in enumerate(results):
        if isinstance(result, OcrResult):
            yield position, (1 if result.ok else None), result
        else:
            for index, page in enumerate(result):
                yield position, index + 1, page


def _bounds(item: Item) -> tuple[float, float, float, float]:
    xs = [point.x for point in item.corners]
    ys = [point.y for point in item.corners]
    return min(xs), min(ys), max(xs), max(ys)


def _centre(item: Item) -> tuple[float, float]:
    left, top, right, bottom = _bounds(item)
    return (left + right) / 2, (top + bottom) / 2


def _contains(box: tuple[float, float, float, float], point: tuple[float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]
