"""An OCRmyPDF plugin: this package's engine as OCRmyPDF's OCR engine.

::

    ocrmypdf --plugin wxocr_pandas.ocrmypdf scan.pdf searchable.pdf
    ocrmypdf --plugin wxocr_pandas.ocrmypdf --wxocr-backend wechat scan.pdf out.pdf
    ocrmypdf --plugin wxocr_pandas.ocrmypdf --rotate-pages --deskew scan.pdf out.pdf

OCRmyPDF keeps doing what it does (rasterizing, PDF/A, grafting the text layer, optimizing);
this plugin answers its questions about each page image through its ``OcrEngine`` interface:

- ``generate_ocr()``: the page's items as an ``OcrElement`` tree (OCRmyPDF 17's interface),
  one ``ocr_line`` per item with one ``ocrx_word`` per word
  (:func:`~wxocr_pandas.outputs.words_of`), a turned line with its ``textangle`` and a skewed
  one with its ``baseline``; OCRmyPDF draws the invisible text from it. ``generate_hocr()``
  gives the same page as hOCR (:mod:`~wxocr_pandas.hocr`), and ``generate_pdf()``, which
  ``--pdf-renderer sandwich`` calls, a text-only page drawn with the package's own glyphless
  layer (:func:`~wxocr_pandas.searchable.text_layer`).
- ``get_orientation()`` (``--rotate-pages``): the package's page-orientation vote
  (:func:`~wxocr_pandas.backends.reading.page_orientation`) on the detected lines; its
  strength (0-1) times 28 is the confidence, so the package's own "clearly turned" (0.5)
  meets OCRmyPDF's default ``--rotate-pages-threshold`` of 14.
- ``get_deskew()`` (``--deskew``): the median angle of the detected lines, weighted by length.

The recognizing backend is ``--wxocr-backend`` (any registered name; default ``WXOCR_BACKEND``,
else the local engine); orientation and deskew always use the local engine's models.
OCRmyPDF runs pages in parallel in its own workers, so each worker builds its backend once
with one inference thread and the plugin starts no pool of its own. The workers are processes
(the plugin sets OCRmyPDF's ``use_threads`` off): an engine is not shared between threads. Recognition failures of
one page are logged and give the page no text; the other pages go on.

Tesseract is not needed: the plugin blocks OCRmyPDF's Tesseract plugin (its checks would
otherwise ask for the ``tesseract`` program). OCRmyPDF itself still needs Ghostscript for its
default PDF/A output; without Ghostscript, pass ``--output-type pdf``. ``-l`` accepts the
languages the local models read (``eng``, ``chi_sim``, ``chi_tra``, ``jpn``); they read all
of them whatever is given.

Install with ``pip install "wxocr-pandas[ocrmypdf]"`` (OCRmyPDF 17 or later: its ``OcrElement``
interface and the ``options`` its rasterizer hook receives are used).
"""

from __future__ import annotations

import functools
import logging
import math
from pathlib import Path
from typing import Any, cast

import numpy as np
from ocrmypdf import hookimpl
from ocrmypdf.models.ocr_element import Baseline, BoundingBox, OcrClass, OcrElement
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence
from PIL import Image
from pydantic import BaseModel

from .errors import WxOcrError
from .outputs import InputText, PageText, item_quad, software, text_turns, words_of
from .result import Item, OcrResult

__all__ = ["WxOcrEngine", "WxOcrOptions", "deskew_angle", "orientation", "page_element",
           "page_text", "recognize_page"]

log = logging.getLogger(__name__)

#: Languages accepted by ``-l`` (Tesseract's codes): what the bundled models read.
LANGUAGES = frozenset({"eng", "chi_sim", "chi_tra", "jpn"})
#: Confidence (OCRmyPDF's 0-15+ scale) per unit of the orientation vote's strength.
ORIENTATION_SCALE = 28.0
#: RapidOCR parameters of a detection-only pass (orientation and deskew need no text).
DETECTION_ONLY = {"Global.use_rec": False, "Global.use_cls": False}
#: Lines at least this many times wider than high vote on the deskew angle.
FLAT_LINE = 2.0
TESSERACT_PLUGIN = "ocrmypdf.builtin_plugins.tesseract_ocr"


class WxOcrOptions(BaseModel):
    """The plugin's options (``--wxocr-backend``), as OCRmyPDF's option model.

    Examples
    --------
    >>> WxOcrOptions(backend="local").backend
    'local'
    """

    backend: str | None = None


@hookimpl
def initialize(plugin_manager: Any) -> None:
    """Block OCRmyPDF's Tesseract plugin, whose checks would ask for the program."""
    plugin_manager.set_blocked(TESSERACT_PLUGIN)


@hookimpl
def register_options() -> dict[str, type[BaseModel]]:
    """The plugin's options; Tesseract's option model stays registered (without the plugin
    that owns it) because OCRmyPDF's own validation reads its defaults."""
    from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOptions

    return {"wxocr": WxOcrOptions, "tesseract": TesseractOptions}


@hookimpl
def add_options(parser: Any) -> None:
    """``--wxocr-backend NAME``."""
    group = parser.add_argument_group("wxocr-pandas", "OCR with wxocr-pandas (this plugin)")
    group.add_argument("--wxocr-backend", metavar="NAME", default=None,
                       help="the wxocr-pandas backend that recognizes (default: env "
                            "WXOCR_BACKEND, else local)")


@hookimpl
def check_options(options: Any) -> None:
    """Ask for worker processes; refuse ``--ocr-engine tesseract`` and a backend name
    nobody registered."""
    from ocrmypdf.exceptions import BadArgsError

    from .backends.registry import backend_names

    # OCRmyPDF 17 runs its workers as threads by default. The engines are loaded once per
    # process and are not safe to share between threads: with two thread workers, one
    # engine gave a page the answer of another page and once hung. Worker processes
    # each load their own engine, with one inference thread.
    options.use_threads = False
    if getattr(options, "ocr_engine", "auto") == "tesseract":
        raise BadArgsError("--ocr-engine tesseract cannot be used with the wxocr_pandas.ocrmypdf "
                           "plugin; drop --plugin to use Tesseract")
    name = _backend_name(options)
    if name is not None and name not in backend_names():
        raise BadArgsError(f"--wxocr-backend {name!r} is not a registered backend; "
                           f"known: {', '.join(backend_names())}")


@hookimpl
def get_ocr_engine(options: Any) -> OcrEngine | None:
    """This plugin's engine, unless ``--ocr-engine none`` asks for no OCR."""
    if options is not None and getattr(options, "ocr_engine", "auto") == "none":
        return None
    return WxOcrEngine()


@hookimpl
def rasterize_pdf_page(input_file: Path, output_file: Path, raster_device: str, raster_dpi: Any,
                       pageno: int, page_dpi: Any, rotation: int | None, filter_vector: bool,
                       stop_on_soft_error: bool, options: Any, use_cropbox: bool) -> Path | None:
    """Render a page for the local engine no larger than it reads pages.

    The engine shrinks a page to :data:`~wxocr_pandas.backends.reading.ENGINE_MAX_SIDE`
    pixels on its long side, so OCRmyPDF's 300 dpi rendering (an A4 page is 2481 x 3509) only
    costs time: writing and reading that PNG (measured: see
    docs/performance.md#bench_searchable_pdf). So when the page
    image is used for OCR alone (OCRmyPDF keeps the page itself: no ``--force-ocr``,
    ``--deskew``, ``--clean-final`` or ``--remove-background``), it is rendered with pdfium at
    the resolution that gives that size; its ``dpi`` says so, and OCRmyPDF maps the text back
    by it. Otherwise (and for other backends) OCRmyPDF's own rasterizer runs as usual.
    """
    from .backends.local import LocalBackend
    from .backends.reading import ENGINE_MAX_SIDE

    if (options is None or not options.lossless_reconstruction
            or getattr(options, "rasterizer", "auto") == "ghostscript"
            or not isinstance(_backend(_backend_name(options)), LocalBackend)):
        return None
    import pypdfium2 as pdfium
    from ocrmypdf.builtin_plugins import pypdfium as ocrmypdf_pdfium

    document = pdfium.PdfDocument(str(input_file))
    try:
        page = document[pageno - 1]
        longest = max(page.get_width(), page.get_height())
        page.close()
    finally:
        document.close()
    factor = ENGINE_MAX_SIDE / (longest * max(raster_dpi.x, raster_dpi.y) / 72.0)
    if factor >= 1:
        return None
    return ocrmypdf_pdfium.rasterize_pdf_page(
        input_file, output_file, raster_device, _scaled(raster_dpi, factor), pageno,
        None if page_dpi is None else _scaled(page_dpi, factor), rotation, filter_vector,
        stop_on_soft_error, options, use_cropbox)


def _scaled(resolution: Any, factor: float) -> Any:
    from ocrmypdf.helpers import Resolution

    return Resolution(resolution.x * factor, resolution.y * factor)


def _backend_name(options: Any) -> str | None:
    try:
        return options.wxocr.backend
    except AttributeError:  # options built before the plugin's model was registered
        return None


@functools.lru_cache(maxsize=4)
def _backend(name: str | None) -> Any:
    """The backend of this worker: built once per process, one inference thread."""
    from .backends.base import ProcessBackend, parallelism
    from .backends.registry import resolve_backend

    backend = resolve_backend(name)
    return cast(ProcessBackend, backend).for_worker() if parallelism(backend) == "process" \
        else backend


@functools.lru_cache(maxsize=1)
def _local() -> Any:
    from .backends.local import LocalBackend

    return LocalBackend(threads=1)


def recognize_page(input_file: Path, options: Any) -> OcrResult:
    """The page image's answer from the chosen backend; a failure is logged and gives an
    empty page of the image's size (OCRmyPDF goes on with the other pages).

    Examples
    --------
    >>> result = recognize_page(Path("samples/sign.png"), options=None)
    >>> result.errcode, len(result.items) > 0
    (0, True)
    """
    from .images import as_source
    from .result import ImgSize

    try:
        return _backend(_backend_name(options)).recognize(as_source(str(input_file)))
    except WxOcrError as exc:
        log.warning("wxocr-pandas could not read %s: %s", input_file, exc)
        with Image.open(input_file) as image:
            return OcrResult(img_size=ImgSize(*image.size))


def _detected_lines(input_file: Path) -> tuple[np.ndarray, np.ndarray]:
    """The page (BGR, shrunk as the engine would) and its detected line quads."""
    from .backends.reading import ENGINE_MAX_SIDE

    with Image.open(input_file) as image:
        page = image.convert("RGB")
    page.thumbnail((ENGINE_MAX_SIDE, ENGINE_MAX_SIDE))
    bgr = np.ascontiguousarray(np.asarray(page)[:, :, ::-1])
    found = _local().engine_for(DETECTION_ONLY)(bgr).boxes
    boxes = np.zeros((0, 4, 2)) if found is None else np.asarray(found, dtype=np.float64)
    return bgr, boxes


def orientation(input_file: Path) -> OrientationConfidence:
    """How far the page is turned clockwise (0, 90, 180, 270) and how surely.

    Examples
    --------
    >>> orientation(Path("samples/document.png")).angle
    0
    """
    from .backends.reading import CLASSIFICATION_ONLY, page_orientation

    bgr, boxes = _detected_lines(input_file)
    if not len(boxes):
        return OrientationConfidence(angle=0, confidence=0.0)
    turns, strength = page_orientation(bgr, boxes, _local().engine_for(CLASSIFICATION_ONLY))
    # np.rot90 turns counter-clockwise: a page needing k such turns is turned k quarters clockwise.
    return OrientationConfidence(angle=90 * turns, confidence=ORIENTATION_SCALE * strength)


def deskew_angle(input_file: Path) -> float:
    """Degrees to turn the page counter-clockwise to level its lines (the length-weighted
    median slope of the flat detected lines; 0 without any).

    Examples
    --------
    >>> abs(deskew_angle(Path("samples/document.png"))) < 0.5
    True
    """
    from .geometry import box_arrays

    _, boxes = _detected_lines(input_file)
    if not len(boxes):
        return 0.0
    shape = box_arrays(boxes)
    flat = shape["width"] >= FLAT_LINE * shape["height"]
    if not flat.any():
        return 0.0
    angles, weights = shape["angle"][flat], shape["width"][flat]
    order = np.argsort(angles)
    cumulative = np.cumsum(weights[order])
    return float(angles[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _dpi(input_file: Path) -> float:
    with Image.open(input_file) as image:
        dpi = image.info.get("dpi", (72, 72))
    return float(dpi[0] if isinstance(dpi, tuple) else dpi)


def _box(quad: np.ndarray) -> BoundingBox:
    low, high = quad.min(axis=0), quad.max(axis=0)
    return BoundingBox(left=float(low[0]), top=float(low[1]), right=float(high[0]),
                       bottom=float(high[1]))


def _line(item: Item) -> OcrElement:
    """One item as an ``ocr_line``: quarter turns as ``textangle`` (counter-clockwise), a
    smaller slant as a ``baseline`` through the text's start, a fifth of its height up."""
    quad = item_quad(item)
    turns, slant = text_turns(quad)
    box = _box(quad)
    baseline = None
    if turns == 0:
        slope = math.tan(math.radians(-slant))
        start = quad[3] + (quad[0] - quad[3]) * 0.2
        intercept = start[1] + slope * (box.left - start[0]) - box.bottom
        baseline = Baseline(slope=slope, intercept=intercept)
    confidence = item.score
    words = [OcrElement(ocr_class=OcrClass.WORD, bbox=_box(part), text=word,
                        confidence=confidence) for word, part in words_of(item.text, quad)]
    return OcrElement(ocr_class=OcrClass.LINE, bbox=box, text=item.text, confidence=confidence,
                      textangle=float(turns * 90) if turns else None, baseline=baseline,
                      children=words)


def page_element(result: OcrResult, *, dpi: float, page_number: int = 0) -> OcrElement:
    """The ``OcrElement`` tree of one page's answer: the page, one paragraph, its lines.

    Examples
    --------
    >>> from wxocr_pandas import OcrResult
    >>> result = OcrResult.from_dict({"items": [{"text": "Hello world", "pos": {
    ...     "left_top": {"x": 10, "y": 10}, "right_top": {"x": 110, "y": 10},
    ...     "right_bottom": {"x": 110, "y": 30}, "left_bottom": {"x": 10, "y": 30}}}],
    ...     "img_size": {"w": 200, "h": 50}})
    >>> page = page_element(result, dpi=72)
    >>> line = page.children[0].children[0]
    >>> line.text, [word.text for word in line.children]
    ('Hello world', ['Hello', 'world'])
    """
    size = result.img_size
    lines = [_line(item) for item in result.items if item.text.strip()]
    children = []
    if lines:
        extent = _box(np.concatenate([item_quad(item) for item in result.items]))
        children = [OcrElement(ocr_class=OcrClass.PARAGRAPH, bbox=extent, children=lines)]
    return OcrElement(ocr_class=OcrClass.PAGE, bbox=BoundingBox(left=0, top=0, right=size.w,
                                                                bottom=size.h),
                      dpi=dpi, page_number=page_number, children=children)


def page_text(result: OcrResult) -> str:
    """The page's text in reading order (the sidecar text OCRmyPDF writes).

    Examples
    --------
    >>> from wxocr_pandas import OcrResult
    >>> result = OcrResult.from_dict({"items": [{"text": "Hello", "pos": {
    ...     "left_top": {"x": 10, "y": 10}, "right_top": {"x": 60, "y": 10},
    ...     "right_bottom": {"x": 60, "y": 30}, "left_bottom": {"x": 10, "y": 30}}}],
    ...     "img_size": {"w": 200, "h": 50}})
    >>> page_text(result)
    'Hello\\n'
    """
    from .frame import results_frame
    from .text import to_text

    return str(to_text(results_frame([result])).iloc[0]) + "\n"


class WxOcrEngine(OcrEngine):
    """wxocr-pandas as an OCRmyPDF OCR engine.

    Examples
    --------
    >>> engine = WxOcrEngine()
    >>> sorted(engine.languages(None)), engine.supports_generate_ocr()
    (['chi_sim', 'chi_tra', 'eng', 'jpn'], True)
    """

    @staticmethod
    def version() -> str:
        """The package's version."""
        return software().partition(" ")[2] or "unknown"

    @staticmethod
    def creator_tag(options: Any) -> str:
        """``wxocr-pandas <version> (<backend>)`` for the PDF's metadata."""
        return f"{software()} ({_backend_name(options) or 'default backend'})"

    def __str__(self) -> str:
        return software()

    @staticmethod
    def languages(options: Any) -> set[str]:
        """The ``-l`` codes accepted: what the bundled models read."""
        return set(LANGUAGES)

    @staticmethod
    def get_orientation(input_file: Path, options: Any) -> OrientationConfidence:
        """See :func:`orientation`."""
        return orientation(input_file)

    @staticmethod
    def get_deskew(input_file: Path, options: Any) -> float:
        """See :func:`deskew_angle`."""
        return deskew_angle(input_file)

    @staticmethod
    def supports_generate_ocr() -> bool:
        """True: OCRmyPDF takes the page as an ``OcrElement`` tree."""
        return True

    @staticmethod
    def generate_ocr(input_file: Path, options: Any, page_number: int = 0
                     ) -> tuple[OcrElement, str]:
        """Recognize the page image: its ``OcrElement`` tree and its text."""
        result = recognize_page(input_file, options)
        return (page_element(result, dpi=_dpi(input_file), page_number=page_number),
                page_text(result))

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path,
                      options: Any) -> None:
        """Recognize the page image into an hOCR file and a text file (OCRmyPDF < 17)."""
        from .hocr import hocr_tree

        result = recognize_page(input_file, options)
        tree = hocr_tree([InputText(0, str(input_file), Path(input_file).name,
                                    (PageText(1, result),))], system=software())
        tree.write(output_hocr, encoding="utf-8", xml_declaration=True)
        Path(output_text).write_text(page_text(result), encoding="utf-8")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path,
                     options: Any) -> None:
        """Recognize the page image into a text-only PDF page of its size (the sandwich
        renderer) and a text file."""
        from pikepdf import Dictionary

        from .glyphless import GlyphlessEncoding
        from .searchable import FONT_RESOURCE, load_pikepdf, text_layer

        result = recognize_page(input_file, options)
        pikepdf = load_pikepdf()
        scale = 72.0 / _dpi(input_file)
        width, height = result.img_size.w * scale, result.img_size.h * scale
        pdf = pikepdf.new()
        encoding = GlyphlessEncoding(item.text for item in result.items)
        page = pdf.add_blank_page(page_size=(width, height))
        page.obj.Resources = Dictionary(Font=Dictionary({FONT_RESOURCE: encoding.font(pdf)}))
        page.obj.Contents = pikepdf.Stream(pdf, text_layer(
            result.items, (scale, 0.0, 0.0, -scale, 0.0, height), encoding))
        pdf.save(output_pdf)
        Path(output_text).write_text(page_text(result), encoding="utf-8")
