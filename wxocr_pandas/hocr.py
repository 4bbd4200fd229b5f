"""hOCR: write a result frame as hOCR, and read the hOCR of other engines into a frame.

`hOCR <http://kba.github.io/hocr-spec/1.2/>`_ is the XHTML format Tesseract, docTR, OCRmyPDF
and the hocr-tools read and write. :func:`to_hocr` writes one ``ocr_page`` per page (its
``image``, ``bbox`` and ``ppageno``: the page's number within its input, from 0), holding an
``ocr_carea`` and ``ocr_par`` with one ``ocr_line`` per item and one ``ocrx_word`` per word
in it. A line has the ``bbox`` enclosing its quad, the quad itself as ``poly`` and, when turned a
quarter or more, its ``textangle`` (counter-clockwise, as Tesseract writes it); its words
have their share of the quad's box (:func:`~wxocr_pandas.outputs.words_of`) and the item's
confidence as ``x_wconf`` (0-100). Coordinates are whole pixels, as hOCR has them.

:func:`read_hocr` reads XHTML hOCR (Tesseract's, docTR's ``export_as_xml()``, this
package's) into the package's frame, one row per line (``ocr_line``, ``ocrx_line``,
``ocr_header``, ``ocr_footer``, ``ocr_caption``, ``ocr_textfloat``): its words joined with
spaces (none between two CJK characters, so Tesseract's one-word-per-character Chinese reads
as text), its ``poly`` or else its ``bbox`` (turned by ``textangle``) as the corners, and
the mean of its words' ``x_wconf`` as ``score``. So another engine's results can be
compared (:func:`~wxocr_pandas.match_items`, :func:`~wxocr_pandas.evaluate`), plotted and
reviewed here.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import UsageError
from .outputs import InputText, frame_inputs, item_quad, software, text_turns, words_of
from .result import ImgSize, Item, OcrResult, Point
from .glyphs import is_cjk

XHTML = "http://www.w3.org/1999/xhtml"
#: hOCR classes read as one item each.
LINE_CLASSES = frozenset({"ocr_line", "ocrx_line", "ocr_header", "ocr_footer", "ocr_caption",
                          "ocr_textfloat"})
#: The languages the local engine's models read (ISO 639-1, as hOCR's ``ocr-langs`` has them).
LANGUAGES = "zh en ja"
CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf ocrp_poly"
_DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
            '    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n')
_PROPERTY = re.compile(r'\s*([^\s;]+)((?:\s+(?:"[^"]*"|[^\s;"]+))*)\s*(?:;|$)')


def _ints(values: np.ndarray) -> str:
    return " ".join(str(int(round(float(value)))) for value in values.ravel())


def _bbox(quad: np.ndarray) -> str:
    return "bbox " + _ints(np.concatenate([quad.min(axis=0), quad.max(axis=0)]))


def _quoted(value: str) -> str:
    return '"' + value.replace('"', "'") + '"'


def hocr_tree(inputs: list[InputText], *, system: str) -> ET.ElementTree:
    """The hOCR document of ``inputs`` (from :func:`~wxocr_pandas.outputs.frame_inputs`)."""
    ET.register_namespace("", XHTML)
    html = ET.Element(f"{{{XHTML}}}html", {"xml:lang": "en", "lang": "en"})
    head = ET.SubElement(html, f"{{{XHTML}}}head")
    ET.SubElement(head, f"{{{XHTML}}}title").text = "wxocr-pandas hOCR"
    ET.SubElement(head, f"{{{XHTML}}}meta", {"http-equiv": "Content-Type",
                                             "content": "text/html;charset=utf-8"})
    ET.SubElement(head, f"{{{XHTML}}}meta", {"name": "ocr-system", "content": system})
    ET.SubElement(head, f"{{{XHTML}}}meta", {"name": "ocr-capabilities", "content": CAPABILITIES})
    ET.SubElement(head, f"{{{XHTML}}}meta", {"name": "ocr-langs", "content": LANGUAGES})
    pages = [(item, page) for item in inputs for page in item.pages]
    ET.SubElement(head, f"{{{XHTML}}}meta", {"name": "ocr-number-of-pages",
                                             "content": str(len(pages))})
    body = ET.SubElement(html, f"{{{XHTML}}}body")
    for number, (source, page) in enumerate(pages, start=1):
        size = page.result.img_size
        title = f"image {_quoted(source.name)}; bbox 0 0 {size.w} {size.h}; ppageno {page.number - 1}"
        div = ET.SubElement(body, f"{{{XHTML}}}div",
                            {"class": "ocr_page", "id": f"page_{number}", "title": title})
        quads = [item_quad(item) for item in page.result.items]
        if not quads:
            continue
        extent = _bbox(np.concatenate(quads))
        area = ET.SubElement(div, f"{{{XHTML}}}div",
                             {"class": "ocr_carea", "id": f"block_{number}_1", "title": extent})
        par = ET.SubElement(area, f"{{{XHTML}}}p",
                            {"class": "ocr_par", "id": f"par_{number}_1", "title": extent})
        for line_number, (item, quad) in enumerate(zip(page.result.items, quads), start=1):
            _line(par, item, quad, f"{number}_{line_number}")
    return ET.ElementTree(html)


def _line(par: ET.Element, item: Item, quad: np.ndarray, ident: str) -> None:
    turns, _ = text_turns(quad)
    angle = f"; textangle {90 * turns}" if turns else ""  # for tools that do not read poly
    line = ET.SubElement(par, f"{{{XHTML}}}span", {
        "class": "ocr_line", "id": f"line_{ident}",
        "title": f"{_bbox(quad)}{angle}; poly {_ints(quad)}"})
    confidence = "" if item.score is None else f"; x_wconf {int(round(item.score * 100))}"
    words = words_of(item.text, quad)
    for number, (word, box) in enumerate(words, start=1):
        span = ET.SubElement(line, f"{{{XHTML}}}span", {
            "class": "ocrx_word", "id": f"word_{ident}_{number}", "title": _bbox(box) + confidence})
        span.text = word
        if number < len(words):
            span.tail = " "


def to_hocr(frame: pd.DataFrame, path: str | os.PathLike[str], *,
            image_column: Hashable | None = None) -> None:
    """Write a result frame as one hOCR file: one ``ocr_page`` per page, lines and words.

    Parameters
    ----------
    frame
        An exploded result.
    path
        The ``.hocr`` (or ``.html``) file to write.
    image_column
        The column naming each input (written as the page's ``image``); by default the one
        the frame was recognized from, else the index label.

    Warns
    -----
    ExportWarning
        For each input or page that failed: it is left out.

    Examples
    --------
    >>> import tempfile, os, pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> path = os.path.join(tempfile.mkdtemp(), "sign.hocr")
    >>> to_hocr(out, path)
    >>> read_hocr(path)["text"].tolist()
    ['小心地滑', 'Caution Wet Floor']
    """
    inputs = frame_inputs(frame, image_column=image_column, what="the hOCR file")
    tree = hocr_tree(inputs, system=software())
    ET.indent(tree, space=" ")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n' + _DOCTYPE)
        tree.write(handle, encoding="unicode", xml_declaration=False)
        handle.write("\n")


def properties(title: str) -> dict[str, list[str]]:
    """The properties of an hOCR ``title``: name -> its values (quotes removed).

    Examples
    --------
    >>> properties('image "a b.png"; bbox 0 0 640 480; ppageno 0')
    {'image': ['a b.png'], 'bbox': ['0', '0', '640', '480'], 'ppageno': ['0']}
    """
    found: dict[str, list[str]] = {}
    for match in _PROPERTY.finditer(title.strip()):
        if match.group(1):
            values = re.findall(r'"[^"]*"|[^\s"]+', match.group(2))
            found[match.group(1)] = [value.strip('"') for value in values]
    return found


@dataclass
class _Page:
    image: str | None
    number: int | None
    size: ImgSize | None
    items: list[Item] = field(default_factory=list)


def _classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def _corners(props: dict[str, list[str]]) -> tuple[Point, ...] | None:
    """A line's four corners, text start first: its ``poly`` when it has four points, else
    its ``bbox`` turned by ``textangle`` (counter-clockwise degrees)."""
    if len(props.get("poly", ())) == 8:
        values = [float(value) for value in props["poly"]]
        return tuple(Point(_number(values[i]), _number(values[i + 1])) for i in range(0, 8, 2))
    if len(props.get("bbox", ())) != 4:
        return None
    left, top, right, bottom = (_number(float(value)) for value in props["bbox"])
    corners = [Point(left, top), Point(right, top), Point(right, bottom), Point(left, bottom)]
    turns = round(float((props.get("textangle") or ["0"])[0]) / 90) % 4
    # Text turned counter-clockwise starts at the box's bottom-left (90), bottom-right (180)
    # or top-right (270).
    return tuple(corners[(index - turns) % 4] for index in range(4))


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _join(words: list[str]) -> str:
    text = ""
    for word in words:
        glue = "" if not text or (is_cjk(text[-1]) and is_cjk(word[0])) else " "
        text += glue + word
    return text


def _line_item(element: ET.Element) -> Item | None:
    words, confidences = [], []
    for child in element.iter():
        if "ocrx_word" in _classes(child):
            word = "".join(child.itertext()).strip()
            if word:
                words.append(word)
                confidence = properties(child.get("title", "")).get("x_wconf")
                if confidence:
                    confidences.append(float(confidence[0]) / 100)
    text = _join(words) if words else " ".join("".join(element.itertext()).split())
    corners = _corners(properties(element.get("title", "")))
    if not text or corners is None:
        return None
    score = float(np.mean(confidences)) if confidences else None
    return Item(text, *corners, score=score)


def _pages(root: ET.Element) -> Iterator[_Page]:
    """Pages in document order; a line belongs to the last page opened before it (docTR
    writes its blocks after the page element, not in it)."""
    page: _Page | None = None
    for element in root.iter():
        classes = _classes(element)
        if "ocr_page" in classes:
            if page is not None:
                yield page
            props = properties(element.get("title", ""))
            bbox = [int(float(value)) for value in props.get("bbox", ())]
            size = ImgSize(bbox[2] - bbox[0], bbox[3] - bbox[1]) if len(bbox) == 4 else None
            image = (props.get("image") or [None])[0] or None
            number = int(props["ppageno"][0]) if props.get("ppageno") else None
            page = _Page(image, number, size)
        elif classes & LINE_CLASSES and page is not None:
            item = _line_item(element)
            if item is not None:
                page.items.append(item)
    if page is not None:
        yield page


def read_hocr(path: str | os.PathLike[str], *, prefix: str = "") -> pd.DataFrame:
    """Read an hOCR file (Tesseract, docTR, this package) into the exploded frame.

    Each ``ocr_page`` is a page; consecutive pages of one ``image`` numbered on from 0 by
    ``ppageno`` are the pages of one document (a multi-page TIFF or PDF read by Tesseract),
    any other page is an input of its own. The frame has an ``image`` column (the page's
    ``image`` property) and one row per line, like :func:`~wxocr_pandas.read_jsonl`.

    Raises
    ------
    UsageError
        When the file is not well-formed XHTML.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "t.hocr")
    >>> _ = open(path, "w").write('<html><body><div class="ocr_page" title="image x.png; '
    ...     'bbox 0 0 100 50"><span class="ocr_line" title="bbox 5 5 60 20">'
    ...     '<span class="ocrx_word" title="bbox 5 5 30 20; x_wconf 91">Hello</span> '
    ...     '<span class="ocrx_word" title="bbox 35 5 60 20; x_wconf 89">world</span>'
    ...     '</span></div></body></html>')
    >>> read_hocr(path)[["image", "text", "score", "right_bottom_x", "img_w"]].values.tolist()
    [['x.png', 'Hello world', 0.9, 60.0, 100]]
    """
    from .frame import explode

    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise UsageError(f"{os.fspath(path)} is not XHTML hOCR: {exc}") from None
    images: list[str | None] = []
    results: list[OcrResult | tuple[OcrResult, ...]] = []
    previous: _Page | None = None
    for page in _pages(root):
        result = OcrResult(items=tuple(page.items), img_size=page.size)
        continues = (previous is not None and page.number is not None and page.number > 0
                     and page.image == previous.image and previous.number == page.number - 1)
        if continues:
            results[-1] = (*results[-1], result) if isinstance(results[-1], tuple) \
                else (results[-1], result)
        else:
            images.append(page.image)
            results.append(result)
        previous = page
    return explode(pd.DataFrame({"image": images}), results, prefix=prefix, image="image")
