"""Draw recognized text over its image: overlays, small multiples and a side-by-side view.

Every item is drawn as its true quadrilateral, all of one image in one
:class:`~matplotlib.collections.PolyCollection` (as geopandas' ``plot_dataframe`` does).
Functions take ``ax=None`` and return the Axes; matplotlib is imported inside them so that
``import wxocr_pandas`` stays light.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import UsageError, WxOcrError
from .fonts import cjk_font_family, find_cjk_font
from .geometry import quads as frame_quads
from .documents import page_image
from .schema import RESULT_COLUMNS, Schema, group_images, schema_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from PIL import Image

#: Colour scale of ``color_by="score"``: the local engine drops items under 0.5
#: (``text_score``), so this span is what can appear, and it stays the same across images.
SCORE_RANGE: tuple[float, float] = (0.5, 1.0)
#: Edge colour of highlighted items.
HIGHLIGHT_COLOR = "#ff00ff"


def resolve_image_column(frame: pd.DataFrame, *,
                         image_column: Hashable | None = None) -> Hashable:
    """The column holding the images: ``image_column`` if given, else the frame's schema's.

    Raises
    ------
    UsageError
        When neither says, or that column is gone.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"shop": ["A"], "path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> resolve_image_column(out)
    'path'
    """
    column = image_column if image_column is not None else schema_of(frame).image
    if column is None:
        raise UsageError("the frame does not record which column holds the images (it was not "
                         "made by recognize, or pandas dropped its attrs, e.g. in a merge); "
                         "pass image_column= or image=")
    if column not in frame.columns:
        raise UsageError(f"no image column {column!r} in the frame; pass image_column= or image=")
    return column


def _shown(labels: Sequence[Hashable]) -> str:
    return ", ".join(map(repr, labels[:5])) + (" ..." if len(labels) > 5 else "")


def select_image(frame: pd.DataFrame, *, image: Any = None, row: Hashable | None = None,
                 image_column: Hashable | None = None, page: int | None = None) -> pd.DataFrame:
    """The rows of one image: by index label (``row=``), by image value, or the only one;
    ``page=`` picks a page of a document.

    Raises
    ------
    UsageError
        When the frame holds several images and neither ``row`` nor a matching ``image``
        says which.

    Examples
    --------
    >>> import pandas as pd
    >>> out = pd.DataFrame({"path": ["a.png", "a.png", "b.png"], "text": ["x", "y", "z"]},
    ...                    index=[0, 0, 1])
    >>> select_image(out, row=0)["text"].tolist()
    ['x', 'y']
    >>> select_image(out, image="b.png", image_column="path")["text"].tolist()
    ['z']
    """
    return frame.iloc[_image_positions(frame, image, row, image_column, page)]


def _image_positions(frame: pd.DataFrame, image: Any, row: Hashable | None,
                     image_column: Hashable | None, page: int | None = None) -> np.ndarray:
    """Positions of the rows of :func:`select_image`."""
    positions = np.arange(len(frame))
    if row is not None:
        if row not in frame.index:
            raise UsageError(f"no index label {row!r}; the frame holds "
                             f"{_shown(group_images(frame).labels.tolist())}")
        positions = frame.index.get_indexer_for([row])
    elif isinstance(image, (str, Path)):
        column = image_column if image_column is not None else schema_of(frame).image
        if column is not None and column in frame.columns:
            matches = np.flatnonzero(frame[column].astype(object) == str(image))
            positions = matches if matches.size else positions
    page_column = schema_of(frame).col("page")
    if page is not None:
        if page_column not in frame.columns:
            raise UsageError("the frame has no page column; leave out page=")
        numbers = frame[page_column].to_numpy(dtype=np.float64, na_value=np.nan)[positions]
        if not (numbers == page).any():
            raise UsageError(f"no page {page} among the rows; pages are "
                             f"{sorted(set(numbers[~np.isnan(numbers)].astype(int)))}")
        positions = positions[numbers == page]
    groups = group_images(frame.iloc[positions])
    labels = groups.labels.tolist()
    if len(labels) > 1 and len(set(labels)) == 1:
        raise UsageError(f"index label {labels[0]!r} holds a document of several pages; say "
                         "which with page=<number>, or draw them all with plot_grid()")
    if len(labels) > 1:
        raise UsageError(
            f"the frame holds {len(labels)} images (index labels {_shown(labels)}); say which "
            "with row=<index label> or image=<a value of the image column>, or draw them all "
            "with plot_grid()")
    return positions


def load_image(rows: pd.DataFrame, *, image: Any = None,
               image_column: Hashable | None = None) -> Image.Image:
    """The image to draw under ``rows``: ``image`` if given, else the image column's value;
    for a document, the rows' page, rendered at the size their coordinates are in.

    Examples
    --------
    >>> import pandas as pd
    >>> load_image(pd.DataFrame({"path": ["samples/sign.png"]}), image_column="path").mode
    'RGB'
    """
    if image is None:
        if rows.empty:
            raise UsageError("no rows to find the image in; pass image=")
        image = rows[resolve_image_column(rows, image_column=image_column)].iloc[0]
    schema = schema_of(rows)
    page, size = 1, None
    if schema.col("page") in rows.columns and len(rows):
        first = rows[schema.col("page")].iloc[0]
        page = 1 if pd.isna(first) else int(first)
        sizes = rows[[schema.img_w, schema.img_h]].dropna()
        size = None if sizes.empty else (int(sizes.iloc[0, 0]), int(sizes.iloc[0, 1]))
    return page_image(image, page, size)


def highlight_mask(frame: pd.DataFrame, highlight: Any) -> np.ndarray:
    """``highlight`` as a boolean array over the rows of ``frame``.

    ``highlight`` is None, a boolean mask (array or Series, one value per row) or a query
    string evaluated with :meth:`pandas.DataFrame.eval` (``"score < 0.9"``,
    ``"text.str.contains('合计')"``), in which the package's column names (``score``,
    ``text`` ...) mean the recognized ones whatever the frame's prefix.

    Examples
    --------
    >>> import pandas as pd
    >>> highlight_mask(pd.DataFrame({"score": [0.7, 0.99]}), "score < 0.9").tolist()
    [True, False]
    """
    if highlight is None:
        return np.zeros(len(frame), dtype=bool)
    if isinstance(highlight, str):
        schema = schema_of(frame)
        ours = {name: frame[schema.col(name)] for name in RESULT_COLUMNS
                if schema.col(name) in frame.columns}
        mask = frame.eval(highlight, engine="python", resolvers=(ours,))
    else:
        mask = highlight
    mask = np.asarray(pd.array(np.asarray(mask), dtype="boolean").fillna(False), dtype=bool)
    if mask.shape != (len(frame),):
        raise UsageError(f"highlight has {mask.size} values for {len(frame)} rows")
    return mask


def item_colors(values: pd.Series, color_by: str, *, cmap: Any = None) -> tuple[np.ndarray, Any]:
    """RGBA colours of the items, and the ScalarMappable behind them (None if categorical).

    A float column (``score``) is mapped through ``cmap`` (``RdYlGn``; scores over
    :data:`SCORE_RANGE`, other columns over their range; NaN grey); any other column gets
    one colour per distinct value (``errcode``).

    Examples
    --------
    >>> import pandas as pd
    >>> colors, mappable = item_colors(pd.Series([0.5, 1.0], name="score"), "score")
    >>> colors.shape, mappable.norm.vmin
    ((2, 4), 0.5)
    """
    import matplotlib as mpl
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    if pd.api.types.is_float_dtype(values.dtype):
        scale = mpl.colormaps[cmap or "RdYlGn"].with_extremes(bad="grey")
        finite = values.to_numpy(dtype=float, na_value=np.nan)
        if color_by == "score":
            norm = Normalize(*SCORE_RANGE)
        else:
            norm = Normalize(np.nanmin(finite, initial=np.inf), np.nanmax(finite, initial=-np.inf))
        mappable = ScalarMappable(norm=norm, cmap=scale)
        return mappable.to_rgba(np.ma.masked_invalid(finite)), mappable
    palette = mpl.colormaps[cmap or "tab10"]
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    return palette(codes % palette.N), None


def plot_overlay(frame: pd.DataFrame, *, image: Any = None, ax: Axes | None = None,
                 row: Hashable | None = None, page: int | None = None,
                 image_column: Hashable | None = None,
                 labels: bool = True, color_by: str | None = "score", highlight: Any = None,
                 cmap: Any = None, fontsize: float = 8, colorbar: bool = True,
                 tables: bool = False) -> Axes:
    """Draw the recognized items of one image over the image; return the Axes.

    Parameters
    ----------
    frame
        An exploded result (``df.wxocr.recognize(...)``), or the rows of one image of it.
    image
        The image to draw on (a path, URL, bytes, PIL image or array). A value of the image
        column picks that image's rows. Default: the image column's value.
    ax
        Axes to draw on; a new figure when None.
    row
        Index label of the image to draw, when the frame holds several.
    page
        The page to draw, when that image is a document (a PDF, a multi-page TIFF or GIF):
        it is rendered at the size its coordinates are in (``img_w``, ``img_h``).
    image_column
        The column holding the images; by default the one the frame was recognized from
        (its schema, :func:`wxocr_pandas.schema.schema_of`).
    labels
        Write each item's text at its top-left corner (in an installed CJK font).
    color_by
        ``"score"`` (colormap and colorbar), ``"errcode"``, any other column, or None. The
        package's column names mean the recognized columns whatever the frame's prefix.
    highlight
        A boolean mask over ``frame``'s rows or a query string; those items get a thick
        magenta edge.
    cmap, fontsize, colorbar
        Colormap name, label size in points, and whether to add a colorbar for a float
        ``color_by``.
    tables
        Also draw the cells of the image's tables (:func:`wxocr_pandas.tables.cells`), all
        in one more collection: header cells shaded.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> ax = out.wxocr.plot()
    >>> len(ax.collections[0].get_paths()) == len(out)
    True
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    schema = schema_of(frame)
    positions = _image_positions(frame, image, row, image_column, page)
    rows, mask = frame.iloc[positions], highlight_mask(frame, highlight)[positions]
    picture = load_image(rows, image=image, image_column=image_column)
    width, height = coordinate_size(rows, picture)
    if ax is None:
        _, ax = plt.subplots(figsize=_figsize(width, height), layout="constrained")
    ax.imshow(picture, extent=(0, width, height, 0))
    ax.set_axis_off()

    found = rows[schema.text].notna().to_numpy()
    items, mask = rows[found], mask[found]
    quads = frame_quads(items)
    colors, mappable = (item_colors(items[_color_column(schema, color_by)], color_by, cmap=cmap)
                        if color_by else (np.tile(_rgba("tab:blue"), (len(items), 1)), None))
    faces = colors.copy()
    faces[:, 3] *= 0.2
    edges = colors.copy()
    edges[mask] = _rgba(HIGHLIGHT_COLOR)
    collection = PolyCollection(quads, closed=True, facecolors=faces, edgecolors=edges,
                                linewidths=np.where(mask, 3.0, 1.2))
    ax.add_collection(collection)
    if labels:
        _label_items(ax, items[schema.text], quads, mask, fontsize)
    if tables:
        from .tables.frames import draw_cells

        draw_cells(ax, rows, image_column=image_column, rules=image is None)
    if mappable is not None and colorbar and len(items):
        ax.figure.colorbar(mappable, ax=ax, label=color_by, shrink=0.8)
    elif color_by and mappable is None and len(items):
        values = items[_color_column(schema, color_by)]
        _, first = np.unique(pd.factorize(values, use_na_sentinel=False)[0], return_index=True)
        ax.legend(handles=[Patch(facecolor=colors[i], label=str(values.iloc[i])) for i in first],
                  title=color_by, loc="upper right", fontsize="small")
    ax.set_title(_title(rows, len(items), schema), fontsize="medium",
                 fontfamily=cjk_font_family() or "sans-serif")
    return ax


def _rgba(color: str) -> np.ndarray:
    from matplotlib.colors import to_rgba

    return np.asarray(to_rgba(color))


def _color_column(schema: Schema, color_by: str) -> str:
    """The column ``color_by`` names: one of the package's (prefixed), else the user's."""
    return schema.col(color_by) if color_by in RESULT_COLUMNS else color_by


def coordinate_size(rows: pd.DataFrame, picture: Image.Image) -> tuple[int, int]:
    """The pixel size the corners of one image's ``rows`` refer to (``img_w``/``img_h``),
    else ``picture``'s own size (rows of an image that failed have none).

    Examples
    --------
    >>> import pandas as pd
    >>> from PIL import Image
    >>> rows = pd.DataFrame({"img_w": pd.array([1275], dtype="Int64"),
    ...                      "img_h": pd.array([1650], dtype="Int64")})
    >>> coordinate_size(rows, Image.new("RGB", (10, 10))), coordinate_size(rows.iloc[:0], Image.new("RGB", (10, 10)))
    ((1275, 1650), (10, 10))
    """
    schema = schema_of(rows)
    sizes = rows[[schema.img_w, schema.img_h]].dropna()
    if sizes.empty:
        return picture.width, picture.height
    return int(sizes.iloc[0, 0]), int(sizes.iloc[0, 1])


def _figsize(width: int, height: int, longest: float = 7.0) -> tuple[float, float]:
    scale = longest / max(width, height, 1)
    return max(width * scale, 2.0), max(height * scale, 2.0)


def _top_angle(quad: np.ndarray) -> float:
    """Angle in degrees of the top edge, counter-clockwise as seen on screen (y down)."""
    dx, dy = quad[1] - quad[0]
    return -math.degrees(math.atan2(dy, dx))


def _label_items(ax: Axes, texts: pd.Series, quads: np.ndarray, mask: np.ndarray,
                 fontsize: float) -> None:
    family = cjk_font_family()
    for text, quad, marked in zip(texts, quads, mask):
        ax.text(quad[0, 0], quad[0, 1], text, fontsize=fontsize, rotation=_top_angle(quad),
                rotation_mode="anchor", ha="left", va="bottom", clip_on=True,
                fontfamily=family or "sans-serif",
                color=HIGHLIGHT_COLOR if marked else "black",
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.7,
                      "linewidth": 0})


def _title(rows: pd.DataFrame, n_items: int, schema: Schema) -> str:
    where = f"[{rows.index[0]}] " if len(rows) else ""
    if schema.paged and len(rows) and pd.notna(rows[schema.page].iloc[0]):
        where = f"[{rows.index[0]}] page {rows[schema.page].iloc[0]}: "
    errors = rows[rows[schema.errcode].fillna(0) != 0]
    if not errors.empty:
        return f"{where}{errors[schema.errmsg].iloc[0]}"
    return f"{where}{n_items} item{'s' if n_items != 1 else ''}"


def plot_grid(frame: pd.DataFrame, *, ncols: int = 3, image_column: Hashable | None = None,
              labels: bool = False, color_by: str | None = "score", highlight: Any = None,
              cell_size: float = 3.5, **kwargs: Any) -> np.ndarray:
    """Small multiples: one overlay per image of ``frame``; returns the array of Axes.

    An image that cannot be drawn (it failed, or its file is gone) gets a panel with the
    reason instead of sinking the grid. Further keywords go to :func:`plot_overlay`.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png", "no/such.png"]}).wxocr.recognize("path")
    >>> axes = out.wxocr.plot_grid(ncols=2)
    >>> len(axes)
    2
    """
    import matplotlib.pyplot as plt

    schema = schema_of(frame)
    groups = group_images(frame, schema=schema)
    if not len(groups):
        raise UsageError("the frame is empty: there is no image to draw")
    column = resolve_image_column(frame, image_column=image_column)
    mask = highlight_mask(frame, highlight)
    ncols = max(1, min(ncols, len(groups)))
    nrows = math.ceil(len(groups) / ncols)
    fig, grid = plt.subplots(nrows, ncols, figsize=(cell_size * ncols, cell_size * nrows),
                             squeeze=False, layout="constrained")
    axes = grid.ravel()
    for ax in axes[len(groups):]:
        ax.remove()
    for ax, label, positions in zip(axes, groups.labels, groups.positions):
        try:
            plot_overlay(frame.iloc[positions], ax=ax, image_column=column, labels=labels,
                         color_by=color_by, highlight=mask[positions], colorbar=False, **kwargs)
        except WxOcrError as exc:
            _error_panel(ax, label, exc)
    values = frame[_color_column(schema, color_by)] if color_by else None
    if values is not None and pd.api.types.is_float_dtype(values.dtype):
        _, mappable = item_colors(values, color_by, cmap=kwargs.get("cmap"))
        fig.colorbar(mappable, ax=list(axes[:len(groups)]), label=color_by, shrink=0.6)
    return axes[:len(groups)]


def _error_panel(ax: Axes, label: Hashable, error: WxOcrError) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, str(error), ha="center", va="center", wrap=True, color="tab:red",
            fontsize="small", transform=ax.transAxes, fontfamily=cjk_font_family() or "sans-serif")
    ax.set_title(f"[{label}] not drawn", fontsize="medium")


def plot_side_by_side(frame: pd.DataFrame, *, image: Any = None,
                      axes: Sequence[Axes] | None = None, row: Hashable | None = None,
                      page: int | None = None, image_column: Hashable | None = None,
                      color_by: str | None = "score", **kwargs: Any) -> np.ndarray:
    """The image with its boxes, and beside it the recognized text laid out where it was read.

    The right panel writes each text inside its quadrilateral, scaled to the box and turned
    with it, so the two panels can be compared line by line. Returns the two Axes.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> left, right = out.wxocr.plot_side_by_side()
    >>> len(right.collections[0].get_paths()) == len(out)
    True
    """
    import matplotlib.pyplot as plt

    rows = select_image(frame, image=image, row=row, image_column=image_column, page=page)
    if axes is None:
        picture = load_image(rows, image=image, image_column=image_column)
        width, height = coordinate_size(rows, picture)
        size = _figsize(width, height)
        _, axes = plt.subplots(1, 2, figsize=(size[0] * 2, size[1]), layout="constrained")
        image = picture
    left, right = axes
    plot_overlay(rows, image=image, ax=left, image_column=image_column, labels=False,
                 color_by=color_by, colorbar=False, **kwargs)
    layout_text(rows, ax=right)
    return np.asarray([left, right], dtype=object)


def layout_text(frame: pd.DataFrame, *, ax: Axes | None = None, color: str = "black") -> Axes:
    """Write each recognized text inside its quadrilateral on a blank page of the image's size.

    All texts go in one :class:`~matplotlib.collections.PathCollection` of glyph outlines
    in pixel coordinates, so they keep their place and size however the figure is scaled.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> ax = layout_text(out)
    >>> ax.get_xlim() == (0, out["img_w"].iloc[0])
    True
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import PathCollection, PolyCollection

    schema = schema_of(frame)
    rows = frame[frame[schema.text].notna().to_numpy()]
    sizes = frame[[schema.img_w, schema.img_h]].dropna()
    if sizes.empty:
        raise UsageError("the frame has no img_w/img_h: nothing tells the page size")
    width, height = int(sizes.iloc[0, 0]), int(sizes.iloc[0, 1])
    if ax is None:
        _, ax = plt.subplots(figsize=_figsize(width, height))
    quads = frame_quads(rows)
    ax.add_collection(PolyCollection(quads, facecolors="none", edgecolors="0.85", linewidths=0.6))
    ax.add_collection(PathCollection([_fitted_text(text, quad) for text, quad
                                      in zip(rows[schema.text], quads)],
                                     facecolors=color, edgecolors="none"))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("recognized text", fontsize="medium")
    return ax


def _fitted_text(text: str, quad: np.ndarray) -> Any:
    """Glyph outlines of ``text`` centred in ``quad``, filling its height but not its width."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    font = find_cjk_font()
    cjk_font_family()  # warns once, with the install hint, when there is no CJK font
    prop = FontProperties(fname=str(font)) if font else FontProperties(family="sans-serif")
    path = TextPath((0, 0), text, size=100, prop=prop)
    extents = path.get_extents()
    box_w = float(np.hypot(*(quad[1] - quad[0])))
    box_h = float(np.hypot(*(quad[3] - quad[0])))
    # Detected boxes pad the ink by about a quarter of the text height on each side.
    scale = min(0.66 * box_h / max(extents.height, 1e-9), 0.95 * box_w / max(extents.width, 1e-9))
    centre = quad.mean(axis=0)
    dx, dy = quad[1] - quad[0]
    transform = (Affine2D()
                 .translate(-(extents.x0 + extents.width / 2), -(extents.y0 + extents.height / 2))
                 .scale(scale, -scale)
                 .rotate(math.atan2(dy, dx))
                 .translate(*centre))
    return transform.transform_path(path)
