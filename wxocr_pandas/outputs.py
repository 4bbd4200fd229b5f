"""What the page-format writers share: a result frame as inputs, pages and words.

:func:`to_pdf <wxocr_pandas.searchable.to_pdf>`, :func:`to_hocr <wxocr_pandas.hocr.to_hocr>`
and :func:`to_alto <wxocr_pandas.alto.to_alto>` write pages, not rows. :func:`frame_inputs`
turns an exploded frame back into its inputs (one per index label, with the value of its
image column), each with its recognized pages. An input or a page that failed has no image
size and nothing to write: it is reported with an :class:`ExportWarning` naming it and its
cause, and left out; everything else is written.

Engines give one quadrilateral per item (a line, or a run of a line), while the formats also
want words. :func:`words_of` cuts an item's quad into one quad per word, each as wide as its
characters (a CJK character about twice a Latin one), so a word selected in a PDF viewer or
looked up in hOCR is highlighted where it was printed.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .result import Item, OcrResult
from .schema import group_images, schema_of
from .glyphs import is_cjk

#: Width of a character relative to a CJK one, when an item is cut into words.
NARROW_WIDTH = 0.55
#: ... and of a space.
SPACE_WIDTH = 0.35
_WORD = re.compile(r"\S+")


def software() -> str:
    """The name and version the written files give as their producer.

    Examples
    --------
    >>> software().startswith("wxocr-pandas ")
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"wxocr-pandas {version('wxocr-pandas')}"
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "wxocr-pandas"


class ExportWarning(UserWarning):
    """An input or page of a result frame was left out of a written file (it failed, or its
    image could no longer be read); the message names it and the cause.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png", "no/such.png"]}).wxocr.recognize("path")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     wxocr_pandas.to_hocr(out, os.path.join(tempfile.mkdtemp(), "out.hocr"))
    >>> [str(w.message).split(":")[0] for w in caught if w.category is wxocr_pandas.ExportWarning]
    ['no/such.png']
    """


@dataclass(frozen=True)
class PageText:
    """One recognized page of an input: its number (1 for a single image) and its answer,
    which has an image size (the pixels its corners are in)."""

    number: int
    result: OcrResult


@dataclass(frozen=True)
class InputText:
    """One input of a frame: its index label, the value of its image column (None when the
    frame records none), a name for messages and files, and its recognized pages."""

    label: Hashable
    value: Any
    name: str
    pages: tuple[PageText, ...]


def frame_inputs(frame: pd.DataFrame, *, image_column: Hashable | None = None,
                 what: str = "the file") -> list[InputText]:
    """The inputs of an exploded frame, each with its pages that can be written.

    Parameters
    ----------
    frame
        An exploded result (one or more documents and images).
    image_column
        The column holding each input (path, bytes ...); by default the one the frame was
        recognized from. Without one, inputs are named by their index label.
    what
        Where the skipped pages would have gone, for the warnings ("the PDF").

    Warns
    -----
    ExportWarning
        For each input or page that failed (it has no image size): it is left out.

    Examples
    --------
    >>> import warnings, pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png", "missing.png"]}).wxocr.recognize("path")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     inputs = frame_inputs(out)
    >>> [(i.name, [p.number for p in i.pages]) for i in inputs]
    [('samples/sign.png', [1])]
    >>> str(caught[0].message)
    'missing.png: left out of the file (missing.png: file not found (errcode 900002))'
    """
    from .export import results_from_frame

    schema = schema_of(frame)
    column = image_column if image_column is not None else schema.image
    groups = group_images(frame, schema=schema)
    firsts: dict[Hashable, int] = {}
    for label, rows in zip(groups.labels, groups.positions):
        firsts.setdefault(label, int(rows[0]))
    inputs = []
    for (label, first), result in zip(firsts.items(), results_from_frame(frame)):
        value = None if column is None else frame[column].iloc[first]
        value = None if value is None or (np.isscalar(value) and pd.isna(value)) else value
        name = value if isinstance(value, str) else str(label)
        answers = [result] if isinstance(result, OcrResult) else list(result)
        pages = []
        for number, answer in enumerate(answers, start=1):
            if answer.ok and answer.img_size is not None:
                pages.append(PageText(number, answer))
                continue
            where = name if isinstance(result, OcrResult) else f"{name} page {number}"
            cause = answer.errmsg if not answer.ok else "no image size"
            warnings.warn(f"{where}: left out of {what} ({cause})", ExportWarning, stacklevel=3)
        if pages:
            inputs.append(InputText(label, value, name, tuple(pages)))
    return inputs


def item_quad(item: Item) -> np.ndarray:
    """An item's corners as a ``(4, 2)`` float array, ``left_top`` first.

    Examples
    --------
    >>> from wxocr_pandas import Item, Point
    >>> item_quad(Item("a", Point(0, 0), Point(9, 0), Point(9, 4), Point(0, 4))).tolist()
    [[0.0, 0.0], [9.0, 0.0], [9.0, 4.0], [0.0, 4.0]]
    """
    return np.array([(point.x, point.y) for point in item.corners], dtype=np.float64)


def text_turns(quad: np.ndarray) -> tuple[int, float]:
    """How an item's text is turned: whole quarter turns counter-clockwise (0 to 3; hOCR's
    ``textangle`` over 90) and the slant left after them, in degrees counter-clockwise.

    Examples
    --------
    >>> import numpy as np
    >>> upward = np.array([[0, 100], [0, 0], [10, 0], [10, 100]], dtype=float)  # reads bottom-up
    >>> text_turns(upward)
    (1, 0.0)
    """
    top_edge = quad[1] - quad[0]
    counter_clockwise = -math.degrees(math.atan2(top_edge[1], top_edge[0]))
    turns = round(counter_clockwise / 90) % 4
    slant = (counter_clockwise - 90 * turns + 180) % 360 - 180
    return turns, slant


def _weight(char: str) -> float:
    if char.isspace():
        return SPACE_WIDTH
    return 1.0 if is_cjk(char) else NARROW_WIDTH


def words_of(text: str, quad: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Cut an item into words (runs without whitespace), each with its part of the item's
    quad: the top and bottom edges are divided in proportion to the characters' widths.

    Parameters
    ----------
    text
        The item's text.
    quad
        Its four corners, ``(4, 2)``, ``left_top`` first, in WeChat order.

    Examples
    --------
    >>> import numpy as np
    >>> quad = np.array([[0, 0], [100, 0], [100, 10], [0, 10]], dtype=float)
    >>> [(word, box[:2, 0].round(1).tolist()) for word, box in words_of("合计 41.60", quad)]
    [('合计', [0.0, 39.2]), ('41.60', [46.1, 100.0])]
    """
    weights = np.array([_weight(char) for char in text], dtype=np.float64)
    edges = np.concatenate([[0.0], np.cumsum(weights)]) / max(weights.sum(), 1e-9)
    left_top, right_top, right_bottom, left_bottom = np.asarray(quad, dtype=np.float64)
    words = []
    for match in _WORD.finditer(text):
        start, end = edges[match.start()], edges[match.end()]
        words.append((match.group(), np.array([
            left_top + (right_top - left_top) * start, left_top + (right_top - left_top) * end,
            left_bottom + (right_bottom - left_bottom) * end,
            left_bottom + (right_bottom - left_bottom) * start])))
    return words
