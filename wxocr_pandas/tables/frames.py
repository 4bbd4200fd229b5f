"""Tables of a result frame as pandas objects: :func:`cells` (tidy, one row per cell) and
:func:`tables` (one DataFrame per table).

Both read the result frame only, plus each image's pixels for its ruling lines (or a PDF
page's vector paths): nothing is recognized again, so they work on any backend's answers.
The image is found through the frame's schema (the column it was recognized from) or
``image_column=``; each image is read once per call.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import UsageError, WxOcrError
from ..geometry import enclosing_boxes, quads, rotate
from ..schema import ImageGroups, Schema, group_images, schema_of
from ..glyphs import join_line
from .grid import Rules, Table, bands, cut_text, find_tables, lone_glyphs, text_height
from .numbers import numeric_columns

CELL_DTYPES: dict[str, object] = {
    "page": pd.Int64Dtype(),
    "table": pd.Int64Dtype(),
    "row": pd.Int64Dtype(),
    "col": pd.Int64Dtype(),
    "row_span": pd.Int64Dtype(),
    "col_span": pd.Int64Dtype(),
    "text": pd.StringDtype(),
    "header": pd.BooleanDtype(),
    "x_min": np.dtype("float64"),
    "y_min": np.dtype("float64"),
    "x_max": np.dtype("float64"),
    "y_max": np.dtype("float64"),
    "score": np.dtype("float64"),
    "n_items": pd.Int64Dtype(),
    "errcode": pd.Int64Dtype(),
    "errmsg": pd.StringDtype(),
}
"""Columns of :func:`cells` and their dtypes, in order.

Examples
--------
>>> from wxocr_pandas.tables import CELL_DTYPES
>>> str(CELL_DTYPES["text"]), str(CELL_DTYPES["header"])
('string', 'boolean')
"""
CELL_COLUMNS: tuple[str, ...] = tuple(CELL_DTYPES)
"""The columns of :func:`cells`, in order (:data:`CELL_DTYPES` gives their dtypes).

Examples
--------
>>> from wxocr_pandas.tables import CELL_COLUMNS
>>> CELL_COLUMNS[:5]
('page', 'table', 'row', 'col', 'row_span')
"""

Spans = Literal["repeat", "first"]
#: Skews beyond this many degrees are not corrected (a turned page is the engine's to fix) ...
MAX_SKEW = 5.0
#: ... nor those under this many (a fifth of a degree moves a 1000-pixel row by 3 pixels).
MIN_SKEW = 0.2


class TableWarning(UserWarning):
    """An image's ruling lines could not be read (its file moved, say): its tables were
    built from the text alignment alone.

    Examples
    --------
    >>> import warnings
    >>> from wxocr_pandas.tables import TableWarning
    >>> warnings.simplefilter("ignore", TableWarning)   # keep the tables built from the text
    >>> warnings.resetwarnings()
    """


@dataclass(frozen=True)
class PageTables:
    """The tables of one image: its label, page, skew (degrees, about ``centre``), the
    pieces the tables were built from (``parent``: the frame row of each piece, ``box``:
    its deskewed box; an item the engine read over two cells is two pieces) and tables."""

    label: Hashable
    page: Any
    angle: float
    centre: tuple[float, float]
    parent: np.ndarray
    box: np.ndarray
    tables: list[Table]


def read_tables(frame: pd.DataFrame, *, image_column: Hashable | None = None,
                rules: bool = True, regions: pd.DataFrame | None = None
                ) -> tuple[Schema, ImageGroups, list[PageTables]]:
    """Find the tables of every image of a result frame (the step under :func:`cells`)."""
    schema = schema_of(frame)
    groups = group_images(frame, schema=schema)
    column = None
    if rules:
        column = image_column if image_column is not None else schema.image
        if column is None or column not in frame.columns:
            raise UsageError("the frame does not say which column holds the images (pandas "
                             "drops attrs in merge and CSV); pass image_column=, or "
                             "rules=False to build tables from the text alignment alone")
    corners = quads(frame)
    texts = frame[schema.text].to_numpy(dtype=object)
    scores = frame[schema.score].to_numpy(dtype=np.float64, na_value=np.nan)
    has_text = frame[schema.text].notna().to_numpy()
    widths = frame[schema.img_w].to_numpy(dtype=np.float64, na_value=np.nan)
    heights = frame[schema.img_h].to_numpy(dtype=np.float64, na_value=np.nan)
    pages = groups.pages if groups.pages is not None else [None] * len(groups)
    page_column = schema.col("page")
    found = []
    for image, positions in enumerate(groups.positions):
        rows = positions[has_text[positions]]
        rows = rows[~lone_glyphs([str(t) for t in texts[rows]])]
        first = positions[0]
        page = frame[page_column].iloc[first] if page_column in frame.columns else 1
        if not len(rows):
            found.append(PageTables(groups.labels[image], page, 0.0, (0.0, 0.0), rows,
                                    np.empty((0, 4)), []))
            continue
        size = (widths[first], heights[first])
        centre = (size[0] / 2, size[1] / 2) if np.isfinite(size).all() else (0.0, 0.0)
        # A PDF's text layer is exact and upright (its pages are turned by /Rotate already).
        text_layer = column is not None and not np.isfinite(scores[rows]).any() \
            and _is_pdf(frame[column].iloc[first])
        angle = 0.0 if text_layer else _skew(corners[rows])
        box = enclosing_boxes(rotate(corners[rows] - centre, -angle) + centre)
        height = text_height(box)
        words = [str(t) for t in texts[rows]]
        found_rules, grey = None, None
        if column is not None:
            found_rules, grey = _rules_of(frame[column].iloc[first], page, size, box,
                                             height, angle)
        parent, box, words = _pieces(rows, box, words, grey, height)
        area = _regions_of(regions, groups.labels[image], pages[image], angle, centre)
        tables = find_tables(box, words, found_rules, area)
        found.append(PageTables(groups.labels[image], page, angle, centre, parent, box, tables))
    return schema, groups, found


def _skew(corners: np.ndarray) -> float:
    """The page's skew in degrees: the median slope of the bands' item centres (a line
    fitted through each band at least four text heights long; engines often give a
    slightly turned short item an upright box), else the median angle of the items' top
    edges. Under :data:`MIN_SKEW` it is 0: nothing to turn."""
    box = enclosing_boxes(corners)
    centre_x, centre_y = (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2
    height = text_height(box)
    slopes = []
    for band in bands(np.arange(len(box)), box):
        xs, ys = centre_x[band], centre_y[band]
        if len(band) >= 2 and xs.max() - xs.min() >= 4 * height:
            slopes.append(np.degrees(np.arctan(np.polyfit(xs, ys, 1)[0])))
    slopes = np.array([a for a in slopes if abs(a) <= MAX_SKEW])
    if len(slopes) >= 2:
        angle = float(np.median(slopes))
    else:
        top = corners[:, 1] - corners[:, 0]
        angles = np.degrees(np.arctan2(top[:, 1], top[:, 0]))
        angles = angles[np.isfinite(angles) & (np.abs(angles) <= MAX_SKEW)]
        angle = float(np.median(angles)) if len(angles) else 0.0
    return angle if abs(angle) >= MIN_SKEW else 0.0


def _pieces(rows: np.ndarray, box: np.ndarray, words: list[str], grey: np.ndarray | None,
            height: float) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Items narrowed to their ink, and cut where it shows a wide blank (two cells read as
    one item)."""
    if grey is None:
        return rows, box, words
    from .ruling import item_ink

    box = box.copy()
    parent, boxes, texts = [], [], []
    for k, (left, right, gaps) in enumerate(item_ink(grey, box, height)):
        box[k, 0], box[k, 2] = left, right
        parts = cut_text(words[k], box[k], gaps) if gaps else None
        for piece_box, text in parts or [(box[k], words[k])]:
            parent.append(rows[k])
            boxes.append(piece_box)
            texts.append(text)
    return np.array(parent, dtype=np.int64), np.array(boxes, dtype=np.float64), texts


def _is_pdf(value: Any) -> bool:
    """``value`` is a PDF file or PDF bytes (only the first kilobyte is read)."""
    from ..images import as_source
    from ..documents import sniff

    try:
        source = as_source(value)
        if source.kind == "bytes":
            return sniff(bytes(source.value[:1024])) == "pdf"
        if source.kind == "path":
            with open(source.value, "rb") as file:
                return sniff(file.read(1024)) == "pdf"
    except (WxOcrError, OSError):
        pass
    return False


def _rules_of(value: Any, page: Any, size: tuple[float, float], box: np.ndarray,
              height: float, angle: float) -> tuple[Rules | None, np.ndarray | None]:
    """The page's ruling lines (its pixels', with a PDF page's vector paths) and its
    grey pixels, turned like the items and with the rules painted out, or None and None
    when the image cannot be read."""
    from ..images import as_source
    from ..documents import page_image, sniff
    from .ruling import image_rules, ink, join_segments, pdf_rules, upright, without_rules

    number = 1 if page is None or pd.isna(page) else int(page)
    known = np.isfinite(size).all()
    vector = None
    try:
        source = as_source(value)
        if source.kind in ("path", "bytes") and known and not angle:
            data = source.read_bytes()
            if sniff(data[:1024]) == "pdf":
                vector = pdf_rules(data, number - 1, (int(size[0]), int(size[1])), height)
        picture = page_image(value, number, (int(size[0]), int(size[1])) if known else None)
    except WxOcrError as exc:
        warnings.warn(f"{exc}: its tables are built from the text alignment alone",
                      TableWarning, stacklevel=4)
        return None, None
    grey = upright(picture, angle)
    rules = image_rules(ink(grey, height), box, height, grey)
    if vector is not None:  # exact, but writers draw some rules in ways not read as paths
        rules = Rules(join_segments(np.concatenate([vector.horizontal, rules.horizontal]), height),
                      join_segments(np.concatenate([vector.vertical, rules.vertical]), height))
    # The items' own pixels, without the rules that cross their boxes.
    return rules, without_rules(grey, rules)


def _regions_of(regions: pd.DataFrame | None, label: Hashable, page: Any, angle: float,
                centre: tuple[float, float]) -> np.ndarray | None:
    """The layout model's ``table`` regions of one image, deskewed like its items."""
    first_page = page is None or pd.isna(page) or page == 1
    if regions is None or not first_page or label not in regions.index:
        return None
    rows = regions.loc[[label]]
    rows = rows[rows["kind"].astype(str) == "table"]
    if rows.empty:
        return None
    x0, y0, x1, y1 = (rows[c].to_numpy(dtype=np.float64) for c in ("x_min", "y_min", "x_max", "y_max"))
    corners = np.stack([np.column_stack(xy) for xy in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))], 1)
    return enclosing_boxes(rotate(corners - centre, -angle) + centre)


def _image_quad(cell_box: Sequence[float], page: PageTables) -> np.ndarray:
    """The corners of a deskewed box turned back onto the image."""
    x0, y0, x1, y1 = cell_box
    corners = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], dtype=np.float64)
    return rotate(corners - page.centre, page.angle)[0] + page.centre


def _image_box(cell_box: Sequence[float], page: PageTables) -> tuple[float, ...]:
    """A deskewed box turned back onto the image, and enclosed."""
    return tuple(float(v) for v in enclosing_boxes(_image_quad(cell_box, page)[None])[0])


def cells(frame: pd.DataFrame, *, image_column: Hashable | None = None, rules: bool = True,
          regions: pd.DataFrame | None = None, sep: str = " ") -> pd.DataFrame:
    """The tables of each image as a tidy frame: one row per cell.

    Tables are found from the items' boxes (alignment into rows and columns) and the ruling
    lines drawn in the image (or a PDF page's vector lines): bordered, partly bordered and
    borderless tables, with spanning cells. See :mod:`wxocr_pandas.tables.grid` for the
    method.

    Parameters
    ----------
    frame
        An exploded result (:func:`wxocr_pandas.recognize_frame`), any backend, any prefix.
    image_column
        The column holding the images, when the frame does not record it (after a merge).
    rules
        Read ruling lines from the images (default). False builds tables from the text
        alignment alone and needs no image.
    regions
        Layout regions (:func:`wxocr_pandas.layout_model.detect_layout`): each ``table``
        region is taken as one table, whatever the alignment says.
    sep
        Joins the lines of a wrapped cell (``"\\n"`` keeps them apart).

    Returns
    -------
    pandas.DataFrame
        Indexed by the image's label; columns :data:`CELL_COLUMNS`: ``page``, ``table``
        (0-based per image, in reading order), ``row``, ``col`` (0-based), ``row_span``,
        ``col_span`` (≥ 1), ``text`` (the cell's items in reading order; NA for an empty
        cell, which is a row too, so the grid is complete), ``header``, the cell box
        ``x_min, y_min, x_max, y_max`` in the image's pixels, ``score`` (the lowest item
        score; NaN where the backend gives none), ``n_items``, ``errcode`` and ``errmsg``.
        An image that failed gives one row with its ``errcode`` and ``errmsg`` and NA
        elsewhere; an image without tables gives no row. The names carry no prefix (the
        frame holds none of the input's columns).

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/tables/grid.png"]}).wxocr.recognize("path")
    >>> grid = out.wxocr.cells()
    >>> grid.loc[grid["row"] == 0, "text"].tolist()
    ['Item', 'Qty', 'Price']
    >>> grid.groupby("table")[["row", "col"]].max().values.tolist()
    [[3, 2]]
    """
    schema, groups, found = read_tables(frame, image_column=image_column, rules=rules,
                                        regions=regions)
    texts = frame[schema.text].to_numpy(dtype=object)
    scores = frame[schema.score].to_numpy(dtype=np.float64, na_value=np.nan)
    errcodes = frame[schema.errcode].to_numpy(dtype=np.float64, na_value=0)
    errmsgs = frame[schema.errmsg].to_numpy(dtype=object)
    records: dict[str, list] = {name: [] for name in CELL_COLUMNS}
    images: list[int] = []
    for image, (page, positions) in enumerate(zip(found, groups.positions)):
        first = positions[0]
        if errcodes[first]:
            images.append(image)
            for name in CELL_COLUMNS:
                records[name].append(None)
            records["page"][-1] = page.page
            records["errcode"][-1] = int(errcodes[first])
            records["errmsg"][-1] = errmsgs[first]
            continue
        height = text_height(page.box)
        for number, table in enumerate(page.tables):
            for cell in table.cells:
                items = page.parent[np.concatenate(cell.lines)] if cell.lines \
                    else np.empty(0, dtype=np.int64)
                text = sep.join(_line_text(words, page.parent[line], page.box[line], height,
                                           texts) for words, line in zip(cell.words, cell.lines)) \
                    if cell.lines else None
                images.append(image)
                x0, y0, x1, y1 = _image_box(cell.box, page)
                values = (page.page, number, cell.row, cell.col, cell.row_span, cell.col_span,
                          text, cell.row < table.header_rows, x0, y0, x1, y1,
                          float(np.min(scores[np.unique(items)])) if len(items) else np.nan,
                          len(np.unique(items)), 0, "ok")
                for name, value in zip(CELL_COLUMNS, values):
                    records[name].append(value)
    return _frame(records, groups.labels.take(np.array(images, dtype=np.intp)))


def _line_text(words: Sequence[str], parents: np.ndarray, box: np.ndarray, height: float,
               texts: np.ndarray) -> str:
    """A cell line's text: pieces of one item that stayed together read as the item did
    (``13/13`` cut at its thin slash and put back is ``13/13``), other items joined like a
    text line (:func:`wxocr_pandas.text.lines`)."""
    merged: list[str] = []
    boxes: list[np.ndarray] = []
    for k, word in enumerate(words):
        if k and parents[k] == parents[k - 1]:
            original = str(texts[parents[k]])
            glue = " " if f"{merged[-1]} {word}" in original else ""
            merged[-1] = merged[-1] + glue + word
            boxes[-1] = np.array([boxes[-1][0], boxes[-1][1], box[k][2], boxes[-1][3]])
        else:
            merged.append(word)
            boxes.append(box[k])
    return join_line(merged, np.array(boxes), height)


def _frame(records: dict[str, list], index: pd.Index) -> pd.DataFrame:
    out = pd.DataFrame({name: pd.array(records[name], dtype=dtype) if not isinstance(dtype, np.dtype)
                        else np.array([np.nan if v is None else v for v in records[name]],
                                      dtype=dtype)
                        for name, dtype in CELL_DTYPES.items()})
    out.index = index
    return out


def empty_cells(index: pd.Index | None = None) -> pd.DataFrame:
    """A :func:`cells` frame with no row: the exact columns and dtypes (Dask's ``meta``).

    Examples
    --------
    >>> empty_cells().dtypes.astype(str).tolist()[:4], len(empty_cells())
    (['Int64', 'Int64', 'Int64', 'Int64'], 0)
    """
    return _frame({name: [] for name in CELL_COLUMNS},
                  index[:0] if index is not None else pd.RangeIndex(0))


def tables(frame: pd.DataFrame, *, image_column: Hashable | None = None, rules: bool = True,
           regions: pd.DataFrame | None = None, sep: str = " ", spans: Spans = "repeat",
           numeric: bool = False) -> list[pd.DataFrame]:
    """The tables of each image as DataFrames, in order of images, pages and reading order.

    Built from :func:`cells` (same parameters ``image_column``, ``rules``, ``regions``,
    ``sep``). The header rows become the columns: one header row gives its texts as names
    (an empty one ``col<j>``, a repeated one ``name.1``); several give a
    :class:`pandas.MultiIndex` with one level per header row (a spanning header is repeated
    over the columns it covers, so the levels group). A table without a header row has
    columns ``0 .. n-1``.

    Parameters
    ----------
    spans
        ``"repeat"``: a spanning cell's text fills every cell it covers; ``"first"``: only
        its top-left cell, the others NA.
    numeric
        Convert each column whose cells are all numbers (thousands separators, ``%``,
        currency signs, parentheses for negatives, full-width digits; see
        :func:`wxocr_pandas.tables.numbers.parse_number`) to ``Int64`` or ``float64``;
        other columns stay strings.

    Returns
    -------
    list of pandas.DataFrame
        Each frame's ``attrs`` say where it came from: ``label`` (the image's index label),
        ``image`` (the image column's value, when known), ``page``, ``table`` (its number
        on the page) and ``box`` (``x_min, y_min, x_max, y_max`` in the image's pixels).

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/tables/grid.png"]}).wxocr.recognize("path")
    >>> [table] = out.wxocr.tables(numeric=True)
    >>> list(table.columns), int(table["Qty"].sum())
    (['Item', 'Qty', 'Price'], 6)
    >>> table.attrs["box"][:2] == [round(v, 1) for v in table.attrs["box"][:2]]
    True
    """
    if spans not in ("repeat", "first"):
        raise UsageError(f"spans must be 'repeat' or 'first', not {spans!r}")
    grid = cells(frame, image_column=image_column, rules=rules, regions=regions, sep=sep)
    grid = grid[grid["errcode"] == 0]
    column = image_column if image_column is not None else schema_of(frame).image
    sources = {} if column is None or column not in frame.columns else \
        frame[column][~frame.index.duplicated()].to_dict()
    out = []
    keys = pd.DataFrame({"label": grid.index, "page": grid["page"].to_numpy(),
                         "table": grid["table"].to_numpy()})
    for _, positions in keys.groupby(["label", "page", "table"], sort=False, dropna=False).indices.items():
        part = grid.iloc[positions]
        out.append(_table_frame(part, spans, numeric, sources))
    return out


def _table_frame(part: pd.DataFrame, spans: Spans, numeric: bool,
                 sources: dict[Hashable, Any]) -> pd.DataFrame:
    n_rows = int((part["row"] + part["row_span"]).max())
    n_cols = int((part["col"] + part["col_span"]).max())
    values = np.full((n_rows, n_cols), None, dtype=object)
    headers = np.full((n_rows, n_cols), None, dtype=object)
    for row, col, row_span, col_span, text in part[["row", "col", "row_span", "col_span",
                                                     "text"]].itertuples(index=False):
        text = None if pd.isna(text) else text
        headers[row:row + row_span, col:col + col_span] = text
        if spans == "repeat":
            values[row:row + row_span, col:col + col_span] = text
        else:
            values[row, col] = text
    n_header = int(part.loc[part["header"].fillna(False).astype(bool), "row"].pipe(
        lambda r: (r.max() + 1) if len(r) else 0))
    body = pd.DataFrame(values[n_header:]).astype("string")
    if n_header == 1:
        body.columns = _unique([t if t is not None else f"col{j}"
                                for j, t in enumerate(headers[0])])
    elif n_header > 1:
        body.columns = pd.MultiIndex.from_arrays(
            [[t if t is not None else "" for t in headers[r]] for r in range(n_header)])
    if numeric:
        body = numeric_columns(body)
    label = part.index[0]
    label = label.item() if isinstance(label, np.generic) else label
    box = [float(part["x_min"].min()), float(part["y_min"].min()),
           float(part["x_max"].max()), float(part["y_max"].max())]
    page = part["page"].iloc[0]
    body.attrs = {"label": label, "image": sources.get(label),
                  "page": None if pd.isna(page) else int(page),
                  "table": int(part["table"].iloc[0]), "box": [round(v, 1) for v in box]}
    return body


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        out.append(name if count == 0 else f"{name}.{count}")
        seen[name] = count + 1
    return out


#: Edge colour of table cells in plots, and the face of header cells.
CELL_COLOR = "#1f3fbf"


def draw_cells(ax: Any, rows: pd.DataFrame, *, image_column: Hashable | None = None,
               rules: bool = True) -> Any:
    """Draw the table cells of one image's ``rows`` on ``ax`` as one
    :class:`~matplotlib.collections.PolyCollection` (header cells shaded); return it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/tables/grid.png"]}).wxocr.recognize("path")
    >>> _, ax = plt.subplots()
    >>> len(draw_cells(ax, out).get_paths())
    12
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba

    _, _, found = read_tables(rows, image_column=image_column, rules=rules)
    quads, header = [], []
    for page in found:  # each cell as it lies on the (possibly turned) page
        for table in page.tables:
            for cell in table.cells:
                quads.append(_image_quad(cell.box, page))
                header.append(cell.row < table.header_rows)
    boxes = np.array(quads, dtype=np.float64).reshape(-1, 4, 2)
    header = np.array(header, dtype=bool)
    faces = np.where(header[:, None], np.array(to_rgba(CELL_COLOR, 0.15)), np.zeros(4))
    collection = PolyCollection(boxes, closed=True, facecolors=faces, edgecolors=CELL_COLOR,
                                linewidths=1.5)
    ax.add_collection(collection)
    return collection
