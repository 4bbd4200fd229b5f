"""Parts of a page that :func:`wxocr_pandas.layout.read_page` reads as one unit.

Two kinds of unit take part in the XY-cut as a single box and are read on their own:

- **Figures, tables and equations** found by the layout model
  (:mod:`wxocr_pandas.layout_model`): the labels of a chart, the cells of a table. A region
  holds the items lying at least half inside it. The model also calls whole blocks of text
  columns "figure" or "table" (a newspaper page, a two-column regulation page); such a region
  holds long text lines, not labels or cells, and is no unit (:data:`MAX_CELL_WIDTH`).
- **Text written across the page's direction**: a horizontal title over vertical columns, a
  vertical slogan beside horizontal text. Neighbouring such items form one group
  (:func:`across_groups`), read in its own direction.

Pure functions over numpy boxes ``(x0, y0, x1, y1)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Region kinds of :data:`wxocr_pandas.layout.KINDS` that are read as one unit.
UNIT_KINDS = frozenset({"figure", "table", "equation"})
#: A unit region's items (labels, cells) are at most this many text heights wide (median):
#: wider ones are lines of text columns the model took for a figure or table.
MAX_CELL_WIDTH = 10.0
#: Items written across the page within this many of their thicknesses of each other (and
#: half that along their text) form one group.
ACROSS_REACH = 1.0


@dataclass(frozen=True)
class Unit:
    """One unit: its kind, its items (positions in the page's boxes), its box and the layout
    region it comes from (-1 for a group of items written across the page).

    ``turn`` is the quarter turn that makes a group's text run left to right (+1 for text
    running down the page, -1 for text running up); 0 for regions.
    """

    kind: str
    items: np.ndarray
    box: tuple[float, float, float, float]
    region: int = -1
    turn: int = 0


def area(box: np.ndarray) -> np.ndarray:
    """Areas of ``(n, 4)`` boxes (0 for empty ones)."""
    return np.clip(box[:, 2] - box[:, 0], 0, None) * np.clip(box[:, 3] - box[:, 1], 0, None)


def overlap_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection areas of every box of ``a`` with every box of ``b``: ``(len(a), len(b))``."""
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def enclosing(box: np.ndarray, items: np.ndarray,
              start: Sequence[float] | None = None) -> tuple[float, float, float, float]:
    """The box enclosing ``box[items]`` (and ``start`` when given).

    Examples
    --------
    >>> import numpy as np
    >>> enclosing(np.array([[0, 5, 10, 10], [4, 0, 8, 20], [50, 50, 60, 60.0]]), np.r_[0, 1])
    (0.0, 0.0, 10.0, 20.0)
    """
    parts = box[items] if start is None else np.vstack([box[items], [start]])
    return (float(parts[:, 0].min()), float(parts[:, 1].min()), float(parts[:, 2].max()),
            float(parts[:, 3].max()))


def region_units(box: np.ndarray, regions: np.ndarray, kinds: Sequence[str], height: float,
                 free: np.ndarray) -> list[Unit]:
    """The figure, table and equation ``regions`` read as units, over the ``free`` items
    (positions not yet in a unit).

    An item belongs to the region holding at least half of its area (the one holding the most).
    A region whose items are wider than :data:`MAX_CELL_WIDTH` text heights (median) is no
    unit.

    Examples
    --------
    A chart with two short labels is a unit; a "figure" over three long text lines is not.

    >>> import numpy as np
    >>> box = np.array([[10, 10, 40, 20], [10, 30, 40, 40],
    ...                 [0, 100, 400, 110], [0, 115, 400, 125], [0, 130, 400, 140]], float)
    >>> regions = np.array([[0, 0, 50, 50], [0, 95, 410, 145]], float)
    >>> units = region_units(box, regions, ["figure", "figure"], 10.0, np.arange(5))
    >>> [(u.kind, u.items.tolist()) for u in units]
    [('figure', [0, 1])]
    """
    free = np.asarray(free, dtype=np.int64)
    candidates = [k for k, kind in enumerate(kinds) if kind in UNIT_KINDS]
    share = overlap_area(box[free], regions[candidates]) / np.maximum(area(box[free]), 1e-9)[:, None]
    keep = []
    for column in range(len(candidates)):
        within = free[share[:, column] >= 0.5]
        if not len(within) or np.median(box[within, 2] - box[within, 0]) <= MAX_CELL_WIDTH * height:
            keep.append(column)  # else lines of text, whichever overlapping region they fall to
    if not keep or not len(free):
        return [Unit(kinds[candidates[c]], free[:0], tuple(map(float, regions[candidates[c]])),
                     candidates[c]) for c in keep]
    share = share[:, keep]
    best = share.argmax(axis=1)
    inside = share[np.arange(len(free)), best] >= 0.5
    units = []
    for column, kept in enumerate(keep):
        region = candidates[kept]
        items = free[inside & (best == column)]
        extent = enclosing(box, items, regions[region]) if len(items) else tuple(
            map(float, regions[region]))
        units.append(Unit(kinds[region], items, extent, region))
    return units


def across_groups(box: np.ndarray, turn: np.ndarray) -> list[Unit]:
    """Groups of neighbouring items written across the page (``turn`` non-zero), each a unit
    of kind ``"across"`` turned by its items' most common ``turn``.

    Two such items are neighbours when their boxes, grown by :data:`ACROSS_REACH` times their
    thickness across their text (half that along it), overlap: the columns of one vertical
    note, the lines of one horizontal title.

    Examples
    --------
    Two vertical columns side by side and one far away: two groups.

    >>> import numpy as np
    >>> box = np.array([[0, 0, 500, 20], [100, 30, 130, 300], [140, 30, 170, 300],
    ...                 [600, 30, 630, 300]], float)
    >>> [(u.items.tolist(), u.turn) for u in across_groups(box, np.array([0, 1, 1, 1]))]
    [([1, 2], 1), ([3], 1)]
    """
    items = np.flatnonzero(np.asarray(turn) != 0)
    if not len(items):
        return []
    part = box[items]
    thick = part[:, 2] - part[:, 0]  # an item across the page runs down it
    grown = part + np.column_stack([-thick, -thick / 2, thick, thick / 2]) * ACROSS_REACH
    labels = components(overlap_area(grown, grown) > 0)
    units = []
    for label in range(labels.max() + 1):
        members = items[labels == label]
        turns = np.asarray(turn)[members]
        units.append(Unit("across", members, enclosing(box, members),
                          turn=int(np.sign(turns.sum())) or int(turns[0])))
    return units


def components(touching: np.ndarray) -> np.ndarray:
    """Connected groups of a symmetric boolean ``(n, n)`` matrix of which touch which:
    numbered 0, 1, ... by their first member (union-find; a few items).

    Examples
    --------
    >>> import numpy as np
    >>> components(np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], bool)).tolist()
    [0, 1, 0]
    """
    group = np.arange(len(touching))
    for i, j in zip(*np.nonzero(np.triu(touching, 1))):
        a, b = _root(group, i), _root(group, j)
        group[max(a, b)] = min(a, b)
    roots = np.array([_root(group, k) for k in range(len(touching))], dtype=np.int64)
    return np.unique(roots, return_inverse=True)[1].reshape(-1)


def _root(group: np.ndarray, k: int) -> int:
    while group[k] != k:
        k = group[k]
    return int(k)


def turned(box: np.ndarray, turn: int) -> np.ndarray:
    """``(n, 4)`` boxes turned by a quarter turn so that text running down the page
    (``turn`` +1) or up it (-1) runs left to right.

    Examples
    --------
    >>> import numpy as np
    >>> turned(np.array([[10.0, 0.0, 20.0, 100.0]]), 1).tolist()
    [[0.0, -20.0, 100.0, -10.0]]
    """
    x0, y0, x1, y1 = box.T
    if turn > 0:  # (x, y) -> (y, -x): the rightmost column comes first
        return np.column_stack([y0, -x1, y1, -x0])
    return np.column_stack([-y1, x0, -y0, x1])  # (x, y) -> (-y, x): the leftmost first
