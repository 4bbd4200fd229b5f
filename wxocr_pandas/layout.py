"""Reading order of one page: a recursive XY-cut over text boxes, with optional layout regions.

Pure functions over numpy arrays of axis-aligned boxes ``(x0, y0, x1, y1)`` (the text items
of one page, deskewed); no pandas, no image. :mod:`wxocr_pandas.text` builds lines, page text
and blocks on top of :func:`read_page`.

The method
----------
The XY-cut idea (Nagy and Seth, 1984) cuts a page recursively along the white gaps of its
projections. Applied naively it reads a page with aligned columns row by row, or reads a
column straight through a full-width figure. This implementation follows the ideas of
XY-Cut++ (Liu et al., 2025): spanning elements are separators, and a cut is only made where
the layout really is in columns. Let ``h`` be the page's text height (the median of
the items' heights weighted by their widths).

1. **Header and footer.** A top (bottom) strip of text no taller than body text, within the
   top (bottom) :data:`MARGIN_BAND` of the page and at least :data:`MARGIN_GAP` ``h`` away from
   the rest, is read first (last). Small text at the foot of the body (the last strips, within
   :data:`FOOTNOTE_BAND` of the bottom) is read as footnotes, just before the footer.
2. **Strips.** The items of a region are sorted by top edge and swept once: an item that
   overlaps the strip above by more than a quarter of ``h`` joins it. Items of side-by-side
   columns fall in the same strips.
3. **Bands.** Each strip leaves some x-intervals free (gaps at least ``h`` wide, margins
   included). Consecutive strips form a band while the intersection of their free intervals
   still holds a gap ``h`` wide: a column gutter. A strip that crosses it (a spanning title,
   a centred caption, a full-width paragraph line), a vertical gap of :data:`SECTION_GAP`
   ``h`` with no text at all (a spanning figure), or a layout region that crosses it, starts a
   new band. Bands are read top to bottom.
4. **Columns.** A band of two strips or more is cut at its gutters into columns when every
   column is at least :data:`MIN_COLUMN_WIDTH` ``h`` wide and holds two strips or more (a
   receipt's narrow name/quantity/amount cells stay rows). Columns are read left to right,
   each cut again from step 2, so columns inside columns and side notes work too. A band
   that cannot be cut is read strip by strip: each strip is a line, items left to right.
5. **Blocks.** The lines of a column (or of an uncut band) split into blocks where the gap
   to the next line is wider than :data:`PARAGRAPH_GAP` times the usual leading, or the text
   height changes. A block's kind comes from the layout region that covers it when regions
   are given (:mod:`wxocr_pandas.layout_model`), else from geometry: ``header``/``footer``
   (step 1), ``title`` (at least :data:`TITLE_HEIGHT` ``h`` tall, three lines at most),
   ``note`` (small text, narrower than most body blocks, in an outer column), ``footnote`` (small text below the last
   body text), ``caption`` (other small text, a few lines), else ``text``.

Every step is a sort and linear sweeps: the whole page costs ``O(n log n)`` per nesting level
of columns, not a search over runs of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: A column is at least this many text heights wide.
MIN_COLUMN_WIDTH = 4.0
#: A vertical gap with no text, in text heights, that ends a band.
SECTION_GAP = 2.5
#: The gap, in text heights, that sets a header or footer apart from the body.
MARGIN_GAP = 1.2
#: Headers (footers) lie within this fraction of the page height from its top (bottom).
MARGIN_BAND = 0.1
#: Footnotes (small text ending the body) lie within this fraction of the page's height from
#: its bottom.
FOOTNOTE_BAND = 0.25
#: A gap between lines wider than this times the usual leading starts a new block.
PARAGRAPH_GAP = 1.5
#: Text this many times the median height, in a block of three lines at most, is a title.
TITLE_HEIGHT = 1.25
#: Text at most this many times the median height is small (notes, captions, footnotes).
SMALL_HEIGHT = 0.88

#: Kinds of blocks, in no particular order.
KINDS: tuple[str, ...] = ("header", "title", "text", "caption", "figure", "table", "equation",
                          "reference", "note", "footnote", "footer")

#: Region classes of layout models mapped to :data:`KINDS`.
REGION_KINDS: dict[str, str] = {
    "text": "text", "title": "title", "figure": "figure", "figure_caption": "caption",
    "table": "table", "table_caption": "caption", "header": "header", "footer": "footer",
    "reference": "reference", "equation": "equation",
}
#: A figure or table region whose area is covered by text more than this is ignored.
MAX_UNIT_TEXT = 0.15
#: Region kinds that are read as one unit and cut the columns around them.
UNIT_KINDS = frozenset({"figure", "table", "equation"})


@dataclass(frozen=True)
class Block:
    """A block of one page: its kind, its lines (item positions, each line left to right)
    and its box ``(x0, y0, x1, y1)``.

    A ``figure`` or ``table`` found by a layout model may have no line.
    """

    kind: str
    lines: tuple[np.ndarray, ...]
    box: tuple[float, float, float, float]
    region: int = -1

    @property
    def items(self) -> np.ndarray:
        """All item positions of the block, in reading order."""
        return np.concatenate(self.lines) if self.lines else np.empty(0, dtype=np.int64)


@dataclass
class _Page:
    """What every step needs: the boxes (items then region units), heights and the output."""

    box: np.ndarray
    n_items: int
    height: float
    size: np.ndarray
    text_size: float = field(init=False)
    x0: list[float] = field(init=False)
    x1: list[float] = field(init=False)
    y0: list[float] = field(init=False)
    y1: list[float] = field(init=False)
    leaves: list[tuple[list[np.ndarray], str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The per-strip sweeps run in plain Python over a few items: lists beat numpy there.
        self.x0, self.y0, self.x1, self.y1 = (self.box[:, k].tolist() for k in range(4))
        items = slice(0, self.n_items)
        self.text_size = max(_text_height(self.box[items], self.size[items]), 1e-9)


def read_page(box: np.ndarray, page_box: Sequence[float] | None = None,
              regions: np.ndarray | None = None, region_kinds: Sequence[str] = (),
              sizes: np.ndarray | None = None) -> list[Block]:
    """The blocks of one page in reading order.

    Parameters
    ----------
    box
        ``(n, 4)`` boxes ``(x0, y0, x1, y1)`` of the page's text items, deskewed.
    page_box
        ``(x0, y0, x1, y1)`` of the page in the boxes' coordinates; the items' extent when
        None. Headers and footers are only found within :data:`MARGIN_BAND` of its top and
        bottom.
    regions, region_kinds
        Optional layout regions (``(m, 4)`` boxes) and their kinds (keys of
        :data:`REGION_KINDS`): figures and tables are read as units and cut the columns
        around them, and every block takes the kind of the region that covers it.
    sizes
        The items' font sizes, if known better than by their boxes' heights (engines draw
        the box of a short item taller than its text; :mod:`wxocr_pandas.text` estimates the
        size from the width per character). Sizes tell titles, notes and footnotes apart.

    Returns
    -------
    list of Block
        Every item is in exactly one line of one block.

    Examples
    --------
    Two columns under a spanning title: the left column is read before the right one.

    >>> import numpy as np
    >>> title = [[100, 0, 500, 40]]
    >>> left = [[0, 60 + 30 * k, 280, 80 + 30 * k] for k in range(3)]
    >>> right = [[320, 60 + 30 * k, 600, 80 + 30 * k] for k in range(3)]
    >>> blocks = read_page(np.array(title + left + right, dtype=float))
    >>> [(b.kind, [int(line[0]) for line in b.lines]) for b in blocks]
    [('title', [0]), ('text', [1, 2, 3]), ('text', [4, 5, 6])]
    """
    box = np.asarray(box, dtype=np.float64).reshape(-1, 4)
    n = len(box)
    kinds = [REGION_KINDS.get(str(k), "text") for k in region_kinds]
    regions = np.empty((0, 4)) if regions is None else np.asarray(regions, float).reshape(-1, 4)
    if n == 0 and not len(regions):
        return []
    sizes = box[:, 3] - box[:, 1] if sizes is None else np.asarray(sizes, dtype=np.float64)
    # Engines pad boxes (short items most), and a width per character overstates the size of
    # spaced-out text: the smaller of the two estimates is the text height.
    height = max(min(_text_height(box, box[:, 3] - box[:, 1]), _text_height(box, sizes)), 1.0)
    units, owner = _units(box, regions, kinds)
    keep = np.array([k for k, kind in enumerate(kinds) if kind not in UNIT_KINDS or k in units],
                    dtype=np.int64)  # the regions dropped as units label nothing either
    units = np.searchsorted(keep, units)
    regions, kinds = regions[keep], [kinds[k] for k in keep]
    unit_box = regions[units]
    page = _Page(np.vstack([box, unit_box]), n, height,
                 np.r_[sizes, unit_box[:, 3] - unit_box[:, 1]])
    free = np.flatnonzero(owner < 0)
    if page_box is None:
        extent = np.vstack([box, regions]) if len(regions) else box
        page_box = (*extent[:, :2].min(0), *extent[:, 2:].max(0))
    page_box = tuple(map(float, page_box))
    head, body, notes, foot = _margins(free, page, page_box)
    pseudo = np.arange(n, n + len(units))
    if head:
        page.leaves.append((head, "header"))
    _cut(np.concatenate([body, pseudo]), page)
    for strips, kind in ((notes, "footnote"), (foot, "footer")):
        if strips:
            page.leaves.append((strips, kind))
    return _blocks(page, owner, units, regions, kinds, page_box)


def _units(box: np.ndarray, regions: np.ndarray,
           kinds: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Regions read as units (figures, tables, equations) and, per item, the unit it lies in
    (-1 for none): an item belongs to the unit that holds at least half of its area.

    A figure or table whose area is covered by text more than :data:`MAX_UNIT_TEXT` is no
    unit: on the rendered pages the model calls whole blocks of English columns "figure" or
    "table", and reading those as one unit would undo the columns.
    """
    units = np.array([k for k, kind in enumerate(kinds) if kind in UNIT_KINDS], dtype=np.int64)
    overlap = _overlap_area(box, regions[units])
    units = units[overlap.sum(0) <= MAX_UNIT_TEXT * np.maximum(_area(regions[units]), 1e-9)]
    if not len(units) or not len(box):
        return units, np.full(len(box), -1, dtype=np.int64)
    inside = _overlap_area(box, regions[units]) / np.maximum(_area(box), 1e-9)[:, None]
    best = inside.argmax(1)
    return units, np.where(inside[np.arange(len(box)), best] >= 0.5, best, -1)


def _area(box: np.ndarray) -> np.ndarray:
    return np.clip(box[:, 2] - box[:, 0], 0, None) * np.clip(box[:, 3] - box[:, 1], 0, None)


def _overlap_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection areas of every box of ``a`` with every box of ``b``: ``(len(a), len(b))``."""
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def _margins(idx: np.ndarray, page: _Page, page_box: tuple[float, ...]) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray],
                                     list[np.ndarray]]:
    """Split ``idx`` into the header strip, the body, the footnote strips and the footer
    strip (each list holds one strip or none, footnotes any number)."""
    box, height = page.box, page.height
    strips = _strips(idx, box, height)
    if len(strips) < 3:
        return [], idx, [], []
    tops = np.array([box[s, 1].min() for s in strips])
    bottoms = np.array([box[s, 3].max() for s in strips])
    gap, band = MARGIN_GAP * height, MARGIN_BAND * (page_box[3] - page_box[1])
    head = int(_tall([strips[0]], page) <= 1.2 * page.text_size and bottoms[0] <= page_box[1] + band
               and tops[1] - bottoms[0] >= gap)
    end = len(strips) - int(tops[-1] >= page_box[3] - band
                            and tops[-1] - bottoms[-2] >= gap)
    notes = end  # small text at the foot of the body: footnotes
    while (notes - 1 > head + 1
           and _tall([strips[notes - 1]], page) <= SMALL_HEIGHT * page.text_size
           and tops[notes - 1] >= page_box[3] - FOOTNOTE_BAND * (page_box[3] - page_box[1])):
        notes -= 1
    return (strips[:head], np.concatenate(strips[head:notes]), strips[notes:end],
            strips[end:])


def _strips(idx: np.ndarray, box: np.ndarray, height: float) -> list[np.ndarray]:
    """Group ``idx`` into horizontal strips, top to bottom, each sorted left to right.

    One sweep over the items sorted by top edge: an item whose top is above the strip's
    bottom by more than a quarter text height joins it.
    """
    if not len(idx):
        return []
    order = idx[np.argsort(box[idx, 1], kind="stable")]
    bottom = np.maximum.accumulate(box[order, 3])
    starts = np.flatnonzero(box[order[1:], 1] >= bottom[:-1] - 0.25 * height) + 1
    return [part[np.argsort(box[part, 0], kind="stable")] for part in np.split(order, starts)]


def _free(strip: np.ndarray, page: _Page, left: float, right: float,
          gap: float) -> list[tuple[float, float]]:
    """The x-intervals of ``[left, right]`` that ``strip`` (sorted left to right) leaves
    free, ``gap`` wide or more, left to right. Plain Python: strips hold a few items."""
    x0, x1 = page.x0, page.x1
    out, reach = [], left
    for i in strip.tolist():
        if x0[i] - reach >= gap:
            out.append((reach, x0[i]))
        reach = max(reach, x1[i])
    if right - reach >= gap:
        out.append((reach, right))
    return out


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]],
               gap: float) -> list[tuple[float, float]]:
    """Pairwise intersections of two interval lists that are ``gap`` wide or more."""
    out = [(max(a0, b0), min(a1, b1)) for a0, a1 in a for b0, b1 in b]
    return sorted(iv for iv in out if iv[1] - iv[0] >= gap)


def _interior(intervals: list[tuple[float, float]], left: float,
              right: float) -> list[tuple[float, float]]:
    """The intervals strictly inside ``(left, right)``."""
    return [iv for iv in intervals if iv[0] > left and iv[1] < right]


def _bands(strips: list[np.ndarray], page: _Page, left: float, right: float
           ) -> list[tuple[list[np.ndarray], np.ndarray]]:
    """Consecutive strips that share a gutter, with the gutters they share (interior free
    intervals: text lies on both sides of each within the band), as ``(k, 2)`` arrays.

    A band starts at a strip with a gap inside it (text on both sides) or flush with one side
    (a line of one column), not at a centred one (a title). It ends before a strip that
    leaves no common gap free between text (margins do not hold a band), that has text
    standing inside a common gap (a centred title under a running header), or that lies
    :data:`SECTION_GAP` ``h`` below the band. A band that started flush with one side gives
    that strip up when its text crosses the middle of a gutter of the rest (the short last
    line of a full-width paragraph above three columns). A strip that starts nothing is a
    band of its own (a row).
    """
    x0, x1, y0, y1, height = page.x0, page.x1, page.y0, page.y1, page.height
    bands: list[tuple[list[np.ndarray], list[tuple[float, float]]]] = []
    current: list[np.ndarray] = []
    common: list[tuple[float, float]] = []
    rest: list[tuple[float, float]] = []
    bottom = -np.inf

    def close() -> None:
        gutters = _interior(rest, left, right) if len(current) > 1 else []
        first = current[0].tolist()
        crosses = any(x0[i] < (g0 + g1) / 2 < x1[i] for i in first for g0, g1 in gutters)
        if crosses:
            bands.append(([current[0]], []))
            bands.append((current[1:], rest))
        else:
            bands.append((current, common))

    for strip in strips:
        free = _free(strip, page, left, right, height)
        items = strip.tolist()
        if current:
            joined = _intersect(common, free, height)
            inside = any(x0[i] >= c0 + height and x1[i] <= c1 - height
                         for i in items for c0, c1 in common)
            near = min(y0[i] for i in items) - bottom < SECTION_GAP * height
            if _interior(joined, left, right) and not inside and near:
                rest = _intersect(rest, free, height) if len(current) > 1 else free
                current.append(strip)
                common, bottom = joined, max(bottom, max(y1[i] for i in items))
                continue
            close()
            current = []
        if _interior(free, left, right) or len(free) == 1:  # a gap, or flush to one side
            current, common, bottom = [strip], free, max(y1[i] for i in items)
        else:
            bands.append(([strip], []))
    if current:
        close()
    return [(band, np.array(_interior(gutters, left, right), dtype=np.float64).reshape(-1, 2))
            for band, gutters in bands]


def _columns(band: list[np.ndarray], gutters: np.ndarray, box: np.ndarray,
             height: float) -> list[np.ndarray] | None:
    """Cut ``band`` at its ``gutters`` into columns of text, or None if it is not in columns.

    Gutters next to a column that is too narrow or has a single strip are dropped, narrowest
    first, until every column qualifies.
    """
    if not len(gutters):
        return None
    idx = np.concatenate(band)
    gutters = list(map(tuple, gutters))
    while gutters:
        cuts = np.array([g[0] for g in gutters])
        side = np.searchsorted(cuts, box[idx, 2], side="left")
        pieces = [idx[side == k] for k in range(len(gutters) + 1)]
        bad = [k for k, piece in enumerate(pieces) if not _is_column(piece, box, height)]
        if not bad:
            return pieces
        around = {max(k - 1, 0) for k in bad} | {min(k, len(gutters) - 1) for k in bad}
        narrowest = min(around, key=lambda k: gutters[k][1] - gutters[k][0])
        del gutters[narrowest]
    return None


def _is_column(piece: np.ndarray, box: np.ndarray, height: float) -> bool:
    """Text of a column: :data:`MIN_COLUMN_WIDTH` heights wide, in two strips or more."""
    if not len(piece) or box[piece, 2].max() - box[piece, 0].min() < MIN_COLUMN_WIDTH * height:
        return False
    return len(_strips(piece, box, height)) >= 2


def _cut(idx: np.ndarray, page: _Page) -> None:
    """Append the leaves of ``idx`` (lists of strips in reading order) to ``page.leaves``."""
    if not len(idx):
        return
    box, height = page.box, page.height
    left, right = box[idx, 0].min(), box[idx, 2].max()
    strips = _strips(idx, box, height)
    rows: list[np.ndarray] = []  # consecutive bands not in columns: one leaf
    for band, gutters in _bands(strips, page, left, right):
        columns = _columns(band, gutters, box, height)
        if columns is None:
            rows += band
            continue
        if rows:
            page.leaves.append((rows, "band"))
            rows = []
        for column in columns:  # each a strict part of idx: the recursion ends
            _cut(column, page)
    if rows:
        page.leaves.append((rows, "band"))


def _blocks(page: _Page, owner: np.ndarray, units: np.ndarray, regions: np.ndarray,
            kinds: list[str], page_box: tuple[float, ...]) -> list[Block]:
    """Split the leaves into blocks, expand region units into their items, and name kinds."""
    box, n, height = page.box, page.n_items, page.height
    leading = _leading(page)
    raw: list[tuple[list[np.ndarray], str, int]] = []  # lines, where from, region unit or -1
    for strips, origin in page.leaves:
        current: list[np.ndarray] = []
        for strip in strips:
            text, pseudo = strip[strip < n], strip[strip >= n]
            if len(pseudo):
                if current:
                    raw.append((current, origin, -1))
                    current = []
                for unit in pseudo - n:
                    inner = np.flatnonzero(owner == unit)
                    raw.append((_unit_lines(inner, box, height), origin, int(unit)))
            if not len(text):
                continue
            if current and _breaks(current[-1], text, page, leading):
                raw.append((current, origin, -1))
                current = []
            current.append(text)
        if current:
            raw.append((current, origin, -1))
    last_body = max((box[np.concatenate(lines), 3].max() for lines, origin, unit in raw
                     if origin == "band" and unit < 0 and _tall(lines, page) > SMALL_HEIGHT * page.text_size
                     and len(lines) >= 2), default=np.inf)
    widths = [box[np.concatenate(lines), 2].max() - box[np.concatenate(lines), 0].min()
              for lines, origin, unit in raw
              if origin == "band" and unit < 0 and _tall(lines, page) > SMALL_HEIGHT * page.text_size]
    typical = float(np.median(widths)) if widths else 0.0
    blocks = []
    for lines, origin, unit in raw:
        if unit >= 0:
            region = int(units[unit])
            x0, y0, x1, y1 = regions[region]
            if lines:
                inner = box[np.concatenate(lines)]
                x0, y0 = min(x0, inner[:, 0].min()), min(y0, inner[:, 1].min())
                x1, y1 = max(x1, inner[:, 2].max()), max(y1, inner[:, 3].max())
            blocks.append(Block(kinds[region], tuple(lines), (x0, y0, x1, y1), region))
            continue
        idx = np.concatenate(lines)
        extent = (box[idx, 0].min(), box[idx, 1].min(), box[idx, 2].max(), box[idx, 3].max())
        kind = _geometric_kind(lines, origin, extent, page, last_body, typical, page_box)
        region = _covering(extent, regions)
        if region >= 0 and kinds[region] != "text":  # the model knows no notes or footnotes
            kind = kinds[region]
        blocks.append(Block(kind, tuple(lines), tuple(map(float, extent)), region))
    return blocks


def _unit_lines(inner: np.ndarray, box: np.ndarray, height: float) -> list[np.ndarray]:
    """The lines of the items inside a figure or table, top to bottom."""
    return _strips(inner, box, height)


def _leading(page: _Page) -> float:
    """The usual gap between consecutive lines of a leaf (median), at least a fifth of ``h``."""
    gaps = [page.box[b, 1].min() - page.box[a, 3].max()
            for strips, _ in page.leaves for a, b in zip(strips, strips[1:])]
    positive = [g for g in gaps if g > 0]
    return max(float(np.median(positive)) if positive else page.height, 0.2 * page.height)


def _breaks(above: np.ndarray, below: np.ndarray, page: _Page, leading: float) -> bool:
    """True where a new block starts between two consecutive lines of a leaf."""
    box = page.box
    gap = box[below, 1].min() - box[above, 3].max()
    if gap > PARAGRAPH_GAP * leading:
        return True
    tall = [_tall([line], page) for line in (above, below)]
    long = all(box[line, 2].max() - box[line, 0].min() >= MIN_COLUMN_WIDTH * max(tall)
               for line in (above, below))  # a short line's box is too tall to judge by
    return long and max(tall) > 1.2 * min(tall)


def _tall(lines: list[np.ndarray], page: _Page) -> float:
    """Text height of ``lines`` (see :func:`_text_height`)."""
    if len(lines) == 1 and len(lines[0]) == 1:  # the usual line: one item
        return float(page.size[lines[0][0]])
    idx = np.concatenate(lines)
    return _text_height(page.box[idx], page.size[idx])


def _text_height(box: np.ndarray, heights: np.ndarray) -> float:
    """The size of most of the text: the median of the items' ``heights`` weighted by their
    widths, so long lines decide."""
    if not len(box):
        return 0.0
    order = np.argsort(heights)
    weight = np.cumsum(np.clip(box[order, 2] - box[order, 0], 1e-9, None))
    return float(heights[order][np.searchsorted(weight, weight[-1] / 2)])


def _covering(extent: tuple[float, ...], regions: np.ndarray) -> int:
    """The region covering at least half of ``extent`` (the most), or -1."""
    if not len(regions):
        return -1
    area = _overlap_area(np.array([extent]), regions)[0]
    share = area / max(_area(np.array([extent]))[0], 1e-9)
    best = int(share.argmax())
    return best if share[best] >= 0.5 else -1


def _geometric_kind(lines: list[np.ndarray], origin: str, extent: tuple[float, ...],
                    page: _Page, last_body: float, typical: float,
                    page_box: tuple[float, ...]) -> str:
    """A block's kind from its place and size alone (see the module docstring)."""
    if origin in ("header", "footnote", "footer"):
        return origin
    tall, height = _tall(lines, page), page.text_size
    if tall >= TITLE_HEIGHT * height and len(lines) <= 3:
        return "title"
    if tall > SMALL_HEIGHT * height:
        return "text"
    x0, y0, x1, _ = extent
    if y0 > last_body:
        return "footnote"
    narrow = x1 - x0 < 0.6 * typical  # narrower than most body text blocks
    width = page_box[2] - page_box[0]
    outer = x0 > page_box[0] + 0.6 * width or x1 < page_box[0] + 0.4 * width
    if narrow and outer:
        return "note"
    return "caption" if len(lines) <= 3 else "text"
