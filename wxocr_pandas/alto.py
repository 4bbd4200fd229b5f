"""ALTO v4: the XML format libraries and archives keep OCR in (Library of Congress).

:func:`to_alto` writes one ``alto`` document, valid against the ALTO 4.4 schema, with one
``Page`` per page (``WIDTH``/``HEIGHT`` in pixels, ``MeasurementUnit`` pixel; its
``PHYSICAL_IMG_NR`` counts pages through the file), a ``PrintSpace`` holding one
``TextBlock`` with one ``TextLine`` per item, and one ``String`` per word (``SP`` between
them). Each element has ``HPOS VPOS WIDTH HEIGHT``; a ``TextLine`` also has its quad as a
``Shape``/``Polygon``, and a ``String`` the item's confidence as ``WC`` (0-1). ALTO has one
``sourceImageInformation/fileName`` per file: it lists the inputs, separated by ``"; "``.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Hashable

import numpy as np
import pandas as pd

from .outputs import frame_inputs, item_quad, software, words_of
from .result import Item

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA_LOCATION = ("http://www.loc.gov/standards/alto/ns-v4# "
                   "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd")
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _tag(name: str) -> str:
    return f"{{{ALTO_NS}}}{name}"


def _number(value: float) -> str:
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _position(quad: np.ndarray) -> dict[str, str]:
    low, high = quad.min(axis=0), quad.max(axis=0)
    return {"HPOS": _number(low[0]), "VPOS": _number(low[1]),
            "WIDTH": _number(high[0] - low[0]), "HEIGHT": _number(high[1] - low[1])}


def _text_line(block: ET.Element, item: Item, ident: str) -> None:
    quad = item_quad(item)
    line = ET.SubElement(block, _tag("TextLine"), {"ID": f"line_{ident}", **_position(quad)})
    shape = ET.SubElement(line, _tag("Shape"))
    ET.SubElement(shape, _tag("Polygon"), {
        "POINTS": " ".join(f"{_number(x)},{_number(y)}" for x, y in quad)})
    words = words_of(item.text, quad)
    for number, (word, box) in enumerate(words, start=1):
        attributes = {"ID": f"string_{ident}_{number}", "CONTENT": word, **_position(box)}
        if item.score is not None:
            attributes["WC"] = _number(min(max(item.score, 0.0), 1.0))
        ET.SubElement(line, _tag("String"), attributes)
        if number < len(words):
            ET.SubElement(line, _tag("SP"))


def to_alto(frame: pd.DataFrame, path: str | os.PathLike[str], *,
            image_column: Hashable | None = None) -> None:
    """Write a result frame as one ALTO v4 file: one ``Page`` per page, lines and words.

    Parameters
    ----------
    frame
        An exploded result.
    path
        The ``.xml`` file to write (``out.alto.xml`` by convention).
    image_column
        The column naming each input (its ``fileName``); by default the one the frame was
        recognized from, else the index label.

    Warns
    -----
    ExportWarning
        For each input or page that failed: it is left out.

    Examples
    --------
    >>> import tempfile, os, pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> path = os.path.join(tempfile.mkdtemp(), "sign.alto.xml")
    >>> to_alto(out, path)
    >>> root = ET.parse(path).getroot()
    >>> [s.get("CONTENT") for s in root.iter(_tag("String"))]
    ['小心地滑', 'Caution', 'Wet', 'Floor']
    """
    inputs = frame_inputs(frame, image_column=image_column, what="the ALTO file")
    ET.register_namespace("", ALTO_NS)
    ET.register_namespace("xsi", _XSI)
    alto = ET.Element(_tag("alto"), {f"{{{_XSI}}}schemaLocation": SCHEMA_LOCATION})
    description = ET.SubElement(alto, _tag("Description"))
    ET.SubElement(description, _tag("MeasurementUnit")).text = "pixel"
    source = ET.SubElement(description, _tag("sourceImageInformation"))
    ET.SubElement(source, _tag("fileName")).text = "; ".join(item.name for item in inputs)
    processing = ET.SubElement(description, _tag("OCRProcessing"), {"ID": "ocr_1"})
    step = ET.SubElement(processing, _tag("ocrProcessingStep"))
    producer = ET.SubElement(step, _tag("processingSoftware"))
    name, _, version = software().partition(" ")
    ET.SubElement(producer, _tag("softwareName")).text = name
    if version:
        ET.SubElement(producer, _tag("softwareVersion")).text = version
    layout = ET.SubElement(alto, _tag("Layout"))
    pages = [(item, page) for item in inputs for page in item.pages]
    for number, (_, page) in enumerate(pages, start=1):
        size = page.result.img_size
        element = ET.SubElement(layout, _tag("Page"), {
            "ID": f"page_{number}", "PHYSICAL_IMG_NR": str(number),
            "WIDTH": str(size.w), "HEIGHT": str(size.h), "PROCESSING": "ocr_1"})
        space = ET.SubElement(element, _tag("PrintSpace"), {
            "HPOS": "0", "VPOS": "0", "WIDTH": str(size.w), "HEIGHT": str(size.h)})
        if not page.result.items:
            continue
        quads = np.concatenate([item_quad(item) for item in page.result.items])
        block = ET.SubElement(space, _tag("TextBlock"), {"ID": f"block_{number}",
                                                         **_position(quads)})
        for line_number, item in enumerate(page.result.items, start=1):
            _text_line(block, item, f"{number}_{line_number}")
    tree = ET.ElementTree(alto)
    ET.indent(tree, space=" ")
    tree.write(path, encoding="utf-8", xml_declaration=True)
