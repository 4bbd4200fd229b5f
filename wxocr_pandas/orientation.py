"""Each page's writing direction, and each item's box and direction in the page's frame.

Engines answer with one quad per text item, its top edge running along the text: a line of
horizontal text has a top edge at about 0 degrees, a column of vertical Chinese (read top to
bottom) one at about 90 degrees. :func:`page_frames` finds, per page, the direction most of its
text runs in (the items' angles rounded to a quarter turn, weighted by the items' lengths) and
turns the page so that this direction points right: vertical columns then read like lines, top
to bottom, and the reading-order code needs no second case. Items written the other way (a
horizontal title over vertical columns, a vertical note beside horizontal text) are marked
with their quarter ``turn`` against the page.

An item's box in that frame is not the box enclosing its turned quad: the quad of a line
photographed on a curved page, or tilted a few degrees more than the page, encloses a box
taller than its text, and such boxes overlap the lines above and below. The box kept is the
item's *core*: its whole length along the text, and across it only its own thickness around
its centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import rotate

#: An item this many times longer than thick has a direction; squarer ones (a single
#: character) follow their page.
MIN_ASPECT = 1.5


@dataclass(frozen=True)
class PageFrames:
    """Per item (row): its page's angle (degrees; the page is turned by minus this), its core
    box ``(x0, y0, x1, y1)`` in the turned page, its length along its text and its thickness,
    and its ``turn`` against the page: 0 along the page's direction, +1 for text running down
    the turned page (a vertical column on a horizontal page), -1 for text running up it (a
    horizontal line on a vertical page)."""

    angle: np.ndarray
    box: np.ndarray
    length: np.ndarray
    thickness: np.ndarray
    turn: np.ndarray


def _quarter(angle: np.ndarray) -> np.ndarray:
    """Each angle's nearest quarter turn, as 0, 1, 2 or 3 (0, 90, 180, 270 degrees)."""
    return np.mod(np.round(np.asarray(angle, dtype=np.float64) / 90.0), 4).astype(np.int64)


def _wrap(angle: np.ndarray) -> np.ndarray:
    """Angles folded into ``(-180, 180]``."""
    return 180.0 - np.mod(180.0 - angle, 360.0)


def page_frames(corners: np.ndarray, codes: np.ndarray) -> PageFrames:
    """The page frame of every item of an ``(n, 4, 2)`` corner array whose rows belong to the
    pages ``codes`` (one integer per row; NaN corners are rows without text).

    Examples
    --------
    A page of three vertical columns (top edges pointing down) and one horizontal title: the
    page is turned by -90 degrees, so the rightmost column comes first from the top; the title
    runs up the turned page.

    >>> import numpy as np
    >>> def quad(x0, y0, x1, y1, vertical):
    ...     if vertical:  # top edge from the top right corner down the right side
    ...         return [[x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    ...     return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    >>> corners = np.array([quad(300 - 50 * k, 100, 330 - 50 * k, 500, True) for k in range(3)]
    ...                    + [quad(200, 20, 330, 60, False)], dtype=float)
    >>> frames = page_frames(corners, np.zeros(4, dtype=int))
    >>> float(frames.angle[0]), frames.turn.tolist()
    (90.0, [0, 0, 0, -1])
    >>> frames.box[:3, 1].round().tolist()  # tops of the columns: right to left reads down
    [-330.0, -280.0, -230.0]
    """
    corners = np.asarray(corners, dtype=np.float64).reshape(-1, 4, 2)
    codes = np.asarray(codes)
    top = corners[:, 1] - corners[:, 0]
    side = corners[:, 3] - corners[:, 0]
    width = (np.hypot(*top.T) + np.hypot(*(corners[:, 2] - corners[:, 3]).T)) / 2
    height = (np.hypot(*side.T) + np.hypot(*(corners[:, 2] - corners[:, 1]).T)) / 2
    angle = np.degrees(np.arctan2(top[:, 1], top[:, 0]))
    # A quad much taller than wide whose top edge is its short side holds a vertical column
    # (engines answer so for a column read on an upright page): its text runs down its side.
    tall = height >= MIN_ASPECT * width
    angle = np.where(tall, angle + 90.0, angle)
    length, thickness = np.where(tall, height, width), np.where(tall, width, height)
    directed = length >= MIN_ASPECT * np.maximum(thickness, 1e-9)
    page_angle = np.zeros(len(corners))
    valid = np.isfinite(angle)
    for code in np.unique(codes[valid]):
        rows = np.flatnonzero((codes == code) & valid)
        page_angle[codes == code] = _page_angle(angle[rows], length[rows], directed[rows])
    relative = _wrap(angle - page_angle)
    across = directed & valid & (np.abs(np.abs(relative) - 90.0) < 45.0)
    turn = np.where(across, np.sign(relative), 0).astype(np.int64)
    turned = rotate(corners, -page_angle)
    centre = turned.mean(axis=1)
    enclosing = np.column_stack([turned[..., 0].min(1), turned[..., 1].min(1),
                                 turned[..., 0].max(1), turned[..., 1].max(1)])
    half = np.minimum(thickness, np.where(across, enclosing[:, 2] - enclosing[:, 0],
                                          enclosing[:, 3] - enclosing[:, 1])) / 2
    box = enclosing.copy()
    along = ~across
    box[along, 1], box[along, 3] = centre[along, 1] - half[along], centre[along, 1] + half[along]
    box[across, 0], box[across, 2] = (centre[across, 0] - half[across],
                                      centre[across, 0] + half[across])
    return PageFrames(page_angle, box, length, thickness, turn)


def _page_angle(angle: np.ndarray, length: np.ndarray, directed: np.ndarray) -> float:
    """The angle of a page: the quarter turn holding most of its directed text (by length),
    then the median angle of the items in it (all items when none is directed)."""
    if not directed.any():
        return float(np.median(angle)) if len(angle) else 0.0
    quarter = _quarter(angle)
    weight = np.bincount(quarter[directed], weights=length[directed], minlength=4)
    main = int(weight.argmax())
    chosen = directed & (quarter == main)
    return float(np.median(_wrap(angle[chosen] - 90.0 * main)) + 90.0 * main)
