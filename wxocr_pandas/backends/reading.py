"""Reading what the plain engine misses: turned pages, tight crops and very long images.

:class:`~wxocr_pandas.backends.local.LocalBackend` hands every decoded image to :func:`read`,
which runs the plain RapidOCR engine and three repairs around it. Each is measured in
``benchmarks/bench_documents_reading.py``; each can be switched off on the backend.

- **Turned pages** (``orientation``). The engine's own direction classifier looks at each
  line squeezed into 192 x 48 pixels: a long line becomes unreadable to it, and it turned
  upright lines upside down (measured: see docs/performance.md#bench_speed). So the backend reads with it off (``Global.use_cls``), and here the *page* is
  checked instead: up to :data:`ORIENTATION_SAMPLE` of the longest lines of the first reading
  are cut out and laid flat the way the engine does it, and one piece of each with the
  proportions the classifier was trained on votes, weighted by its confidence. A page turned
  90, 180 or 270 degrees is read again upright, and its corners are mapped back to the image
  as given (the first corner is the text's own top-left).
- **Tight crops** (``line_fallback``). A word or line cut out with no margin defeats the
  detector. An image at most :data:`LINE_CROP_MAX_HEIGHT` pixels high is also read padded
  with its border colour, and as one line by recognition alone (also turned half round when
  the direction classifier says it may be upside down); the most confident reading wins.
- **Very long images** (``tile``). The engine shrinks an image to :data:`ENGINE_MAX_SIDE`
  pixels on its long side, which garbles a 20000x200 strip or a receipt thousands of pixels
  tall. Such an image is cut into overlapping tiles along its long side; a text seen twice in
  an overlap is kept once, and a text cut by a tile edge is read again, whole, from the
  original pixels.

Every corner is in pixels of the image as given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Part of the backend's identity (cache key): bump it when a change here changes answers.
READING_VERSION = 5
#: Images up to this height are also read as a tight crop (padded, and as one line).
LINE_CROP_MAX_HEIGHT = 160
#: RapidOCR's ``Global.max_side_len``: longer images are shrunk to this before detection.
ENGINE_MAX_SIDE = 2000
#: Images this many times longer than wide (or wider than long) are tiled ...
TILE_MIN_ASPECT = 3.0
#: ... with tiles this long on their long side.
TILE_LENGTH = ENGINE_MAX_SIDE
#: Lines of the first reading that vote on the page's orientation ...
ORIENTATION_SAMPLE = 8
#: ... each with a piece this many times wider than high: the direction classifier's own
#: input proportions (192 x 48); a whole long line squeezed to them is noise to it.
CLASSIFIER_ASPECT = 4
#: A flat page is turned half round only when the mean vote (-1 upright .. +1 upside down)
#: is above this: a page that is not clearly upside down is left as read.
UPSIDE_DOWN_VOTE = 0.5
#: A line read with a lower score is checked for being upside down on its own.
LINE_RECHECK_SCORE = 0.9
#: ... and so is a line read as fewer characters than this times its length in line heights
#: (a character is about 0.5 to 1 line height wide).
SHORT_TEXT_PER_LENGTH = 0.4
#: The vote is decided once this many lines give a mean of at least ``DECIDED_VOTE`` either way.
DECIDED_AFTER = 3
DECIDED_VOTE = 0.9
#: A line taller than this times its width is a sideways line (the engine's own rule).
SIDEWAYS_RATIO = 1.5

RECOGNITION_ONLY = {"Global.use_det": False, "Global.use_cls": False}
CLASSIFICATION_ONLY = {"Global.use_det": False, "Global.use_cls": True, "Global.use_rec": False}

#: ``engine_for(extra_params)``: the shared engine for the backend's parameters plus these.
EngineFactory = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Reading:
    """Recognized texts with their corners (``boxes``: n x 4 x 2, clockwise from the text's
    top-left) in the fields of a ``RapidOCROutput`` that the result conversion reads."""

    boxes: np.ndarray | None
    txts: tuple[str, ...] | None
    scores: tuple[float, ...] | None

    @classmethod
    def of(cls, boxes: Any, txts: Any, scores: Any) -> Reading:
        """A reading of these texts (``None`` when there are none)."""
        if txts is None or len(txts) == 0:
            return NOTHING
        return cls(np.asarray(boxes, dtype=float).reshape(-1, 4, 2), tuple(txts),
                   tuple(float(s) for s in scores))

    @classmethod
    def from_engine(cls, output: Any) -> Reading:
        """The reading in a ``RapidOCROutput``."""
        return cls.of(output.boxes, output.txts, output.scores)

    def __len__(self) -> int:
        return 0 if self.txts is None else len(self.txts)

    @property
    def confidence(self) -> float:
        """Mean score weighted by text length (0 for nothing)."""
        if not self:
            return 0.0
        weights = np.array([max(len(t.strip()), 1) for t in self.txts], dtype=float)
        return float(np.average(self.scores, weights=weights))

    def scaled(self, sx: float, sy: float) -> Reading:
        """The same texts with every corner scaled by ``(sx, sy)`` (from a reduced image to
        the full one)."""
        if not self:
            return self
        return Reading(self.boxes * np.array([sx, sy]), self.txts, self.scores)

    def above(self, text_score: float) -> Reading:
        """Only the texts with a score of at least ``text_score`` (and some non-blank text)."""
        if not self:
            return self
        keep = [n for n, (text, score) in enumerate(zip(self.txts, self.scores))
                if score >= text_score and text.strip()]
        if len(keep) == len(self):
            return self
        return Reading.of(self.boxes[keep], [self.txts[n] for n in keep],
                          [self.scores[n] for n in keep])

    def moved(self, dx: float, dy: float) -> Reading:
        """The same texts with every corner shifted by ``(dx, dy)``."""
        if not self:
            return self
        return Reading(self.boxes + np.array([dx, dy]), self.txts, self.scores)


NOTHING = Reading(None, None, None)


def read(bgr: np.ndarray, engine_for: EngineFactory, *, orientation: bool = True,
         line_fallback: bool = True, tile: bool = True, text_score: float = 0.5) -> Reading:
    """Read one BGR image with the plain engine and the repairs switched on.

    Parameters
    ----------
    bgr
        The image as given, ``height x width x 3``, BGR as OpenCV and RapidOCR use.
    engine_for
        Returns the shared engine for the backend's parameters updated with a mapping
        (``{}`` for the plain engine).
    orientation, line_fallback, tile
        The repairs described in the module docs.
    text_score
        Texts read by recognition alone below this confidence are dropped.

    Examples
    --------
    >>> import numpy as np
    >>> from wxocr_pandas.backends.local import LocalBackend
    >>> blank = np.full((40, 200, 3), 255, dtype=np.uint8)
    >>> len(read(blank, LocalBackend().engine_for))
    0
    """
    height, width = bgr.shape[:2]
    if tile and max(height, width) > TILE_LENGTH and (
            max(height, width) >= TILE_MIN_ASPECT * min(height, width)):
        return read_tiled(bgr, engine_for, text_score=text_score)
    # The backend's engine keeps every detected line (its own text_score is 0): an
    # upside-down line reads with a low score, and is only dropped after its repair.
    everything = Reading.from_engine(engine_for({})(bgr))
    if line_fallback and height <= LINE_CROP_MAX_HEIGHT:
        return read_tight(bgr, everything.above(text_score), engine_for, text_score=text_score)
    if not orientation or not everything:
        return everything.above(text_score)
    turns = page_turns(bgr, everything, engine_for(CLASSIFICATION_ONLY))
    if not turns:
        return reread_upside_down_lines(bgr, everything, engine_for).above(text_score)
    first = everything
    bgr = np.ascontiguousarray(np.rot90(bgr, turns))
    everything = Reading.from_engine(engine_for({})(bgr))
    repaired = reread_upside_down_lines(bgr, everything, engine_for).above(text_score)
    return with_flat_lines(unturn(repaired, turns, width, height), first.above(text_score))


def with_flat_lines(turned: Reading, first: Reading) -> Reading:
    """``turned`` (a page read turned, for its tall lines) with the flat lines of ``first``
    (the page read as given) that it does not cover: a horizontal title over vertical columns
    is lost when the page is read turned, and the engine reads it as given.

    Examples
    --------
    >>> column = Reading.of([[(0, 0), (0, 90), (-10, 90), (-10, 0)]], ["竖排"], [0.9])
    >>> title = Reading.of([[(0, -30), (60, -30), (60, -20), (0, -20)]], ["横排标题"], [0.9])
    >>> with_flat_lines(column, title).txts
    ('竖排', '横排标题')
    >>> with_flat_lines(column, column).txts
    ('竖排',)
    """
    if not first:
        return turned
    widths, heights = _sides(first.boxes)
    flat = np.flatnonzero(widths >= SIDEWAYS_RATIO * heights)
    if not len(flat):
        return turned
    if turned:
        low, high = first.boxes[flat].min(axis=1), first.boxes[flat].max(axis=1)
        them_low, them_high = turned.boxes.min(axis=1), turned.boxes.max(axis=1)
        overlap = np.prod(np.clip(np.minimum(high[:, None], them_high[None]) -
                                  np.maximum(low[:, None], them_low[None]), 0, None), axis=2)
        flat = flat[overlap.sum(axis=1) < 0.3 * np.prod(high - low, axis=1)]
    if not len(flat):
        return turned
    boxes = first.boxes[flat] if not turned else np.concatenate([turned.boxes, first.boxes[flat]])
    return Reading.of(boxes, (turned.txts or ()) + tuple(first.txts[k] for k in flat),
                      (turned.scores or ()) + tuple(first.scores[k] for k in flat))


# -- turned pages ---------------------------------------------------------------------------

def _sides(boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Width (along the first edge) and height of every quad."""
    widths = np.linalg.norm(boxes[:, 1] - boxes[:, 0], axis=1)
    heights = np.linalg.norm(boxes[:, 3] - boxes[:, 0], axis=1)
    return widths, heights


def page_turns(bgr: np.ndarray, first: Reading, classifier: Any) -> int:
    """Counter-clockwise quarter turns (``np.rot90``) that make the page upright: 0 to 3.

    Sideways when most of the text (by length) lies in tall lines; upside down (or which
    way sideways) by the direction classifier's confidence-weighted vote over a piece of
    each of the longest lines, cut out and laid flat the way the engine does it.
    """
    return page_orientation(bgr, first.boxes, classifier)[0]


def page_orientation(bgr: np.ndarray, boxes: np.ndarray, classifier: Any) -> tuple[int, float]:
    """:func:`page_turns` from the boxes of detected lines, with the strength of the vote
    that decided it (0 to 1: the mean vote's size)."""
    widths, heights = _sides(boxes)
    tall = heights >= SIDEWAYS_RATIO * widths
    sideways = heights[tall].sum() > widths[~tall].sum()
    lines = np.flatnonzero(tall if sideways else ~tall)
    longest = lines[np.argsort(-np.maximum(widths, heights)[lines])][:ORIENTATION_SAMPLE]
    vote = upside_down_vote((flat_crop(bgr, box) for box in boxes[longest]), classifier)
    if sideways:
        # A tall crop is laid flat by one counter-clockwise turn: upright unless flipped.
        return (3 if vote > 0 else 1), abs(vote)
    return (2 if vote > UPSIDE_DOWN_VOTE else 0), abs(vote)


def flat_crop(bgr: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The line in ``box`` cut out and laid flat, as the engine does it."""
    from rapidocr.utils.process_img import get_rotate_crop_image

    return get_rotate_crop_image(bgr, box.astype(np.float32))


def upside_down_vote(crops: Iterable[np.ndarray], classifier: Any) -> float:
    """The direction classifier's mean vote on these flat line crops: +1 all surely upside
    down, -1 all surely upright (each line's vote is its label's sign times the classifier's
    confidence).

    Only the middle piece of each line, :data:`CLASSIFIER_ASPECT` times its height, is shown
    to the classifier. The vote stops early (taking no more crops) once
    :data:`DECIDED_AFTER` lines agree with a mean of at least :data:`DECIDED_VOTE` either way
    (most pages: three classifier calls).
    """
    votes = []
    for crop in crops:
        height, width = crop.shape[:2]
        piece = max(CLASSIFIER_ASPECT * height, 1)
        start = max((width - piece) // 2, 0)
        label, score = classifier(np.ascontiguousarray(crop[:, start:start + piece])).cls_res[0]
        votes.append(score if "180" in label else -score)
        if len(votes) >= DECIDED_AFTER and abs(np.mean(votes)) >= DECIDED_VOTE:
            break
    return float(np.mean(votes)) if votes else 0.0


def reread_upside_down_lines(bgr: np.ndarray, reading: Reading,
                             engine_for: EngineFactory) -> Reading:
    """``reading`` with each upside-down line of an upright page read again turned round.

    A line read with a score under :data:`LINE_RECHECK_SCORE`, or as a text much shorter than
    its box (:data:`SHORT_TEXT_PER_LENGTH`: upside down, a line of Chinese can read as "一"
    with a high score), whose piece the direction
    classifier votes upside down (:func:`upside_down_vote`, above :data:`UPSIDE_DOWN_VOTE`) is
    read again, turned half round, by recognition alone; the more confident reading is kept,
    its first corner then on the text's own top-left. Only flat lines are checked.
    """
    if not reading:
        return reading
    widths, heights = _sides(reading.boxes)
    doubtful = [n for n, (text, score) in enumerate(zip(reading.txts, reading.scores))
                if widths[n] >= heights[n] and (
                    score < LINE_RECHECK_SCORE
                    or len(text.strip()) < SHORT_TEXT_PER_LENGTH * widths[n] / heights[n])]
    if not doubtful:
        return reading
    boxes, texts, scores = reading.boxes.copy(), list(reading.txts), list(reading.scores)
    classifier = engine_for(CLASSIFICATION_ONLY)
    for n in doubtful:
        crop = flat_crop(bgr, boxes[n])
        if upside_down_vote([crop], classifier) <= UPSIDE_DOWN_VOTE:
            continue
        output = engine_for(RECOGNITION_ONLY)(np.ascontiguousarray(np.rot90(crop, 2)))
        if output.txts and output.scores and float(output.scores[0]) > scores[n]:
            texts[n], scores[n] = output.txts[0], float(output.scores[0])
            boxes[n] = np.roll(boxes[n], 2, axis=0)  # the text's top-left: the box's bottom-right
    return Reading.of(boxes, texts, scores)


def unturn(reading: Reading, turns: int, width: int, height: int) -> Reading:
    """Map corners read on ``np.rot90(image, turns)`` back to the image (``width x height``).

    Examples
    --------
    >>> r = Reading.of([[(0, 0), (9, 0), (9, 4), (0, 4)]], ["a"], [1.0])
    >>> unturn(r, 1, 5, 10).boxes[0].tolist()  # on a 5 x 10 image turned once
    [[4.0, 0.0], [4.0, 9.0], [0.0, 9.0], [0.0, 0.0]]
    """
    if not reading:
        return reading
    boxes = reading.boxes.copy()
    # One counter-clockwise quarter turn sends (x, y) to (y, W - 1 - x) on a W-wide image;
    # undo the turns one at a time, last first.
    sizes = [(width, height) if turn % 2 == 0 else (height, width) for turn in range(turns)]
    for turn_width, _ in reversed(sizes):
        boxes = np.stack([turn_width - 1 - boxes[..., 1], boxes[..., 0]], axis=-1)
    return Reading(boxes, reading.txts, reading.scores)


# -- tight crops ----------------------------------------------------------------------------

def border_color(bgr: np.ndarray) -> np.ndarray:
    """The median colour of the image's outermost pixels."""
    ring = np.concatenate([bgr[0], bgr[-1], bgr[:, 0], bgr[:, -1]])
    return np.median(ring, axis=0).astype(np.uint8)


def pad(bgr: np.ndarray, margin: int) -> np.ndarray:
    """``bgr`` inside a frame of its border colour, ``margin`` pixels wide."""
    height, width = bgr.shape[:2]
    framed = np.empty((height + 2 * margin, width + 2 * margin, 3), dtype=np.uint8)
    framed[:] = border_color(bgr)
    framed[margin:margin + height, margin:margin + width] = bgr
    return framed


def read_tight(bgr: np.ndarray, first: Reading, engine_for: EngineFactory, *,
               text_score: float) -> Reading:
    """The most confident of: the plain reading, a reading of the image padded with its
    border colour, and a reading of the whole image as one line."""
    height, width = bgr.shape[:2]
    margin = max(8, height)
    framed = Reading.from_engine(engine_for({})(pad(bgr, margin))).above(text_score)
    framed = framed.moved(-margin, -margin)
    framed = _clip(framed, width, height)
    candidates = [first, framed, read_line(bgr, engine_for, text_score=text_score)]
    # Ties go to the earlier candidate: detection boxes are tighter than the whole crop.
    return max(candidates, key=lambda reading: reading.confidence)


def read_line(bgr: np.ndarray, engine_for: EngineFactory, *, text_score: float) -> Reading:
    """Recognition alone over the whole image as one line, boxed by the image's corners.

    When the direction classifier says the line may be upside down, it is read both ways and
    the more confident reading is kept (the classifier alone turns some upright Chinese words).
    """
    height, width = bgr.shape[:2]
    bottom, right = height - 1, width - 1  # last pixel index, as the engine boxes a whole image
    corners = [(0, 0), (right, 0), (right, bottom), (0, bottom)]
    readings = [_one_line(engine_for(RECOGNITION_ONLY)(bgr), corners, text_score)]
    label, _ = engine_for(CLASSIFICATION_ONLY)(bgr).cls_res[0]
    if "180" in label:
        upside_down = np.ascontiguousarray(np.rot90(bgr, 2))
        # Read turned half round, the text's own top-left is the image's bottom-right.
        readings.append(_one_line(engine_for(RECOGNITION_ONLY)(upside_down),
                                  corners[2:] + corners[:2], text_score))
    return max(readings, key=lambda reading: reading.confidence)


def _one_line(output: Any, corners: Any, text_score: float) -> Reading:
    """The one text recognition found (nothing when none or several passed ``text_score``)."""
    found = [(text, float(score)) for text, score in zip(output.txts or (), output.scores or ())
             if text.strip() and score >= text_score]
    if len(found) != 1:
        return NOTHING
    (text, score), = found
    return Reading.of([corners], [text], [score])


def _clip(reading: Reading, width: int, height: int) -> Reading:
    if not reading:
        return reading
    boxes = reading.boxes.copy()
    boxes[..., 0] = boxes[..., 0].clip(0, width - 1)
    boxes[..., 1] = boxes[..., 1].clip(0, height - 1)
    return Reading(boxes, reading.txts, reading.scores)


# -- very long images -----------------------------------------------------------------------

def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of tiles ``tile`` long covering ``length`` with at least ``overlap``.

    Examples
    --------
    >>> tile_starts(5000, 2000, 400)
    [0, 1500, 3000]
    >>> tile_starts(1500, 2000, 400)
    [0]
    """
    if length <= tile:
        return [0]
    count = int(np.ceil((length - overlap) / (tile - overlap)))
    return [round(i * (length - tile) / (count - 1)) for i in range(count)]


def read_tiled(bgr: np.ndarray, engine_for: EngineFactory, *, text_score: float) -> Reading:
    """Read a very long image in overlapping tiles along its long side and merge them."""
    height, width = bgr.shape[:2]
    across = min(height, width)
    wide = width > height
    tile = max(TILE_LENGTH, across)
    overlap = min(max(across, 200), tile // 3)
    starts = tile_starts(max(height, width), tile, overlap)
    engine = engine_for({})
    pieces = []
    for number, start in enumerate(starts):
        part = bgr[:, start:start + tile] if wide else bgr[start:start + tile]
        reading = Reading.from_engine(engine(np.ascontiguousarray(part))).above(text_score)
        pieces.append(reading.moved(start, 0) if wide else reading.moved(0, start))
    return merge_tiles(bgr, pieces, starts, tile, wide=wide, engine_for=engine_for,
                       text_score=text_score)


@dataclass(frozen=True)
class _Found:
    box: np.ndarray
    text: str
    score: float
    tile: int
    cut: bool  # touches an inner tile edge


def merge_tiles(bgr: np.ndarray, pieces: list[Reading], starts: list[int], tile: int, *,
                wide: bool, engine_for: EngineFactory, text_score: float) -> Reading:
    """One reading from overlapping tiles: each text once, none cut.

    A text touching an inner tile edge was cut there. If it lies inside the overlap, the next
    tile saw it whole and the cut copy is dropped. Texts of different tiles that overlap are
    one text: the copy that holds the others is kept; if none does (a line longer than the
    overlap, cut in both tiles), the line is read again by recognition alone over their union.
    """
    axis = 0 if wide else 1
    length = bgr.shape[1 - axis]
    edge = 3.0
    found = []
    for number, (reading, start) in enumerate(zip(pieces, starts)):
        end = min(start + tile, length)
        for box, text, score in zip(reading.boxes if reading else (), reading.txts or (),
                                    reading.scores or ()):
            low, high = box[:, axis].min(), box[:, axis].max()
            cut_low = number > 0 and low <= start + edge
            cut_high = number < len(starts) - 1 and high >= end - edge
            # Seen whole by the neighbouring tile: drop this cut copy.
            if cut_high and low >= starts[number + 1] + edge:
                continue
            if cut_low and high <= starts[number - 1] + tile - edge:
                continue
            found.append(_Found(box, text, score, number, cut_low or cut_high))
    groups = _group_overlapping(found, axis)
    boxes, texts, scores = [], [], []
    for group in groups:
        kept = _holder(group, axis)
        if kept is None:
            kept = _reread(bgr, group, engine_for, text_score=text_score)
            if kept is None:
                continue
        boxes.append(kept.box)
        texts.append(kept.text)
        scores.append(kept.score)
    return Reading.of(boxes, texts, scores)


def _extent(box: np.ndarray, axis: int) -> tuple[float, float]:
    return float(box[:, axis].min()), float(box[:, axis].max())


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def _same_text(a: _Found, b: _Found, axis: int) -> bool:
    """Two texts of different tiles that cover the same place on the same line."""
    if a.tile == b.tile:
        return False
    along = _overlap(_extent(a.box, axis), _extent(b.box, axis))
    across_a, across_b = _extent(a.box, 1 - axis), _extent(b.box, 1 - axis)
    thinner = min(across_a[1] - across_a[0], across_b[1] - across_b[0])
    return along > 0 and _overlap(across_a, across_b) > 0.5 * thinner


def _group_overlapping(found: list[_Found], axis: int) -> list[list[_Found]]:
    parent = list(range(len(found)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(found)):
        for j in range(i + 1, len(found)):
            if abs(found[i].tile - found[j].tile) == 1 and _same_text(found[i], found[j], axis):
                parent[root(i)] = root(j)
    groups: dict[int, list[_Found]] = {}
    for i, item in enumerate(found):
        groups.setdefault(root(i), []).append(item)
    return sorted(groups.values(), key=lambda g: min(_extent(f.box, axis)[0] for f in g))


def _holder(group: list[_Found], axis: int) -> _Found | None:
    """The uncut member that spans the whole group along the tiling axis, if any."""
    if len(group) == 1:
        return group[0]
    low = min(_extent(f.box, axis)[0] for f in group)
    high = max(_extent(f.box, axis)[1] for f in group)
    slack = 3.0
    holders = [f for f in group if not f.cut and _extent(f.box, axis)[0] <= low + slack
               and _extent(f.box, axis)[1] >= high - slack]
    return max(holders, key=lambda f: f.score) if holders else None


def _reread(bgr: np.ndarray, group: list[_Found], engine_for: EngineFactory, *,
            text_score: float) -> _Found | None:
    """Read the union of a group's boxes as one line from the original pixels."""
    corners = np.concatenate([f.box for f in group])
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
    height, width = bgr.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width - 1), min(y1, height - 1)
    output = engine_for(RECOGNITION_ONLY)(np.ascontiguousarray(bgr[y0:y1 + 1, x0:x1 + 1]))
    line = _one_line(output, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], text_score)
    if not line:
        return None
    return _Found(line.boxes[0], line.txts[0], line.scores[0], group[0].tile, cut=False)
