"""Geometry of the corner columns, vectorized over whole frames with numpy.

A quad is the four corners WeChat returns (``left_top`` ... ``left_bottom``). From it come an
axis-aligned box (``x_min`` ... ``y_max``) and a rotated box (``center_x``, ``center_y``,
``width``, ``height``, ``angle``), like OpenCV's ``minAreaRect``: ``width`` and ``height`` are
the quad's own side lengths, not those of its axis-aligned box, so a slightly rotated line
keeps its true text height.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ColumnConflictError
from .schema import schema_of

#: Columns added by :func:`boxes`, in order (with the frame's prefix in front).
BOX_COLUMNS: tuple[str, ...] = ("x_min", "y_min", "x_max", "y_max", "width", "height",
                                "center_x", "center_y", "angle")


def quads(frame: pd.DataFrame) -> np.ndarray:
    """The corners as an ``(n, 4, 2)`` float array in WeChat order (NaN on empty rows).

    Examples
    --------
    >>> import pandas as pd
    >>> from wxocr_pandas.schema import CORNER_COLUMNS
    >>> row = pd.DataFrame([[0, 0, 10, 0, 10, 4, 0, 4]], columns=list(CORNER_COLUMNS))
    >>> quads(row)[0].tolist()
    [[0.0, 0.0], [10.0, 0.0], [10.0, 4.0], [0.0, 4.0]]
    """
    corners = list(schema_of(frame).corners)
    return frame[corners].to_numpy(dtype=np.float64, na_value=np.nan).reshape(-1, 4, 2)


def enclosing_boxes(corners: np.ndarray) -> np.ndarray:
    """The axis-aligned boxes ``(x_min, y_min, x_max, y_max)`` enclosing ``(n, 4, 2)`` quads,
    as an ``(n, 4)`` array (NaN rows for NaN quads).

    Examples
    --------
    >>> import numpy as np
    >>> enclosing_boxes(np.array([[[0, 0], [10, 10], [8, 12], [-2, 2]]], dtype=float)).tolist()
    [[-2.0, 0.0, 10.0, 12.0]]
    """
    corners = np.asarray(corners, dtype=np.float64)
    return np.column_stack([corners[..., 0].min(axis=1), corners[..., 1].min(axis=1),
                            corners[..., 0].max(axis=1), corners[..., 1].max(axis=1)]
                           ).reshape(len(corners), 4)


def box_corners(boxes: np.ndarray) -> np.ndarray:
    """The ``(n, 4, 2)`` quads (``left_top`` ... ``left_bottom``) of ``(n, 4)`` axis-aligned
    boxes ``(x_min, y_min, x_max, y_max)``: the inverse of :func:`enclosing_boxes`.

    Examples
    --------
    >>> import numpy as np
    >>> box_corners(np.array([[0, 0, 10, 4]])).tolist()
    [[[0.0, 0.0], [10.0, 0.0], [10.0, 4.0], [0.0, 4.0]]]
    """
    x0, y0, x1, y1 = np.asarray(boxes, dtype=np.float64).reshape(-1, 4).T
    return np.stack([np.column_stack(xy) for xy in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))],
                    axis=1)


def box_arrays(corners: np.ndarray) -> dict[str, np.ndarray]:
    """The :data:`BOX_COLUMNS` of an ``(n, 4, 2)`` corner array, as a dict of arrays.

    ``angle`` is the direction of the top edge in degrees; image y points down, so a positive
    angle means the text runs downhill (clockwise on screen).

    Examples
    --------
    >>> import numpy as np
    >>> quad = np.array([[[0, 0], [10, 10], [8, 12], [-2, 2]]], dtype=float)
    >>> {k: round(float(v[0]), 2) for k, v in box_arrays(quad).items()}  # doctest: +NORMALIZE_WHITESPACE
    {'x_min': -2.0, 'y_min': 0.0, 'x_max': 10.0, 'y_max': 12.0, 'width': 14.14,
     'height': 2.83, 'center_x': 4.0, 'center_y': 6.0, 'angle': 45.0}
    """
    xs, ys = corners[..., 0], corners[..., 1]
    top, bottom = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 3]
    left, right = corners[:, 3] - corners[:, 0], corners[:, 2] - corners[:, 1]
    edges = enclosing_boxes(corners)
    return {
        "x_min": edges[:, 0],
        "y_min": edges[:, 1],
        "x_max": edges[:, 2],
        "y_max": edges[:, 3],
        "width": (np.hypot(*top.T) + np.hypot(*bottom.T)) / 2,
        "height": (np.hypot(*left.T) + np.hypot(*right.T)) / 2,
        "center_x": xs.mean(axis=1),
        "center_y": ys.mean(axis=1),
        "angle": np.degrees(np.arctan2(top[:, 1], top[:, 0])),
    }


def boxes(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with the :data:`BOX_COLUMNS` added (NaN on empty or failed rows).

    ``x_min`` ... ``y_max`` enclose the quad; ``width``, ``height``, ``center_x``,
    ``center_y`` and ``angle`` (degrees of the top edge) describe it as a rotated box. The
    added names carry the frame's prefix (``ocr_x_min`` on a frame recognized with
    ``prefix="ocr_"``).

    Raises
    ------
    ColumnConflictError
        When the frame already has one of those columns: they are never overwritten.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> geo = out.wxocr.boxes()
    >>> bool((geo["x_max"] > geo["x_min"]).all()), bool(geo["angle"].abs().lt(3).all())
    (True, True)
    """
    schema = schema_of(frame)
    added = {schema.col(name): values for name, values in box_arrays(quads(frame)).items()}
    clash = sorted(set(added) & set(map(str, frame.columns)))
    if clash:
        raise ColumnConflictError(f"the frame already has column(s) {clash}; boxes() never "
                                  "overwrites them (drop or rename them first)")
    return frame.assign(**added)


def rotate(points: np.ndarray, degrees: float | np.ndarray) -> np.ndarray:
    """Rotate ``(..., 2)`` points about the origin by ``degrees`` (image coordinates).

    ``degrees`` is one angle, or one per leading row: ``(n,)`` angles rotate the ``n`` quads
    of an ``(n, 4, 2)`` array each by its own angle.

    Examples
    --------
    >>> import numpy as np
    >>> rotate(np.array([[10.0, 0.0]]), 90).round(6).tolist()
    [[0.0, 10.0]]
    >>> rotate(np.array([[[10.0, 0.0]], [[10.0, 0.0]]]), np.array([0, 180])).round(6).tolist()
    [[[10.0, 0.0]], [[-10.0, 0.0]]]
    """
    theta = np.radians(np.asarray(degrees, dtype=np.float64))[..., None]
    cos, sin = np.cos(theta), np.sin(theta)
    x, y = points[..., 0], points[..., 1]
    return np.stack([x * cos - y * sin, x * sin + y * cos], axis=-1)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every axis-aligned box in ``a`` with every one in ``b``.

    Boxes are rows of ``(x_min, y_min, x_max, y_max)``; the result has shape
    ``(len(a), len(b))``.

    Examples
    --------
    >>> import numpy as np
    >>> iou_matrix(np.array([[0, 0, 2, 2]]), np.array([[1, 0, 3, 2], [5, 5, 6, 6]])).round(3).tolist()
    [[0.333, 0.0]]
    """
    a, b = np.asarray(a, dtype=float)[:, None, :], np.asarray(b, dtype=float)[None, :, :]
    inter_w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    inter_h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = inter_w * inter_h
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def pair_boxes(a: np.ndarray, b: np.ndarray, min_iou: float) -> list[tuple[int, int, float]]:
    """One-to-one pairs ``(i, j, iou)`` of ``(n, 4)`` boxes, greedily by highest IoU down to
    ``min_iou``; among equal IoUs the earlier pair (row-major) wins, so the result is stable.

    Examples
    --------
    >>> import numpy as np
    >>> pair_boxes(np.array([[0, 0, 10, 10], [20, 0, 30, 10]]), np.array([[21, 0, 30, 10]]), 0.5)
    [(1, 0, 0.9)]
    """
    iou = iou_matrix(a, b)
    free_a, free_b = np.ones(len(a), bool), np.ones(len(b), bool)
    pairs = []
    for flat in np.argsort(-iou, axis=None, kind="stable"):
        i, j = np.unravel_index(flat, iou.shape)
        if iou[i, j] < min_iou:
            break
        if free_a[i] and free_b[j]:
            free_a[i] = free_b[j] = False
            pairs.append((int(i), int(j), round(float(iou[i, j]), 6)))
    return pairs
