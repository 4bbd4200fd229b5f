"""Ruling lines of a page: from its pixels (OpenCV morphology) or a PDF's vector paths.

Both give :class:`~wxocr_pandas.tables.grid.Rules` in the pixels of the page as its items
are measured (``img_w`` x ``img_h``), turned by the same angle as the deskewed items.

**Pixels.** The grey image is binarized with a local threshold (so light zebra shading and
uneven scans stay white), the text items' boxes are blanked (their strokes are not rules),
and an opening with a long thin kernel keeps horizontal (vertical) runs of ink at least
:data:`H_KERNEL` (:data:`V_KERNEL`) text heights long. Each connected run is a segment;
segments on one line with small breaks (JPEG noise, a blanked box touching the rule) are
joined. OpenCV is imported inside the functions: ``import wxocr_pandas`` stays light.

**PDF.** A page's path objects (``pdfium``, through :mod:`pypdfium2`): straight horizontal or
vertical pieces of paths, and thin filled rectangles (how many PDF writers draw rules), are
the rules; their points go through the object's matrix and the page's scale to pixels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import Image

from .grid import Rules

#: Horizontal rules are runs of ink at least this many text heights long ...
H_KERNEL = 2.5
#: ... vertical ones at least this many (a one-line row is about 1.5 text heights tall).
V_KERNEL = 1.2
#: A PDF path thicker than this many text heights is a filled area, not a rule.
MAX_THICKNESS = 0.5
#: A blank stretch this many text heights wide inside an item separates two cells.
ITEM_GAP = 0.6
#: Breaks up to this many text heights on one line are joined.
JOIN_GAP = 1.0
#: Runs of ink side by side over this many text heights are a filled area, not a rule.
MAX_RULE_WIDTH = 0.5
#: Strokes darker than this share of the paper's grey are dark ink (rules, not shading).
DARK = 0.5


def upright(image: Image.Image, angle: float = 0.0) -> np.ndarray:
    """``image`` in grey, turned by ``angle`` degrees about its centre as its items were
    (white where the turn brings in new pixels).

    Examples
    --------
    >>> upright(Image.new("RGB", (30, 20), "white"), 1.0).shape
    (20, 30)
    """
    import cv2

    grey = np.asarray(image.convert("L"), dtype=np.uint8)
    if not angle:
        return grey
    centre = (grey.shape[1] / 2, grey.shape[0] / 2)
    matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
    return cv2.warpAffine(grey, matrix, (grey.shape[1], grey.shape[0]),
                          flags=cv2.INTER_LINEAR, borderValue=255)


def ink(grey: np.ndarray, height: float) -> np.ndarray:
    """The dark strokes of a grey page as a 0/255 mask: a local threshold keeps light
    shading (zebra rows, a grey scan background) white.

    Examples
    --------
    >>> from PIL import ImageDraw
    >>> page = Image.new("L", (60, 40), 255)
    >>> ImageDraw.Draw(page).line([(5, 20), (55, 20)], fill=0, width=2)
    >>> int(ink(upright(page), 10.0)[20, 30])
    255
    """
    import cv2

    block = max(15, int(height) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY_INV, block, 12)


def image_rules(strokes: np.ndarray, box: np.ndarray, height: float,
                grey: np.ndarray | None = None) -> Rules:
    """The ruling lines in an :func:`ink` mask, in the deskewed frame of the items; with
    the ``grey`` page, without the edges of shaded areas.

    Parameters
    ----------
    strokes
        The page's :func:`ink`.
    box
        ``(n, 4)`` item boxes in the deskewed frame (blanked before looking for lines).
    height
        The page's text height in pixels.

    Examples
    --------
    >>> from PIL import ImageDraw
    >>> page = Image.new("L", (300, 200), 255)
    >>> draw = ImageDraw.Draw(page)
    >>> draw.line([(20, 50), (280, 50)], fill=0, width=2)
    >>> draw.line([(150, 20), (150, 180)], fill=0, width=2)
    >>> rules = image_rules(ink(upright(page), 12.0), np.empty((0, 4)), 12.0)
    >>> rules.horizontal.round().tolist(), rules.vertical.round().tolist()
    ([[50.0, 22.0, 282.0]], [[150.0, 22.0, 182.0]])
    """
    import cv2

    strokes = strokes.copy()
    # Only the middle of each box is blanked: engines pad boxes over a rule that touches the
    # text, and the strokes left above and below are too short for the kernels.
    for x0, y0, x1, y1 in np.asarray(box, dtype=np.float64).reshape(-1, 4):
        shrink = 0.25 * (y1 - y0)
        strokes[max(int(y0 + shrink), 0):max(int(math.ceil(y1 - shrink)), 0),
                max(int(x0 + shrink), 0):max(int(math.ceil(x1 - shrink)), 0)] = 0
    horizontal, vertical = _line_masks(strokes, height)
    if grey is not None:
        # The local threshold also inks a shaded area around light text (a blue header with
        # white text), which joins a black rule below it into a filled area; the page's dark
        # strokes alone still show that rule.
        paper = float(np.percentile(grey, 90))
        dark_h, dark_v = _line_masks(strokes & np.where(grey < DARK * paper, 255, 0).astype(np.uint8),
                                     height)
        horizontal |= dark_h
        vertical |= dark_v
    rules = Rules(_segments(horizontal, height, axis=0), _segments(vertical, height, axis=1))
    return rules if grey is None else _drop_edges(rules, grey, max(4, int(0.25 * height)))


def _line_masks(strokes: np.ndarray, height: float) -> tuple[np.ndarray, np.ndarray]:
    """The horizontal and vertical runs of ``strokes`` long enough to be rules, without
    filled areas."""
    import cv2

    long_h = max(int(H_KERNEL * height), 20)
    long_v = max(int(V_KERNEL * height), 12)
    bridge = max(int(0.2 * height), 2)
    horizontal = cv2.morphologyEx(
        cv2.morphologyEx(strokes, cv2.MORPH_CLOSE, np.ones((1, bridge), np.uint8)),
        cv2.MORPH_OPEN, np.ones((1, long_h), np.uint8))
    vertical = cv2.morphologyEx(
        cv2.morphologyEx(strokes, cv2.MORPH_CLOSE, np.ones((bridge, 1), np.uint8)),
        cv2.MORPH_OPEN, np.ones((long_v, 1), np.uint8))
    # A dark filled area (a black header with white text) is long runs of ink in every
    # column and row of it: runs side by side thicker than a rule are no line.
    thick = max(int(MAX_RULE_WIDTH * height), 6)
    horizontal &= ~cv2.morphologyEx(horizontal, cv2.MORPH_OPEN, np.ones((thick, 1), np.uint8))
    vertical &= ~cv2.morphologyEx(vertical, cv2.MORPH_OPEN, np.ones((1, thick), np.uint8))
    return horizontal, vertical


def _drop_edges(rules: Rules, grey: np.ndarray, offset: int, contrast: float = 15.0
                ) -> Rules:
    """Rules without the edges of shaded areas (a coloured header, a zebra stripe): a rule
    has the same paper on both sides (``offset`` pixels away; the brightest tenth of each
    side is the background, whatever text lies there), an edge a lighter and a darker side. A local threshold
    sees an edge only where no text darkens the neighbourhood, so an edge would be a rule
    with gaps, and its gaps spanning cells."""
    def keep(segments: np.ndarray, along_x: bool) -> np.ndarray:
        out = []
        for pos, a, b in segments:
            p, lo, hi = int(round(pos)), max(int(a), 0), int(b) + 1
            if along_x:
                before = grey[max(p - offset - 1, 0):max(p - offset + 1, 0), lo:hi]
                after = grey[p + offset:p + offset + 2, lo:hi]
            else:
                before = grey[lo:hi, max(p - offset - 1, 0):max(p - offset + 1, 0)]
                after = grey[lo:hi, p + offset:p + offset + 2]
            if before.size == 0 or after.size == 0 \
                    or abs(float(np.percentile(before, 90)) - float(np.percentile(after, 90))) \
                    <= contrast:
                out.append((pos, a, b))
                continue
            # A rule between a shaded cell and a white one is darker than the shading too; the
            # edge of a filled area is not darker than most of that area (white text on a black
            # header brightens the area's lightest tenth, not its median).
            line = grey[max(p - 1, 0):p + 2, lo:hi].min(axis=0) if along_x \
                else grey[lo:hi, max(p - 1, 0):p + 2].min(axis=1)
            if float(np.median(line)) < min(float(np.median(before)), float(np.median(after))) \
                    - 2 * contrast:
                out.append((pos, a, b))
        return np.array(out, dtype=np.float64).reshape(-1, 3)

    return Rules(keep(rules.horizontal, True), keep(rules.vertical, False))


def without_rules(grey: np.ndarray, rules: Rules, width: int = 5) -> np.ndarray:
    """The grey page with the ``rules`` painted white (``width`` pixels wide): what is left
    is the text, whose blanks tell two cells apart.

    Examples
    --------
    >>> grey = np.full((20, 20), 255, np.uint8)
    >>> grey[:, 10] = 0
    >>> int(without_rules(grey, Rules(np.empty((0, 3)), np.array([[10.0, 0, 19]]))).min())
    255
    """
    import cv2

    out = grey.copy()
    for y, a, b in rules.horizontal:
        cv2.line(out, (int(a), int(round(y))), (int(b), int(round(y))), 255, width)
    for x, a, b in rules.vertical:
        cv2.line(out, (int(round(x)), int(a)), (int(round(x)), int(b)), 255, width)
    return out


def item_ink(grey: np.ndarray, box: np.ndarray, height: float
             ) -> list[tuple[float, float, list[tuple[float, float, float]]]]:
    """For each item box on the grey page: the x-extent of its ink (engines pad boxes, so
    neighbouring cells' boxes can overlap) and its blank stretches at least
    :data:`ITEM_GAP` text heights wide, and as wide as its ink is tall (where the engine
    read two cells as one item), as
    ``(x_start, x_end, share)``: ``share`` is the part of the item's inked extent (its wide
    blanks left out) before the blank, where to cut its text. An item without clear ink
    keeps its box.

    Ink is what is darker than halfway from the box's background to its darkest pixels,
    so light shading, its edges and JPEG noise are no ink.

    Examples
    --------
    >>> from PIL import ImageDraw
    >>> page = Image.new("L", (200, 40), 255)
    >>> draw = ImageDraw.Draw(page)
    >>> draw.rectangle([10, 10, 60, 30], fill=0)
    >>> draw.rectangle([120, 10, 190, 30], fill=0)
    >>> item_ink(upright(page), np.array([[5, 5, 195, 35]]), 20.0)
    [(10.0, 190.0, [(60.0, 120.0, 0.42)])]
    """
    out: list[tuple[float, float, list[tuple[float, float, float]]]] = []
    for x0, y0, x1, y1 in np.asarray(box, dtype=np.float64).reshape(-1, 4):
        left = max(int(x0), 0)
        # Below the top fifth (accents, a rule above), down to the bottom: a full stop or a
        # comma sits on the baseline, and its blank is no cell gap.
        crop = grey[max(int(y0 + 0.2 * (y1 - y0)), 0):max(int(math.ceil(y1)), 0),
                    left:max(int(x1), 0)]
        if crop.size == 0:
            out.append((float(x0), float(x1), []))
            continue
        darkest, background = np.percentile(crop, [2, 80])
        dark = crop < (background + darkest) / 2
        dark &= ~(dark.mean(axis=1) > 0.8)[:, None]  # a line along the box is no glyph
        inked = np.flatnonzero(dark.sum(axis=0) >= 2) if background - darkest >= 40 \
            else np.empty(0, np.intp)
        # A tight box (a PDF text layer) is smaller than an engine's padded one: the blank
        # must also be as wide as the glyphs are tall.
        limit = max(ITEM_GAP * height, float(dark.any(axis=1).sum()))
        inked = _without_slivers(inked, limit, dark.mean(axis=0))
        if len(inked) < 2:
            out.append((float(x0), float(x1), []))
            continue
        wide = np.flatnonzero(np.diff(inked) > limit)
        # Where to cut the text: the share of the inked extent (blanks left out) before
        # each blank, as glyphs, not the columns between them, take the width.
        starts = np.concatenate([[inked[0]], inked[wide + 1]])
        ends = np.concatenate([inked[wide], [inked[-1]]])
        widths = np.cumsum(ends - starts + 1)
        out.append((float(left + inked[0]), float(left + inked[-1]),
                    [(float(left + inked[k]), float(left + inked[k + 1]),
                      round(float(widths[n] / widths[-1]), 2)) for n, k in enumerate(wide)]))
    return out


def _without_slivers(inked: np.ndarray, limit: float, filled: np.ndarray) -> np.ndarray:
    """... nor by a sliver: a run of at most 2 inked columns, dark over 90 % of the box's
    height (``filled``, per column), with wide blanks on both sides: what is left of a rule
    through the box."""
    if len(inked) < 3:
        return inked
    breaks = np.flatnonzero(np.diff(inked) > 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(inked) - 1]])
    keep = np.ones(len(inked), dtype=bool)
    for k, (a, z) in enumerate(zip(starts, ends)):
        before = inked[a] - inked[ends[k - 1]] if k else 0
        after = inked[starts[k + 1]] - inked[z] if k + 1 < len(starts) else 0
        if inked[z] - inked[a] < 2 and before > limit / 2 and after > limit / 2 \
                and filled[inked[a]:inked[z] + 1].max() >= 0.9:
            keep[a:z + 1] = False
    return inked[keep]


def _segments(mask: np.ndarray, height: float, axis: int) -> np.ndarray:
    """Runs of ``mask`` along its rows (``axis=0``) or columns as ``(position, start, end)``
    rows, joined along lines (a rule two pixels thick is one line)."""
    lines = mask if axis == 0 else mask.T
    found = []
    for row in np.flatnonzero(lines.any(axis=1)):
        edges = np.diff(np.concatenate([[0], (lines[row] > 0).view(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
        found.append(np.column_stack([np.full(len(starts), row), starts, ends]))
    rows = np.concatenate(found).astype(np.float64) if found else np.empty((0, 3))
    return join_segments(rows, height)


def join_segments(rows: np.ndarray, height: float) -> np.ndarray:
    """Segments ``(position, start, end)`` on one line (positions within a third of a text
    height) with breaks of at most :data:`JOIN_GAP` text heights joined into one.

    Examples
    --------
    >>> join_segments(np.array([[10, 0, 50], [10.5, 55, 90], [30, 0, 20]], float), 10).tolist()
    [[10.25, 0.0, 90.0], [30.0, 0.0, 20.0]]
    """
    if not len(rows):
        return np.empty((0, 3))
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    lines = np.split(rows, np.flatnonzero(np.diff(rows[:, 0]) > height / 3) + 1)
    out: list[list[float]] = []
    for line in lines:  # segments at one position, joined along it where the breaks are small
        line = line[np.argsort(line[:, 1], kind="stable")]
        first = len(out)
        for pos, start, end in line:
            if len(out) > first and start <= out[-1][2] + JOIN_GAP * height:
                out[-1][2] = max(out[-1][2], end)
                out[-1][0] = (out[-1][0] + pos) / 2
            else:
                out.append([pos, start, end])
    return np.array(out, dtype=np.float64)


def pdf_rules(document: Any, page_index: int, size: tuple[int, int], height: float) -> Rules | None:
    """The vector rules of a PDF page in pixels of the page rendered at ``size``, or None
    when the page has none (or is turned by ``/Rotate``: its pixels are read instead).

    ``document`` is anything :class:`pypdfium2.PdfDocument` opens (a path, bytes).

    Examples
    --------
    >>> pdf_rules("samples/report.pdf", 0, (1240, 1754), 20.0) is None
    True
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(document)
    try:
        page = pdf[page_index]
        try:
            if page.get_rotation() % 360:
                return None
            left, bottom, right, top = page.get_bbox()
            scale = size[0] / max(page.get_width(), 1e-9)
            pieces: list[tuple[float, float, float, float]] = []
            for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=4):
                pieces.extend(_path_pieces(obj, pdfium_c))
        finally:
            page.close()
    finally:
        pdf.close()
    if not pieces:
        return None
    xy = np.array(pieces, dtype=np.float64)
    xs = (xy[:, [0, 2]] - left) * scale
    ys = (top - xy[:, [1, 3]]) * scale
    dx, dy = np.abs(xs[:, 1] - xs[:, 0]), np.abs(ys[:, 1] - ys[:, 0])
    thin = max(MAX_THICKNESS * height, 4)
    hor = (dy <= thin) & (dx >= H_KERNEL * height)
    ver = (dx <= thin) & (dy >= V_KERNEL * height)
    horizontal = np.column_stack([ys[hor].mean(1), xs[hor].min(1), xs[hor].max(1)])
    vertical = np.column_stack([xs[ver].mean(1), ys[ver].min(1), ys[ver].max(1)])
    if not len(horizontal) and not len(vertical):
        return None
    return Rules(join_segments(horizontal, height), join_segments(vertical, height))


def _path_pieces(obj: Any, pdfium_c: Any) -> list[tuple[float, float, float, float]]:
    """Straight pieces ``(x0, y0, x1, y1)`` of a path object in page points: the segments of
    a stroked path, or the box of a thin filled one (a rule drawn as a rectangle)."""
    import ctypes

    fill, stroke = ctypes.c_int(0), ctypes.c_int(0)
    pdfium_c.FPDFPath_GetDrawMode(obj, fill, ctypes.byref(stroke))
    left, bottom, right, top = obj.get_bounds()
    if fill.value and not stroke.value:
        if min(right - left, top - bottom) <= 3:
            return [(left, (bottom + top) / 2, right, (bottom + top) / 2)
                    if right - left >= top - bottom else ((left + right) / 2, bottom, (left + right) / 2, top)]
        return []
    if not stroke.value:
        return []
    matrix = obj.get_matrix()
    out = []
    x = y = None
    start = None
    for k in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, k)
        px, py = ctypes.c_float(0), ctypes.c_float(0)
        pdfium_c.FPDFPathSegment_GetPoint(segment, px, py)
        nx = matrix.a * px.value + matrix.c * py.value + matrix.e
        ny = matrix.b * px.value + matrix.d * py.value + matrix.f
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and x is not None:
            out.append((x, y, nx, ny))
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = (nx, ny)
        x, y = nx, ny
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            out.append((x, y, *start))
            x, y = start
    return out
