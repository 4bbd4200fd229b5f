"""Item-level comparison of two results of the same images: which texts agree, and where.

:func:`wxocr_pandas.compare` compares whole page texts. Here the items of two results (two
backends, or one backend before and after a setting) are paired by box overlap, image by
image (and page by page), so each disagreement points at a place on the image:

1. each item's quad is enclosed in an axis-aligned box, and every box of A is scored against
   every box of B by intersection over union (:func:`wxocr_pandas.geometry.iou_matrix`);
2. pairs are taken greedily, highest IoU first, one to one, down to ``min_iou``
   (:func:`wxocr_pandas.geometry.pair_boxes`);
3. a pair whose texts are equal is ``same``, otherwise ``differs`` with a character diff
   (``合计 4[1→7].60``: ``[x→y]`` replaced, ``[-x]`` only in A, ``[+y]`` only in B); an item
   left unpaired is ``only_a`` or ``only_b``.

Scores are kept per side, so the local engine's score stands beside a WeChat item, which has
none (NaN).
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import UsageError
from .geometry import enclosing_boxes, pair_boxes, quads
from .schema import rows_per_image, schema_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Boxes overlapping less than this (IoU) are not the same item. Two engines pad a line's box
#: differently, so the same line often overlaps by 0.5-0.8 only.
MIN_IOU = 0.3
#: The values of the ``status`` column, in this order of categories.
STATUSES: tuple[str, ...] = ("same", "differs", "only_a", "only_b")
#: Edge colour of each status in :func:`plot_matches`.
STATUS_COLORS: dict[str, str] = {"same": "#2ca02c", "differs": "#ff7f0e",
                                 "only_a": "#d62728", "only_b": "#9467bd"}


def char_diff(a: str, b: str) -> str:
    """``a`` with the edits that make it ``b`` written in: ``[x→y]``, ``[-x]``, ``[+y]``.

    Examples
    --------
    >>> char_diff("合计 41.60", "合计 47.60")
    '合计 4[1→7].60'
    >>> char_diff("Caution", "Cauton!")
    'Caut[-i]on[+!]'
    """
    out = []
    for tag, i0, i1, j0, j1 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(a[i0:i1])
        elif tag == "replace":
            out.append(f"[{a[i0:i1]}→{b[j0:j1]}]")
        elif tag == "delete":
            out.append(f"[-{a[i0:i1]}]")
        else:
            out.append(f"[+{b[j0:j1]}]")
    return "".join(out)


def _found(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows[schema_of(rows).text].notna().to_numpy()]


def _match_image(a: pd.DataFrame, b: pd.DataFrame, min_iou: float) -> list[dict[str, Any]]:
    """The match rows of one image, in A's item order."""
    schema_a, schema_b = schema_of(a), schema_of(b)
    box_a, box_b = enclosing_boxes(quads(a)), enclosing_boxes(quads(b))
    pairs = pair_boxes(box_a, box_b, min_iou)
    paired_a, paired_b = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    sides = [(i, j, iou) for i, j, iou in pairs]
    sides += [(i, None, np.nan) for i in range(len(a)) if i not in paired_a]
    sides += [(None, j, np.nan) for j in range(len(b)) if j not in paired_b]
    # Rows follow A's item order; an item only B read goes before the first A item below it.
    centre_a = (box_a[:, 1] + box_a[:, 3]) / 2
    rows = []
    for i, j, iou in sides:
        text_a = None if i is None else str(a[schema_a.text].iloc[i])
        text_b = None if j is None else str(b[schema_b.text].iloc[j])
        if i is None:
            status, diff = "only_b", f"[+{text_b}]"
        elif j is None:
            status, diff = "only_a", f"[-{text_a}]"
        else:
            status = "same" if text_a == text_b else "differs"
            diff = text_a if status == "same" else char_diff(text_a, text_b)
        order = i if i is not None else np.searchsorted(
            np.maximum.accumulate(centre_a), (box_b[j, 1] + box_b[j, 3]) / 2) - 0.5
        rows.append({"item_a": None if i is None else a[schema_a.item].iloc[i],
                     "item_b": None if j is None else b[schema_b.item].iloc[j],
                     "text_a": text_a, "text_b": text_b,
                     "score_a": np.nan if i is None else a[schema_a.score].iloc[i],
                     "score_b": np.nan if j is None else b[schema_b.score].iloc[j],
                     "iou": iou, "status": status, "diff": diff,
                     "_order": order})
    return sorted(rows, key=lambda row: row["_order"])


def match_items(a: pd.DataFrame, b: pd.DataFrame, *, names: Sequence[str] = ("a", "b"),
                min_iou: float = MIN_IOU) -> pd.DataFrame:
    """Pair the items of two results of the same images by box overlap, and compare their text.

    Parameters
    ----------
    a, b
        Two exploded results of the same inputs (``df.wxocr.recognize(...)`` with two
        backends or settings): images are matched by index label (and ``page``).
    names
        Suffixes of the per-side columns: ``names=("local", "wechat")`` gives
        ``text_local``, ``score_wechat`` ... and statuses ``only_local``, ``only_wechat``.
    min_iou
        Least intersection over union of two boxes to pair them (see :data:`MIN_IOU`).

    Returns
    -------
    pandas.DataFrame
        One row per pair or unpaired item, indexed by image label, in A's item order within
        an image (an item only B read goes before the first A item below it): ``page``, ``item_<a>``, ``item_<b>`` (Int64, NA on the missing side),
        ``text_<a>``, ``text_<b>``, ``score_<a>``, ``score_<b>``, ``iou``, ``status``
        (``same``, ``differs``, ``only_<a>``, ``only_<b>``; categorical) and ``diff``
        (:func:`char_diff` of the two texts).

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> edited = out.assign(text=out["text"].str.replace("Floor", "Fl00r"))
    >>> table = wxocr_pandas.match_items(out, edited, names=("read", "edited"))
    >>> table[["status", "diff"]].values.tolist()
    [['same', '小心地滑'], ['differs', 'Caution Wet Fl[oo→00]r']]
    """
    name_a, name_b = names
    if name_a == name_b:
        raise UsageError(f"names must differ, not {tuple(names)!r}")
    images_a, images_b = dict(rows_per_image(a)), dict(rows_per_image(b))
    rows, labels, pages = [], [], []
    keys = [*images_a, *(key for key in images_b if key not in images_a)]
    for key in keys:
        found = _match_image(_found(images_a.get(key, a.iloc[:0])),
                             _found(images_b.get(key, b.iloc[:0])), min_iou)
        rows += found
        labels += [key[0]] * len(found)
        pages += [key[1]] * len(found)
    table = pd.DataFrame(rows, columns=["item_a", "item_b", "text_a", "text_b", "score_a",
                                        "score_b", "iou", "status", "diff", "_order"])
    table = table.drop(columns="_order").astype({
        "item_a": "Int64", "item_b": "Int64", "text_a": "string", "text_b": "string",
        "score_a": "float64", "score_b": "float64", "iou": "float64", "diff": "string"})
    statuses = ["same", "differs", f"only_{name_a}", f"only_{name_b}"]
    table["status"] = pd.Categorical(
        table["status"].map(dict(zip(STATUSES, statuses))), categories=statuses)
    table.insert(0, "page", pd.array(pages, dtype="Int64"))
    table.index = pd.Index(labels, tupleize_cols=False)
    return table.rename(columns={f"{column}_{side}": f"{column}_{name}"
                                 for column in ("item", "text", "score")
                                 for side, name in (("a", name_a), ("b", name_b))})


def plot_matches(a: pd.DataFrame, b: pd.DataFrame, *, image: Any = None,
                 axes: Sequence[Axes] | None = None, row: Hashable | None = None,
                 names: Sequence[str] = ("a", "b"), min_iou: float = MIN_IOU,
                 image_column: str | None = None, fontsize: float = 8) -> np.ndarray:
    """Side by side, A's items and B's items over the same image, disagreements highlighted.

    Each box is edged in the colour of its :func:`match_items` status (:data:`STATUS_COLORS`):
    pairs that read the same are thin and unlabelled, pairs that differ and unpaired items are
    thick and labelled with that side's text. Returns the two Axes (A left, B right).

    Parameters
    ----------
    a, b
        Two exploded results of the same inputs; with several images, ``row=`` picks one.
    image
        The image to draw on; default: A's image column.
    axes
        Two Axes to draw on; a new figure when None.
    names, min_iou
        As for :func:`match_items`; ``names`` also titles the panels.
    image_column, fontsize
        The column holding the images (by default the one A was recognized from); label size
        in points.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> left, right = wxocr_pandas.plot_matches(out, out.iloc[:1], names=("all", "first"))
    >>> left.get_title()
    'all: 1 same, 0 differ, 1 only in all'
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    from .fonts import cjk_font_family
    from .plotting import load_image, select_image

    rows_a = select_image(a, image=image, row=row, image_column=image_column)
    label = rows_a.index[0] if len(rows_a) else row
    rows_b = b[b.index == label] if len(rows_a) else b.iloc[:0]
    table = match_items(rows_a, rows_b, names=names, min_iou=min_iou)
    picture = load_image(rows_a, image=image, image_column=image_column)
    if axes is None:
        scale = 7.0 / max(picture.width, picture.height, 1)
        _, axes = plt.subplots(1, 2, figsize=(max(picture.width * scale * 2, 4.0),
                                              max(picture.height * scale, 2.0)),
                               layout="constrained")
    counts = table["status"].value_counts()
    status_names = list(table["status"].cat.categories)
    family = cjk_font_family() or "sans-serif"
    for ax, rows, name, other in zip(axes, (rows_a, rows_b), names, reversed(names)):
        found, schema = _found(rows), schema_of(rows)
        by_item = table.dropna(subset=[f"item_{name}"]).set_index(f"item_{name}")["status"]
        status = found[schema.item].map(by_item).astype(object).fillna(f"only_{name}").to_numpy()
        palette = dict(zip(status_names, STATUS_COLORS.values()))
        agree = status == "same"
        ax.imshow(picture, extent=(0, picture.width, picture.height, 0))
        ax.add_collection(PolyCollection(quads(found), closed=True, facecolors="none",
                                         edgecolors=[palette[s] for s in status],
                                         linewidths=np.where(agree, 1.0, 2.5)))
        for text, quad, kind in zip(found[schema.text], quads(found), status):
            if kind != "same":
                ax.text(quad[0, 0], quad[0, 1], text, fontsize=fontsize, ha="left", va="bottom",
                        color=palette[kind], fontfamily=family, clip_on=True,
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.8,
                              "linewidth": 0})
        ax.set_axis_off()
        ax.set_title(f"{name}: {counts.get('same', 0)} same, {counts.get('differs', 0)} differ, "
                     f"{counts.get(f'only_{name}', 0)} only in {name}", fontsize="medium")
    return np.asarray(axes, dtype=object)
