"""The inspector: a Jupyter widget to check recognition one image at a time.

Built like ``ipyfilechooser``'s ``FileChooser``: a class over :class:`ipywidgets.VBox` that
builds its private children in ``__init__`` and wires handlers named ``_on_<child>_<event>``.
The overlay is a PNG in an :class:`ipywidgets.Image`, so it shows the same in JupyterLab,
classic Notebook and VS Code, and tests can read it without a browser. Results live in the
inspector (one entry per image), never on the stateless ``.wxocr`` accessor.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .backends.base import Backend
from .batch import recognize_results
from .config import BACKEND_NAMES, resolve_backend, setting
from .errors import UsageError, WxOcrError
from .frame import explode
from .images import as_source, decode
from .plotting import plot_overlay
from .result import OcrResult
from .schema import group_images, schema_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from PIL import Image

#: Columns of :attr:`Inspector.corrections`.
CORRECTION_COLUMNS = ("index", "image", "item", "text", "corrected")


class Inspector(widgets.VBox):
    """Check one image at a time: overlay, items table, filters, raw answer, corrections.

    Parameters
    ----------
    frame
        The input frame (one image per row), as passed to ``df.wxocr.recognize``.
    column
        The column holding the images.
    backend
        ``"local"``, ``"wechat"`` or a backend object; the dropdown starts on it.
    dpi
        Resolution of the overlay PNG.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> df = pd.DataFrame({"path": ["samples/sign.png", "samples/receipt.png"]})
    >>> inspector = df.wxocr.inspect("path")
    >>> inspector.result["text"].tolist()
    ['小心地滑', 'Caution Wet Floor']
    >>> inspector.select(1)
    >>> int(inspector.result["item"].max())
    18
    """

    def __init__(self, frame: pd.DataFrame, column: str, *,
                 backend: str | Backend | None = None, dpi: int = 80) -> None:
        if column not in frame.columns:
            raise KeyError(f"no column {column!r}; columns are {list(frame.columns)}")
        self._column = column
        self._dpi = dpi
        self._sources: dict[Hashable, Any] = dict(zip(frame.index, frame[column]))
        self._results: dict[Hashable, tuple[OcrResult, pd.DataFrame]] = {}
        self._pictures: dict[Hashable, Image.Image] = {}
        self._corrections: dict[tuple[Hashable, int], tuple[str, str]] = {}

        chosen = setting("backend", backend, "local")
        # A backend object takes the place of its name, so the other backends stay choosable.
        backends = [(name, name) for name in BACKEND_NAMES if getattr(chosen, "name", None) != name]
        if not isinstance(chosen, str):
            backends.insert(0, (chosen.name, chosen))
        self._image = widgets.Dropdown(
            options=[(_describe(key, value), key) for key, value in self._sources.items()],
            description="image", layout={"width": "22em"})
        self._upload = widgets.FileUpload(accept="image/*", multiple=False,
                                          description="upload")
        self._backend = widgets.Dropdown(options=backends, value=chosen, description="backend",
                                         layout={"width": "14em"})
        self._run = widgets.Button(description="Recognize", icon="play",
                                   tooltip="run (or re-run) recognition of this image")
        self._progress = widgets.IntProgress(min=0, max=1, value=0, layout={"width": "8em"})
        self._text_filter = widgets.Text(placeholder="text contains…", description="filter")
        self._min_score = widgets.FloatSlider(min=0.0, max=1.0, step=0.01, value=0.0,
                                              description="min score")
        self._labels = widgets.Checkbox(value=True, description="labels", indent=False)
        self._overlay = widgets.Image(format="png", layout={"max_width": "60%"})
        self._table = widgets.HTML(layout={"max_height": "24em", "overflow": "auto"})
        self._item = widgets.Select(options=[], rows=8, description="item")
        self._correction = widgets.Text(description="correct", placeholder="corrected text")
        self._apply = widgets.Button(description="apply", tooltip="replace the selected text")
        self._raw = widgets.Textarea(layout={"width": "100%", "height": "16em"})
        self._status = widgets.HTML()

        self._image.observe(self._on_image_value, names="value")
        self._upload.observe(self._on_upload_value, names="value")
        self._run.on_click(self._on_run_click)
        self._text_filter.observe(self._on_text_filter_value, names="value")
        self._min_score.observe(self._on_min_score_value, names="value")
        self._labels.observe(self._on_labels_value, names="value")
        self._item.observe(self._on_item_value, names="value")
        self._apply.on_click(self._on_apply_click)

        raw = widgets.Accordion(children=[self._raw], titles=("raw JSON answer",),
                                selected_index=None)
        super().__init__(children=[
            widgets.HBox([self._image, self._upload, self._backend, self._run, self._progress]),
            widgets.HBox([self._text_filter, self._min_score, self._labels]),
            widgets.HBox([self._overlay, widgets.VBox([
                self._table, self._item, widgets.HBox([self._correction, self._apply])])]),
            raw,
            self._status,
        ])
        if self._sources:
            self._show()

    # -- public -------------------------------------------------------------------------
    @property
    def image(self) -> Hashable | None:
        """The key of the image shown: an index label of the frame, or ``("upload", name)``."""
        return self._image.value

    def select(self, key: Hashable) -> None:
        """Show the image with index label (or upload key) ``key``, recognizing it if needed."""
        self._image.value = key

    @property
    def result(self) -> pd.DataFrame | None:
        """The exploded result of the image shown, corrections applied (None before a run)."""
        key = self.image
        return None if key not in self._results else self._corrected(key)

    @property
    def view(self) -> pd.DataFrame:
        """The items of :attr:`result` that pass the text filter and the minimum score."""
        result = self.result
        if result is None:
            return pd.DataFrame()
        found = result[result["text"].notna()]
        needle = self._text_filter.value.strip()
        keep = found["score"].isna() | (found["score"] >= self._min_score.value)
        if needle:
            keep &= found["text"].str.contains(needle, case=False, regex=False)
        return found[keep.to_numpy()]

    @property
    def corrections(self) -> pd.DataFrame:
        """Every correction so far: ``index``, ``image``, ``item``, ``text`` (as read), ``corrected``.

        ``index`` is the frame's index label (None for an uploaded file).
        """
        rows = [(None if _is_upload(key) else key, _source_label(key, self._sources[key]), item,
                 original, corrected)
                for (key, item), (original, corrected) in self._corrections.items()]
        frame = pd.DataFrame(rows, columns=list(CORRECTION_COLUMNS))
        return frame.astype({"item": "Int64", "text": "string", "corrected": "string"})

    def apply_corrections(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of an exploded result with this inspector's corrections written into its text
        column (``text``, or ``ocr_text`` with that prefix).

        A correction applies where index label and ``item`` match and the text still reads
        as it did when it was corrected.
        """
        out = frame.copy()
        schema = schema_of(out)
        groups = group_images(out, schema)
        rows_of = dict(zip(groups.labels, groups.positions))
        column = out.columns.get_loc(schema.text)
        items = out[schema.item].to_numpy(dtype=np.float64, na_value=np.nan)
        texts = out[schema.text].to_numpy(dtype=object, na_value=None)
        for (key, item), (original, corrected) in self._corrections.items():
            rows = rows_of.get(key, np.empty(0, dtype=np.intp))
            hit = rows[(items[rows] == item) & (texts[rows] == original)]
            out.iloc[hit, column] = corrected
        return out

    def correct(self, item: int, corrected: str) -> None:
        """Correct the text of ``item`` of the image shown, as the "apply" button does.

        Correcting back to the text as read removes the correction.
        """
        key = self.image
        if key not in self._results:
            raise UsageError("no recognized image to correct; run recognition first")
        _, raw = self._results[key]
        found = raw.loc[(raw["item"] == item).fillna(False).to_numpy(), "text"]
        if found.empty:
            raise UsageError(f"the image has no item {item!r}")
        original = found.iloc[0]
        if corrected == original:
            self._corrections.pop((key, item), None)
        else:
            self._corrections[(key, item)] = (original, corrected)
        self._status.value = f"item {item}: {html.escape(original)} → {html.escape(corrected)}"
        self._refresh()

    def plot(self, ax: Axes | None = None) -> Axes:
        """Draw the current view (filters, selected item, labels) with :func:`plot_overlay`."""
        key = self.image
        view = self.view
        highlight = (view["item"] == self._item.value).fillna(False).to_numpy() \
            if len(view) else None
        return plot_overlay(view, image=self._picture(key), ax=ax, labels=self._labels.value,
                            highlight=highlight, image_column=self._column)

    # -- handlers -----------------------------------------------------------------------
    def _on_image_value(self, change: dict) -> None:
        self._show()

    def _on_upload_value(self, change: dict) -> None:
        for upload in change["new"]:
            key = ("upload", upload["name"])
            self._sources[key] = bytes(upload["content"])
            self._results.pop(key, None)
            self._pictures.pop(key, None)
            options = [option for option in self._image.options if option[1] != key]
            self._image.options = [*options, (_describe(key, self._sources[key]), key)]
            self._image.value = key

    def _on_run_click(self, button: widgets.Button) -> None:
        self._recognize(self.image)
        self._refresh()

    def _on_text_filter_value(self, change: dict) -> None:
        self._refresh()

    def _on_min_score_value(self, change: dict) -> None:
        self._refresh()

    def _on_labels_value(self, change: dict) -> None:
        self._draw()

    def _on_item_value(self, change: dict) -> None:
        view = self.view
        chosen = view[(view["item"] == change["new"]).fillna(False).to_numpy()] if len(view) \
            else view
        self._correction.value = "" if chosen.empty else str(chosen["text"].iloc[0])
        self._draw()

    def _on_apply_click(self, button: widgets.Button) -> None:
        if self.image not in self._results or self._item.value is None:
            self._status.value = "Select an item to correct first."
            return
        self.correct(self._item.value, self._correction.value)

    # -- internals ----------------------------------------------------------------------
    def _show(self) -> None:
        if self.image not in self._results:
            self._recognize(self.image)
        self._refresh()

    def _recognize(self, key: Hashable) -> None:
        self._progress.bar_style, self._progress.value = "info", 0
        self._progress.description = "reading…"
        try:
            backend = resolve_backend(self._backend.value)
        except (WxOcrError, ImportError) as exc:
            self._progress.bar_style, self._progress.description = "danger", "failed"
            self._status.value = f"<b>backend:</b> {html.escape(str(exc))}"
            return
        source = self._sources[key]
        result = recognize_results([source], backend)[0]
        frame = explode(pd.DataFrame({self._column: [source]}), [result], image=self._column)
        frame.index = pd.Index([key] * len(frame), tupleize_cols=False)
        self._results[key] = (result, frame)
        self._progress.value = 1
        self._progress.bar_style = "success" if result.ok else "danger"
        self._progress.description = "done" if result.ok else "failed"
        self._status.value = "" if result.ok else html.escape(result.errmsg)

    def _corrected(self, key: Hashable) -> pd.DataFrame:
        # The stored frame is indexed by the image's key, so the public method applies as is.
        return self.apply_corrections(self._results[key][1])

    def _picture(self, key: Hashable) -> Image.Image:
        if key not in self._pictures:
            self._pictures[key] = decode(as_source(self._sources[key]))
        return self._pictures[key]

    def _refresh(self) -> None:
        key = self.image
        result = self._results.get(key)
        self._raw.value = "" if result is None else json.dumps(
            result[0].to_dict(), ensure_ascii=False, indent=1)
        view = self.view
        self._table.value = view[["item", "text", "score"]].to_html(
            index=False, float_format="{:.3f}".format, na_rep="–") if len(view) else \
            "<i>no items</i>"
        options = [(f"{item}: {text}", int(item)) for item, text in zip(view["item"], view["text"])] \
            if len(view) else []
        previous = self._item.value
        # Replacing the options resets the value; the draw below covers that change.
        self._item.unobserve(self._on_item_value, names="value")
        try:
            self._item.options = options
            self._item.value = previous if previous in {value for _, value in options} else None
        finally:
            self._item.observe(self._on_item_value, names="value")
        self._draw()

    def _draw(self) -> None:
        from matplotlib.figure import Figure

        key = self.image
        if key not in self._results:
            self._overlay.value = b""
            return
        try:
            picture = self._picture(key)
        except WxOcrError as exc:
            self._overlay.value = b""
            self._status.value = html.escape(str(exc))
            return
        figure = Figure(figsize=(6.0, 6.0 * picture.height / max(picture.width, 1)),
                        layout="constrained")
        self.plot(figure.subplots())
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=self._dpi)
        self._overlay.value = buffer.getvalue()


def _is_upload(key: Hashable) -> bool:
    return isinstance(key, tuple) and len(key) == 2 and key[0] == "upload"


def _source_label(key: Hashable, value: Any) -> str:
    """The image's short label (path, redacted URL, uploaded file name)."""
    if _is_upload(key):
        return str(key[1])
    try:
        return as_source(value).label
    except WxOcrError as exc:
        return exc.image or repr(value)


def _describe(key: Hashable, value: Any) -> str:
    """``"<index label>: <image label>"`` for the dropdown."""
    return f"{'upload' if _is_upload(key) else key}: {_source_label(key, value)}"
