"""The result frame's schema: its column names, where it keeps them, and its images.

A frame made by :func:`~wxocr_pandas.recognize_frame` records its :class:`Schema` (the
``prefix`` of the added columns and the name of the image column) in
``DataFrame.attrs["wxocr"]``, a small JSON-simple dict that pandas carries through copies,
filters, ``head``, ``sort_values``, ``assign``, ``concat`` of like frames and Parquet files.
Every tool that reads a result (text, geometry, evaluation, export, plots, the inspector)
asks :func:`schema_of` which columns to read, so a frame recognized with ``prefix="ocr_"``
next to the user's own ``text`` column gives the same answers as an unprefixed one.

Where pandas drops ``attrs`` (``merge``, ``join``, ``concat`` of unlike frames, CSV), the
prefix is found from the columns: the one set of ``<prefix>text`` and the eight corner
columns. The image column is not guessed: without ``attrs`` a tool that needs the image says
so (``image_column=``), and :func:`with_schema` records the schema again.

Images are groups of rows: one index label (and one page, once results have pages) is one
image, in order of first appearance. :func:`group_images` groups them in linear time and
refuses a frame in which two images share a label, rather than merging them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import UsageError
from .result import CORNERS

#: Key of the schema in ``DataFrame.attrs``.
ATTRS_KEY = "wxocr"

#: Corner columns in WeChat's order: ``left_top_x, left_top_y, ..., left_bottom_y``.
CORNER_COLUMNS: tuple[str, ...] = tuple(f"{c}_{axis}" for c in CORNERS for axis in ("x", "y"))

#: Dtype of every column the package adds, in output order.
RESULT_DTYPES: dict[str, object] = {
    "page": pd.Int64Dtype(),
    "item": pd.Int64Dtype(),
    "text": pd.StringDtype(),
    "score": np.dtype("float64"),
    **{name: np.dtype("float64") for name in CORNER_COLUMNS},
    "img_w": pd.Int64Dtype(),
    "img_h": pd.Int64Dtype(),
    "errcode": pd.Int64Dtype(),
    "errmsg": pd.StringDtype(),
}
RESULT_COLUMNS: tuple[str, ...] = tuple(RESULT_DTYPES)
"""The columns the package adds to a frame, in output order (unprefixed names).

Examples
--------
>>> from wxocr_pandas import RESULT_COLUMNS
>>> RESULT_COLUMNS[:4], RESULT_COLUMNS[-2:]
(('page', 'item', 'text', 'score'), ('errcode', 'errmsg'))
"""


def _column(name: str) -> property:
    """A read-only attribute of :class:`Schema`: the frame's name of column ``name``."""
    return property(lambda schema: schema.col(name), doc=f"The frame's ``{name}`` column.")


@dataclass(frozen=True)
class Schema:
    """Names of a result frame's columns: ``prefix`` + the package's names, and the images.

    Parameters
    ----------
    prefix
        Put in front of every added column (``recognize(..., prefix="ocr_")``).
    image
        The input column that held the images, or None when unknown.
    paged
        True when the frame holds a page after the first of some input (a multi-page
        document): images are then ``(index label, page)``.

    Examples
    --------
    >>> schema = Schema(prefix="ocr_", image="path")
    >>> schema.text, schema.col("img_w"), schema.corners[:2]
    ('ocr_text', 'ocr_img_w', ('ocr_left_top_x', 'ocr_left_top_y'))
    """

    prefix: str = ""
    image: Hashable | None = None
    paged: bool = False

    def col(self, name: str) -> str:
        """The frame's name of the package's column ``name``."""
        return self.prefix + name

    item = _column("item")
    text = _column("text")
    score = _column("score")
    img_w = _column("img_w")
    img_h = _column("img_h")
    errcode = _column("errcode")
    errmsg = _column("errmsg")

    @property
    def page(self) -> str | None:
        """The page column, or None when the frame has none."""
        return self.col("page") if self.paged else None

    @property
    def corners(self) -> tuple[str, ...]:
        """The eight corner columns in WeChat's order."""
        return tuple(map(self.col, CORNER_COLUMNS))

    @property
    def result_columns(self) -> tuple[str, ...]:
        """Every column the package adds, in output order."""
        return tuple(map(self.col, RESULT_COLUMNS))

    def to_attrs(self) -> dict[str, Any]:
        """The JSON-simple record kept in ``DataFrame.attrs["wxocr"]``."""
        return {"prefix": self.prefix, "image": self.image}


def schema_of(frame: pd.DataFrame) -> Schema:
    """The schema of a result frame: from its ``attrs``, else from its columns.

    Raises
    ------
    UsageError
        When the frame holds several sets of result columns and no ``attrs`` says which one
        to read, or when a column of the schema appears more than once.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> df = pd.DataFrame({"path": ["samples/sign.png"], "text": ["my own text"]})
    >>> out = df.wxocr.recognize("path", prefix="ocr_")
    >>> schema_of(out)
    Schema(prefix='ocr_', image='path', paged=False)
    >>> schema_of(out.merge(df, on="path"))  # merge drops attrs: the prefix is still found
    Schema(prefix='ocr_', image=None, paged=False)
    """
    columns = frame.columns
    recorded = frame.attrs.get(ATTRS_KEY)
    prefix = None
    if isinstance(recorded, Mapping) and isinstance(recorded.get("prefix"), str) \
            and recorded["prefix"] + "text" in columns:
        prefix = recorded["prefix"]
        image = recorded.get("image")
    else:
        prefix, image = _prefix_from_columns(columns), None
    schema = Schema(prefix=prefix, image=image if image is not None and image in columns else None,
                    paged=_has_later_pages(frame, prefix + "page"))
    repeated = set(columns[columns.duplicated()]) & {*schema.result_columns, schema.image}
    if repeated:
        raise UsageError(f"the frame has several columns named {sorted(map(str, repeated))}; "
                         "rename them apart first")
    return schema


def _has_later_pages(frame: pd.DataFrame, page: str) -> bool:
    """True when some input gave more than one page (a document): images are then told
    apart by ``(label, page)``. A frame of single images (all page 1, or NA on errors) keeps
    plain labels, so its per-image tools are indexed like the input."""
    if page not in frame.columns:
        return False
    pages = frame[page]
    if isinstance(pages, pd.DataFrame):  # a repeated column: refused by the caller
        return False
    return bool((pages.to_numpy(dtype=np.float64, na_value=np.nan) > 1).any())


def _prefix_from_columns(columns: pd.Index) -> str:
    """The one prefix ``p`` for which ``p + "text"`` and the eight corner columns all exist."""
    present, marker = set(columns), CORNER_COLUMNS[0]
    found = sorted(name[:-len(marker)] for name in present
                   if isinstance(name, str) and name.endswith(marker)
                   and all(name[:-len(marker)] + c in present for c in ("text", *CORNER_COLUMNS)))
    if len(found) > 1:
        raise UsageError(
            f"the frame holds several sets of result columns (prefixes {found}) and no record "
            "of which one to read (pandas drops DataFrame.attrs in merge and join); say which "
            "with wxocr_pandas.with_schema(frame, prefix=...)")
    return found[0] if found else ""


def with_schema(frame: pd.DataFrame, *, prefix: str = "", image: Hashable | None = None
                ) -> pd.DataFrame:
    """``frame`` (a shallow copy) with its schema recorded, for a frame that lost its ``attrs``.

    Examples
    --------
    >>> import pandas as pd
    >>> back = with_schema(pd.DataFrame({"path": ["a.png"], "ocr_text": ["x"]}),
    ...                    prefix="ocr_", image="path")
    >>> schema_of(back).image
    'path'
    """
    if image is not None and image not in frame.columns:
        raise UsageError(f"no column {image!r} to hold the images; columns are {list(frame.columns)}")
    out = frame.copy(deep=False)
    out.attrs = {**frame.attrs, ATTRS_KEY: Schema(prefix=prefix, image=image).to_attrs()}
    return out


@dataclass(frozen=True)
class ImageGroups:
    """The rows of each image of a frame, images in order of first appearance.

    ``codes[r]`` is the image of row ``r``; ``positions[i]`` the rows of image ``i`` in row
    order; ``labels[i]`` its index label and ``pages[i]`` its page (None without pages).
    """

    codes: np.ndarray
    positions: list[np.ndarray]
    labels: pd.Index
    pages: np.ndarray | None

    def __len__(self) -> int:
        return len(self.positions)

    def keys(self) -> list[tuple[Hashable, Any]]:
        """``(index label, page)`` of each image; page None without a page column."""
        pages = self.pages if self.pages is not None else [None] * len(self)
        return list(zip(self.labels, pages))

    def index(self) -> pd.Index:
        """An index with one entry per image: its label (with its page, once pages exist)."""
        if self.pages is None:
            return self.labels
        levels = [self.labels.get_level_values(i) for i in range(self.labels.nlevels)]
        return pd.MultiIndex.from_arrays([*levels, self.pages],
                                         names=[*self.labels.names, "page"])


def group_images(frame: pd.DataFrame, *, schema: Schema | None = None) -> ImageGroups:
    """Group the rows of ``frame`` by image: one index label (and page) is one image.

    Linear in the rows: labels are hashed (:func:`pandas.factorize`), and rows sorted by image
    with a stable sort that runs in one pass over the usual frame, whose images are contiguous.

    Raises
    ------
    UsageError
        When one label holds rows of several images (an ``item`` number twice, or an empty
        image's row beside items), as after ``pd.concat`` of two results that both start at
        label 0: per-image tools would merge them.

    Examples
    --------
    >>> import pandas as pd
    >>> groups = group_images(pd.DataFrame({"text": ["a", "b", "c"]}, index=[3, 1, 3]))
    >>> groups.labels.tolist(), [p.tolist() for p in groups.positions]
    ([3, 1], [[0, 2], [1]])
    """
    schema = schema or schema_of(frame)
    codes, labels = frame.index.factorize(use_na_sentinel=False)
    pages = None
    if schema.paged:
        page_codes, page_values = pd.factorize(frame[schema.page], use_na_sentinel=False)
        codes, pairs = pd.factorize(codes.astype(np.int64) * len(page_values) + page_codes)
        labels = labels.take(pairs // max(len(page_values), 1))
        pages = np.asarray(page_values, dtype=object)[pairs % max(len(page_values), 1)]
    codes = codes.astype(np.intp, copy=False)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(labels))
    positions = np.split(order, np.cumsum(counts)[:-1]) if len(labels) else []
    groups = ImageGroups(codes, positions, labels, pages)
    if schema.item in frame.columns:
        _check_one_image_per_key(groups, frame[schema.item])
    return groups


def _check_one_image_per_key(groups: ImageGroups, item: pd.Series) -> None:
    """An image's items are numbered once each, and an empty image has a single row."""
    numbers = item.to_numpy(dtype=np.float64, na_value=np.nan)
    empty = np.isnan(numbers)
    repeated = pd.DataFrame({"image": groups.codes, "item": numbers}).duplicated().to_numpy()
    n = len(groups)
    mixed = (np.bincount(groups.codes[empty], minlength=n) > 0) \
        & (np.bincount(groups.codes[~empty], minlength=n) > 0)
    bad = np.unique(np.concatenate([groups.codes[repeated], np.flatnonzero(mixed)]))
    if bad.size:
        keys = groups.keys()
        keys = [keys[i] for i in bad[:3]]
        shown = ", ".join(repr(label if page is None else (label, page)) for label, page in keys)
        raise UsageError(
            f"index label(s) {shown}{' ...' if bad.size > 3 else ''} hold rows of several images "
            "(an item number repeats), so per-image tools would merge them. Give each image its "
            "own label: recognize one frame with a unique index, or pd.concat(results, keys=...)")


def rows_per_image(frame: pd.DataFrame) -> Iterator[tuple[tuple[Hashable, Any], pd.DataFrame]]:
    """Each image's ``(index label, page)`` and rows, in order of first appearance.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png", None]}).wxocr.recognize("path")
    >>> [(key, len(rows)) for key, rows in rows_per_image(out)]
    [((0, None), 2), ((1, None), 1)]
    """
    groups = group_images(frame)
    for key, positions in zip(groups.keys(), groups.positions):
        yield key, frame.iloc[positions]
