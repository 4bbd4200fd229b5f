"""Table structure of one page: regions, rows, columns and spanning cells from text boxes and
ruling lines.

Pure functions over numpy arrays: the items' axis-aligned boxes ``(x0, y0, x1, y1)`` of one
deskewed page, their texts, and the page's ruling lines (:class:`Rules`, from the pixels or
a PDF's vector paths, :mod:`wxocr_pandas.tables.ruling`). No pandas, no image.

The method
----------
Let ``h`` be the page's text height (the median item height).

1. **Bands.** Items are swept once by top edge into bands: an item that overlaps the band
   above by more than :data:`BAND_OVERLAP` of its height joins it. A single-line cell
   centred beside a two-line cell overlaps both lines, so the whole row is one band.
2. **Regions.** Ruling lines that touch (a horizontal and a vertical one crossing or
   meeting) form a ruled table: its box is a region. Among the other items, a band with two
   items or more at least :data:`CELL_GAP` ``h`` apart is a table row; consecutive table rows
   (with the short lines between them: wrapped cells, section labels) less than
   :data:`ROW_GAP` ``h`` apart form a borderless region, a table if at least
   :data:`MIN_FILLED_ALIGNED` of its cells hold text (:data:`MIN_FILLED` for a ruled one). Horizontal rules just above and below
   it (a ruled header, a financial table's top and bottom rules) bound it. Two columns of
   prose (every column wide and its lines full) are no table.
3. **Columns.** Vertical rules that cross most of a region are its column boundaries, with
   the gutters inside the columns they leave undivided that no band crosses
   (:func:`_ruled_gutters`). A region without them is cut at its gutters: x-intervals that the
   rows' items leave free, where at most :data:`SPAN_ALLOWANCE` of the rows may cross
   (spanning headers).
4. **Rows.** A horizontal rule between two bands separates rows. Without one, a band starts a
   new row unless it continues the row above: no text in the first column, only columns the
   row already has, and no further below than the usual line gap (a wrapped cell).
5. **Cells.** The rows and columns make a grid of base cells; a boundary drawn as a rule
   separates two base cells only where the rule is drawn (a missing piece merges them: a
   spanning cell), a boundary found from the text separates them unless an item crosses it.
   Merged groups are closed to rectangles. An item that crosses a drawn vertical rule (two
   cells read as one) is split at the space nearest the rule.
6. **Header.** The rows above the first horizontal rule inside a table that is not ruled
   throughout (at most :data:`MAX_HEADER_ROWS`); else the top rows holding a spanning cell
   that the row below does not repeat, and the row below them; else the first row, when it holds no number and the table has more rows.
   Either way the header ends above the first row holding an amount (:func:`is_amount`) or
   starting a row label that spans rows.

Every step is a sort, a sweep or a pass over the grid: the cost is linear in the items and
cells (apart from the sorts), so a 10,000-cell table is no problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..glyphs import is_cjk

#: An item joins the band above when it overlaps it by this share of its height.
BAND_OVERLAP = 0.3
#: Items of a band this many text heights apart are two cells.
CELL_GAP = 0.3
#: Table rows further apart than this many text heights end a borderless region.
ROW_GAP = 2.2
#: Gutters may be crossed by this share of the rows (spanning cells), and at least by one
#: row once a region has three rows.
SPAN_ALLOWANCE = 0.2
#: A gutter is at least this many text heights wide ...
MIN_GUTTER = 0.1
#: ... and one inside a column between drawn rules this many, crossed by no band, in a column
#: of at least :data:`MIN_RULED_ROWS` bands.
RULED_GUTTER = 1.0
MIN_RULED_ROWS = 3
#: A drawn rule separates two cells when it covers this share of their common edge.
RULE_COVER = 0.5
#: A rule line is a boundary of the whole table when it covers this share of it, or, in a
#: ruled table, this share of a slab between two rules across it.
RULE_SPAN = 0.3
SLAB_COVER = 0.8
#: ... by a segment at least this many text heights long (letters above each other in rows
#: barely taller than their text make short vertical strokes).
WALL_LENGTH = 1.5
#: A line continues the cells above it (a wrapped cell) only this many text heights below
#: them: the next row of a table with tall, zebra-shaded rows is further down.
WRAP_GAP = 0.7
#: At most this many rows above a rule are a header.
MAX_HEADER_ROWS = 3
#: An item this many text heights wide is running text, no cell ...
PROSE_WIDTH = 15.0
#: ... unless a gutter this many text heights wide parts it from a narrower item of its band.
WIDE_CELL_GAP = 1.5
#: A ruled table has text in at least this share of its cells ...
MIN_FILLED = 0.3
#: ... a borderless one in at least this share (a chart's tick labels and legend align too).
MIN_FILLED_ALIGNED = 0.5
#: Rules this close (in text heights) above or below a borderless region bound it.
RULE_REACH = 1.6

#: An item's position, or ``(position, part)`` for a part of an item cut at a drawn rule.
Key = int | tuple[int, int]

_NUMBER = re.compile(r"^[\s(（\-−+]*[¥$€£]?\s*[\d０-９][\d０-９,，.．\s]*%?[)）]?$")
_AMOUNT = re.compile(r"[\d０-９][,，.．][\d０-９]|%|[¥$€£]")
_DATE = re.compile(r"^\s*(19|20)\d\d[.．]\d{1,2}([.．]\d{1,2})?\s*$")


@dataclass(frozen=True)
class Rules:
    """Ruling lines of a page: ``horizontal`` rows ``(y, x0, x1)`` and ``vertical`` rows
    ``(x, y0, y1)``, in the pixels of the deskewed page.

    Examples
    --------
    >>> rules = Rules.empty()
    >>> rules.horizontal.shape, rules.vertical.shape
    ((0, 3), (0, 3))
    """

    horizontal: np.ndarray
    vertical: np.ndarray

    @classmethod
    def empty(cls) -> Rules:
        """No ruling lines."""
        return cls(np.empty((0, 3)), np.empty((0, 3)))


@dataclass(frozen=True)
class Cell:
    """A cell of a table: its place, spans, items (page positions, each line left to right,
    lines top to bottom), box ``(x0, y0, x1, y1)`` and the items' texts line by line (an
    item cut at a rule gives each cell its own part)."""

    row: int
    col: int
    row_span: int
    col_span: int
    lines: tuple[np.ndarray, ...]
    box: tuple[float, float, float, float]
    words: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Table:
    """A table of a page: its box, grid size, header rows and cells (row-major order)."""

    box: tuple[float, float, float, float]
    n_rows: int
    n_cols: int
    header_rows: int
    cells: list[Cell] = field(default_factory=list)


def text_height(box: np.ndarray) -> float:
    """The page's text height: the median height of its items (1.0 without items).

    Examples
    --------
    >>> text_height(np.array([[0, 0, 50, 10], [0, 20, 30, 32], [0, 40, 80, 50]]))
    10.0
    """
    if not len(box):
        return 1.0
    return float(max(np.median(box[:, 3] - box[:, 1]), 1.0))


def find_tables(box: np.ndarray, texts: list[str], rules: Rules | None = None,
                regions: np.ndarray | None = None) -> list[Table]:
    """The tables of one page, in reading order (top to bottom, then left to right).

    Parameters
    ----------
    box
        ``(n, 4)`` item boxes ``(x0, y0, x1, y1)`` of the deskewed page.
    texts
        The items' texts (numbers in the first row tell a header from data).
    rules
        The page's ruling lines, or None.
    regions
        ``(k, 4)`` boxes of table regions found by a layout model: their items make a table
        each, whatever the alignment says.

    Examples
    --------
    >>> box = np.array([[0, 0, 40, 10], [100, 0, 140, 10], [0, 20, 40, 30], [100, 20, 140, 30],
    ...                 [0, 40, 40, 50], [100, 40, 140, 50]], dtype=float)
    >>> [table] = find_tables(box, ["Name", "Qty", "tea", "2", "milk", "10"])
    >>> table.n_rows, table.n_cols, table.header_rows
    (3, 2, 1)
    >>> [(cell.row, cell.col, cell.lines[0].tolist()) for cell in table.cells][:3]
    [(0, 0, [0]), (0, 1, [1]), (1, 0, [2])]
    """
    box = np.asarray(box, dtype=np.float64).reshape(-1, 4)
    rules = rules or Rules.empty()
    height = text_height(box)
    taken = np.zeros(len(box), dtype=bool)
    found: list[Table] = []
    forced = [(area, False) for area in _forced_regions(regions)]
    for area, ruled in forced + [(area, True) for area in _ruled_regions(rules, height)]:
        inside = ~taken & _centres_in(box, area)
        table = _table(np.flatnonzero(inside), area, box, texts, rules, height, ruled) \
            if inside.any() else None
        if table is not None:  # else its items stay free (a shaded header box is no table)
            taken |= inside
            found.append(table)
    for members, area in _aligned_regions(np.flatnonzero(~taken), box, rules, height):
        parts = [_table(part, part_area, box, texts, rules, height, False)
                 for part, part_area in _side_by_side(members, area, box, rules, height)]
        if len(parts) < 2 or None in parts:
            parts = [_table(members, area, box, texts, rules, height, False)]
        found += [table for table in parts if table is not None]
    found.sort(key=lambda t: (round(t.box[1] / (4 * height)), t.box[0]))
    return found


# --- regions -------------------------------------------------------------------------------


def _forced_regions(regions: np.ndarray | None) -> list[tuple[float, ...]]:
    if regions is None:
        return []
    return [tuple(map(float, r)) for r in np.asarray(regions, dtype=np.float64).reshape(-1, 4)]


def _centres_in(box: np.ndarray, area: tuple[float, ...]) -> np.ndarray:
    cx, cy = (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2
    return (cx >= area[0]) & (cx <= area[2]) & (cy >= area[1]) & (cy <= area[3])


def _ruled_regions(rules: Rules, height: float) -> list[tuple[float, ...]]:
    """Boxes of groups of touching horizontal and vertical rules (at least two of each)."""
    hor, ver = rules.horizontal, rules.vertical
    if len(hor) < 2 or len(ver) < 2:
        return []
    tol = max(0.5 * height, 3.0)
    touch = ((ver[None, :, 0] >= hor[:, None, 1] - tol) & (ver[None, :, 0] <= hor[:, None, 2] + tol)
             & (hor[:, None, 0] >= ver[None, :, 1] - tol) & (hor[:, None, 0] <= ver[None, :, 2] + tol))
    parent = np.arange(len(hor) + len(ver))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(touch)):
        a, b = find(int(i)), find(len(hor) + int(j))
        if a != b:
            parent[a] = b
    roots = np.array([find(i) for i in range(len(parent))])
    out = []
    for root in np.unique(roots):
        hs = np.flatnonzero(roots[:len(hor)] == root)
        vs = np.flatnonzero(roots[len(hor):] == root)
        if len(hs) < 2 or len(vs) < 2:
            continue
        # Beyond the outermost rules across, a table reaches only as far as two rules along
        # it do: one line running on alone (a page's or a screenshot's edge) does not take
        # a title above the table into it.
        x0 = min(ver[vs, 0].min(), np.sort(hor[hs, 1])[1])
        x1 = max(ver[vs, 0].max(), np.sort(hor[hs, 2])[-2])
        y0 = min(hor[hs, 0].min(), np.sort(ver[vs, 1])[1])
        y1 = max(hor[hs, 0].max(), np.sort(ver[vs, 2])[-2])
        if x1 - x0 > 2 * height and y1 - y0 > height:
            out.append((x0, y0, x1, y1))
    return out


def bands(idx: np.ndarray, box: np.ndarray) -> list[np.ndarray]:
    """The items ``idx`` swept into bands by top edge, each band left to right.

    Examples
    --------
    >>> box = np.array([[0, 0, 10, 10], [0, 14, 10, 24], [20, 6, 30, 18], [0, 40, 10, 50]], float)
    >>> [b.tolist() for b in bands(np.arange(4), box)]  # item 2 is centred beside 0 and 1
    [[0, 1, 2], [3]]
    """
    if not len(idx):
        return []
    order = idx[np.argsort(box[idx, 1], kind="stable")]
    out: list[list[int]] = [[int(order[0])]]
    bottom = box[order[0], 3]
    for i in order[1:]:
        h = box[i, 3] - box[i, 1]
        if box[i, 1] < bottom - BAND_OVERLAP * h:
            out[-1].append(int(i))
            bottom = max(bottom, box[i, 3])
        else:
            out.append([int(i)])
            bottom = box[i, 3]
    return [np.array(sorted(b, key=lambda i: (box[i, 0], box[i, 1])), dtype=np.int64)
            for b in out]


def _is_row(band: np.ndarray, box: np.ndarray, height: float) -> bool:
    """Two items or more, some of them a cell gap apart, none as wide as a line of prose
    (an engine splits a long line at a wide space) unless a narrow item stands beside it
    across a gutter (a description column beside a year or an amount)."""
    if len(band) < 2:
        return False
    xs = box[band]
    order = np.argsort(xs[:, 0])
    right = np.maximum.accumulate(xs[order, 2])
    gaps = np.clip(xs[order[1:], 0] - right[:-1], 0, None)
    widths = xs[:, 2] - xs[:, 0]
    if widths.max() > PROSE_WIDTH * height and (
            widths.min() > PROSE_WIDTH * height or gaps.max() < WIDE_CELL_GAP * height):
        return False
    extent = right[-1] - xs[order[0], 0]
    if extent > 2 * PROSE_WIDTH * height and gaps.sum() < 0.1 * extent:
        return False  # a long line in pieces (an engine cuts Chinese prose at its commas)
    return bool((gaps >= CELL_GAP * height).any())


def _aligned_regions(free: np.ndarray, box: np.ndarray, rules: Rules, height: float
                     ) -> list[tuple[np.ndarray, tuple[float, ...]]]:
    """Runs of table rows among the items not in a ruled table (step 2)."""
    found = bands(free, box)
    rows = [_is_row(b, box, height) for b in found]
    out = []
    k = 0
    while k < len(found):
        if not rows[k]:
            k += 1
            continue
        run = [k]
        last_row = k
        labels = 0
        left, label_right = box[found[k], 0].min(), box[found[k][0], 2]
        j = k + 1
        while j < len(found):
            gap = box[found[j], 1].min() - box[found[j - 1], 3].max()
            if gap > ROW_GAP * height:
                break
            extent = box[found[j], 2].max() - box[found[j], 0].min()
            if rows[j]:
                run.extend(range(last_row + 1, j + 1))
                last_row, labels = j, 0
                left = min(left, box[found[j], 0].min())
                label_right = max(label_right, box[found[j][0], 2])
            elif len(found[j]) == 1 and abs(box[found[j][0], 0] - left) < 0.5 * height \
                    and box[found[j][0], 2] <= label_right:
                labels += 1  # a row label whose figures the engine did not read (dashes)
            elif j - last_row - labels > 2 or extent > PROSE_WIDTH * height:
                break  # three lines that are no row, or a line of prose, end the table
            j += 1
        k = last_row + 1
        row_bands = [b for b in run if rows[b]]
        if len(row_bands) < 2:
            continue
        members = np.concatenate([found[b] for b in run])
        if _prose(members, box, height):
            continue
        area = _bounded(members, box, rules, height)
        out.append((members, area))
    return out


def _side_by_side(members: np.ndarray, area: tuple[float, ...], box: np.ndarray, rules: Rules,
                  height: float) -> list[tuple[np.ndarray, tuple[float, ...]]]:
    """``members`` parted at a vertical rule down the whole region that the rows' own rules,
    drawn on both sides of it, never cross: two lists side by side (a long ranking printed
    in two halves). Empty when there is no such rule."""
    x0, y0, x1, y1 = area
    tol = 0.5 * height
    top, bottom = box[members, 1].min(), box[members, 3].max()
    hor = rules.horizontal  # those between the rows (the rules bounding the region may cross)
    hor = hor[(hor[:, 0] > top) & (hor[:, 0] < bottom)] if len(hor) else hor
    centre = (box[members, 0] + box[members, 2]) / 2
    for at, a, b in rules.vertical:
        if not (x0 + height < at < x1 - height) or a > top + tol or b < bottom - tol:
            continue
        left = hor[(hor[:, 2] <= at + tol) & (hor[:, 1] < at - height)]
        right = hor[(hor[:, 1] >= at - tol) & (hor[:, 2] > at + height)]
        crossing = (hor[:, 1] < at - tol) & (hor[:, 2] > at + tol)
        if len(left) < 2 or len(right) < 2 or crossing.any():
            continue
        return [(members[centre < at], (x0, y0, float(at), y1)),
                (members[centre > at], (float(at), y0, x1, y1))]
    return []


def _prose(members: np.ndarray, box: np.ndarray, height: float) -> bool:
    """Columns of running text: every item group wide and most lines filling it."""
    widths = box[members, 2] - box[members, 0]
    return bool(np.median(widths) > PROSE_WIDTH * height)


def _bounded(members: np.ndarray, box: np.ndarray, rules: Rules, height: float
             ) -> tuple[float, ...]:
    """The region of ``members``, stretched to the horizontal rules just above and below."""
    x0, y0 = box[members, 0].min(), box[members, 1].min()
    x1, y1 = box[members, 2].max(), box[members, 3].max()
    hor = rules.horizontal
    if len(hor):
        cover = np.minimum(hor[:, 2], x1) - np.maximum(hor[:, 1], x0)
        wide = cover >= 0.5 * (x1 - x0)
        above = hor[wide & (hor[:, 0] < y0) & (hor[:, 0] >= y0 - RULE_REACH * height)]
        below = hor[wide & (hor[:, 0] > y1) & (hor[:, 0] <= y1 + RULE_REACH * height)]
        if len(above):
            y0 = above[:, 0].min()
            x0, x1 = min(x0, above[:, 1].min()), max(x1, above[:, 2].max())
        if len(below):
            y1 = below[:, 0].max()
            x0, x1 = min(x0, below[:, 1].min()), max(x1, below[:, 2].max())
    return (float(x0), float(y0), float(x1), float(y1))


# --- one table -----------------------------------------------------------------------------


@dataclass
class _Lines:
    """Rule lines of one table along one axis: position, and covered intervals."""

    at: list[float]
    spans: list[np.ndarray]

    def covers(self, k: int, lo: float, hi: float) -> bool:
        """Line ``k`` covers at least :data:`RULE_COVER` of ``[lo, hi]``."""
        if hi <= lo:
            return True
        spans = self.spans[k]
        inter = np.clip(np.minimum(spans[:, 1], hi) - np.maximum(spans[:, 0], lo), 0, None).sum()
        return bool(inter >= RULE_COVER * (hi - lo))


def _rule_lines(segments: np.ndarray, lo: float, hi: float, across: tuple[float, float],
                height: float) -> _Lines:
    """Segments ``(pos, a, b)`` inside ``[lo, hi]`` (position) and overlapping ``across``,
    clustered by position into lines with their covered intervals."""
    if not len(segments):
        return _Lines([], [])
    tol = max(0.35 * height, 2.0)
    seg = segments[(segments[:, 0] >= lo - tol) & (segments[:, 0] <= hi + tol)
                   & (segments[:, 2] > across[0]) & (segments[:, 1] < across[1])]
    seg = seg[np.argsort(seg[:, 0], kind="stable")]
    at: list[float] = []
    spans: list[np.ndarray] = []
    start = 0
    for k in range(1, len(seg) + 1):
        if k == len(seg) or seg[k, 0] - seg[k - 1, 0] > tol:
            group = seg[start:k]
            at.append(float(np.average(group[:, 0], weights=group[:, 2] - group[:, 1] + 1)))
            spans.append(np.clip(group[:, 1:3], across[0], across[1]))
            start = k
    return _Lines(at, spans)


def _span_share(lines: _Lines, k: int, length: float) -> float:
    spans = lines.spans[k]
    return float((spans[:, 1] - spans[:, 0]).sum() / max(length, 1e-9))


def _meets_walls(hlines: _Lines, k: int, vlines: _Lines, edges: tuple[float, float],
                 height: float) -> bool:
    """A piece of horizontal line ``k`` ends at a vertical line or at the table's edge: a
    rule of a ruled table, not the tops of a line of bold characters run together."""
    tol = max(0.5 * height, 3.0)
    at = hlines.at[k]
    walls = [x for j, x in enumerate(vlines.at)
             if ((vlines.spans[j][:, 0] <= at + tol) & (vlines.spans[j][:, 1] >= at - tol)).any()]
    ends = hlines.spans[k].ravel()
    return bool(np.min(np.abs(ends[:, None] - np.array([*edges, *walls])[None, :])) <= tol)


def _crosses_slab(lines: _Lines, k: int, slab_at: list[float], box: np.ndarray,
                  height: float) -> bool:
    """Line ``k`` is drawn through the whole height of a slab between two rules across the
    table, and through no item of it: a cell wall of a ruled table whose other rows span
    it (a form's rows of 2 to 6 cells), not strokes of letters."""
    at = lines.at[k]
    long = lines.spans[k][lines.spans[k][:, 1] - lines.spans[k][:, 0] >= WALL_LENGTH * height]
    centre_y = (box[:, 1] + box[:, 3]) / 2
    for a, z in zip(slab_at[:-1], slab_at[1:]):
        inter = np.clip(np.minimum(long[:, 1], z) - np.maximum(long[:, 0], a), 0, None).sum()
        inside = (centre_y > a) & (centre_y < z)
        crossed = (box[inside, 0] + 0.1 * height < at) & (at < box[inside, 2] - 0.1 * height)
        if inter >= SLAB_COVER * (z - a) and not crossed.any():
            return True
    return False


def _table(members: np.ndarray, area: tuple[float, ...], box: np.ndarray, texts: list[str],
           rules: Rules, height: float, ruled: bool) -> Table | None:
    if not len(members):
        return None
    x0, y0, x1, y1 = area
    pad = 0.3 * height
    hlines = _rule_lines(rules.horizontal, y0 - pad, y1 + pad, (x0, x1), height)
    vlines = _rule_lines(rules.vertical, x0 - pad, x1 + pad, (y0, y1), height)
    inner_h = [k for k, at in enumerate(hlines.at)
               if y0 + 0.5 * height < at < y1 - 0.5 * height
               and _span_share(hlines, k, x1 - x0) >= RULE_SPAN
               and (not ruled or _meets_walls(hlines, k, vlines, (x0, x1), height))]
    row_bands, slabs = _slab_bands(members, box, [hlines.at[k] for k in inner_h])
    slab_at = [y0, *(hlines.at[k] for k in inner_h), y1]
    # Column boundaries: inner vertical rules across the table, else the gutters.
    inner_v = [k for k, at in enumerate(vlines.at)
               if x0 + height < at < x1 - height and (_span_share(vlines, k, y1 - y0) >= RULE_SPAN
                                                      or ruled and _crosses_slab(vlines, k, slab_at, box[members], height))]
    full_v = [k for k in inner_v if _span_share(vlines, k, y1 - y0) >= 0.8]
    if full_v:
        # Columns the rules leave undivided (a table that rules off only some of its
        # columns) are cut where no row at all crosses a wide gutter.
        xs = _ruled_gutters(row_bands, box, height, [x0, *(vlines.at[k] for k in inner_v), x1])
    else:
        xs = _gutters(row_bands, box, height, x0, x1)
    x_rule = [False] * len(xs)
    v_index = [-1] * len(xs)
    for k in inner_v:  # partial vertical rules still separate where they are drawn
        if full_v or all(abs(vlines.at[k] - x) > height for x in xs):
            xs.append(vlines.at[k])
            x_rule.append(True)
            v_index.append(k)
    order = np.argsort(xs)
    xs = [xs[i] for i in order]
    x_rule = [x_rule[i] for i in order]
    v_index = [v_index[i] for i in order]
    left = min(x0, box[members, 0].min())
    right = max(x1, box[members, 2].max())
    col_edges = np.array([left, *xs, right])
    n_cols = len(col_edges) - 1
    pieces = _split_on_rules(members, box, texts, xs, v_index, vlines, slab_at)
    item_cols = {i: _columns_of(b, col_edges, height) for i, (b, _) in pieces.items()}
    by_item = _spans_by_item(item_cols)
    # Rows: bands between rules that are drawn across most rows are one row each, unless
    # both are full rows (rows the rules left out); elsewhere wrapped lines continue a row.
    # Rows are ruled throughout when most slabs hold at most one full band (a statement ruled
    # only under its header and totals has many full rows between two rules).
    starts = _band_columns(row_bands, by_item, first=True)
    full = Counter(slab for slab, cols in zip(slabs, starts) if len(cols) >= max(2, (n_cols + 1) // 2))
    ruled_rows = sum(_span_share(hlines, k, x1 - x0) >= 0.8 for k in inner_h) >= 2 \
        and 2 * sum(n > 1 for n in full.values()) < len(set(slabs))
    row_of_band, ys, y_rule, h_index = _rows(row_bands, slabs, box, by_item, hlines, inner_h,
                                             height, n_cols if ruled_rows else 0)
    top = min(y0, box[members, 1].min())
    bottom = max(y1, box[members, 3].max())
    row_edges = np.array([top, *ys, bottom])
    n_rows = len(row_edges) - 1
    if n_cols < 2 or n_rows < 2 and not ruled:
        return None
    if n_cols < 2 or n_rows < 1:
        return None
    cells = _cells(row_bands, row_of_band, pieces, item_cols, box, row_edges, col_edges,
                   x_rule, v_index, vlines, y_rule, h_index, hlines)
    filled = sum(1 for c in cells if c.lines)
    if n_rows > 1 and all(c.row_span == n_rows for c in cells if c.lines):
        return None  # no text cell ends at a row boundary: labels among a chart's gridlines
    if filled < 2 or (not ruled and n_rows * n_cols < 4) \
            or filled < (MIN_FILLED if ruled else MIN_FILLED_ALIGNED) * len(cells):
        return None  # a chart's grid and labels, an empty form
    header = _header_rows(cells, n_rows, y_rule)
    return Table((float(left), float(top), float(right), float(bottom)), n_rows, n_cols,
                 header, cells)


def _ruled_gutters(row_bands: list[np.ndarray], box: np.ndarray, height: float,
                   walls: list[float]) -> list[float]:
    """Gutters inside the columns between drawn rules ``walls``: at least
    :data:`RULED_GUTTER` text heights wide, crossed by no band, in a column of at least
    :data:`MIN_RULED_ROWS` bands."""
    centre = (box[:, 0] + box[:, 2]) / 2
    out = []
    for a, z in zip(walls[:-1], walls[1:]):
        inside = [b[(centre[b] > a) & (centre[b] < z)] for b in row_bands]
        inside = [b for b in inside if len(b)]
        if len(inside) >= MIN_RULED_ROWS:
            out += _gutters(inside, box, height, a, z, strict=True)
    return out


def _gutters(row_bands: list[np.ndarray], box: np.ndarray, height: float, x0: float,
             x1: float, strict: bool = False) -> list[float]:
    """Centres of the x-intervals the table rows leave free (step 3): an exact sweep over
    the rows' covered intervals (each row counts once where its items overlap). ``strict``:
    every band counts, none may cross, and a gutter is :data:`RULED_GUTTER` wide."""
    rows = row_bands if strict else \
        [b for b in row_bands if _is_row(b, box, height)] or row_bands
    events: list[tuple[float, int]] = []
    for b in rows:
        spans = box[b][:, [0, 2]]
        spans = spans[np.argsort(spans[:, 0])]
        start, end = spans[0]
        for a, z in spans[1:]:
            if a > end:
                events += [(start, 1), (end, -1)]
                start, end = a, z
            else:
                end = max(end, z)
        events += [(start, 1), (end, -1)]
    events.sort()
    allowance = int(SPAN_ALLOWANCE * len(rows))
    if len(rows) >= 3:
        allowance = max(allowance, 1)
    allowance = 0 if strict else allowance
    widest = (RULED_GUTTER if strict else MIN_GUTTER) * height
    # Runs of x where at most `allowance` rows have text, between text on both sides; the
    # boundary goes in the middle of the run's least covered stretch.
    out = []
    cover, seen_busy = 0, False
    run: list[tuple[float, float, int]] = []
    last = None
    for x, step in events:
        if cover <= allowance and last is not None and x > last:
            run.append((last, x, cover))
        before = cover
        cover += step
        last = x
        if before <= allowance < cover:
            if run and seen_busy and run[-1][1] - run[0][0] >= widest:
                low = min(c for _, _, c in run)
                a, z, _ = max((r for r in run if r[2] == low), key=lambda r: r[1] - r[0])
                out.append((a + z) / 2)
            run = []
            seen_busy = True
    return [float(x) for x in out]


def _split_on_rules(members: np.ndarray, box: np.ndarray, texts: list[str], xs: list[float],
                    v_index: list[int], vlines: _Lines, slab_at: list[float]
                    ) -> dict[Key, tuple[np.ndarray, str]]:
    """Each item's box and text, keyed by its position; an item crossing a vertical rule
    drawn in its slab (two cells read as one; the rule is blanked behind the item itself)
    is cut at the rule into pieces keyed ``(position, k)``; a rule drawn only in other
    slabs (a spanning cell here) cuts nothing."""
    out: dict[Key, tuple[np.ndarray, str]] = {}
    walls = [(x, k) for x, k in zip(xs, v_index) if k >= 0]
    for i in members:
        b = box[i]
        slab = min(max(int(np.searchsorted(slab_at, (b[1] + b[3]) / 2)), 1), len(slab_at) - 1)
        a, z = slab_at[slab - 1], slab_at[slab]
        inside = [(x, x, (x - b[0]) / (b[2] - b[0])) for x, k in walls
                  if b[0] + 0.5 * (b[3] - b[1]) < x < b[2] - 0.5 * (b[3] - b[1])
                  and ((vlines.spans[k][:, 1] > a) & (vlines.spans[k][:, 0] < z)).any()]
        # Cells are aligned any way within their rules: any space is a better cut than a
        # place estimated from the rule's position.
        parts = cut_text(texts[i], b, inside, near=len(texts[i])) if inside else None
        if not parts:
            out[int(i)] = (b, texts[i])
            continue
        for k, part in enumerate(parts):
            out[(int(i), k)] = part
    return out


def cut_text(text: str, b: np.ndarray, cuts: list[tuple[float, float, float]],
             near: float | None = None) -> list[tuple[np.ndarray, str]] | None:
    """``text`` of box ``b`` cut in pieces: the pieces' boxes and texts, or None.

    Each cut is ``(x_start, x_end, share)``: the blank (or rule) from ``x_start`` to
    ``x_end`` ends one piece and starts the next, after ``share`` of the text's width. The
    text is cut after the characters that fill that share (a wide CJK character counts
    twice, ``i`` or ``l`` half), or at the nearest space at most ``near`` characters from
    there (default: two, or a quarter of the text).
    A blank next to full-width punctuation (``，`` ``。``, ink only at the bottom) is no cut.

    Examples
    --------
    >>> [t for _, t in cut_text("Olive oil West", np.array([0, 0, 140, 10]), [(95, 105, 0.66)])]
    ['Olive oil', 'West']
    >>> [t for _, t in cut_text("68.208,636.00", np.array([0, 0, 220, 10]), [(65, 122, 0.4)])]
    ['68.20', '8,636.00']
    """
    weights = np.array([_glyph_width(ch) for ch in text])
    total = weights.sum()
    if total == 0:
        return None
    ends = np.cumsum(weights)
    near = near if near is not None else max(2.0, 0.25 * len(text))
    kept: list[tuple[int, float, float]] = []  # (cut, x_start, x_end), left to right
    for x_start, x_end, share in cuts:
        cut = int(np.argmin(np.abs(ends - share * total))) + 1
        if any(unicodedata.category(ch).startswith("P") and is_cjk(ch)
               for ch in text[max(cut - 2, 0):cut + 2]):
            return None  # a full-width comma or stop is blank in the middle: no cell gap
        last = kept[-1][0] if kept else 0
        spaces = [k for k, ch in enumerate(text)
                  if ch.isspace() and abs(k - cut) <= near and k > last]
        cut = min(spaces, key=lambda k: abs(k - cut)) if spaces else cut
        if last < cut < len(text) and text[last:cut].strip():
            kept.append((cut, x_start, x_end))
        elif kept:  # two blanks led to one place: the second is no cut, its box joins
            kept[-1] = (kept[-1][0], kept[-1][1], x_end)
    out = []
    start, left = 0, b[0]
    for cut, x_start, x_end in [*kept, (len(text), b[2], b[2])]:
        piece = text[start:cut].strip()
        if not piece:
            return None
        out.append((np.array([left, b[1], max(x_start, left + 1), b[3]]), piece))
        start, left = cut, x_end
    return out if len(out) > 1 else None


#: Latin glyphs narrower and wider than most, for where to cut a text by its ink.
_NARROW = frozenset("iljIJft1.,:;'!|()[]r ")
_BROAD = frozenset("mwMW@%")


def _glyph_width(char: str) -> float:
    """A character's width in a proportional font, in units of an average Latin letter."""
    if char.isspace():
        return 0.0
    if is_cjk(char):
        return 2.0
    return 0.5 if char in _NARROW else 1.4 if char in _BROAD else 1.0


def _item(key: Key) -> int:
    return key if isinstance(key, int) else key[0]


def _columns_of(b: np.ndarray, edges: np.ndarray, height: float) -> tuple[int, int]:
    """First and last column an item box covers (by a real overlap, not a touch)."""
    lo = int(np.searchsorted(edges, b[0] + 0.25 * height, side="right")) - 1
    hi = int(np.searchsorted(edges, b[2] - 0.25 * height, side="left")) - 1
    n = len(edges) - 2
    lo, hi = min(max(lo, 0), n), min(max(hi, 0), n)
    if hi < lo:  # a narrow item: the column of its centre
        centre = (b[0] + b[2]) / 2
        lo = hi = min(max(int(np.searchsorted(edges, centre, side="right")) - 1, 0), n)
    return lo, hi


def _slab_bands(members: np.ndarray, box: np.ndarray, rule_at: list[float]
                ) -> tuple[list[np.ndarray], list[int]]:
    """The bands of ``members`` within each slab between the rules drawn across the table
    (each item in the slab of its centre; a label centred over two ruled rows joins the
    lower one, never both), and each band's slab: slab ``k`` lies below rule ``k - 1``."""
    side = np.searchsorted(np.asarray(rule_at, dtype=np.float64),
                           (box[members, 1] + box[members, 3]) / 2)
    found, slabs = [], []
    for k in range(len(rule_at) + 1):
        for band in bands(members[side == k], box):
            found.append(band)
            slabs.append(k)
    return found, slabs


def _rows(row_bands: list[np.ndarray], slabs: list[int], box: np.ndarray,
          by_item: dict[int, list[tuple[int, int]]], hlines: _Lines, inner_h: list[int],
          height: float, ruled_cols: int = 0
          ) -> tuple[list[int], list[float], list[bool], list[int]]:
    """Each band's row, and the row boundaries (position, drawn or not, rule line index).

    Bands in different slabs are separated by the rules between them (two rules with no
    text between make an empty row). ``ruled_cols`` (the number of columns) says the rows are
    ruled: within a slab a band starts a row only when it and the band above both fill half
    the columns or more; otherwise a band without text in the first column, only in
    columns the row already has, and no further below than the usual line gap continues
    the row (a wrapped cell)."""
    band_cols = _band_columns(row_bands, by_item)
    band_cells = _band_columns(row_bands, by_item, first=True)
    row_bottom = _lower({}, row_bands[0], by_item, box) if row_bands else {}
    gaps = [box[row_bands[k + 1], 1].min() - box[row_bands[k], 3].max()
            for k in range(len(row_bands) - 1)]
    usual = float(np.median(gaps)) if gaps else height
    row_of_band = [0]
    ys: list[float] = []
    y_rule: list[bool] = []
    h_index: list[int] = []
    row_cols = set(band_cols[0]) if row_bands else set()
    for k in range(1, len(row_bands)):
        cols = band_cols[k]
        if slabs[k] != slabs[k - 1]:
            crossed = inner_h[slabs[k - 1]:slabs[k]]
            ys += [hlines.at[j] for j in crossed]
            y_rule += [True] * len(crossed)
            h_index += crossed
            row_of_band.append(row_of_band[-1] + len(crossed))
            row_cols = set(cols)
            row_bottom = _lower({}, row_bands[k], by_item, box)
            continue
        if ruled_cols:
            new_row = min(len(band_cells[k]), len(band_cells[k - 1])) >= max(2, (ruled_cols + 1) // 2)
        else:
            new_row = not (0 not in cols and cols <= row_cols and len(cols) < len(row_cols)
                           and gaps[k - 1] <= max(usual * 1.15, 0.35 * height) + 1
                           and all(box[i, 1] - row_bottom.get(c, -np.inf) <= WRAP_GAP * height
                                   for i, c in _item_columns(row_bands[k], by_item)))
        if not new_row:
            row_of_band.append(row_of_band[-1])
            row_cols |= cols
            _lower(row_bottom, row_bands[k], by_item, box)
            continue
        ys.append(float((box[row_bands[k - 1], 3].max() + box[row_bands[k], 1].min()) / 2))
        y_rule.append(False)
        h_index.append(-1)
        row_of_band.append(row_of_band[-1] + 1)
        row_cols = set(cols)
        row_bottom = _lower({}, row_bands[k], by_item, box)
    return row_of_band, ys, y_rule, h_index


def _item_columns(band: np.ndarray, by_item: dict[int, list[tuple[int, int]]]
                  ) -> list[tuple[int, int]]:
    """``(item, column)`` for every column each item of ``band`` covers."""
    return [(int(i), c) for i in band for lo, hi in by_item.get(int(i), ()) for c in range(lo, hi + 1)]


def _lower(bottom: dict[int, float], band: np.ndarray, by_item: dict[int, list[tuple[int, int]]],
           box: np.ndarray) -> dict[int, float]:
    """``bottom`` (column -> lowest item bottom of the row) with ``band`` added."""
    for i, c in _item_columns(band, by_item):
        bottom[c] = max(bottom.get(c, -np.inf), float(box[i, 3]))
    return bottom


def _spans_by_item(item_cols: dict[Key, tuple[int, int]]) -> dict[int, list[tuple[int, int]]]:
    """Item -> the column spans of its pieces (an item cut at rules has several)."""
    by_item: dict[int, list[tuple[int, int]]] = {}
    for key, span in item_cols.items():
        by_item.setdefault(_item(key), []).append(span)
    return by_item


def _band_columns(row_bands: list[np.ndarray], by_item: dict[int, list[tuple[int, int]]],
                  first: bool = False) -> list[set[int]]:
    """The columns each band's items cover, or (``first``) those its items start in: a
    wrapped line of a wide spanning cell covers many columns but fills one cell."""
    if first:
        return [{lo for i in b for lo, _ in by_item.get(int(i), ())} for b in row_bands]
    return [{c for _, c in _item_columns(b, by_item)} for b in row_bands]


def _cells(row_bands: list[np.ndarray], row_of_band: list[int],
           pieces: dict[Key, tuple[np.ndarray, str]],
           item_cols: dict[Key, tuple[int, int]], box: np.ndarray,
           row_edges: np.ndarray, col_edges: np.ndarray, x_rule: list[bool], v_index: list[int],
           vlines: _Lines, y_rule: list[bool], h_index: list[int], hlines: _Lines) -> list[Cell]:
    """The grid's cells: base cells merged where no boundary separates them (step 5)."""
    n_rows, n_cols = len(row_edges) - 1, len(col_edges) - 1
    parent = np.arange(n_rows * n_cols)

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    band_of: dict[int, int] = {}
    for k, b in enumerate(row_bands):
        for i in b:
            band_of[int(i)] = k
    placed: dict[int, list[Key]] = {}
    for key, (lo, hi) in item_cols.items():
        row = row_of_band[band_of[_item(key)]]
        b = pieces[key][0]
        if any(x_rule[c] for c in range(lo, hi)):  # never across a drawn rule
            centre = (b[0] + b[2]) / 2
            lo = hi = min(max(int(np.searchsorted(col_edges, centre)) - 1, 0), n_cols - 1)
        for c in range(lo, hi):
            union(row * n_cols + c, row * n_cols + c + 1)
        placed.setdefault(row * n_cols + lo, []).append(key)
    # Drawn boundaries with a missing piece merge their two cells.
    for c, (ruled, k) in enumerate(zip(x_rule, v_index)):
        if not ruled:
            continue
        for r in range(n_rows):
            if not vlines.covers(k, row_edges[r], row_edges[r + 1]):
                union(r * n_cols + c, r * n_cols + c + 1)
    for r, (ruled, k) in enumerate(zip(y_rule, h_index)):
        if not ruled:
            continue
        for c in range(n_cols):
            if not hlines.covers(k, col_edges[c], col_edges[c + 1]):
                union(r * n_cols + c, (r + 1) * n_cols + c)
    _close_rectangles(find, union, n_rows, n_cols)
    roots = np.array([find(i) for i in range(n_rows * n_cols)])
    items_of: dict[int, list[Key]] = {}
    for base, keys in placed.items():
        items_of.setdefault(int(roots[base]), []).extend(keys)
    cells = []
    seen: set[int] = set()
    for base in range(n_rows * n_cols):
        root = int(roots[base])
        if root in seen:
            continue
        seen.add(root)
        r0, c0 = divmod(base, n_cols)
        r1, c1 = r0, c0
        while c1 + 1 < n_cols and roots[r0 * n_cols + c1 + 1] == root:
            c1 += 1
        while r1 + 1 < n_rows and roots[(r1 + 1) * n_cols + c0] == root:
            r1 += 1
        keys = items_of.get(root, [])
        lines = _cell_lines(keys, pieces)
        cells.append(Cell(r0, c0, r1 - r0 + 1, c1 - c0 + 1,
                          tuple(np.array([_item(k) for k in line], dtype=np.int64)
                                for line in lines),
                          (float(col_edges[c0]), float(row_edges[r0]), float(col_edges[c1 + 1]),
                           float(row_edges[r1 + 1])),
                          tuple(tuple(pieces[k][1] for k in line) for line in lines)))
    return cells


def _close_rectangles(find, union, n_rows: int, n_cols: int) -> None:
    """Merge until every group of base cells is a rectangle (each pass fills the groups'
    bounding boxes; a pass that changes nothing ends it)."""
    while True:
        bounds: dict[int, list[int]] = {}
        for base in range(n_rows * n_cols):
            r, c = divmod(base, n_cols)
            b = bounds.setdefault(find(base), [r, c, r, c])
            b[0], b[1], b[2], b[3] = min(b[0], r), min(b[1], c), max(b[2], r), max(b[3], c)
        changed = False
        for root, (r0, c0, r1, c1) in bounds.items():
            if r0 == r1 and c0 == c1:
                continue
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if find(r * n_cols + c) != find(root):
                        union(r * n_cols + c, root)
                        changed = True
        if not changed:
            return


def _cell_lines(keys: list[Key], pieces: dict[Key, tuple[np.ndarray, str]]) -> list[list[Key]]:
    """A cell's items as text lines, top to bottom, each left to right."""
    if not keys:
        return []
    ordered = sorted(keys, key=lambda k: pieces[k][0][1])
    lines: list[list[Key]] = []
    bottom = -np.inf
    for k in ordered:
        b = pieces[k][0]
        if lines and b[1] < bottom - 0.5 * (b[3] - b[1]):
            lines[-1].append(k)
            bottom = max(bottom, b[3])
        else:
            lines.append([k])
            bottom = b[3]
    return [sorted(line, key=lambda k: pieces[k][0][0]) for line in lines]


def lone_glyphs(texts: Sequence[str]) -> np.ndarray:
    """Which items are a single wide (CJK) character on a page whose longer texts hold
    none: an icon or a flag the engine read as a character (a flag as ``大``, an edit
    button as ``勿``), no cell of a table.

    Examples
    --------
    >>> lone_glyphs(["Chine", "大", "1 448 949 124"]).tolist()
    [False, True, False]
    >>> lone_glyphs(["姓名", "男", "Duke"]).tolist()
    [False, False, False]
    """
    wide = np.array([any(unicodedata.east_asian_width(c) == "W" for c in t) for t in texts],
                    dtype=bool)
    single = np.array([len(t.strip()) == 1 for t in texts], dtype=bool)
    if (wide & ~single).any():
        return np.zeros(len(texts), dtype=bool)
    return wide & single


def is_number(text: str | None) -> bool:
    """True for a number as tables print it: ``1,234.5``, ``-3``, ``(12)``, ``45%``, ``¥8``.

    Examples
    --------
    >>> is_number("1,234.50"), is_number("(12)"), is_number("12%"), is_number("tea")
    (True, True, True, False)
    """
    return bool(text) and bool(_NUMBER.match(text))


def is_amount(text: str) -> bool:
    """True for a number that is a measured amount, not a label, a year or a date: one with a
    decimal or thousands separator between digits, a ``%`` or a currency sign.

    Examples
    --------
    >>> is_amount("4,077,010.89"), is_amount("12%"), is_amount("2023"), is_amount("1.1")
    (True, True, False, True)
    >>> is_amount("2022.12.31"), is_amount("2022.12")  # periods in Chinese statements' headers
    (False, False)
    """
    return is_number(text) and bool(_AMOUNT.search(text)) and not _DATE.match(text)


def _header_rows(cells: list[Cell], n_rows: int, y_rule: list[bool]) -> int:
    """How many top rows are the header (step 6)."""
    if n_rows < 2:
        return 0
    # A row holding an amount (a decimal or thousands separator, a %, a currency sign) is
    # data, and so is a row where a row label spanning several rows starts (a timetable's
    # "morning" over its first four lessons): the header ends above it, whatever the rules
    # and spans say.
    first_data = min((c.row for c in cells if c.row < MAX_HEADER_ROWS and (
        any(is_amount(w) for line in c.words for w in line)
        or (c.col == 0 and c.row >= 1 and c.row_span > 1))), default=n_rows)
    drawn = [r for r, ruled in enumerate(y_rule) if ruled]
    if drawn and len(drawn) < len(y_rule) and drawn[0] < MAX_HEADER_ROWS:
        return min(drawn[0] + 1, first_data)
    # A spanning cell groups the columns below it, unless the row below spans the same
    # columns too (a name over an avatar's column and its own in every row is no group).
    spans = {(c.row, c.col, c.col_span) for c in cells if c.col_span > 1}
    spanning = {row for row, col, span in spans
                if row < MAX_HEADER_ROWS - 1 and (row + 1, col, span) not in spans}
    top = 0
    while top in spanning:
        top += 1
    if top:
        return min(top + 1, n_rows - 1, first_data)
    first = [c for c in cells if c.row == 0 and c.lines]
    words = [w for c in first for line in c.words for w in line]
    if first and not any(is_number(w) for w in words):
        return 1
    return 0
