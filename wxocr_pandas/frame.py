"""From results to the exploded DataFrame, vectorized.

Like :meth:`pandas.DataFrame.explode`: one row per recognized item, the input's index label
repeated, every input column kept, and :data:`RESULT_COLUMNS` appended (their names and
dtypes live in :mod:`wxocr_pandas.schema`, and are re-exported here). An image with no
text, or one that failed, still has one row (``text`` NA, its ``errcode`` and ``errmsg``).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import chain
from operator import attrgetter

import numpy as np
import pandas as pd

from .errors import ColumnConflictError, UsageError
from .gcpause import cyclic_gc_paused
from .result import CORNERS, InputResult, ItemColumns, OcrResult, iter_page_results
from .schema import ATTRS_KEY, CORNER_COLUMNS, RESULT_COLUMNS, RESULT_DTYPES, Schema

__all__ = ["CORNER_COLUMNS", "RESULT_COLUMNS", "RESULT_DTYPES", "check_input", "explode",
           "results_frame"]

_corner_values = attrgetter(*(f"{corner}.{axis}" for corner in CORNERS for axis in ("x", "y")))
_score = attrgetter("score")
_text = attrgetter("text")


def check_input(df: pd.DataFrame, *, prefix: str = "") -> None:
    """Refuse an input frame whose images could not be told apart in the result.

    Raises
    ------
    ColumnConflictError
        When a column the result adds already exists (pass another ``prefix``).
    UsageError
        When the index repeats a label (the result repeats each input row's label on all of
        its items, so two rows sharing one would read as one image) or a column name repeats.

    Examples
    --------
    >>> import pandas as pd
    >>> check_input(pd.DataFrame({"path": ["a.png", "b.png"]}, index=[0, 0]))
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.UsageError: the index repeats the label(s) [0]: ...
    """
    clash = sorted(set(map(str, df.columns)) & set(Schema(prefix=prefix).result_columns))
    if clash:
        raise ColumnConflictError(
            f"the input already has column(s) {clash}; pass prefix='ocr_' (or another prefix) "
            "to name the result columns apart")
    if not df.columns.is_unique:
        repeated = sorted(map(str, df.columns[df.columns.duplicated()].unique()))
        raise UsageError(f"the input has several columns named {repeated}; rename them apart")
    if not df.index.is_unique:
        repeated = df.index[df.index.duplicated()].unique().tolist()
        raise UsageError(
            f"the index repeats the label(s) {repeated[:5]}{' ...' if len(repeated) > 5 else ''}: "
            "each input row's label marks its image in the result, so two rows sharing one "
            "would be read as one image. Give the rows unique labels (df.reset_index())")


def results_frame(results: Sequence[InputResult], *, prefix: str = "") -> pd.DataFrame:
    """The result columns alone: one row per item (or one per empty/failed page), indexed
    by the position of its input in ``results``.

    An input's answer is an :class:`OcrResult` (an image: page 1, or page NA when it failed)
    or a tuple of them (a document's pages, numbered from 1).

    Examples
    --------
    >>> from wxocr_pandas import OcrResult
    >>> frame = results_frame([OcrResult(), OcrResult(errcode=900002, errmsg="x: file not found"),
    ...                        (OcrResult(), OcrResult())])
    >>> frame["errcode"].tolist(), frame["page"].tolist(), frame.index.tolist()
    ([0, 900002, 0, 0], [1, <NA>, 1, 2], [0, 1, 2, 2])
    """
    with cyclic_gc_paused():  # two million rows hold no cycle
        return _results_frame(results, prefix)


def _results_frame(results: Sequence[InputResult], prefix: str) -> pd.DataFrame:
    results, inputs, page_numbers = _pages(results)
    counts = np.fromiter((max(len(r.items), 1) for r in results), dtype=np.int64,
                         count=len(results))
    n_rows = int(counts.sum())
    position = np.repeat(np.arange(len(results)), counts)
    has_item = np.fromiter((bool(r.items) for r in results), dtype=bool, count=len(results))
    item_mask = np.repeat(has_item, counts)

    item_texts, item_coords, item_scores = _item_columns(results)
    coords = np.full((n_rows, 8), np.nan)
    coords[item_mask] = item_coords
    scores = np.full(n_rows, np.nan)
    scores[item_mask] = item_scores
    texts = np.full(n_rows, None, dtype=object)
    texts[item_mask] = item_texts
    # Position of each row within its image: row number minus the image's first row.
    first_row = np.cumsum(counts) - counts
    order = np.where(item_mask, np.arange(n_rows) - first_row[position], -1)

    sizes = np.array([(r.img_size.w, r.img_size.h) if r.img_size else (-1, -1) for r in results],
                     dtype=np.int64).reshape(len(results), 2)
    errcodes = np.fromiter((r.errcode for r in results), dtype=np.int64, count=len(results))
    errmsgs = pd.array([r.errmsg for r in results], dtype=pd.StringDtype())

    img_w, img_h = sizes[position, 0], sizes[position, 1]
    data = {
        "page": _nullable_int(page_numbers[position]),
        "item": _nullable_int(order),
        "text": _strings(texts),
        "score": scores,
        **{name: coords[:, i] for i, name in enumerate(CORNER_COLUMNS)},
        "img_w": _nullable_int(img_w),
        "img_h": _nullable_int(img_h),
        "errcode": pd.array(errcodes[position], dtype="Int64"),
        "errmsg": errmsgs.take(position),
    }
    frame = pd.DataFrame(data, index=inputs[position], copy=False)
    if prefix:
        frame.columns = list(Schema(prefix=prefix).result_columns)
    return frame


def _item_columns(results: list[OcrResult]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, corners (``n x 8``) and scores (NaN: none) of every item of ``results``, in order.

    Cached answers already hold their items as columns (:class:`ItemColumns`), taken as they
    are; other answers' items are read with one C-level attribute fetch per value
    (attrgetter, chain), in runs of consecutive answers.
    """
    texts: list[str] = []
    coords: list[bytes] = []  # little-endian float64, as cached answers hold them
    scores: list[bytes] = []
    run: list[OcrResult] = []

    def take_run() -> None:
        items = list(chain.from_iterable(result.items for result in run))
        coords.append(np.fromiter(chain.from_iterable(map(_corner_values, items)),
                                  dtype="<f8", count=len(items) * 8).tobytes())
        scores.append(np.array(list(map(_score, items)), dtype="<f8").tobytes())  # None: NaN
        texts.extend(map(_text, items))
        run.clear()

    for result in results:
        if isinstance(result.items, ItemColumns):
            if run:
                take_run()
            texts.extend(result.items.texts)
            coords.append(result.items.corner_bytes)
            scores.append(result.items.score_bytes)
        else:
            run.append(result)
    if run:
        take_run()
    return (texts, np.frombuffer(b"".join(coords), dtype="<f8").reshape(-1, 8),
            np.frombuffer(b"".join(scores), dtype="<f8"))


def _pages(results: Sequence[InputResult]) -> tuple[list[OcrResult], np.ndarray, np.ndarray]:
    """The page results in order, each one's input position, and its page number (-1: NA)."""
    if all(isinstance(result, OcrResult) for result in results):  # no documents: fast path
        flat = list(results)
        ok = np.fromiter((result.ok for result in flat), dtype=bool, count=len(flat))
        return flat, np.arange(len(flat)), np.where(ok, 1, -1)
    paged = list(iter_page_results(results))
    inputs = np.fromiter((position for position, _, _ in paged), dtype=np.int64, count=len(paged))
    numbers = np.fromiter((-1 if page is None else page for _, page, _ in paged),
                          dtype=np.int64, count=len(paged))
    return [result for _, _, result in paged], inputs, numbers


def _strings(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A ``string`` array of ``values`` (None -> NA); straight through Arrow when that is the
    storage, which is several times faster than pandas' element-wise path."""
    dtype = RESULT_DTYPES["text"]
    if getattr(dtype, "storage", None) == "pyarrow":
        import pyarrow as pa

        return pd.array(pa.array(values, type=pa.large_string(), from_pandas=True), dtype=dtype)
    return pd.array(values, dtype=dtype)


def _nullable_int(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Int64 array with negative values (our "absent" marker) as NA."""
    return pd.arrays.IntegerArray(np.where(values < 0, 0, values), values < 0)


def explode(df: pd.DataFrame, results: Sequence[InputResult], *, prefix: str = "",
            image: Hashable | None = None) -> pd.DataFrame:
    """Join ``results`` (one per row of ``df``, in order) to ``df``, exploded by page and item.

    The result records its :class:`~wxocr_pandas.schema.Schema` (``prefix``, and ``image``,
    the column that held the images) in ``attrs["wxocr"]``; ``df``'s other ``attrs`` are kept.

    Examples
    --------
    >>> import pandas as pd
    >>> from wxocr_pandas import OcrResult
    >>> out = explode(pd.DataFrame({"shop": ["A"]}, index=[7]), [OcrResult()])
    >>> out.index.tolist(), bool(out["text"].isna().all())
    ([7], True)
    """
    if len(results) != len(df):
        raise UsageError(f"{len(results)} results for {len(df)} rows")
    check_input(df, prefix=prefix)
    added = results_frame(results, prefix=prefix)
    base = df.iloc[added.index.to_numpy()]
    out = pd.concat([base.reset_index(drop=True), added.reset_index(drop=True)], axis=1)
    out.index = base.index
    out.attrs = {**df.attrs, ATTRS_KEY: Schema(prefix=prefix, image=image).to_attrs()}
    return out
