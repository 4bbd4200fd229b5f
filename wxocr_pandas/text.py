"""From items to text: lines in reading order, page text, search and field extraction.

Every function groups rows *by image* (:func:`wxocr_pandas.schema.group_images`): the exploded
frame repeats each input row's label on all of its items, so one label is one image, and a
frame in which two images share a label is refused, never merged. Columns are read through the
frame's schema (:func:`wxocr_pandas.schema.schema_of`), so a result made with ``prefix="ocr_"``
reads ``ocr_text`` and never the input's own ``text``. Rows without text (an image with no
text, or one that failed) contribute no line and an empty page text.

Reading order
-------------
1. The page is deskewed: all corners are rotated by minus the median angle of the items'
   top edges, so slightly rotated pages (a few degrees) group like straight ones.
2. Items whose vertical spans overlap by at least half the smaller height form a row.
3. A run of consecutive rows is a multi-column block when one vertical gap (a gutter at least
   one text height wide) crosses every row of the run, and the text on each side of it is at
   least :data:`MIN_COLUMN_WIDTH` text heights wide and spans at least two rows. Each column is
   read fully, left to right, and recursively (three columns work too). A table of short cells
   (a receipt: name, quantity, amount) fails the width test and stays row by row.
4. Items of a line are read left to right and joined by a space, except between two CJK
   (East Asian wide or full-width) characters less than one text height apart, which are joined
   with nothing: Chinese has no spaces, so ``上传图片`` + ``后即可`` reads ``上传图片后即可``,
   while the cells ``合计`` and ``41.60`` read ``合计 41.60``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .errors import UsageError
from .geometry import BOX_COLUMNS, box_arrays, quads, rotate
from .schema import ATTRS_KEY, ImageGroups, Schema, group_images, schema_of

#: A column of a multi-column page is at least this many text heights wide.
MIN_COLUMN_WIDTH = 4.0

Direction = Literal["right", "below"]


@dataclass(frozen=True)
class _Line:
    """One line of one image: its image code, the row positions of its items and its text."""

    image: int
    rows: np.ndarray
    text: str
    corners: np.ndarray


def is_cjk(char: str) -> bool:
    """True for an East Asian wide or full-width character (Han, kana, hangul, ``，``).

    Examples
    --------
    >>> is_cjk("合"), is_cjk("，"), is_cjk("A")
    (True, True, False)
    """
    return unicodedata.east_asian_width(char) in ("W", "F")


def _deskew(frame: pd.DataFrame, groups: ImageGroups) -> tuple[np.ndarray, np.ndarray]:
    """Deskewed ``(x0, y0, x1, y1)`` boxes of the rows, and each row's page angle.

    Each image's corners are rotated by minus the median angle of its items' top edges, so the
    boxes of a page photographed a few degrees off are axis-aligned again.
    """
    corners = quads(frame)
    angles = pd.Series(box_arrays(corners)["angle"]).groupby(groups.codes).transform("median")
    page_angle = angles.fillna(0).to_numpy()
    flat = rotate(corners, -page_angle)
    box = np.column_stack([flat[..., 0].min(1), flat[..., 1].min(1),
                           flat[..., 0].max(1), flat[..., 1].max(1)])
    return box, page_angle


def _rows_with_text(frame: pd.DataFrame, schema: Schema, groups: ImageGroups) -> list[np.ndarray]:
    """Each image's row positions that hold a text, in row order."""
    has_text = frame[schema.text].notna().to_numpy()
    return [rows[has_text[rows]] for rows in groups.positions]


def _rows(idx: np.ndarray, box: np.ndarray) -> list[np.ndarray]:
    """Group items into rows by vertical overlap; rows top to bottom, items left to right."""
    rows: list[list[int]] = []
    spans: list[list[float]] = []
    for i in idx[np.argsort((box[idx, 1] + box[idx, 3]) / 2, kind="stable")]:
        y0, y1 = box[i, 1], box[i, 3]
        if rows:
            top, bottom = spans[-1]
            overlap = min(y1, bottom) - max(y0, top)
            if overlap >= 0.5 * min(y1 - y0, bottom - top):
                rows[-1].append(i)
                spans[-1] = [min(top, y0), max(bottom, y1)]
                continue
        rows.append([i])
        spans.append([y0, y1])
    return [np.array(sorted(row, key=lambda i: box[i, 0])) for row in rows]


def _gutters(idx: np.ndarray, box: np.ndarray, min_gap: float) -> list[tuple[float, float]]:
    """Gaps at least ``min_gap`` wide in the x-projection of the items, widest first."""
    order = idx[np.argsort(box[idx, 0])]
    reach = np.maximum.accumulate(box[order, 2])
    starts = box[order[1:], 0]
    wide = starts - reach[:-1] >= min_gap
    gaps = list(zip(reach[:-1][wide], starts[wide]))
    return sorted(gaps, key=lambda gap: gap[0] - gap[1])


def _run_lengths(rows: list[np.ndarray], box: np.ndarray, min_gap: float) -> np.ndarray:
    """For each gutter candidate ``x`` and row ``r``: how many rows from ``r`` on leave
    ``[x, x + min_gap]`` free of text. Shape ``(candidates, len(rows))``.

    A run of rows has a common gutter exactly when some row's gap starts where it begins, so
    the gaps' left ends are the only candidates to try; this keeps long tables linear in rows
    instead of trying every run.
    """
    lefts, rights, firsts = [], [], []
    for row in rows:  # items are sorted by x0: gaps are before, between and after them
        reach = np.maximum.accumulate(box[row, 2])
        left, right = np.r_[-np.inf, reach], np.r_[box[row, 0], np.inf]
        wide = right - left >= min_gap
        firsts.append(sum(map(len, lefts)))
        lefts.append(left[wide])
        rights.append(right[wide])
    left, right = np.concatenate(lefts), np.concatenate(rights)
    candidates = np.unique(left[np.isfinite(left)])
    free = (left <= candidates[:, None]) & (right >= candidates[:, None] + min_gap)
    per_row = np.logical_or.reduceat(free, firsts, axis=1)
    lengths = np.zeros((len(candidates), len(rows) + 1), dtype=np.int64)
    for r in range(len(rows) - 1, -1, -1):
        lengths[:, r] = np.where(per_row[:, r], lengths[:, r + 1] + 1, 0)
    return lengths[:, :-1]


def _column_split(run: list[np.ndarray], box: np.ndarray,
                  height: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Split ``run`` at a gutter into two columns of text, or None if it is no column block."""
    for gap_start, _ in _gutters(np.concatenate(run), box, height):
        sides = [[row[box[row, 2] <= gap_start] for row in run],
                 [row[box[row, 2] > gap_start] for row in run]]
        if all(_is_column(side, box, height) for side in sides):
            return np.concatenate(sides[0]), np.concatenate(sides[1])
    return None


def _is_column(side: list[np.ndarray], box: np.ndarray, height: float) -> bool:
    """Text of a column: in two rows or more, and :data:`MIN_COLUMN_WIDTH` heights wide."""
    if sum(len(part) > 0 for part in side) < 2:
        return False
    idx = np.concatenate(side)
    return box[idx, 2].max() - box[idx, 0].min() >= MIN_COLUMN_WIDTH * height


def _reading_order(idx: np.ndarray, box: np.ndarray, height: float) -> list[np.ndarray]:
    """Lines of ``idx`` in reading order: from each row, the longest run of rows that is a
    multi-column block is read column by column (recursively); otherwise the row itself."""
    rows = _rows(idx, box)
    lengths = _run_lengths(rows, box, height)
    lines: list[np.ndarray] = []
    start = 0
    while start < len(rows):
        found = None
        for length in np.unique(lengths[:, start][lengths[:, start] >= 2])[::-1]:
            found = _column_split(rows[start:start + length], box, height)
            if found is not None:
                break
        if found is None:
            lines.append(rows[start])
            start += 1
            continue
        lines += _reading_order(found[0], box, height) + _reading_order(found[1], box, height)
        start += int(length)
    return lines


def _join(texts: list[str], box: np.ndarray, height: float) -> str:
    """Join a line's texts: nothing between close CJK characters, a space elsewhere."""
    out = texts[0]
    for k in range(1, len(texts)):
        prev, text = texts[k - 1], texts[k]
        close = box[k, 0] - box[k - 1, 2] < height
        glue = "" if close and prev and text and is_cjk(prev[-1]) and is_cjk(text[0]) else " "
        out += glue + text
    return out


def _page_lines(frame: pd.DataFrame) -> tuple[Schema, ImageGroups, list[_Line]]:
    """The frame's schema, its images (in order of appearance) and all their lines in reading
    order."""
    schema = schema_of(frame)
    groups = group_images(frame, schema=schema)
    box, page_angle = _deskew(frame, groups)
    texts = frame[schema.text].to_numpy(dtype=object)
    lines: list[_Line] = []
    for image, rows in enumerate(_rows_with_text(frame, schema, groups)):
        if not len(rows):
            continue
        height = float(np.median(box[rows, 3] - box[rows, 1]))
        for line in _reading_order(rows, box, height):
            x0, y0 = box[line, 0].min(), box[line, 1].min()
            x1, y1 = box[line, 2].max(), box[line, 3].max()
            quad = rotate(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]), page_angle[line[0]])
            lines.append(_Line(image, line, _join([texts[i] for i in line], box[line], height), quad))
    return schema, groups, lines


def lines(frame: pd.DataFrame) -> pd.DataFrame:
    """Group each image's items into text lines, in reading order.

    See the module docstring for the rules (deskewing, rows, multi-column blocks, joining).

    Parameters
    ----------
    frame
        An exploded result (:func:`wxocr_pandas.recognize_frame`).

    Returns
    -------
    pandas.DataFrame
        One row per line, indexed by the image's label, with the input columns (and the
        ``page`` of a document's lines), ``line``
        (0-based per image), ``text`` (the items joined), ``n_items``, ``score`` (mean of the
        items' scores) and the eight corner columns of the enclosing quad (rotated like the
        page), all named with the frame's prefix (``ocr_text`` ...) and recorded in its
        ``attrs`` like a result's. Images without text have no line.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/two_columns.png"]}).wxocr.recognize("path")
    >>> out.wxocr.lines()["text"].head(6).tolist()
    ['春天来了', '河边的柳树发芽了', '小草从土里钻出来', '燕子飞回了北方', '孩子们在田野里放风筝', '夏天到了']
    """
    schema, groups, found = _page_lines(frame)
    first = np.array([line.rows[0] for line in found], dtype=np.int64)
    image = np.array([line.image for line in found], dtype=np.int64)
    number = pd.Series(image).groupby(image).cumcount().to_numpy()
    scores = frame[schema.score].to_numpy(dtype=np.float64, na_value=np.nan)
    corners = np.array([line.corners for line in found]).reshape(len(found), 8)
    # A document's lines keep their page column, as its items do.
    added = {*schema.result_columns, *map(schema.col, BOX_COLUMNS)} - {schema.page}
    out = frame[[c for c in frame.columns if c not in added]].iloc[first].reset_index(drop=True)
    out[schema.col("line")] = pd.array(number, dtype="Int64")
    out[schema.text] = pd.array([line.text for line in found], dtype=pd.StringDtype())
    out[schema.col("n_items")] = pd.array([len(line.rows) for line in found], dtype="Int64")
    out[schema.score] = [float(np.mean(scores[line.rows])) for line in found]
    for i, name in enumerate(schema.corners):
        out[name] = corners[:, i]
    out.index = groups.labels.take(image)
    out.attrs[ATTRS_KEY] = schema.to_attrs()
    return out


def to_text(frame: pd.DataFrame, *, sep: str = "\n") -> pd.Series:
    """One string per image: its lines in reading order joined by ``sep``.

    Returns
    -------
    pandas.Series
        Indexed by the images' labels (like the input rows); ``""`` for an image without text.
        Named like the frame's text column (``text``, or ``ocr_text`` with that prefix).

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png", None]}).wxocr.recognize("path")
    >>> out.wxocr.to_text(sep=" | ").tolist()
    ['小心地滑 | Caution Wet Floor', '']
    """
    schema, groups, found = _page_lines(frame)
    pages: list[list[str]] = [[] for _ in range(len(groups))]
    for line in found:
        pages[line.image].append(line.text)
    return pd.Series([sep.join(page) for page in pages], index=groups.index(), name=schema.text,
                     dtype=pd.StringDtype())


def find(frame: pd.DataFrame, pattern: str, *, regex: bool = True,
         case: bool = True) -> pd.DataFrame:
    """The rows whose recognized text contains ``pattern`` (a regular expression unless
    ``regex=False``). With ``prefix="ocr_"`` that is ``ocr_text``, never the input's ``text``.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/receipt.png"]}).wxocr.recognize("path")
    >>> out.wxocr.find(r"^\\d+\\.\\d\\d$")["text"].tolist()[:3]
    ['13.00', '8.00', '12.60']
    """
    text = frame[schema_of(frame).text]
    return frame[text.str.contains(pattern, case=case, regex=regex, na=False).to_numpy(dtype=bool)]


def extract(frame: pd.DataFrame, pattern: str, *, flags: int = 0) -> pd.DataFrame:
    """Like :meth:`pandas.Series.str.extract`, once per image: the first match in its lines.

    Lines are searched in reading order, so a pattern may span items of one line
    (``合计\\s*([\\d.]+)`` finds the amount in the line ``合计 41.60``).

    Returns
    -------
    pandas.DataFrame
        One row per image label, one column per capture group (named groups give the names);
        NA where the image has no match.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/receipt.png"]}).wxocr.recognize("path")
    >>> out.wxocr.extract(r"(?P<date>\\d{4}-\\d\\d-\\d\\d)")["date"].tolist()
    ['2026-11-03']
    """
    compiled = re.compile(pattern, flags)
    _, groups, found = _page_lines(frame)
    matched: list[str | None] = [None] * len(groups)
    for line in found:
        if matched[line.image] is None and compiled.search(line.text):
            matched[line.image] = line.text
    return pd.Series(matched, index=groups.index(), dtype=pd.StringDtype()).str.extract(
        compiled, expand=True)


def value_near(frame: pd.DataFrame, label: str, *, direction: Direction = "right",
               regex: bool = True) -> pd.Series:
    """The text laid out right of (or below) a label item, per image: a form or receipt field.

    A label item is one whose text matches ``label`` (a regular expression searched in the
    text, or with ``regex=False`` the exact text, surrounding spaces ignored). Its value is the
    nearest item beginning past the label's centre whose vertical span (``"right"``) or
    horizontal span (``"below"``) overlaps the label's by at least half the smaller one. The
    first label item (in row order) that has such a value wins. Boxes are deskewed first, as
    for :func:`lines`, so a receipt photographed a few degrees off still pairs its fields.

    Returns
    -------
    pandas.Series
        The value's text, indexed by image label; NA where there is no label or no value.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/receipt.png"]}).wxocr.recognize("path")
    >>> out.wxocr.value_near("合计").tolist()
    ['41.60']
    """
    if direction not in ("right", "below"):
        raise UsageError(f"direction must be 'right' or 'below', not {direction!r}")
    schema = schema_of(frame)
    groups = group_images(frame, schema=schema)
    box, _ = _deskew(frame, groups)
    text = frame[schema.text]
    is_label = (text.str.contains(label, regex=True, na=False) if regex
                else text.str.strip().eq(label).fillna(False)).to_numpy(dtype=bool)
    # Along ``axis`` the value lies past the label; across it their spans must overlap.
    axis, cross = (0, 1) if direction == "right" else (1, 0)
    start, end = box[:, axis], box[:, axis + 2]
    lo, hi = box[:, cross], box[:, cross + 2]
    centre = (start + end) / 2
    values: list[str | None] = [None] * len(groups)
    by_image = _rows_with_text(frame, schema, groups)
    for pos in np.flatnonzero(is_label):
        image = groups.codes[pos]
        if values[image] is not None:
            continue
        rows = by_image[image]
        overlap = np.minimum(hi[rows], hi[pos]) - np.maximum(lo[rows], lo[pos])
        enough = overlap >= 0.5 * np.minimum(hi[rows] - lo[rows], hi[pos] - lo[pos])
        candidates = rows[enough & (start[rows] > centre[pos]) & (rows != pos)]
        if len(candidates):
            values[image] = text.iloc[candidates[np.argmin(start[candidates] - end[pos])]]
    return pd.Series(values, index=groups.index(), name="value", dtype=pd.StringDtype())
