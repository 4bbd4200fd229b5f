"""What the engine really hands its models, and a guard that keeps it bounded.

RapidOCR reshapes every image before its models see it (rapidocr 3.x, ``main.py`` and
``utils/process_img.py``; the settings are the engine's ``cfg``):

1. ``resize_image_within_bounds``: a long side over ``Global.max_side_len`` (2000) is
   shrunk to it; then a short side under ``Global.min_side_len`` (30) is *enlarged* to it,
   the long side with it. Each step rounds both sides to multiples of 32; a side that
   rounds to 0 fails (``ResizeImgError``).
2. For detection, ``apply_vertical_padding``: an image more than
   ``Global.width_height_ratio`` (8) times wider than high, or at most ``Global.min_height``
   (30) high, is padded with black above and below to a quarter of its width.
3. The detector's own resize (``Det.limit_type`` ``"min"``, ``Det.limit_side_len`` 736): a
   short side under 736 is enlarged to it, the long side with it; sides rounded to 32.
4. Recognition alone (no detection) scales the whole image to ``Rec.rec_img_shape`` (48)
   high and as wide as its proportions ask, with no limit.

So a 1000 x 1 strip reached the detector as 30016 x 7504 pixels (225 M), a 2000 x 30 column as
736 x 49056, and recognition alone read the 1000 x 1 strip as a line 45024 pixels long (the
memory and time they took, measured: see docs/performance.md#observations).
:class:`BoundedEngine` predicts those sizes (:func:`detector_input`, :func:`recognizer_input`)
and, for an image that would exceed :data:`DETECTOR_MAX_PIXELS` or
:data:`RECOGNIZER_MAX_WIDTH`, hands the engine a reshaped copy instead: shrunk to the engine's
own long-side limit when it is longer (the engine would shrink it anyway, but could round its
short side to nothing), and padded on its short side with its border colour: for detection to
a quarter of its long side (the proportions the engine gives a long line itself, and an
ordinary page's cost), for recognition alone just enough to fit. Detected corners are mapped
back to the image as given. Images of ordinary proportions are handed over untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: The most pixels the detector may be handed. Everyday images stay below it (a page: at
#: most 2000 x 2000; a line more than 8 times wider than high: 736 x 2944); the detector's
#: working memory grows with its pixels (measured: see docs/performance.md#observations).
DETECTOR_MAX_PIXELS = 6_000_000
#: The longest line recognition alone may be handed, in pixels at its 48-pixel height
#: (200 line heights). Recognition's working memory grows with its input's width: this bounds
#: one call (measured: see docs/performance.md#observations).
RECOGNIZER_MAX_WIDTH = 9_600
#: An image the detector would get too large is handed over at least a quarter as high as
#: wide (or wide as high): the proportions the engine pads a long line to itself, which it
#: then detects on at 736 x 2944 pixels, the cost of an ordinary page.
DETECTOR_MAX_ASPECT = 4


@dataclass(frozen=True)
class EngineShape:
    """The settings of one RapidOCR engine that decide what its models are handed.

    Examples
    --------
    >>> EngineShape().det_limit_side_len
    736
    """

    use_det: bool = True
    use_rec: bool = True
    use_preprocess: bool = True
    min_side_len: float = 30
    max_side_len: float = 2000
    vertical_padding: bool = True
    width_height_ratio: float = 8
    min_height: float = 30
    det_limit_side_len: float = 736
    det_limit_type: str = "min"
    rec_height: int = 48
    rec_min_width: int = 320

    @classmethod
    def of(cls, engine: Any) -> EngineShape:
        """The shape settings of a ``RapidOCR`` engine (read from its ``cfg``)."""
        glob, det, rec = engine.cfg.Global, engine.cfg.Det, engine.cfg.Rec
        _, rec_height, rec_width = list(rec.rec_img_shape)[:3]
        return cls(bool(glob.use_det), bool(glob.use_rec), bool(glob.use_preprocess_img),
                   float(glob.min_side_len), float(glob.max_side_len),
                   bool(glob.use_vertical_padding), float(glob.width_height_ratio),
                   float(glob.min_height), float(det.limit_side_len), str(det.limit_type),
                   int(rec_height), int(rec_width))


def _round32(length: float) -> int:
    return int(round(int(length) / 32) * 32)


def _scaled(height: int, width: int, ratio: float) -> tuple[int, int] | None:
    """Both sides times ``ratio``, rounded to 32 as the engine does; None when one is 0."""
    height, width = _round32(height * ratio), _round32(width * ratio)
    return (height, width) if height > 0 and width > 0 else None


def preprocessed(height: int, width: int, shape: EngineShape) -> tuple[int, int] | None:
    """The size the engine brings an image to before any model (step 1 of the module docs);
    None where the engine fails on it.

    Examples
    --------
    >>> preprocessed(1, 1000, EngineShape())
    (32, 30016)
    >>> preprocessed(10, 3000, EngineShape()) is None  # shrunk to 6 pixels high: rounds to 0
    True
    """
    if not shape.use_preprocess:
        return height, width
    size: tuple[int, int] | None = (height, width)
    if max(height, width) > shape.max_side_len:
        size = _scaled(height, width, shape.max_side_len / max(height, width))
    if size is not None and min(size) < shape.min_side_len:
        size = _scaled(*size, shape.min_side_len / min(size))
    return size


def detector_input(height: int, width: int, shape: EngineShape) -> tuple[int, int] | None:
    """The size the detector is handed for an image of ``height x width`` (steps 1 to 3);
    None where the engine fails on it or hands the detector nothing.

    Examples
    --------
    >>> detector_input(1, 1000, EngineShape())
    (7488, 30016)
    >>> detector_input(1500, 1000, EngineShape())
    (1504, 992)
    """
    size = preprocessed(height, width, shape)
    if size is None:
        return None
    height, width = size
    ratio_limit = shape.width_height_ratio
    if shape.vertical_padding and (height <= shape.min_height or (
            ratio_limit != -1 and width / height > ratio_limit)):
        padded = max(int(width / ratio_limit), shape.min_height) * 2
        height += 2 * int(abs(padded - height) / 2)
    limit = shape.det_limit_side_len
    if shape.det_limit_type == "max":
        ratio = limit / max(height, width) if max(height, width) > limit else 1.0
    else:
        ratio = limit / min(height, width) if min(height, width) < limit else 1.0
    return _scaled(height, width, ratio)


def recognizer_input(height: int, width: int, shape: EngineShape) -> tuple[int, int] | None:
    """The size recognition alone is handed for a whole image of ``height x width`` (steps 1
    and 4); None where the engine fails on it.

    Examples
    --------
    >>> recognizer_input(1, 1000, EngineShape())
    (48, 45024)
    """
    size = preprocessed(height, width, shape)
    if size is None:
        return None
    height, width = size
    ratio = max(shape.rec_min_width / shape.rec_height, width / height)
    return shape.rec_height, int(shape.rec_height * ratio)


def fits(height: int, width: int, shape: EngineShape) -> bool:
    """True when the engine can take an image of ``height x width`` within the bounds:
    nothing it hands a model exceeds :data:`DETECTOR_MAX_PIXELS` (its own enlarged copy
    included) or :data:`RECOGNIZER_MAX_WIDTH`, and no side rounds to nothing.

    Examples
    --------
    >>> fits(1500, 1000, EngineShape()), fits(1, 1000, EngineShape())
    (True, False)
    """
    size = preprocessed(height, width, shape)
    if size is None or size[0] * size[1] > DETECTOR_MAX_PIXELS:
        return False
    if shape.use_det:
        detected = detector_input(height, width, shape)
        return detected is None or detected[0] * detected[1] <= DETECTOR_MAX_PIXELS
    if shape.use_rec:
        recognized = recognizer_input(height, width, shape)
        return recognized is not None and recognized[1] <= RECOGNIZER_MAX_WIDTH
    return True


@dataclass(frozen=True)
class Reshape:
    """How an image is handed to the engine: scaled by ``scale`` (1: as it is), then padded
    to ``height x width`` with the padding below or to the right.

    Examples
    --------
    >>> fitting(1, 1000, EngineShape())
    Reshape(scale=1.0, height=250, width=1000)
    """

    scale: float
    height: int
    width: int


def fitting(height: int, width: int, shape: EngineShape) -> Reshape | None:
    """How to hand the engine an image of ``height x width`` within the bounds: None when
    it fits as it is, else shrunk to the engine's long-side limit if longer, and padded on
    its short side to :data:`DETECTOR_MAX_ASPECT` for detection, or just enough to fit for
    recognition alone."""
    if fits(height, width, shape):
        return None
    scale = min(1.0, shape.max_side_len / max(height, width))
    height = max(1, round(height * scale))
    width = max(1, round(width * scale))
    wide = width >= height
    low, high = (height, width) if wide else (width, height)
    if shape.use_det:
        low = max(low, -(-high // DETECTOR_MAX_ASPECT))

    def fit(across: int) -> bool:
        return fits(across, width, shape) if wide else fits(height, across, shape)

    if not fit(high):  # not even square: only a long side over the engine's limit does this
        raise ValueError(f"no padding fits a {height}x{width} image to {shape}")
    while low < high:  # the least padded short side that fits (fit(high) holds throughout)
        middle = (low + high) // 2
        if fit(middle):
            high = middle
        else:
            low = middle + 1
    return Reshape(scale, high, width) if wide else Reshape(scale, height, high)


def reshaped(bgr: np.ndarray, reshape: Reshape) -> np.ndarray:
    """``bgr`` scaled and padded with its border colour as ``reshape`` says."""
    import cv2

    from .reading import border_color

    if reshape.scale != 1.0:
        height, width = bgr.shape[:2]
        size = (max(1, round(width * reshape.scale)), max(1, round(height * reshape.scale)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    height, width = bgr.shape[:2]
    framed = np.empty((reshape.height, reshape.width, 3), dtype=np.uint8)
    framed[:] = border_color(bgr)
    framed[:height, :width] = bgr
    return framed


class BoundedEngine:
    """A RapidOCR engine that is never handed an image it would blow up past the bounds.

    Called like the engine (one BGR image); an image that does not :func:`fits` goes in
    reshaped (:func:`fitting`), and the corners the engine detects on it come back in pixels
    of the image as given.

    Examples
    --------
    >>> import numpy as np
    >>> from wxocr_pandas.backends.local import LocalBackend
    >>> engine = LocalBackend().engine_for({})
    >>> strip = np.full((1, 1000, 3), 255, dtype=np.uint8)  # 225 M pixels to the bare engine
    >>> engine(strip).txts is None
    True
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.shape = EngineShape.of(engine)

    def __call__(self, bgr: np.ndarray) -> Any:
        height, width = bgr.shape[:2]
        reshape = fitting(height, width, self.shape)
        if reshape is None:
            return self.engine(bgr)
        output = self.engine(reshaped(bgr, reshape))
        boxes = getattr(output, "boxes", None)
        if boxes is not None and len(boxes):
            corners = np.asarray(boxes, dtype=float) / reshape.scale
            corners[..., 0] = corners[..., 0].clip(0, width - 1)
            corners[..., 1] = corners[..., 1].clip(0, height - 1)
            output.boxes = corners
        return output

