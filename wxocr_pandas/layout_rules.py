"""Separator rules printed on a page, and the cells of text they box in.

Newspapers and other pages set in boxes separate their articles and adverts by printed rules:
thin straight lines, often a box around an advert. :func:`detect_rules` finds them in the
image's pixels (long thin runs of ink, found by a morphological opening); :func:`rule_cells`
then labels each text item with the cell it lies in: the part of the page that can be reached
from it without crossing a rule. :func:`wxocr_pandas.layout.read_page` reads a page boxed into
several such cells (see :func:`boxed`) part by part, so an article is read whole before the
advert beside it: the articles that headlines head in a cell
(:mod:`wxocr_pandas.layout_articles`) and the rest of each cell.

A rule that runs through text (an underline, the stroke of a big headline character) is no
separator and is dropped; a lone rule does not enclose anything, so it does not split the page.
Rule ends are lengthened by :data:`RULE_REACH` so that boxes whose corners do not quite meet
in the print still close.
"""

from __future__ import annotations

import numpy as np

#: A rule is at least this fraction of the image's long side long.
RULE_LENGTH = 0.04
#: A rule is at most this fraction of the image's long side thick.
RULE_THICKNESS = 0.01
#: Rule ends are lengthened by this many text heights (corners that do not quite meet).
RULE_REACH = 1.5
#: A rule is dropped when more than this fraction of its length runs through the middle of
#: text items (each item's box without :data:`ITEM_MARGIN` of its size on every side).
THROUGH_TEXT = 0.3
#: See :data:`THROUGH_TEXT`.
ITEM_MARGIN = 0.35
#: The page is drawn on a grid of about this many cells along its long side to find the cells.
GRID = 500
#: A page is read part by part (its cells, articles apart) when at least :data:`MIN_CELLS`
#: cells hold :data:`CELL_ITEMS` items or more each (articles and adverts, not the cells of
#: one table).
MIN_CELLS = 4
#: See :data:`MIN_CELLS`.
CELL_ITEMS = 5


def detect_rules(image) -> np.ndarray:
    """Horizontal and vertical rules of a PIL ``image``: ``(m, 4)`` boxes ``(x0, y0, x1, y1)``
    in its pixels.

    Ink is the image thresholded against its local mean (microfilm and yellowed paper have
    no single background level); a rule is a run of ink at least :data:`RULE_LENGTH` of the
    long side long along a row (a column) and at most :data:`RULE_THICKNESS` thick.

    Examples
    --------
    A rule two pixels thick across a blank page, and one down it:

    >>> from PIL import Image, ImageDraw
    >>> page = Image.new("L", (400, 300), 255)
    >>> ImageDraw.Draw(page).rectangle((20, 149, 379, 150), fill=0)
    >>> ImageDraw.Draw(page).rectangle((100, 20, 101, 120), fill=0)
    >>> detect_rules(page).tolist()
    [[20.0, 149.0, 380.0, 151.0], [100.0, 20.0, 102.0, 121.0]]
    """
    import cv2

    gray = np.asarray(image.convert("L"))
    long_side = max(gray.shape)
    block = max(3, int(long_side / 60) | 1)
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                block, 10)
    length = max(3, int(RULE_LENGTH * long_side) | 1)  # odd: the opening keeps the run in place
    thickness = max(3, int(RULE_THICKNESS * long_side))
    found = []
    for horizontal in (True, False):
        along = (length, 1) if horizontal else (1, length)
        runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, along))
        # one-pixel breaks in a printed rule
        runs = cv2.morphologyEx(runs, cv2.MORPH_CLOSE, cv2.getStructuringElement(
            cv2.MORPH_RECT, (5, 1) if horizontal else (1, 5)))
        contours, _ = cv2.findContours(runs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for x, y, w, h in map(cv2.boundingRect, contours):  # faster than labelling every pixel
            if (h if horizontal else w) <= thickness + 1:
                found.append((x, y, x + w, y + h))
    return np.array(found, dtype=np.float64).reshape(-1, 4)


def separators(box: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """The ``rules`` that do not run through the middle of the text items ``box``."""
    rules = np.asarray(rules, dtype=np.float64).reshape(-1, 4)
    size = np.column_stack([box[:, 2] - box[:, 0], box[:, 3] - box[:, 1]])
    core = box + ITEM_MARGIN * np.column_stack([size, -size])
    keep = np.ones(len(rules), dtype=bool)
    for k, (x0, y0, x1, y1) in enumerate(rules):
        wide = np.clip(np.minimum(core[:, 2], x1) - np.maximum(core[:, 0], x0), 0, None)
        tall = np.clip(np.minimum(core[:, 3], y1) - np.maximum(core[:, 1], y0), 0, None)
        crossed = (wide > 0) & (tall > 0)
        horizontal = x1 - x0 >= y1 - y0
        through = (wide if horizontal else tall)[crossed].sum()
        keep[k] = through < THROUGH_TEXT * max(x1 - x0, y1 - y0)
    return rules[keep]


def rule_cells(box: np.ndarray, rules: np.ndarray, page_box: tuple[float, float, float, float],
               height: float) -> tuple[np.ndarray, np.ndarray]:
    """The cell of each text item: items that reach each other without crossing a separator
    rule share a number (0, 1, ...); and for each cell whether it is open: the page around
    the boxes, reaching the page's edge.

    ``box`` and ``rules`` are ``(x0, y0, x1, y1)`` boxes in one frame (the page's, see
    :mod:`wxocr_pandas.orientation`), ``rules`` the separators among the rules found
    (:func:`separators`); ``page_box`` is the page in that frame, ``height`` its text height.

    Examples
    --------
    Two boxed adverts under a line of text: three cells.

    >>> import numpy as np
    >>> box = np.array([[10, 10, 390, 20], [20, 60, 180, 70], [220, 60, 380, 70]], float)
    >>> rules = np.array([[15, 40, 185, 41], [15, 100, 185, 101], [15, 40, 16, 101],
    ...                   [184, 40, 185, 101], [215, 40, 385, 41], [215, 100, 385, 101],
    ...                   [215, 40, 216, 101], [384, 40, 385, 101]], float)
    >>> cells, open_ = rule_cells(box, rules, (0, 0, 400, 120), 10.0)
    >>> cells.tolist(), open_.tolist()
    ([0, 1, 2], [True, False, False])
    """
    import cv2

    x0, y0, x1, y1 = page_box
    x0, y0 = min(x0, box[:, 0].min()), min(y0, box[:, 1].min())
    x1, y1 = max(x1, box[:, 2].max()), max(y1, box[:, 3].max())
    step = max(x1 - x0, y1 - y0) / GRID
    reach = RULE_REACH * height
    walls = np.zeros((int((y1 - y0) / step) + 2, int((x1 - x0) / step) + 2), dtype=np.uint8)
    for r0, s0, r1, s1 in rules:
        if r1 - r0 >= s1 - s0:
            r0, r1 = r0 - reach, r1 + reach
        else:
            s0, s1 = s0 - reach, s1 + reach
        walls[max(int((s0 - y0) / step), 0):int((s1 - y0) / step) + 1,
              max(int((r0 - x0) / step), 0):int((r1 - x0) / step) + 1] = 1
    _, label = cv2.connectedComponents(1 - walls, connectivity=4)
    cells = np.zeros(len(box), dtype=np.int64)
    grid = ((box - [x0, y0, x0, y0]) / step).astype(np.int64)
    for k, (c0, r0, c1, r1) in enumerate(grid):
        patch = label[r0:r1 + 1, c0:c1 + 1].ravel()
        patch = patch[patch > 0]
        cells[k] = np.bincount(patch).argmax() if len(patch) else 0
    edge = np.concatenate([label[0], label[-1], label[:, 0], label[:, -1]])
    numbers, cells = np.unique(cells, return_inverse=True)
    return cells.reshape(-1), np.isin(numbers, edge[edge > 0])


def boxed(cells: np.ndarray) -> bool:
    """True when the page is set in boxes: :data:`MIN_CELLS` cells or more hold
    :data:`CELL_ITEMS` items or more each."""
    return int((np.bincount(cells) >= CELL_ITEMS).sum()) >= MIN_CELLS
