"""Accuracy against known text: per-image CER, WER, character F1 and detection scores.

How text is compared
--------------------
The prediction of an image is its page text (:func:`wxocr_pandas.text.to_text`, lines in
reading order); the truth is the expected text (lines of a truth frame joined by newlines).
Both are normalized the same way: every run of whitespace (line breaks included) becomes one
space, spaces at the ends are dropped, and so is any space next to a CJK character, because
Chinese has no spaces and where an engine puts one between ``设置`` and ``Settings`` is layout,
not reading. Spaces between Latin words stay and count.

- ``cer``: Levenshtein distance between the normalized characters over the number of truth
  characters (spaces between Latin words count as characters). Can exceed 1.
- ``wer``: the same over tokens: each CJK character is a token, and so is each run of other
  non-space characters (a Latin word, a number such as ``41.60``).
- ``char_precision``, ``char_recall``, ``char_f1``: the characters (spaces left out) compared
  as multisets, ignoring order, so a reading-order mistake costs nothing here but does in
  ``cer``.
- ``det_precision``, ``det_recall``, ``det_hmean`` (when the truth has boxes): predicted and
  true boxes matched one to one, greedily by highest IoU, a match needing IoU >= 0.5. IoU is
  taken on axis-aligned boxes: truth is usually written as ``x_min, y_min, x_max, y_max``
  (like ``samples/expected.json``), and a rotated line and its truth enclose the same box, so
  polygon clipping (shapely) would add a dependency for little change.

A ratio with a zero denominator (no truth text, no prediction) is NaN.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .geometry import enclosing_boxes, pair_boxes, quads
from .schema import Schema, group_images, schema_of
from .glyphs import is_cjk
from .text import to_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: IoU a predicted box needs with a true box to count as a detection.
IOU_THRESHOLD = 0.5

TEXT_METRICS: tuple[str, ...] = ("cer", "wer", "char_precision", "char_recall", "char_f1")
DETECTION_METRICS: tuple[str, ...] = ("det_precision", "det_recall", "det_hmean")
_EDGE_BOX_COLUMNS = ["x_min", "y_min", "x_max", "y_max"]
_WHITESPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Collapse whitespace runs to one space and drop spaces at the ends or beside CJK.

    Examples
    --------
    >>> normalize("  设置 Settings\\n\\nHello   world 合 计 ")
    '设置Settings Hello world合计'
    """
    collapsed = _WHITESPACE.sub(" ", text).strip()
    return "".join(ch for i, ch in enumerate(collapsed)
                   if ch != " " or not (is_cjk(collapsed[i - 1]) or is_cjk(collapsed[i + 1])))


def tokens(text: str) -> list[str]:
    """Word tokens: each CJK character alone, each run of other non-space characters.

    Examples
    --------
    >>> tokens("合计 41.60 Total due")
    ['合', '计', '41.60', 'Total', 'due']
    """
    out: list[str] = []
    for word in normalize(text).split(" "):
        run = ""
        for ch in word:
            if is_cjk(ch):
                out += [run, ch] if run else [ch]
                run = ""
            else:
                run += ch
        if run:
            out.append(run)
    return out


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def text_scores(pred: str, truth: str) -> dict[str, float]:
    """The :data:`TEXT_METRICS` of one predicted text against its truth.

    Examples
    --------
    One wrong letter of 11 characters (the space counts), one wrong word of two:

    >>> scores = text_scores("Helo world", "Hello world")
    >>> round(scores["cer"], 4), scores["wer"], round(scores["char_recall"], 2)
    (0.0909, 0.5, 0.9)
    """
    from rapidfuzz.distance import Levenshtein

    pred_text, truth_text = normalize(pred), normalize(truth)
    pred_chars, truth_chars = Counter(pred_text.replace(" ", "")), Counter(truth_text.replace(" ", ""))
    common = sum((pred_chars & truth_chars).values())
    n_pred, n_truth = sum(pred_chars.values()), sum(truth_chars.values())
    truth_tokens = tokens(truth_text)
    return {
        "cer": _ratio(Levenshtein.distance(pred_text, truth_text), len(truth_text)),
        "wer": _ratio(Levenshtein.distance(tokens(pred_text), truth_tokens), len(truth_tokens)),
        "char_precision": _ratio(common, n_pred),
        "char_recall": _ratio(common, n_truth),
        "char_f1": _ratio(2 * common, n_pred + n_truth),
    }


def detection_scores(pred_boxes: np.ndarray, truth_boxes: np.ndarray) -> dict[str, float]:
    """The :data:`DETECTION_METRICS` of ``(n, 4)`` predicted boxes against true ones.

    Examples
    --------
    >>> import numpy as np
    >>> detection_scores(np.array([[0, 0, 10, 10], [50, 50, 60, 60]]), np.array([[1, 1, 10, 10]]))
    {'det_precision': 0.5, 'det_recall': 1.0, 'det_hmean': 0.6666666666666666}
    """
    matched = len(pair_boxes(pred_boxes, truth_boxes, IOU_THRESHOLD))
    return {"det_precision": _ratio(matched, len(pred_boxes)),
            "det_recall": _ratio(matched, len(truth_boxes)),
            "det_hmean": _ratio(2 * matched, len(pred_boxes) + len(truth_boxes))}


def _edge_boxes(frame: pd.DataFrame, schema: Schema) -> np.ndarray:
    """``(n, 4)`` axis-aligned boxes from ``x_min`` ... columns or from the corner columns."""
    edges = [schema.col(name) for name in _EDGE_BOX_COLUMNS]
    if set(edges) <= set(frame.columns):
        return frame[edges].to_numpy(dtype=np.float64)
    return enclosing_boxes(quads(frame))


def _has_boxes(truth: pd.DataFrame, schema: Schema) -> bool:
    return {schema.col(name) for name in _EDGE_BOX_COLUMNS} <= set(truth.columns) \
        or set(schema.corners) <= set(truth.columns)


def _boxes_per_image(frame: pd.DataFrame, schema: Schema) -> dict[Hashable, np.ndarray]:
    """The boxes of each image's texts, by image (index label, and page once there are pages)."""
    found = frame[frame[schema.text].notna().to_numpy()]
    boxes = _edge_boxes(found, schema)
    groups = group_images(found, schema=schema)
    return dict(zip(groups.index(), (boxes[rows] for rows in groups.positions)))


def evaluate(pred: pd.DataFrame, truth: pd.Series | pd.DataFrame) -> pd.DataFrame:
    """Score an exploded result against the expected text (and boxes), one row per image.

    Parameters
    ----------
    pred
        An exploded result (:func:`wxocr_pandas.recognize_frame`), with any prefix.
    truth
        A Series of expected page text indexed like the input rows, or a frame with one row per
        expected text (index label repeated, column ``text``) and optionally its box as
        ``x_min, y_min, x_max, y_max`` or as the eight corner columns. Another result frame
        works too (its own schema is read).

    Returns
    -------
    pandas.DataFrame
        Indexed by the truth's image labels: the :data:`TEXT_METRICS` (see the module
        docstring), and the :data:`DETECTION_METRICS` when the truth has boxes. An image
        missing from ``pred`` counts as read empty.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> scores = wxocr_pandas.evaluate(out, pd.Series(["小心地滑\\nCaution Wet Floor"]))
    >>> scores[["cer", "wer", "char_f1"]].round(3).values.tolist()
    [[0.0, 0.0, 1.0]]
    """
    if isinstance(truth, pd.DataFrame):
        truth_schema = schema_of(truth)
        texts = truth[truth_schema.text].astype(object).fillna("").to_numpy()
        groups = group_images(truth, schema=truth_schema)
        truth_text = pd.Series(["\n".join(texts[rows]) for rows in groups.positions],
                               index=groups.index(), dtype=object)
    else:
        truth_text = truth.astype(object).fillna("")
    pred_text = to_text(pred)
    rows = [text_scores(str(pred_text.get(label, "")), str(expected))
            for label, expected in truth_text.items()]
    scores = pd.DataFrame(rows, index=truth_text.index, columns=list(TEXT_METRICS))
    if isinstance(truth, pd.DataFrame) and _has_boxes(truth, truth_schema):
        predicted = _boxes_per_image(pred, schema_of(pred))
        expected = _boxes_per_image(truth, truth_schema)
        nothing = np.empty((0, 4))
        detection = [detection_scores(predicted.get(label, nothing), expected.get(label, nothing))
                     for label in truth_text.index]
        scores[list(DETECTION_METRICS)] = pd.DataFrame(detection, index=scores.index)
    return scores


def plot_comparison(table: pd.DataFrame, *, metric: str = "cer", ax: Axes | None = None) -> Axes:
    """Grouped bars of one metric from :func:`~wxocr_pandas.api.compare`: images along x, one
    colour per backend.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"backend": ["a", "b"], "cer": [0.1, 0.3]}, index=[0, 0])
    >>> ax = plot_comparison(table)
    >>> [round(float(bar.get_height()), 2) for bar in ax.patches]
    [0.1, 0.3]
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    wide = table.pivot_table(index=table.index, columns="backend", values=metric, sort=False)
    wide.plot.bar(ax=ax, rot=0)
    ax.set_xlabel("image")
    ax.set_ylabel(metric)
    ax.legend(title="backend")
    return ax
