"""Documents: PDFs, multi-page TIFFs and animated GIFs, read page by page.

A *document* input gives one WeChat-shaped :class:`~wxocr_pandas.result.OcrResult` per page,
each in the pixels of that page as rendered. :func:`open_document` tells a document from a
single image (by content for paths and bytes, by suffix for URLs, which are not downloaded
just to look) and lists its :class:`Page` objects:

- a **PDF** page is rendered at ``dpi`` dots per inch (:mod:`wxocr_pandas.pdf`). A page whose
  **text layer** has text gives that text and its boxes directly: exact, and far faster
  than OCR (measured: see docs/performance.md#bench_pdf_dpi). Images on such a page that the text layer does not cover (a scanned
  figure, a photo of a sign) are recognized too, alone: the page is rendered with everything but those
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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from PIL import Image, ImageOps, UnidentifiedImageError

import numpy as np

from .config import DEFAULT_DPI
from .errors import (ImageTooLargeError, InvalidImageError, PageLimitError, UsageError,
                     WxOcrError)
from .frames import with_frame
from .geometry import enclosing_boxes
from .images import DEFAULT_MAX_PIXELS, ImageSource, as_source, decode, image_digest, to_rgb
from .pdf import Box, dpi_for_size, read_text_layers, render_pdf_page
from .result import Item, ItemColumns, OcrResult

DocumentKind = Literal["pdf", "tiff", "gif"]

#: URL suffixes read as documents (a URL is not downloaded just to see what it holds).
DOCUMENT_SUFFIXES: dict[str, DocumentKind] = {
    ".pdf": "pdf", ".tif": "tiff", ".tiff": "tiff", ".gif": "gif"}
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
    regions: tuple[Box, ...] | None = None

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
        >>> from wxocr_pandas.result import ImgSize, Item, Point
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
        layer = _boxes(self.text.items)
        ocr = _boxes(recognized.items)
        centre_x, centre_y = (ocr[:, 0] + ocr[:, 2]) / 2, (ocr[:, 1] + ocr[:, 3]) / 2
        repeats = ((layer[:, 0] <= centre_x[:, None]) & (centre_x[:, None] <= layer[:, 2])
                   & (layer[:, 1] <= centre_y[:, None]) & (centre_y[:, None] <= layer[:, 3]))
        fresh = [item for item, repeat in zip(recognized.items, repeats.any(axis=1)) if not repeat]
        items = (*self.text.items, *fresh)
        boxes = _boxes(items)
        order = np.lexsort((boxes[:, 0], boxes[:, 1]))  # top to bottom, then left to right
        return replace(self.text, items=tuple(items[i] for i in order))


def _boxes(items: Sequence[Item]) -> np.ndarray:
    """``(n, 4)`` boxes enclosing the items' quads."""
    return enclosing_boxes(ItemColumns.of(items).corners.reshape(-1, 4, 2))


@dataclass(frozen=True)
class Document:
    """An opened document: its kind and its pages, page 1 first; ``unread`` says which pages
    past ``max_pages`` were not read (then the last page stands for them, with that error)."""

    label: str
    kind: DocumentKind
    pages: tuple[Page, ...]
    unread: PageLimitError | None = None


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
                  digest: str | None = None, max_pages: int | None = None) -> Document | None:
    """Open ``source`` as a document and list its pages; None when it is a single image.

    PDFs are always documents (a one-page PDF has page 1). TIFF and GIF files are documents
    when they hold more than one frame; a single frame stays a plain image. With
    ``max_pages``, a longer document lists its first ``max_pages`` pages and then one page
    that stands for all the others: a :class:`~wxocr_pandas.errors.PageLimitError` answer
    naming them (nothing past the limit is read, not even a PDF's text layer).

    Parameters
    ----------
    source
        A checked cell (:func:`~wxocr_pandas.images.as_source`).
    dpi
        Rendering resolution of PDF pages.
    pdf_ocr
        Recognize every PDF page as an image, ignoring its text layer.
    digest
        The content hash of the source (:func:`~wxocr_pandas.images.image_digest`), which the
        pages' cache keys build on; computed when not given.
    max_pages
        The most pages listed (None: all).

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
        digest = image_digest(source)
    if kind == "pdf":
        assert data is not None  # a PDF is never an in-memory PIL image
        pages, total = _pdf_pages(source, data, dpi=dpi, pdf_ocr=pdf_ocr, digest=digest,
                                  max_pages=max_pages)
    else:
        counted = _frame_pages(source, kind, data, digest, max_pages)
        if counted is None:
            return None
        pages, total = counted
    if total <= len(pages):
        return Document(source.label, kind, pages)
    kept = len(pages)
    unread = PageLimitError(f"pages {kept + 1}-{total} not read: the document has {total} "
                            f"pages, more than max_pages={kept} (WXOCR_MAX_PAGES)",
                            image=source.label)
    past = Page(kept + 1, None, None, OcrResult.from_error(unread))
    return Document(source.label, kind, (*pages, past), unread)


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


def _held(source: ImageSource, data: bytes) -> ImageSource:
    """The document as its pages carry it: a path or bytes (a URL's bytes, read once)."""
    return source if source.kind in ("path", "bytes") else ImageSource("bytes", data, source.label)


def _pdf_pages(source: ImageSource, data: bytes, *, dpi: float, pdf_ocr: bool,
               digest: str, max_pages: int | None) -> tuple[tuple[Page, ...], int]:
    """A PDF's pages (the first ``max_pages``), and how many it has: those whose text layer
    says it all need no recognition; the others are rendered whole, or with only their
    untranscribed images kept."""
    held = _held(source, data)
    pages = []
    layers, total = read_text_layers(data, source.label, dpi=dpi, text=not pdf_ocr,
                                     first=max_pages)
    for index, layer in enumerate(layers):
        number = index + 1
        ref = PageRef(held, "pdf", index, dpi)
        mode = f"dpi={dpi:g}"
        if layer is not None and not layer.regions:
            pages.append(Page(number, None, None, layer.text))
            continue
        if layer is not None:
            ref = replace(ref, regions=layer.regions)
            mode = f"{mode}:regions={layer.regions}"
        pages.append(Page(number, ImageSource("page", ref, page_label(held.label, number)),
                          page_key(digest, "pdf", number, mode),
                          None if layer is None else layer.text))
    return tuple(pages), total


def page_label(label: str, number: int) -> str:
    """How messages name a page of a document.

    Examples
    --------
    >>> page_label("scans/a.pdf", 3)
    'scans/a.pdf page 3'
    """
    return f"{label} page {number}"


# --- TIFF and GIF ------------------------------------------------------------------------


def _frame_pages(source: ImageSource, kind: DocumentKind, data: bytes | None, digest: str,
                 max_pages: int | None) -> tuple[tuple[Page, ...], int] | None:
    """One page per frame (the first ``max_pages``) and how many frames there are, or None
    for a single frame (read as a plain image)."""
    if data is None:  # an in-memory PIL image: its frames are copied here
        return _pil_frame_pages(source, max_pages)
    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidImageError(f"corrupt {kind.upper()} data: {exc}", image=source.label) from None
    if frames <= 1:
        return None
    held = _held(source, data)
    return tuple(
        Page(index + 1, ImageSource("page", PageRef(held, kind, index),
                                    page_label(source.label, index + 1)),
             page_key(digest, kind, index + 1))
        for index in range(min(frames, max_pages or frames))), frames


def _pil_frame_pages(source: ImageSource, max_pages: int | None
                     ) -> tuple[tuple[Page, ...], int] | None:
    image = source.value
    frames = getattr(image, "n_frames", 1)
    if frames <= 1:
        return None
    current = image.tell()
    pages = []
    try:
        for index in range(min(frames, max_pages or frames)):
            image.seek(index)
            frame = ImageSource("pil", image.copy(), page_label(source.label, index + 1))
            pages.append(Page(index + 1, frame, None))
    finally:
        image.seek(current)
    return tuple(pages), frames


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
    if ref.kind == "pdf":
        return render_pdf_page(ref.document.read_bytes(), ref.index, ref.dpi, label,
                               max_pixels=max_pixels, regions=ref.regions)

    def drawn(image: Image.Image) -> Image.Image:
        if image.width * image.height > max_pixels:
            raise ImageTooLargeError(f"{image.width}x{image.height} pixels is over the "
                                     f"{max_pixels}-pixel guard", image=label)
        frame = ImageOps.exif_transpose(image.convert("RGBA") if image.mode == "P" else image)
        return to_rgb(frame.copy())

    try:  # the file stays open between pages: reading them in order is linear (.frames)
        return with_frame(ref.document, ref.index, drawn)
    except WxOcrError:
        raise
    except (OSError, EOFError, SyntaxError, ValueError) as exc:
        raise InvalidImageError(f"corrupt frame: {exc}", image=label) from None


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
    source = as_source(value)
    document = open_document(source, dpi=dpi, pdf_ocr=True)
    count = len(document.pages) if document is not None else 1
    if not 1 <= page <= count:
        raise UsageError(f"{source.label} has {count} page(s); there is no page {page}")
    if document is None:
        return decode(source)
    ref = document.pages[page - 1].source.value
    if ref.kind == "pdf" and size is not None:
        dpi = dpi_for_size(ref.document.read_bytes(), ref.index, size, ref.document.label)
        ref = replace(ref, dpi=dpi)
    return decode(ImageSource("page", ref, page_label(source.label, page)))
