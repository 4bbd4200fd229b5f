"""Searchable PDFs: the scanned pages with the recognized text as an invisible layer.

:func:`to_pdf` writes a result frame as PDF. Every recognized item is drawn in text render
mode 3 (invisible) over its own box, word by word, each word stretched over its part of the
item's quad (:func:`~wxocr_pandas.outputs.words_of`) and turned with it, so selecting,
searching and copying in any viewer give the recognized text where it was printed. The font
is :mod:`~wxocr_pandas.glyphless`: exact Unicode for Chinese and Japanese without embedding
a CJK font.

- An **image** becomes a page showing exactly its pixels: a JPEG is embedded as it is (its
  bytes, not re-encoded), any other image losslessly (Flate), upright per its EXIF
  orientation. The page is the image's size at its own resolution (``dpi`` in the file),
  else at ``dpi=`` (default 96, as img2pdf assumes), so a 300 dpi A4 scan is an A4 page.
  Frames of a multi-page TIFF or GIF are pages in order.
- A **PDF** keeps its own pages: the layer is grafted onto each recognized page (the page's
  content is wrapped in ``q``/``Q`` and the layer appended, in the page's coordinates, turned
  with its ``/Rotate``), nothing is rendered again or re-compressed. Pages that already have
  a text layer (born-digital pages, or a scan made searchable before) are left as they were.

Writing needs the ``pdf`` extra (pikepdf and fontTools): ``pip install "wxocr-pandas[pdf]"``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from PIL import Image, ImageOps

from .errors import ConfigError, WxOcrError
from .glyphless import DESCENT, GLYPH_WIDTH, UNITS_PER_EM, GlyphlessEncoding
from .outputs import ExportWarning, InputText, frame_inputs, item_quad, words_of
from .result import Item, OcrResult
from .glyphs import is_cjk

if TYPE_CHECKING:
    import pikepdf

#: Resolution assumed for an image that records none (img2pdf's default).
DEFAULT_IMAGE_DPI = 96.0
#: The font resource name the layer uses on pages it builds.
FONT_RESOURCE = "/FWxOcr"
#: An affine map ``(a, b, c, d, e, f)`` from pixels to PDF points: ``x' = a x + c y + e``,
#: ``y' = b x + d y + f`` (PDF's own matrix order).
Affine = tuple[float, float, float, float, float, float]


def load_pikepdf() -> Any:
    """The pikepdf module, or a :class:`~wxocr_pandas.errors.ConfigError` saying which extra
    to install.

    Examples
    --------
    >>> load_pikepdf().__name__
    'pikepdf'
    """
    try:
        import pikepdf
    except ImportError as exc:
        raise ConfigError(f"writing PDFs needs the pdf extra ({exc.name} is missing): "
                          "pip install 'wxocr-pandas[pdf]'") from None
    return pikepdf


def text_layer(items: Sequence[Item], to_points: Affine, encoding: GlyphlessEncoding,
               font: str = FONT_RESOURCE) -> bytes:
    """The content stream drawing ``items`` invisibly, each word over its part of its item.

    Parameters
    ----------
    items
        Recognized items, corners in pixels.
    to_points
        The map from those pixels to the page's user space (points, y up).
    encoding
        The document's character ids (:class:`~wxocr_pandas.glyphless.GlyphlessEncoding`).
    font
        The page's resource name of the glyphless font.

    Examples
    --------
    >>> from wxocr_pandas import Item, Point
    >>> item = Item("Total 41.60", Point(0, 0), Point(110, 0), Point(110, 20), Point(0, 20))
    >>> layer = text_layer([item], (1, 0, 0, -1, 0, 100), GlyphlessEncoding([item.text]))
    >>> layer.splitlines()[:4]
    [b'BT', b'3 Tr', b'/FWxOcr 20 Tf', b'103.4188 Tz']
    """
    a, b, c, d, e, f = to_points
    ops = [b"BT", b"3 Tr"]
    for item in items:
        words = words_of(item.text, item_quad(item))
        for number, (word, quad) in enumerate(words):
            points = quad @ np.array([[a, b], [c, d]]) + np.array([e, f])
            left_top, right_top, right_bottom, left_bottom = points
            along = ((right_top - left_top) + (right_bottom - left_bottom)) / 2
            up = ((left_top - left_bottom) + (right_top - right_bottom)) / 2
            width, height = float(np.hypot(*along)), float(np.hypot(*up))
            if width < 1e-3 or height < 1e-3:
                continue
            following = words[number + 1][0] if number + 1 < len(words) else None
            if following is not None and not (is_cjk(word[-1]) and is_cjk(following[0])):
                shown = word + " "  # a real space between words, for copying and extraction
            else:
                shown = word
            scale = 100 * width / (len(word) * GLYPH_WIDTH / UNITS_PER_EM * height)
            x_axis, y_axis = along / width, up / height
            origin = left_bottom - DESCENT / UNITS_PER_EM * up  # the baseline, over the descent
            ops += [f"/{font.lstrip('/')} {_num(height)} Tf".encode(), f"{_num(scale)} Tz".encode(),
                    " ".join(map(_num, (*x_axis, *y_axis, *origin))).encode() + b" Tm",
                    b"<" + encoding.encode(shown).hex().encode() + b"> Tj"]
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def _num(value: float) -> str:
    """A number as PDF writes it: short, never in exponent form."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def to_pdf(frame: pd.DataFrame, path: str | os.PathLike[str], *,
           image_column: Hashable | None = None, dpi: float | None = None) -> list[Path]:
    """Write the inputs of a result frame as searchable PDF: each page shows its image (or
    keeps its PDF page) with the recognized text as an invisible layer.

    Parameters
    ----------
    frame
        An exploded result.
    path
        A ``.pdf`` file, which gets every input's pages in order; or a folder (an existing
        directory, or a path ending in ``/``), which gets one PDF per input, named after it
        (``scans/a.jpg`` gives ``a.pdf``; a name met twice gets ``-2``, ``-3`` ...; an input
        that is not a path is named by its index label).
    image_column
        The column holding the inputs; by default the one the frame was recognized from.
    dpi
        Resolution of image pages, for images that record none (default 96).

    Returns
    -------
    list of Path
        The files written.

    Warns
    -----
    ExportWarning
        For an input or page that failed, or whose image can no longer be read: it is left
        out (a PDF input's page stays, without a layer), and everything else is written.

    Raises
    ------
    ConfigError
        When the ``pdf`` extra is not installed.

    Examples
    --------
    >>> import tempfile, os, pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> folder = tempfile.mkdtemp()
    >>> [p.name for p in to_pdf(out, os.path.join(folder, "sign.pdf"))]
    ['sign.pdf']
    >>> [p.name for p in to_pdf(out, folder + os.sep)]
    ['sign.pdf']
    """
    pikepdf = load_pikepdf()
    inputs = frame_inputs(frame, image_column=image_column, what="the PDF")
    target = Path(path)
    if str(path).endswith(("/", os.sep)) or target.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for name, item in zip(_file_names(inputs), inputs):
            document = _input_pdf(pikepdf, item, dpi)
            if document is not None:
                document.save(target / name)
                written.append(target / name)
        return written
    combined = pikepdf.new()
    # The inputs stay open until the file is saved: pikepdf copies their pages' streams then.
    documents = [_input_pdf(pikepdf, item, dpi) for item in inputs]
    for document in documents:
        if document is not None:
            combined.pages.extend(document.pages)
    target.parent.mkdir(parents=True, exist_ok=True)
    combined.save(target)
    return [target]


def _file_names(inputs: Sequence[InputText]) -> list[str]:
    """One file name per input, after its path's stem (or its label), made unique."""
    names, seen = [], {}
    for item in inputs:
        if isinstance(item.value, (str, os.PathLike)):
            stem = Path(str(item.value).split("?")[0].rstrip("/")).stem or str(item.label)
        else:
            stem = str(item.label)
        seen[stem] = seen.get(stem, 0) + 1
        names.append(f"{stem}.pdf" if seen[stem] == 1 else f"{stem}-{seen[stem]}.pdf")
    return names


def _input_pdf(pikepdf: Any, item: InputText, dpi: float | None) -> pikepdf.Pdf | None:
    """The searchable PDF of one input, or None (with a warning) when its image is gone."""
    import warnings

    from .images import as_source
    from .documents import open_document

    try:
        if item.value is None:
            raise ValueError("the frame records no image column; pass image_column=")
        source = as_source(item.value)
        document = open_document(source, pdf_ocr=True)
        if document is not None and document.kind == "pdf":
            return _graft(pikepdf, source.read_bytes(), item)
        pdf = pikepdf.new()
        encoding = GlyphlessEncoding(i.text for page in item.pages for i in page.result.items)
        font = encoding.font(pdf)
        for page in item.pages:
            image, raw = _page_picture(source, page.number, document is not None)
            _add_image_page(pikepdf, pdf, image, raw, page.result, font, encoding, dpi)
        return pdf
    except (WxOcrError, OSError, ValueError) as exc:
        warnings.warn(f"{item.name}: left out of the PDF ({exc})", ExportWarning, stacklevel=4)
        return None


def _page_picture(source: Any, number: int, document: bool) -> tuple[Image.Image, bytes | None]:
    """A page's image, upright, in a mode PDF takes as it is ('1', 'L' or 'RGB'), and the
    file's bytes when they can be embedded unchanged (a JPEG that needs no turning)."""
    from .images import decode, to_rgb
    from .documents import page_image

    if document:  # a frame of a TIFF or GIF, as it was recognized
        return page_image(source, number), None
    if source.kind not in ("path", "bytes", "url", "fsspec"):
        return decode(source), None
    data = source.read_bytes()
    with Image.open(io.BytesIO(data)) as opened:
        orientation = opened.getexif().get(0x0112, 1)
        if opened.format == "JPEG" and opened.mode in ("L", "RGB") and orientation == 1:
            opened.load()
            return opened.copy(), data
        upright = ImageOps.exif_transpose(opened)
        picture = upright if upright.mode in ("1", "L", "RGB") else to_rgb(upright)
        picture.info["dpi"] = opened.info.get("dpi")
        return picture.copy(), None


def _resolution(image: Image.Image, dpi: float | None) -> tuple[float, float]:
    recorded = image.info.get("dpi")
    if recorded and all(isinstance(v, (int, float)) and 1 < float(v) < 100000 for v in recorded):
        return float(recorded[0]), float(recorded[1])
    return (dpi or DEFAULT_IMAGE_DPI,) * 2


def _add_image_page(pikepdf: Any, pdf: pikepdf.Pdf, image: Image.Image, raw: bytes | None,
                    result: OcrResult, font: Any, encoding: GlyphlessEncoding,
                    dpi: float | None) -> None:
    from pikepdf import Dictionary, Name

    xdpi, ydpi = _resolution(image, dpi)
    width, height = image.width * 72.0 / xdpi, image.height * 72.0 / ydpi
    colour = Name.DeviceGray if image.mode in ("1", "L") else Name.DeviceRGB
    if raw is not None:
        picture = pikepdf.Stream(pdf, raw)
        picture.Filter = Name.DCTDecode
    else:
        picture = pikepdf.Stream(pdf, image.tobytes())
    picture.Type, picture.Subtype = Name.XObject, Name.Image
    picture.Width, picture.Height, picture.ColorSpace = image.width, image.height, colour
    picture.BitsPerComponent = 1 if image.mode == "1" else 8
    size = result.img_size
    to_points = (width / size.w, 0.0, 0.0, -height / size.h, 0.0, height)
    content = (f"q {_num(width)} 0 0 {_num(height)} 0 0 cm /Im0 Do Q\n".encode()
               + text_layer(result.items, to_points, encoding))
    page = pdf.add_blank_page(page_size=(width, height))
    page.obj.Resources = Dictionary(XObject=Dictionary(Im0=picture),
                                    Font=Dictionary({FONT_RESOURCE: font}))
    page.obj.Contents = pikepdf.Stream(pdf, content)


def _graft(pikepdf: Any, data: bytes, item: InputText) -> pikepdf.Pdf:
    """The input PDF with the layer of each recognized page grafted on, except on pages
    that already have text."""
    import pypdfium2 as pdfium
    from pikepdf import Name

    pdf = pikepdf.open(io.BytesIO(data))
    encoding = GlyphlessEncoding(i.text for page in item.pages for i in page.result.items)
    font = encoding.font(pdf)
    reader = pdfium.PdfDocument(data)
    try:
        for page in item.pages:
            if page.number > len(pdf.pages):
                continue
            original = reader[page.number - 1]
            try:
                textpage = original.get_textpage()
                had_text = textpage.count_chars() > 0
                textpage.close()
            finally:
                original.close()
            if had_text:
                continue
            target = pdf.pages[page.number - 1]
            name = target.add_resource(font, Name.Font, prefix="FWxOcr")
            to_points = _page_map(target, page.result)
            target.contents_add(b"q\n", prepend=True)
            target.contents_add(b"\nQ\n" + text_layer(page.result.items, to_points, encoding,
                                                      str(name)))
    finally:
        reader.close()
    return pdf


def _page_map(page: Any, result: OcrResult) -> Affine:
    """The map from pixels of the page as rendered and shown (turned by its ``/Rotate``,
    ``img_w`` x ``img_h``) to the page's user space."""
    left, bottom, right, top = (float(v) for v in page.cropbox)
    rotation = int(page.obj.get("/Rotate", 0)) % 360
    across, down = result.img_size.w, result.img_size.h
    box_w, box_h = right - left, top - bottom
    if rotation in (90, 270):
        sx, sy = box_h / across, box_w / down
    else:
        sx, sy = box_w / across, box_h / down
    return {
        0: (sx, 0.0, 0.0, -sy, left, top),
        90: (0.0, sx, sy, 0.0, left, bottom),
        180: (-sx, 0.0, 0.0, sy, right, bottom),
        270: (0.0, -sx, -sy, 0.0, right, top),
    }[rotation if rotation in (0, 90, 180, 270) else 0]

