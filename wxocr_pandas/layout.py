"""Reading order of one page: a recursive XY-cut over text boxes, with optional layout regions.

Pure functions over numpy arrays of axis-aligned boxes ``(x0, y0, x1, y1)`` (the text items
of one page in its own frame: deskewed, vertical columns turned into lines, each item's box its
text core, see :mod:`wxocr_pandas.orientation`); no pandas, no image.
:mod:`wxocr_pandas.text` builds lines, page text and blocks on top of :func:`read_page`.

The method
----------
The XY-cut idea (Nagy and Seth, 1984) cuts a page recursively along the white gaps of its
projections. Applied naively it reads a page with aligned columns row by row, or reads a
column straight through a full-width figure. This implementation follows the ideas of
XY-Cut++ (Liu et al., 2025): spanning elements are separators, and a cut is only made where
the layout really is in columns. Let ``h`` be the page's text height (the median of
the items' heights weighted by their widths).

0. **Units.** Figures, tables and equations of a layout model, and groups of text written
   across the page (a horizontal title over vertical columns, a vertical note beside
   horizontal text), each take part as one box (:mod:`wxocr_pandas.layout_units`). A table
   or figure is read row by row inside; a group across the page is read on its own, turned.
1. **Header and footer.** A top (bottom) strip of text no taller than body text, within the
   top (bottom) :data:`MARGIN_BAND` of the page and at least :data:`MARGIN_GAP` ``h`` away from
   the rest, is read first (last). Small text at the foot of the body (the last strips, within
   :data:`FOOTNOTE_BAND` of the bottom) is read as footnotes, just before the footer.
2. **Columns through the whole region.** Where a gutter at least :data:`GUTTER` ``h`` wide runs
   from the top of a region to its bottom, the region is cut there first, into columns read
   left to right (each cut again), when every column qualifies (step 5).
3. **Strips.** The items of a region are sorted by top edge and swept once: an item joins the
   strip above when it overlaps it by :data:`SAME_LINE` of its height (items of one printed line
   overlap almost fully; lines set close, or boxes padded by the engine, overlap less). A tall
   item (a badge, a unit) joins by its top :data:`TALL_STRIP` ``h`` only, so it does not pull
   the strips beside it into one. Items of side-by-side columns fall in the same strips.
4. **Bands.** Each strip leaves some x-intervals free (gaps at least :data:`GUTTER` ``h`` wide,
   margins included; an item's box counts without its outer :data:`TRIM` so that a box the
   engine drew a little too wide does not close a gutter). Consecutive strips form a band while
   the intersection of their free intervals still holds such a gap: a column gutter. A strip
   that crosses it (a spanning title, a centred caption, a full-width paragraph line), a
   vertical gap of :data:`SECTION_GAP` ``h`` with no text at all (a spanning figure), or a unit
   that crosses it, starts a new band. Bands are read top to bottom.
5. **Columns.** A band of two strips or more is cut at its gutters into columns when every
   column is a unit, or is at least :data:`MIN_COLUMN_WIDTH` ``h`` wide and holds two strips or
   more (a receipt's narrow name/quantity/amount cells stay rows); a column narrower than
   :data:`NARROW` ``h`` must also hold :data:`NARROW_LINES` lines, half of them filling it (the
   cells of a table column and the halves of a centred two-part title do not). Columns are
   read left to right, each cut again from step 2, so columns inside columns and side notes
   work too. A band that cannot be cut is read strip by strip: each strip is a line, items
   left to right.
6. **Blocks.** The lines of a column (or of an uncut band) split into blocks where the gap
   to the next line is wider than :data:`PARAGRAPH_GAP` times the usual leading, or the text
   height changes. A block's kind comes from the layout region that covers it when regions
   are given (:mod:`wxocr_pandas.layout_model`), else from geometry: ``header``/``footer``
   (step 1), ``title`` (at least :data:`TITLE_HEIGHT` ``h`` tall, three lines at most),
   ``note`` (small text, narrower than most body blocks, in an outer column), ``footnote``
   (small text below the last body text), ``caption`` (other small text, a few lines), else
   ``text``.
7. **Footnotes of a column.** Small text at the bottom of a column, after which reading goes
   up to the body text of the next column, is read after the body, before the footer.

Every step is a sort and linear sweeps: the whole page costs ``O(n log n)`` per nesting level
of columns, not a search over runs of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .layout_articles import continued, groups_apart, headed_by, headlines, spans_overlap
from .layout_rules import CELL_ITEMS, boxed, rule_cells, separators
from .layout_units import (UNIT_KINDS, Unit, across_groups, area, enclosing, overlap_area,
                           region_units, turned)
from .tables.grid import find_tables

#: A column is at least this many text heights wide.
MIN_COLUMN_WIDTH = 4.0
#: A column narrower than this many text heights is text only when it holds
#: :data:`NARROW_LINES` lines or more and at least :data:`NARROW_FILL` of them fill
#: :data:`FULL_LINE` of its width: the cells of a table column or the halves of a centred
#: two-part title do not.
NARROW = 15.0
#: See :data:`NARROW`.
NARROW_LINES = 3
#: See :data:`NARROW`.
NARROW_FILL = 0.5
#: See :data:`NARROW`.
FULL_LINE = 0.75
#: A column gutter is at least this many text heights wide (it must hold through the strips
#: of a band, or through a whole region).
GUTTER = 0.25
#: An item's box counts without this fraction of its width at each end (at most
#: :data:`TRIM_MAX` ``h``) when looking for gutters.
TRIM = 0.05
#: See :data:`TRIM`.
TRIM_MAX = 0.5
#: An item joins the strip above when it overlaps it by this fraction of its height.
SAME_LINE = 0.7
#: A tall item joins strips by this many text heights from its top.
TALL_STRIP = 1.5
#: A vertical gap with no text, in text heights, that ends a band.
SECTION_GAP = 2.5
#: The gap, in text heights, that sets a header or footer apart from the body.
MARGIN_GAP = 1.2
#: Headers (footers) lie within this fraction of the page height from its top (bottom).
MARGIN_BAND = 0.1
#: Footnotes (small text ending the body) lie within this fraction of the page's height from
#: its bottom.
FOOTNOTE_BAND = 0.25
#: A line this many times longer than tall is long enough to judge its text height by.
LONG_LINE = 4.0
#: A gap between lines wider than this times the usual leading starts a new block.
PARAGRAPH_GAP = 1.5
#: Text this many times the median height, in a block of three lines at most, is a title.
TITLE_HEIGHT = 1.25
#: Text at most this many times the median height is small (notes, captions, footnotes).
SMALL_HEIGHT = 0.88

#: Parts of a page boxed by rules whose top edges lie within this many text heights of each
#: other are level: read left to right (right to left on a page of vertical columns).
CELL_LEVEL = 1.0

#: On a page boxed by rules, a headline (:mod:`wxocr_pandas.layout_articles`) starts an
#: article when it heads at least this many items of body text.
ARTICLE_ITEMS = 5
#: On a page boxed by rules, a part that starts no block of its own (no headline, no large
#: type) is read right after the part above it when its top lies within this many text
#: heights of that part's bottom.
CONTINUE_GAP = 1.0
#: Groups of text in the open cell of a page boxed by rules (the page around the boxes) lie
#: more than this many text heights apart.
GROUP_GAP = 0.5

#: Kinds of blocks, in no particular order.
KINDS: tuple[str, ...] = ("header", "title", "text", "caption", "figure", "table", "equation",
                          "reference", "note", "footnote", "footer")

#: Region classes of layout models mapped to :data:`KINDS`.
REGION_KINDS: dict[str, str] = {
    "text": "text", "title": "title", "figure": "figure", "figure_caption": "caption",
    "table": "table", "table_caption": "caption", "header": "header", "footer": "footer",
    "reference": "reference", "equation": "equation",
}


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
    """What every step needs: the boxes (items then units; item boxes trimmed, see
    :data:`TRIM`), the untrimmed item boxes, heights and the output."""

    box: np.ndarray
    n_items: int
    height: float
    size: np.ndarray
    outer: np.ndarray
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
              sizes: np.ndarray | None = None, turn: np.ndarray | None = None,
              rules: np.ndarray | None = None, vertical: bool = False) -> list[Block]:
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
        :data:`REGION_KINDS`): figures, tables and equations are read as units (row by row
        inside) and cut the columns around them, and every block takes the kind of the region
        that covers it.
    sizes
        The items' font sizes, if known better than by their boxes' heights (engines draw
        the box of a short item taller than its text; :mod:`wxocr_pandas.text` estimates the
        size from the width per character). Sizes tell titles, notes and footnotes apart.
    turn
        Per item, its quarter turn against the page (:class:`wxocr_pandas.orientation.PageFrames`):
        items written across the page (non-zero) are read in groups, each in its own direction.
    rules
        Optional separator rules (``(k, 4)`` boxes, :func:`wxocr_pandas.layout_rules.detect_rules`
        turned like the items). A page they box into several cells of text
        (:func:`~wxocr_pandas.layout_rules.boxed`: articles and adverts) is read part by part:
        the articles its headlines head (:mod:`wxocr_pandas.layout_articles`) and the rest of
        each cell, each part on its own, parts by their top edge on the page (level ones,
        within :data:`CELL_LEVEL` ``h``, left to right, or right to left when ``vertical``),
        a part without a headline right under another after it, a slogan in the page's
        outer margin last.
    vertical
        The page is set in vertical columns and ``box`` is turned a quarter (its top edge on
        the page is the boxes' left, its right side their top).

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
    if n and rules is not None and len(rules):
        extent = np.vstack([box, regions]) if len(regions) else box
        whole = (*extent[:, :2].min(0), *extent[:, 2:].max(0)) if page_box is None else page_box
        walls = separators(box, rules)
        cells, open_ = rule_cells(box, walls, tuple(map(float, whole)), height)
        if boxed(cells):
            return _read_cells(cells, open_, box, page_box, regions, list(region_kinds),
                               sizes, turn, walls, height, vertical)
    units = across_groups(box, np.zeros(n) if turn is None else turn)
    owner = np.full(n, -1, dtype=np.int64)
    for k, unit in enumerate(units):
        owner[unit.items] = k
    found = region_units(box, regions, kinds, height, np.flatnonzero(owner < 0))
    for k, unit in enumerate(found, start=len(units)):
        owner[unit.items] = k
    units += found
    # Figure and table regions that are no unit (text the model took for a figure) name nothing.
    dropped = {k for k, kind in enumerate(kinds) if kind in UNIT_KINDS} - {u.region for u in found}
    kinds = ["" if k in dropped else kind for k, kind in enumerate(kinds)]
    unit_box = np.array([u.box for u in units], dtype=np.float64).reshape(-1, 4)
    trim = np.minimum(TRIM * (box[:, 2] - box[:, 0]), TRIM_MAX * height)
    trimmed = box + np.column_stack([trim, np.zeros(n), -trim, np.zeros(n)])
    page = _Page(np.vstack([trimmed, unit_box]), n, height,
                 np.r_[sizes, unit_box[:, 3] - unit_box[:, 1]], box)
    if page_box is None:
        extent = np.vstack([box, regions]) if len(regions) else box
        page_box = (*extent[:, :2].min(0), *extent[:, 2:].max(0))
    page_box = tuple(map(float, page_box))
    captions = np.zeros(n, dtype=bool)
    for k in (k for k, kind in enumerate(kinds) if kind == "caption"):
        captions |= overlap_area(box, regions[k:k + 1])[:, 0] >= 0.5 * area(box)
    head, body, notes, foot = _margins(np.flatnonzero(owner < 0), page, page_box, captions)
    if head:
        page.leaves.append((head, "header"))
    _cut(np.concatenate([body, np.arange(n, n + len(units))]), page)
    for strips, kind in ((notes, "footnote"), (foot, "footer")):
        if strips:
            page.leaves.append((strips, kind))
    return _blocks(page, units, sizes, regions, kinds, page_box)


def _read_cells(cells: np.ndarray, open_: np.ndarray, box: np.ndarray,
                page_box: Sequence[float] | None, regions: np.ndarray, region_kinds: list[str],
                sizes: np.ndarray, turn: np.ndarray | None, rules: np.ndarray, height: float,
                vertical: bool) -> list[Block]:
    """The blocks of a page boxed by rules: each of its parts (:func:`_parts`) read on its
    own (with the regions lying in it), parts by their top edge on the page, level ones from
    the side lines start on; a part that continues another (:func:`_continues`) right after
    it, and the parts in the page's outer margin (:func:`_in_margin`) last."""
    top, side = (0, 1) if vertical else (1, 0)
    parts = _parts(cells, open_, box, sizes, turn, rules, height, vertical)
    edge = [float(box[part.anchor, top].min()) for part in parts]
    start = [float(box[part.anchor, side].min()) for part in parts]
    follows = _continues(parts, box, top, side, height)
    margin = _in_margin(parts, box, rules, side, height)
    rest = [k for k in range(len(parts)) if follows[k] < 0 and not margin[k]]
    last = sorted((k for k in range(len(parts)) if margin[k]), key=edge.__getitem__)
    queue: list[int] = []
    out: list[Block] = []
    while rest or queue or last:
        if queue:
            part = queue.pop(0)
        elif rest:
            highest = min(edge[k] for k in rest)
            part = min((k for k in rest if edge[k] <= highest + CELL_LEVEL * height),
                       key=start.__getitem__)
            rest.remove(part)
        else:
            part = last.pop(0)
        queue = sorted((k for k in range(len(parts)) if follows[k] == part),
                       key=edge.__getitem__) + queue
        idx = parts[part].items
        extent = np.array([enclosing(box, idx)])
        inside = np.flatnonzero(overlap_area(regions, extent)[:, 0] >= 0.5 * area(regions))
        for block in read_page(box[idx], page_box, regions[inside],
                               [region_kinds[k] for k in inside], sizes[idx],
                               None if turn is None else turn[idx]):
            out.append(Block(block.kind, tuple(idx[line] for line in block.lines), block.box,
                             int(inside[block.region]) if block.region >= 0 else -1))
    return out


@dataclass(frozen=True)
class _Part:
    """A part of a page boxed by rules, read on its own: its items, the items whose top edge
    places it (an article's headline), and whether it starts a block of its own (an article,
    or text in large type such as an advert's) rather than continuing the part above it."""

    items: np.ndarray
    anchor: np.ndarray
    starts: bool


def _parts(cells: np.ndarray, open_: np.ndarray, box: np.ndarray, sizes: np.ndarray,
           turn: np.ndarray | None, rules: np.ndarray, height: float,
           vertical: bool) -> list[_Part]:
    """The parts of a page boxed by rules (cells ``cells``, ``open_`` True for the cell that
    is the page around the boxes).

    Each headline of a cell (:mod:`wxocr_pandas.layout_articles`) that heads
    :data:`ARTICLE_ITEMS` items of body text or more starts an article: the headline, the
    items it heads in its cell and those that continue them into other cells; a cell of one
    article is read whole (placed by its top edge). The rest of a cell is a part of its
    own; in the open cell, each group of text lying apart from the others is.
    """
    across = np.zeros(len(box), dtype=bool) if turn is None else np.asarray(turn) != 0
    lines = ~across if not across.all() else across  # the body: the lines along the page
    body = (_text_height(box[lines], sizes[lines]),
            _text_height(box[lines], box[lines, 3] - box[lines, 1]))
    head = np.full(len(box), -1, dtype=np.int64)
    for c in range(cells.max() + 1):
        idx = np.flatnonzero(cells == c)
        found = headlines(box[idx], sizes[idx], body, across[idx])
        head[idx[found >= 0]] = found[found >= 0] + head.max() + 1
    large = head >= 0
    owner = _heads(cells, box, head, across, rules, height, vertical)
    kept = np.flatnonzero(np.bincount(owner[(owner >= 0) & ~large], minlength=head.max() + 1)
                          >= ARTICLE_ITEMS)
    head = np.where(np.isin(head, kept), np.searchsorted(kept, head), -1)
    owner = _heads(cells, box, head, across, rules, height, vertical)
    parts = []
    for g in range(len(kept)):
        anchor = np.flatnonzero(head == g)
        cell = cells == cells[anchor[0]]
        if len(np.unique(head[cell & (head >= 0)])) == 1:  # the cell's only article
            owner[cell & (owner < 0)] = g
            anchor = np.flatnonzero(owner == g)
        parts.append(_Part(np.flatnonzero(owner == g), anchor, True))
    for c in range(cells.max() + 1):
        idx = np.flatnonzero((cells == c) & (owner < 0))
        if len(idx):
            groups = groups_apart(box[idx], GROUP_GAP * height) if open_[c] else np.zeros(
                len(idx), dtype=np.int64)
            parts += [_Part(idx[groups == g], idx[groups == g], bool(large[idx[groups == g]].any()))
                      for g in range(groups.max() + 1)]
    return parts


def _heads(cells: np.ndarray, box: np.ndarray, head: np.ndarray, across: np.ndarray,
           rules: np.ndarray, height: float, vertical: bool) -> np.ndarray:
    """The headline of each item (-1 for none): one of its own cell's
    (:func:`~wxocr_pandas.layout_articles.headed_by`), else, in a cell that has a headline or
    holds a few items only (a boxed sub-head), the article it continues
    (:func:`~wxocr_pandas.layout_articles.continued`)."""
    groups = head.max() + 1
    if groups <= 0:
        return head.copy()
    own_cell = np.zeros((len(box), groups), dtype=bool)
    for g in range(groups):
        own_cell[cells == cells[head == g][0], g] = True
    owner = headed_by(box, head, height, across, own_cell, rules, vertical)
    small = np.bincount(cells)[cells] < CELL_ITEMS
    return continued(box, owner, (owner < 0) & (np.isin(cells, cells[head >= 0]) | small),
                     height)


def _in_margin(parts: list[_Part], box: np.ndarray, rules: np.ndarray, side: int,
               height: float) -> list[bool]:
    """True for the parts without large type that lie in the page's outer margin, beside
    all its rules (within ``height``): a slogan printed along the edge of a newspaper."""
    if not len(rules):
        return [False] * len(parts)
    low, high = rules[:, side].min() + height, rules[:, side + 2].max() - height
    return [not part.starts and (box[part.items, side].min() >= high
                                 or box[part.items, side + 2].max() <= low) for part in parts]


def _continues(parts: list[_Part], box: np.ndarray, top: int, side: int,
               height: float) -> list[int]:
    """For each part, the part it continues, or -1: a part that starts no block of its own
    continues the part right above it on the page (the lowest one ending within
    :data:`CONTINUE_GAP` ``h`` of its top, beside the same lines:
    :func:`~wxocr_pandas.layout_articles.spans_overlap`): the inner boxes of an
    advert, an article's run-on past a rule. Only a part that starts higher is continued."""
    extent = np.array([enclosing(box, part.items) for part in parts])
    low, high = extent[:, top + 2], extent[:, top]
    beside = spans_overlap(extent, extent, side)
    out = []
    for k, part in enumerate(parts):
        above = [j for j in range(len(parts)) if high[j] < high[k]
                 and -height <= high[k] - low[j] <= CONTINUE_GAP * height and beside[k, j]]
        out.append(-1 if part.starts or not above else max(above, key=low.__getitem__))
    return out


def _margins(idx: np.ndarray, page: _Page, page_box: tuple[float, ...], captions: np.ndarray
             ) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Split ``idx`` into the header strip, the body, the footnote strips and the footer
    strip (each list holds one strip or none, footnotes any number). Items where
    ``captions`` is True lie in a caption region: small text, but no footnote."""
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
    notes = end  # small text at the foot of the body (no caption): footnotes
    while (notes - 1 > head + 1 and not captions[strips[notes - 1]].any()
           and _tall([strips[notes - 1]], page) <= SMALL_HEIGHT * page.text_size
           and tops[notes - 1] >= page_box[3] - FOOTNOTE_BAND * (page_box[3] - page_box[1])):
        notes -= 1
    return (strips[:head], np.concatenate(strips[head:notes]), strips[notes:end],
            strips[end:])


def _strips(idx: np.ndarray, box: np.ndarray, height: float) -> list[np.ndarray]:
    """Group ``idx`` into horizontal strips, top to bottom, each sorted left to right.

    One sweep over the items sorted by top edge: an item whose top is above the strip's
    bottom by :data:`SAME_LINE` of its height (of ``height`` at most) joins it. The strip's
    bottom grows with its items, a tall one's by its top :data:`TALL_STRIP` ``height`` only.
    """
    if not len(idx):
        return []
    order = idx[np.argsort(box[idx, 1], kind="stable")]
    bottom = np.maximum.accumulate(np.minimum(box[order, 3], box[order, 1] + TALL_STRIP * height))
    own = np.minimum(box[order[1:], 3] - box[order[1:], 1], height)
    starts = np.flatnonzero(box[order[1:], 1] >= bottom[:-1] - SAME_LINE * own) + 1
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

    gutter = GUTTER * height
    for strip in strips:
        free = _free(strip, page, left, right, gutter)
        items = strip.tolist()
        if current:
            joined = _intersect(common, free, gutter)
            inside = any(x0[i] >= c0 + height and x1[i] <= c1 - height
                         for i in items for c0, c1 in common)
            near = min(y0[i] for i in items) - bottom < SECTION_GAP * height
            if _interior(joined, left, right) and not inside and near:
                rest = _intersect(rest, free, gutter) if len(current) > 1 else free
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


def _columns(band: list[np.ndarray], gutters: np.ndarray, page: _Page) -> list[np.ndarray] | None:
    """Cut ``band`` at its ``gutters`` into columns of text, or None if it is not in columns.

    Gutters next to a column that does not qualify (:func:`_is_column`) are dropped, narrowest
    first, until every column qualifies.
    """
    if not len(gutters):
        return None
    box = page.box
    idx = np.concatenate(band)
    gutters = list(map(tuple, gutters))
    while gutters:
        cuts = np.array([g[0] for g in gutters])
        side = np.searchsorted(cuts, box[idx, 2], side="left")
        pieces = [idx[side == k] for k in range(len(gutters) + 1)]
        bad = [k for k, piece in enumerate(pieces) if not _is_column(piece, page)]
        if not bad:
            return pieces
        around = {max(k - 1, 0) for k in bad} | {min(k, len(gutters) - 1) for k in bad}
        narrowest = min(around, key=lambda k: gutters[k][1] - gutters[k][0])
        del gutters[narrowest]
    return None


def _is_column(piece: np.ndarray, page: _Page) -> bool:
    """A unit, or text of a column: :data:`MIN_COLUMN_WIDTH` heights wide, in two strips or
    more."""
    if not len(piece):
        return False
    if piece.max() >= page.n_items:
        return True
    box, height = page.box, page.height
    if box[piece, 2].max() - box[piece, 0].min() < MIN_COLUMN_WIDTH * height:
        return False
    strips = _strips(piece, box, height)
    if len(strips) < 2:
        return False
    widths = np.array([box[s, 2].max() - box[s, 0].min() for s in strips])
    if widths.max() >= NARROW * height:
        return True
    full = widths >= FULL_LINE * widths.max()
    return len(strips) >= NARROW_LINES and float(np.mean(full)) >= NARROW_FILL


def _cut(idx: np.ndarray, page: _Page) -> None:
    """Append the leaves of ``idx`` (lists of strips in reading order) to ``page.leaves``."""
    if not len(idx):
        return
    box, height = page.box, page.height
    left, right = box[idx, 0].min(), box[idx, 2].max()
    by_left = idx[np.argsort(box[idx, 0], kind="stable")]
    through = _interior(_free(by_left, page, left, right, GUTTER * height), left, right)
    columns = _columns([idx], np.array(through, dtype=np.float64).reshape(-1, 2), page)
    if columns is not None:  # gutters from top to bottom: columns first
        for column in columns:
            _cut(column, page)
        return
    strips = _strips(idx, box, height)
    rows: list[np.ndarray] = []  # consecutive bands not in columns: one leaf
    for band, gutters in _bands(strips, page, left, right):
        columns = _columns(band, gutters, page)
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


def _blocks(page: _Page, units: list[Unit], sizes: np.ndarray, regions: np.ndarray,
            kinds: list[str], page_box: tuple[float, ...]) -> list[Block]:
    """Split the leaves into blocks, expand units into their items, and name kinds."""
    box, n = page.box, page.n_items
    leading = _leading(page)
    # lines, where from, unit (or -1), kind (or "" to judge from geometry)
    raw: list[tuple[list[np.ndarray], str, int, str]] = []
    for strips, origin in page.leaves:
        current: list[np.ndarray] = []
        for strip in strips:
            text, pseudo = strip[strip < n], strip[strip >= n]
            if len(pseudo):
                if current:
                    raw.append((current, origin, -1, ""))
                    current = []
                for unit in (pseudo - n).tolist():
                    raw += _unit_blocks(units[unit], unit, page, sizes, origin)
            if not len(text):
                continue
            if current and _breaks(current[-1], text, page, leading):
                raw.append((current, origin, -1, ""))
                current = []
            current.append(text)
        if current:
            raw.append((current, origin, -1, ""))
    body = [lines for lines, origin, unit, kind in raw if origin == "band" and not kind
            and _tall(lines, page) > SMALL_HEIGHT * page.text_size]
    last_body = max((box[np.concatenate(lines), 3].max() for lines in body if len(lines) >= 2),
                    default=np.inf)
    widths = [box[np.concatenate(lines), 2].max() - box[np.concatenate(lines), 0].min()
              for lines in body]
    typical = float(np.median(widths)) if widths else 0.0
    blocks = []
    for lines, origin, unit, kind in raw:
        extent = _extent(lines, page)
        region = units[unit].region if unit >= 0 else -1
        if unit >= 0 and region >= 0:
            x0, y0, x1, y1 = regions[region]
            if extent is not None:
                x0, y0 = min(x0, extent[0]), min(y0, extent[1])
                x1, y1 = max(x1, extent[2]), max(y1, extent[3])
            extent = (float(x0), float(y0), float(x1), float(y1))
        elif not kind:
            kind = _geometric_kind(lines, origin, extent, page, last_body, typical, page_box)
            region = _covering(extent, regions)
            if region >= 0 and kinds[region] not in ("text", ""):  # the model knows no notes
                kind = kinds[region]
        blocks.append(Block(kind, tuple(lines), extent, region))
    return _footnotes_last(blocks, page, page_box)


def _footnotes_last(blocks: list[Block], page: _Page, page_box: tuple[float, ...]) -> list[Block]:
    """Move footnotes that end a column (small text within :data:`FOOTNOTE_BAND` of the
    page's bottom, no caption, after which reading goes up to body text of the next column)
    to the end of the body, before the page's footnotes and footer."""
    bottom = page_box[3] - FOOTNOTE_BAND * (page_box[3] - page_box[1])
    body = [b.kind not in ("header", "footnote", "footer", *UNIT_KINDS) and bool(b.lines)
            and _tall(list(b.lines), page) > SMALL_HEIGHT * page.text_size for b in blocks]
    moved: list[int] = []
    for k, block in enumerate(blocks):
        if body[k] or block.kind in ("header", "footer", "footnote", "caption") or not block.lines:
            continue  # a caption stays with its figure
        if block.kind in UNIT_KINDS or block.box[1] < bottom:
            continue
        later = [j for j in range(k + 1, len(blocks)) if body[j]]
        if later and blocks[later[0]].box[1] < block.box[1]:
            moved.append(k)
    if not moved:
        return blocks
    last_body = max(k for k, b in enumerate(body) if b)
    notes = [replace(blocks[k], kind="footnote") for k in moved]
    before = [b for k, b in enumerate(blocks[:last_body + 1]) if k not in moved]
    return before + notes + blocks[last_body + 1:]


def _extent(lines: list[np.ndarray], page: _Page) -> tuple[float, float, float, float] | None:
    """The box enclosing the (untrimmed) items of ``lines``, or None without any."""
    if not lines:
        return None
    idx = np.concatenate(lines)
    outer = page.outer
    return (float(outer[idx, 0].min()), float(outer[idx, 1].min()), float(outer[idx, 2].max()),
            float(outer[idx, 3].max()))


def _unit_blocks(unit: Unit, number: int, page: _Page, sizes: np.ndarray,
                 origin: str) -> list[tuple[list[np.ndarray], str, int, str]]:
    """The raw blocks of one unit: a region's lines row by row (a table is never read column
    by column), or a group written across the page read on its own, turned."""
    if unit.region >= 0 or not len(unit.items):
        rows = _table_rows(unit, page) if unit.kind == "table" and len(unit.items) else None
        return [(rows or _strips(unit.items, page.box, page.height), origin, number, unit.kind)]
    items = unit.items
    inner = read_page(turned(page.outer[items], unit.turn), sizes=sizes[items])
    return [([items[line] for line in block.lines], origin, number, block.kind)
            for block in inner]


def _table_rows(unit: Unit, page: _Page) -> list[np.ndarray] | None:
    """A table region's items row by row, each row cell by cell: the lines of a wrapped cell
    stay together instead of interleaving with their neighbours' (the table structure of
    :func:`wxocr_pandas.tables.grid.find_tables`). None when the region holds no table, or
    one that does not place every item exactly once: then it is read strip by strip."""
    items = unit.items
    found = find_tables(page.outer[items], [""] * len(items), regions=np.array([unit.box]))
    if len(found) != 1:
        return None
    rows: dict[int, list[int]] = {}
    for cell in found[0].cells:
        rows.setdefault(cell.row, []).extend(int(k) for line in cell.lines for k in line)
    order = [items[np.array(row, dtype=np.int64)] for _, row in sorted(rows.items()) if row]
    placed = np.concatenate(order) if order else items[:0]
    return order if len(placed) == len(items) and len(np.unique(placed)) == len(items) else None


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
    long = all(box[line, 2].max() - box[line, 0].min() >= LONG_LINE * max(tall)
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
    covered = overlap_area(np.array([extent]), regions)[0]
    share = covered / max(area(np.array([extent]))[0], 1e-9)
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
