"""The inspector: a Jupyter widget to review recognition one image (page) at a time.

:class:`Inspector` (an :class:`ipywidgets.VBox` built like ``ipyfilechooser``'s
``FileChooser``) holds the data: which image is shown, the rows recognized per image and
page, the corrections. It recognizes through the public API
(:func:`~wxocr_pandas.recognize_frame`) and shows each page in a
:class:`~wxocr_pandas.inspector_view.ReviewView`, the front end.

The front end never names an image by position: everything it sends back (a selection, a
correction, an accept) carries the ``image_id`` of the image it was made on, and the inspector
files it under that image's ``(index label, page)``, so a correction can never land on another
image, even one chosen while the edit was open.
"""

from __future__ import annotations

import html
import io
import json
import time
from collections.abc import Hashable
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .api import recognize_frame
from .backends.base import Backend
from .backends.registry import backend_names
from .config import setting
from .documents import page_image
from .errors import UsageError, WxOcrError
from .export import results_from_frame
from .geometry import quads
from .images import as_source
from .inspector_view import DEFAULT_THRESHOLD, MESSAGE_KINDS, ReviewView
from .plotting import coordinate_size, plot_overlay
from .schema import rows_per_image, schema_of

if TYPE_CHECKING:
    import os

    from matplotlib.axes import Axes
    from PIL import Image

#: Columns of :attr:`Inspector.corrections`.
CORRECTION_COLUMNS = ("index", "image", "page", "item", "text", "corrected")
#: Images up to this many pixels are sent to the browser as PNG, larger ones as JPEG.
MAX_PNG_PIXELS = 4_000_000
#: The kinds of :attr:`Inspector.status_kind` and the colour each is shown in.
STATUS_COLORS = {"ok": "#1a7f37", "busy": "#555", "error": "#c62828"}

Key = tuple[Hashable, int]
StatusKind = Literal["ok", "busy", "error"]


class Inspector(widgets.VBox):
    """Review recognition image by image: zoomable overlay, item table, review mode, corrections.

    Parameters
    ----------
    frame
        The input frame (one image per row), as passed to ``df.wxocr.recognize``.
    column
        The column holding the images.
    backend
        ``"local"``, ``"wechat"`` or a backend object; the dropdown starts on it.
    cache_dir
        The result cache to read and fill (default: as for ``recognize``).

    Notes
    -----
    Its parts are public, so a script (or a test) can drive it as a user does: the
    ``image_picker``, ``page_picker`` and ``backend_picker`` dropdowns, the ``upload``
    button, the ``use_cache`` checkbox, the ``recognize_button``, and the front end,
    ``review_view`` (a :class:`~wxocr_pandas.inspector_view.ReviewView`), whose traitlets
    hold what is shown and whose :meth:`~wxocr_pandas.inspector_view.ReviewView.receive`
    takes the edits the browser sends.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> df = pd.DataFrame({"path": ["samples/sign.png", "samples/receipt.png"]})
    >>> inspector = df.wxocr.inspect("path")
    >>> inspector.result["text"].tolist()
    ['小心地滑', 'Caution Wet Floor']
    >>> inspector.selected = (1, 1, 3)          # image 1, page 1, item 3
    >>> inspector.image, inspector.selected
    (1, (1, 1, 3))
    >>> inspector.correct(3, "2 x 6.50 ")
    >>> inspector.corrections[["index", "item", "text", "corrected"]].values.tolist()
    [[1, 3, '2 x 6.50', '2 x 6.50 ']]
    """

    def __init__(self, frame: pd.DataFrame, column: str, *,
                 backend: str | Backend | None = None,
                 cache_dir: str | os.PathLike[str] | None = None) -> None:
        if column not in frame.columns:
            raise KeyError(f"no column {column!r}; columns are {list(frame.columns)}")
        if not frame.index.is_unique:
            raise UsageError("the inspector names images by index label, and this frame repeats "
                             "some: give it a unique index (frame.reset_index(drop=True))")
        self._column = column
        #: The result cache read and filled (None: as for ``recognize``).
        self.cache_dir = cache_dir
        self._sources: dict[Hashable, Any] = dict(zip(frame.index, frame[column]))
        self._recognized: dict[Hashable, pd.DataFrame] = {}
        self._pages: dict[Hashable, dict[int, pd.DataFrame]] = {}
        self._pictures: dict[Key, Image.Image] = {}
        self._corrections: dict[tuple[Hashable, int, int], tuple[str, str]] = {}
        self._accepted: dict[tuple[Hashable, int, int], str] = {}
        self._ids: dict[str, Key] = {}
        self._next_id = count(1)
        self._shown: Key | None = None

        chosen = setting("backend", backend, "local")
        # A backend object takes the place of its name, so the other backends stay choosable.
        backends = [(name, name) for name in backend_names() if getattr(chosen, "name", None) != name]
        if not isinstance(chosen, str):
            backends.insert(0, (chosen.name, chosen))
        self.image_picker = widgets.Dropdown(
            options=[(_title(key, value), key) for key, value in self._sources.items()],
            description="image", layout={"width": "20em"})
        self.page_picker = widgets.Dropdown(options=[1], value=1, description="page",
                                      layout={"width": "9em", "display": "none"})
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="upload")
        self.backend_picker = widgets.Dropdown(options=backends, value=chosen, description="backend",
                                         layout={"width": "13em"})
        self.recognize_button = widgets.Button(description="Recognize", icon="play",
                                   tooltip="run recognition of this image again")
        self.use_cache = widgets.Checkbox(value=True, description="use cache", indent=False,
                                       layout={"width": "7em"})
        self._status = widgets.HTML(layout={"margin": "0 0 0 8px"})
        self._status_text, self._status_kind = "", "ok"
        self.review_view = ReviewView()
        self._raw = widgets.Textarea(layout={"width": "100%", "height": "14em"})
        self._answer: dict[str, Any] | None = None

        self.image_picker.observe(self._on_image_value, names="value")
        self.page_picker.observe(self._on_page_value, names="value")
        self.upload.observe(self._on_upload_value, names="value")
        self.recognize_button.on_click(self._on_recognize_button_click)
        self.review_view.on_edit(self._on_review_view_edit)

        raw = widgets.Accordion(children=[self._raw], titles=("raw JSON answer",),
                                selected_index=None)
        super().__init__(children=[
            widgets.HBox([self.image_picker, self.page_picker, self.upload, self.backend_picker, self.recognize_button,
                          self.use_cache, self._status], layout={"flex_flow": "row wrap",
                                                              "align_items": "center"}),
            self.review_view,
            raw,
        ])
        self.add_class("wxocr-inspector-panel")
        if self._sources:
            self._show(self.image_picker.value, 1)

    # -- public -------------------------------------------------------------------------
    @property
    def status(self) -> str:
        """What the status line says (the last action's outcome, or why it failed)."""
        return self._status_text

    @property
    def status_kind(self) -> StatusKind:
        """``"ok"``, ``"busy"`` or ``"error"``: how the status line is coloured."""
        return self._status_kind

    @property
    def answer(self) -> dict[str, Any] | None:
        """The WeChat-shaped answer of the page shown, as the "raw JSON answer" panel shows
        it (None before a run)."""
        return self._answer

    @property
    def recognized(self) -> dict[Hashable, pd.DataFrame]:
        """The rows recognized so far, by index label (every page; corrections not applied).
        An image is recognized once, when first shown, and again only when asked (:meth:`run`)."""
        return dict(self._recognized)

    @property
    def image(self) -> Hashable | None:
        """The index label of the image shown (``("upload", file name)`` for an upload)."""
        return None if self._shown is None else self._shown[0]

    @property
    def page(self) -> int | None:
        """The page shown (1 for a single image)."""
        return None if self._shown is None else self._shown[1]

    @property
    def selected(self) -> tuple[Hashable, int, int] | None:
        """The selected item as ``(index label, page, item)``, or None.

        Settable: assigning ``(label, page, item)`` shows that image and page (recognizing
        them if needed) and selects the item; None clears the selection.
        """
        selection = self.review_view.selection
        if not selection or self._shown is None or selection[0] != self.review_view.image_id:
            return None
        return (*self._shown, int(selection[1]))

    @selected.setter
    def selected(self, value: tuple[Hashable, int, int] | None) -> None:
        if value is None:
            self.review_view.selection = None
            return
        label, page, item = value
        if (label, page) != self._shown:
            self.select(label, page)
        if self.result is None or item not in set(self.result["item"].dropna()):
            raise UsageError(f"image {label!r} page {page} has no item {item!r}")
        self.review_view.selection = [self.review_view.image_id, int(item)]

    def select(self, label: Hashable, page: int = 1) -> None:
        """Show the image with index label ``label`` (and ``page``), recognizing it if needed."""
        if label not in self._sources:
            raise UsageError(f"no image {label!r}; the inspector holds {list(self._sources)}")
        if self.image_picker.value != label:
            self.image_picker.value = label  # its handler shows page 1
        if self._shown != (label, page):
            self._show(label, page)

    def run(self, cache: bool = True) -> None:
        """Recognize the image shown again, as the "Recognize" button does.

        ``cache=False`` bypasses the result cache (the status says which it was).
        """
        if self.image is not None:
            self._show(self.image, self.page or 1, rerun=True, cache=cache)

    def review(self, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
        """Turn review mode on: the table lists the items scored below ``threshold``, lowest
        first, and the first is selected (``n`` steps on, ``a`` accepts, ``e`` edits).

        Returns the items to review (:attr:`view`).

        Examples
        --------
        >>> import pandas as pd, wxocr_pandas
        >>> inspector = pd.DataFrame({"path": ["samples/receipt.png"]}).wxocr.inspect("path")
        >>> queue = inspector.review(0.97)
        >>> queue["score"].is_monotonic_increasing, inspector.selected[2] == int(queue["item"].iloc[0])
        (True, True)
        """
        view = self.review_view
        view.threshold, view.review = float(threshold), True
        queue = self.view
        view.selection = [view.image_id, int(queue["item"].iloc[0])] if len(queue) else None
        return queue

    @property
    def result(self) -> pd.DataFrame | None:
        """The rows of the image and page shown, corrections applied (None before a run)."""
        if self._shown is None or self._shown[0] not in self._pages:
            return None
        rows = self._pages[self._shown[0]].get(self._shown[1])
        return None if rows is None else self._apply(rows, self._shown)

    @property
    def view(self) -> pd.DataFrame:
        """The items of :attr:`result` the table shows: text filter, score range, review mode
        (only scores below the threshold, lowest first) and sort order applied."""
        result = self.result
        if result is None:
            return pd.DataFrame()
        view = self.review_view
        found = result[result["text"].notna().to_numpy()]
        scores = found["score"]
        if view.review:
            keep = scores < view.threshold
        else:
            keep = scores.isna() | scores.between(view.score_min, view.score_max)
        needle = view.text_filter.strip()
        if needle:
            keep &= found["text"].str.contains(needle, case=False, regex=False).to_numpy(bool)
        shown = found[keep.to_numpy(bool)]
        by = "score" if view.review else view.sort_by
        order = _positions(shown)[by] if by in ("x", "y") else shown[by]
        ascending = view.review or view.ascending
        ranks = np.lexsort((shown["item"].to_numpy(int),
                            _sort_key(order, ascending)))
        return shown.iloc[ranks]

    @property
    def corrections(self) -> pd.DataFrame:
        """Every correction so far: ``index``, ``image``, ``page``, ``item``, ``text`` (as
        read), ``corrected``. ``index`` is the frame's index label (None for an upload)."""
        rows = [(None if _is_upload(label) else label, _image_label(label, self._sources[label]),
                 page, item, original, corrected)
                for (label, page, item), (original, corrected) in self._corrections.items()]
        frame = pd.DataFrame(rows, columns=list(CORRECTION_COLUMNS))
        return frame.astype({"page": "Int64", "item": "Int64", "text": "string",
                             "corrected": "string"})

    @property
    def accepted(self) -> pd.DataFrame:
        """Items accepted as read in review: ``index``, ``page``, ``item``, ``text``."""
        rows = [(label, page, item, text) for (label, page, item), text in self._accepted.items()]
        frame = pd.DataFrame(rows, columns=["index", "page", "item", "text"])
        return frame.astype({"page": "Int64", "item": "Int64", "text": "string"})

    def apply_corrections(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of a batch result with this inspector's corrections written into its text.

        A correction applies to the row with the same index label, page and item whose text
        still reads as it did when it was corrected, so a re-run that reads differently is
        left alone. Corrections of uploaded files apply to no batch row. Prefixed result
        columns (``prefix="ocr_"``) are found by themselves.
        """
        names = _columns(frame)
        out = frame.copy()
        items = out[names["item"]].to_numpy(dtype=float, na_value=np.nan)
        texts = out[names["text"]].to_numpy(dtype=object, na_value=None)  # NA == x would raise
        pages = (out[names["page"]].to_numpy(dtype=float, na_value=np.nan) if names["page"]
                 in out.columns else np.ones(len(out)))
        for (label, page, item), (original, corrected) in self._corrections.items():
            if _is_upload(label):
                continue
            hit = (out.index == label) & (items == item) & (pages == page) & (texts == original)
            out.loc[hit, names["text"]] = corrected
        return out

    def correct(self, item: int, corrected: str) -> None:
        """Correct the text of ``item`` of the image shown, as editing it in the table does.

        Correcting back to the text as read removes the correction.
        """
        if self._shown is None or self.result is None:
            raise UsageError("no recognized image to correct; run recognition first")
        self._correct(self._shown, item, corrected)

    def accept(self, item: int) -> None:
        """Mark ``item`` of the image shown as read right, as the ``a`` key does."""
        if self._shown is None or self.result is None:
            raise UsageError("no recognized image to review; run recognition first")
        self._accept(self._shown, item)

    def plot(self, ax: Axes | None = None) -> Axes:
        """A static drawing of the current view with :func:`~wxocr_pandas.plot_overlay`
        (filters applied, selected item highlighted), e.g. for a saved notebook."""
        view = self.view
        if self._shown is None or view.empty:
            raise UsageError("nothing to draw: no recognized item is shown")
        chosen = self.selected
        highlight = (view["item"] == (chosen[2] if chosen else -1)).fillna(False).to_numpy()
        return plot_overlay(view, image=self._picture(self._shown), ax=ax,
                            labels=self.review_view.labels, highlight=highlight,
                            image_column=self._column)

    # -- handlers -----------------------------------------------------------------------
    def _on_image_value(self, change: dict) -> None:
        self._show(change["new"], 1)

    def _on_page_value(self, change: dict) -> None:
        if self.image is not None and change["new"] != self.page:
            self._show(self.image, change["new"])

    def _on_upload_value(self, change: dict) -> None:
        for upload in change["new"]:
            key = ("upload", upload["name"])
            self._sources[key] = bytes(upload["content"])
            self._pages.pop(key, None)
            self._pictures = {k: v for k, v in self._pictures.items() if k[0] != key}
            options = [option for option in self.image_picker.options if option[1] != key]
            self.image_picker.options = [*options, (_title(key, self._sources[key]), key)]
            self.image_picker.value = key

    def _on_recognize_button_click(self, button: widgets.Button) -> None:
        self.run(cache=self.use_cache.value)

    def _on_review_view_edit(self, content: dict) -> None:
        key = self._ids.get(content.get("image_id", ""))
        if key is None or content.get("kind") not in MESSAGE_KINDS:
            self._say("error", "ignored a message for an unknown image")
            return
        try:
            if content["kind"] == "correct":
                self._correct(key, int(content["item"]), str(content["text"]))
            else:
                self._accept(key, int(content["item"]))
        except UsageError as exc:
            self._say("error", str(exc))

    # -- internals ----------------------------------------------------------------------
    def _show(self, label: Hashable, page: int, *, rerun: bool = False, cache: bool = True) -> None:
        """Clear the view, recognize if needed (or asked), then draw ``label``'s ``page``."""
        view = self.review_view
        with view.hold_sync():
            view.busy, view.image_id, view.selection = True, "", None
            view.items, view.picture = [], b""
        title = _title(label, self._sources[label])
        self._shown = (label, page)
        note, failure = "", ""
        if rerun or label not in self._pages:
            self._say("busy", f"reading {title}…")
            note, failure = self._recognize(label, cache)
        pages = self._pages.get(label)
        if pages is None:
            self._raw.value, self._answer = "", None
            view.busy = False
            self._say("error", failure)
            return
        page = page if page in pages else min(pages)
        self._shown = (label, page)
        self.page_picker.unobserve(self._on_page_value, names="value")
        self.page_picker.options, self.page_picker.value = sorted(pages), page
        self.page_picker.observe(self._on_page_value, names="value")
        self.page_picker.layout.display = "" if len(pages) > 1 else "none"
        rows = pages[page]
        error = _error(rows)
        self._answer = _answer(rows)
        self._raw.value = json.dumps(self._answer, ensure_ascii=False, indent=1)
        try:
            picture = self._picture((label, page))
        except WxOcrError as exc:
            picture, error = None, error or str(exc)
        image_id = str(next(self._next_id))
        self._ids[image_id] = (label, page)
        with view.hold_sync():
            if picture is not None:
                view.picture, view.picture_format = _encode(picture)
                width, height = coordinate_size(rows, picture)
                view.img_w, view.img_h = width, height
            view.image_id = image_id
            self._send_items()
            view.busy = False
        if error or failure:
            self._say("error", failure or error)
        else:
            found = int(rows["text"].notna().sum())
            where = f" p{page}/{len(pages)}" if len(pages) > 1 else ""
            self._say("ok", f"{title}{where} · {found} item{'s' if found != 1 else ''}{note}")

    def _recognize(self, label: Hashable, cache: bool) -> tuple[str, str]:
        """Recognize ``label`` into ``self._pages``; returns what the status should add, and
        why the backend could not run (then the last answer, if any, stays)."""
        backend = self.backend_picker.value
        started = time.perf_counter()
        frame = pd.DataFrame({self._column: [self._sources[label]]},
                             index=pd.Index([label], dtype=object, tupleize_cols=False))
        try:
            out = recognize_frame(frame, self._column, backend=backend, cache=cache,
                                  cache_dir=self.cache_dir, progress=False, max_workers=1)
        except (WxOcrError, ImportError) as exc:  # a backend that cannot start
            kept = " (the last answer stays shown)" if label in self._pages else ""
            return "", f"backend: {exc}{kept}"
        self._recognized[label] = out
        # A single image is page 1; a failed input has page NA.
        self._pages[label] = {1 if page is None or pd.isna(page) else int(page): rows
                              for (_, page), rows in rows_per_image(out)}
        self._pictures = {key: value for key, value in self._pictures.items() if key[0] != label}
        name = backend if isinstance(backend, str) else backend.name
        how = f"read in {time.perf_counter() - started:.2f} s" + ("" if cache else
                                                                  ", cache bypassed")
        return f" · {how} ({name})", ""

    def _send_items(self) -> None:
        """Put the items of the image shown, with their corrections, into the front end."""
        assert self._shown is not None
        label, page = self._shown
        rows = self._pages[label][page]
        found = rows[rows["text"].notna().to_numpy()]
        corners = quads(found)
        scores = found["score"].to_numpy(dtype=float, na_value=np.nan)
        items = []
        for i, (item, text) in enumerate(zip(found["item"], found["text"])):
            key = (label, page, int(item))
            original, corrected = self._corrections.get(key, (None, None))
            score = None if np.isnan(scores[i]) else round(float(scores[i]), 5)
            items.append({
                "item": int(item), "text": str(text), "score": score,
                "corners": corners[i].round(2).tolist(),
                "x": float(corners[i, :, 0].min()), "y": float(corners[i, :, 1].min()),
                "corrected": corrected if original == text else None,
                "accepted": self._accepted.get(key) == text})
        self.review_view.color_range = _color_range(scores)
        self.review_view.items = items

    def _original(self, key: Key, item: int) -> str:
        label, page = key
        rows = self._pages.get(label, {}).get(page)
        found = None if rows is None else rows.loc[(rows["item"] == item).fillna(False).to_numpy(),
                                                   "text"]
        if found is None or found.empty or pd.isna(found.iloc[0]):
            raise UsageError(f"image {label!r} page {page} has no item {item!r}")
        return str(found.iloc[0])

    def _correct(self, key: Key, item: int, corrected: str) -> None:
        original = self._original(key, item)
        label, page = key
        if corrected == original:
            self._corrections.pop((label, page, item), None)
        else:
            self._corrections[(label, page, item)] = (original, corrected)
        self._refresh_if_shown(key)
        where = _title(label, self._sources[label]) + (f" p{page}" if page != 1 else "")
        self._say("ok", f"{where} #{item}: {original} → {corrected}")

    def _accept(self, key: Key, item: int) -> None:
        label, page = key
        self._accepted[(label, page, item)] = self._original(key, item)
        self._refresh_if_shown(key)

    def _refresh_if_shown(self, key: Key) -> None:
        if key == self._shown:
            self._send_items()

    def _apply(self, rows: pd.DataFrame, key: Key) -> pd.DataFrame:
        out = rows.copy()
        for (label, page, item), (original, corrected) in self._corrections.items():
            if (label, page) == key:
                hit = (out["item"] == item).fillna(False) & (out["text"] == original).fillna(False)
                out.loc[hit.to_numpy(), "text"] = corrected
        return out

    def _picture(self, key: Key) -> Image.Image:
        """The page as it was recognized (a PDF page at the size its rows give)."""
        if key not in self._pictures:
            label, page = key
            rows = self._pages.get(label, {}).get(page)
            sizes = None if rows is None else rows[["img_w", "img_h"]].dropna()
            size = None if sizes is None or sizes.empty else tuple(map(int, sizes.iloc[0]))
            self._pictures[key] = page_image(self._sources[label], page, size)
        return self._pictures[key]

    def _say(self, kind: StatusKind, message: str) -> None:
        self._status_text, self._status_kind = message, kind
        self._status.value = (f'<span style="color:{STATUS_COLORS[kind]}">'
                              f'{html.escape(message)}</span>')


def _positions(frame: pd.DataFrame) -> pd.DataFrame:
    corners = quads(frame)
    return pd.DataFrame({"x": corners[:, :, 0].min(axis=1), "y": corners[:, :, 1].min(axis=1)},
                        index=frame.index)


def _sort_key(values: pd.Series, ascending: bool) -> np.ndarray:
    """Ranks of ``values`` for :func:`numpy.lexsort`, missing values last either way."""
    ranks = pd.Series(values.to_numpy()).rank(method="dense", ascending=ascending,
                                              na_option="bottom")
    return ranks.to_numpy()


def _color_range(scores: np.ndarray) -> list[float]:
    """The colour scale of one image: its lowest to its highest score, so 0.949 and 1.000
    look different on a page where everything is above 0.9."""
    finite = scores[np.isfinite(scores)]
    if not finite.size:
        return [0.0, 1.0]
    low, high = float(np.floor(finite.min() * 1000) / 1000), float(finite.max())
    return [min(low, high - 0.01), high]


def _encode(picture: Image.Image) -> tuple[bytes, str]:
    """The picture for the browser at full resolution: PNG, or JPEG when it is large."""
    buffer = io.BytesIO()
    if picture.width * picture.height <= MAX_PNG_PIXELS:
        picture.save(buffer, format="PNG")
        return buffer.getvalue(), "png"
    picture.convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue(), "jpeg"


def _answer(rows: pd.DataFrame) -> dict[str, Any]:
    # One page's rows, read as one answer (with its page column, a document's rows give
    # a tuple of pages).
    return results_from_frame(rows.drop(columns="page", errors="ignore"))[0].to_dict()


def _error(rows: pd.DataFrame) -> str:
    failed = rows[rows["errcode"].fillna(0).to_numpy() != 0]
    return "" if failed.empty else str(failed["errmsg"].iloc[0])


def _columns(frame: pd.DataFrame) -> dict[str, str]:
    schema = schema_of(frame)
    return {name: schema.col(name) for name in ("item", "text", "page")}


def _is_upload(key: Hashable) -> bool:
    return isinstance(key, tuple) and len(key) == 2 and key[0] == "upload"


def _image_label(key: Hashable, value: Any) -> str:
    """The image's short label (path, redacted URL, uploaded file name)."""
    if _is_upload(key):
        return str(key[1])
    try:
        return as_source(value).label
    except WxOcrError as exc:
        return exc.image or repr(value)


def _title(key: Hashable, value: Any) -> str:
    """How an image is named in the dropdown and the status: never a raw tuple."""
    if _is_upload(key):
        return f"{key[1]} (upload)"
    name = Path(_image_label(key, value)).name
    return f"{key}: {name}" if str(key) != name else name
