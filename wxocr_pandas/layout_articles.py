"""Articles of a newspaper page: each headline with the body text it heads.

A page boxed by rules (:mod:`wxocr_pandas.layout_rules`) often holds several articles in one
cell, parted by gutters or broken rules only, whose columns an XY-cut reads side by side.
What a newspaper does print at the start of every article is its headline: text markedly
larger than the body. :func:`headlines` finds them (neighbouring large items form one
headline: title, kicker, sub-title), :func:`headed_by` gives every other item the nearest
headline before it, and :func:`continued` carries an article on into the lines that follow
it past a broken rule. :func:`wxocr_pandas.layout.read_page` reads each article whole.

"Before" is in the page's frame (lines run left to right, top to bottom; a page of vertical
columns is turned a quarter, :mod:`wxocr_pandas.orientation`): a headline heads the lines
below it that start beside it, so on a horizontal page the columns under it, on a vertical
page the columns to its left, down to the next headline or to a separator rule between
them. A headline written across the lines (a horizontal title on a vertical page) heads the
lines it stands over. On a vertical page a headline also heads the columns right under it,
where an article goes on in the tier below.

Pure functions over numpy boxes ``(x0, y0, x1, y1)`` in the page's frame.
"""

from __future__ import annotations

import numpy as np

from .layout_units import components, enclosing, overlap_area

#: Text at least this many times the body's font size, in lines at least this many times
#: thicker than the body's, is a headline.
HEADLINE_SIZE = 1.45
#: A headline item is at most this many times longer than thick: a longer line of large
#: type is a banner or a slogan along the margin, heading no article.
HEADLINE_CHARS = 16.0
#: Lines at least this many times thicker than the body's, set against a headline, are part
#: of it (a kicker, a sub-title in bold).
SUBHEAD_SIZE = 1.2
#: Headline items within this many body line thicknesses of each other form one headline.
HEADLINE_REACH = 1.0
#: A headline heads the lines below it that start beside it: within its span, or at most
#: this many text heights before it (a headline set a little lower than its body).
HEADED_START = 2.0
#: A headline across the lines heads the lines whose span overlaps its own by at least this
#: fraction of the smaller of the two (and so does one on a vertical page, beneath it).
HEADED_OVERLAP = 0.3
#: On a page of vertical columns a headline also heads the columns right under it: at most
#: this many text heights below it on the page.
BENEATH_GAP = 1.0
#: A line at most this many text heights below a line of an article continues it.
RUN_ON_GAP = 1.0


def headlines(box: np.ndarray, sizes: np.ndarray, body: tuple[float, float],
              across: np.ndarray | None = None) -> np.ndarray:
    """The headline each item is part of (0, 1, ...), or -1.

    ``box`` are the items' boxes, ``sizes`` their font sizes, ``body`` the font size and the
    line thickness of the body text, and ``across`` True for items written across the page
    (a horizontal title on a page of vertical columns: its line runs down the frame).

    Examples
    --------
    A title of two lines over body text, and a second title apart: two headlines.

    >>> import numpy as np
    >>> box = np.array([[0, 0, 300, 30], [0, 35, 200, 55], [0, 70, 300, 80],
    ...                 [0, 85, 300, 95], [400, 0, 500, 30]], float)
    >>> headlines(box, np.array([30, 20, 10, 10, 30], float), (10.0, 10.0)).tolist()
    [0, 0, -1, -1, 1]
    """
    across = np.zeros(len(box), dtype=bool) if across is None else np.asarray(across, bool)
    wide, tall = box[:, 2] - box[:, 0], box[:, 3] - box[:, 1]
    thick, long = np.where(across, wide, tall), np.where(across, tall, wide)
    body_size, body_thick = body
    big = np.flatnonzero((sizes >= HEADLINE_SIZE * body_size)
                         & (thick >= HEADLINE_SIZE * body_thick) & (long <= HEADLINE_CHARS * thick))
    head = np.full(len(box), -1, dtype=np.int64)
    if not len(big):
        return head
    reach = HEADLINE_REACH * body_thick
    head[big] = components(_touching(box[big], reach))
    near = overlap_area(_grown(box, reach), box[big]) > 0
    kicker = np.flatnonzero((thick >= SUBHEAD_SIZE * body_thick) & near.any(axis=1) & (head < 0))
    head[kicker] = head[big[near[kicker].argmax(axis=1)]]
    return head


def headed_by(box: np.ndarray, head: np.ndarray, height: float, across: np.ndarray | None = None,
              allowed: np.ndarray | None = None, rules: np.ndarray | None = None,
              vertical: bool = False) -> np.ndarray:
    """The headline of every item: its own (``head``, numbered as :func:`headlines` does,
    -1 for none), else the nearest headline before it (see the module docstring), else -1.

    ``height`` is the text height, ``across`` True for items written across the lines,
    ``allowed`` (items by headline) the headlines each item may take, ``rules`` separator
    rules (boxes) that part a headline from what lies beyond them, and ``vertical`` True on
    a page of vertical columns.

    Examples
    --------
    Two headlines side by side, each over its own column; a line starting under the left
    one and running on under the right one is the left one's.

    >>> import numpy as np
    >>> box = np.array([[0, 0, 180, 40], [0, 50, 180, 60], [200, 20, 380, 60],
    ...                 [200, 70, 380, 80], [0, 90, 380, 100]], float)
    >>> headed_by(box, np.array([0, -1, 1, -1, -1]), 10.0).tolist()
    [0, 0, 1, 1, 0]

    A rule under the right headline parts it from the lines under it.

    >>> rule = np.array([[195, 64, 385, 66.0]])
    >>> headed_by(box, np.array([0, -1, 1, -1, -1]), 10.0, rules=rule).tolist()
    [0, 0, 1, -1, 0]
    """
    across = np.zeros(len(box), dtype=bool) if across is None else np.asarray(across, bool)
    owner = np.asarray(head, dtype=np.int64).copy()
    if owner.max(initial=-1) < 0:
        return owner
    groups = np.unique(owner[owner >= 0])
    head_box = np.array([enclosing(box, owner == g) for g in groups])
    turned = np.array([across[owner == g].mean() > 0.5 for g in groups])
    rules = np.empty((0, 4)) if rules is None else np.asarray(rules, dtype=np.float64)
    can = np.zeros((len(box), len(groups)), dtype=bool)
    gap = np.full((len(box), len(groups)), np.inf)
    # axis 1: the lines below a headline along them; axis 0: the lines right of (on the
    # page: under) a headline across them, or beneath any headline of a vertical page
    for axis, kind in ((1, ~turned), (0, turned | vertical)):
        reach, distance = _reach(box, head_box, axis, height)
        if axis == 0:
            reach &= turned[None, :] | (distance <= BENEATH_GAP * height)
        reach &= kind[None, :] & ~_parted(box, head_box, axis, rules)
        if allowed is not None:
            reach &= np.asarray(allowed, dtype=bool)[:, groups]
        nearer = reach & (distance < gap)
        gap[nearer] = distance[nearer]
        can |= reach
    for k in np.flatnonzero((owner < 0) & can.any(axis=1)):
        owner[k] = groups[np.argmin(np.where(can[k], gap[k], np.inf))]
    return owner


def continued(box: np.ndarray, owner: np.ndarray, free: np.ndarray, height: float) -> np.ndarray:
    """``owner`` (the article of each item, -1 for none) with the ``free`` items that
    continue an article: a line at most :data:`RUN_ON_GAP` ``height`` below a line of an
    article (over the same x-span) joins it, and so on from line to line: a body that runs
    on past a broken rule, or past a boxed sub-head.

    Examples
    --------
    Two lines under an article's line, the second under the first; a far one stays free.

    >>> import numpy as np
    >>> box = np.array([[0, 0, 100, 10], [0, 15, 100, 25], [0, 30, 100, 40],
    ...                 [0, 200, 100, 210]], float)
    >>> continued(box, np.array([0, -1, -1, -1]), np.array([0, 1, 1, 1], bool), 10.0).tolist()
    [0, 0, 0, -1]
    """
    owner = np.asarray(owner, dtype=np.int64).copy()
    free = np.asarray(free, dtype=bool) & (owner < 0)
    gap = box[:, None, 1] - box[None, :, 3]  # of each line below each other
    near = spans_overlap(box, box, 0) & (gap >= -0.5 * height) & (gap <= RUN_ON_GAP * height)
    while free.any():
        reach = near[free] & (owner >= 0)[None, :]
        found = reach.any(axis=1)
        if not found.any():
            break
        rows = np.flatnonzero(free)[found]
        owner[rows] = owner[np.where(reach[found], gap[rows], np.inf).argmin(axis=1)]
        free[rows] = False
    return owner


def groups_apart(box: np.ndarray, gap: float) -> np.ndarray:
    """Groups (0, 1, ...) of items that lie within ``gap`` of each other, one by one.

    Examples
    --------
    >>> import numpy as np
    >>> groups_apart(np.array([[0, 0, 10, 10], [12, 0, 20, 10], [50, 0, 60, 10.0]]), 5.0).tolist()
    [0, 0, 1]
    """
    return components(_touching(box, gap))


def _reach(box: np.ndarray, head_box: np.ndarray, axis: int,
           height: float) -> tuple[np.ndarray, np.ndarray]:
    """Which items each headline may head along ``axis`` (1: below it, 0: right of it), and
    how far after its end they start."""
    after = box[:, None, axis] >= head_box[None, :, axis]
    if axis == 1:  # the line starts beside the headline: no lower tier of columns
        beside = ((box[:, None, 0] >= head_box[None, :, 0] - HEADED_START * height)
                  & (box[:, None, 0] <= head_box[None, :, 2]))
    else:
        beside = spans_overlap(box, head_box, 1)
    return after & beside, box[:, None, axis] - head_box[None, :, axis + 2]


def _parted(box: np.ndarray, head_box: np.ndarray, axis: int, rules: np.ndarray) -> np.ndarray:
    """True for each item and headline that a rule parts along ``axis``: a rule across that
    axis, between the headline's end and the item's start, over both their spans."""
    flat = rules[:, 2] - rules[:, 0] >= rules[:, 3] - rules[:, 1]
    walls = rules[flat] if axis == 1 else rules[~flat]
    if not len(walls):
        return np.zeros((len(box), len(head_box)), dtype=bool)
    other = 1 - axis
    middle = (walls[:, axis] + walls[:, axis + 2]) / 2
    between = ((middle[None, None, :] >= head_box[None, :, axis + 2, None])
               & (middle[None, None, :] <= box[:, None, None, axis]))
    low = np.maximum(box[:, None, other], head_box[None, :, other])[..., None]
    high = np.minimum(box[:, None, other + 2], head_box[None, :, other + 2])[..., None]
    spans = (walls[None, None, :, other] <= high) & (walls[None, None, :, other + 2] >= low)
    return (between & spans).any(axis=2)


def spans_overlap(box: np.ndarray, other_box: np.ndarray, axis: int) -> np.ndarray:
    """True where the spans along ``axis`` (0: x, 1: y) of each of ``box`` and each of
    ``other_box`` overlap by at least :data:`HEADED_OVERLAP` of the smaller one.

    Examples
    --------
    >>> import numpy as np
    >>> spans_overlap(np.array([[0, 0, 10, 5.0]]), np.array([[8, 9, 20, 12], [2, 9, 6, 12.0]]),
    ...               0).tolist()
    [[False, True]]
    """
    low = np.maximum(box[:, None, axis], other_box[None, :, axis])
    high = np.minimum(box[:, None, axis + 2], other_box[None, :, axis + 2])
    smaller = np.minimum(box[:, None, axis + 2] - box[:, None, axis],
                         other_box[None, :, axis + 2] - other_box[None, :, axis])
    return high - low >= HEADED_OVERLAP * np.maximum(smaller, 1e-9)


def _grown(box: np.ndarray, by: float) -> np.ndarray:
    return box + by * np.array([-1.0, -1.0, 1.0, 1.0])


def _touching(box: np.ndarray, reach: float) -> np.ndarray:
    """Which boxes lie within ``reach`` of each other (a symmetric boolean matrix)."""
    near = overlap_area(_grown(box, reach), box) > 0
    return near | near.T
