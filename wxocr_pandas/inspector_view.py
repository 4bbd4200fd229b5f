"""The inspector's front end: an `anywidget <https://anywidget.dev>`_ that shows one image.

:class:`ReviewView` is an ES module and traitlets, with no build step; it runs in JupyterLab,
Notebook 7, VS Code and Colab. It draws the image at full resolution and its true aspect
ratio with every item a clickable SVG polygon (wheel zoom, drag to pan, hover for text and
score), and the item table (sortable, filtered by text and score range, review mode). Its
keys are handled inside the widget and never reach JupyterLab's own shortcuts.

It knows nothing of frames, backends or the cache: :class:`~wxocr_pandas.widgets.Inspector`
sets what it shows and listens to what it reports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets
from ipywidgets import CallbackDispatcher

#: Review mode starts by stepping through items scored below this.
DEFAULT_THRESHOLD = 0.95
#: The kinds of message the front end sends.
MESSAGE_KINDS = ("correct", "accept")
_STATIC = Path(__file__).parent / "static"


class ReviewView(anywidget.AnyWidget):
    """The image with its items as clickable shapes, and the item table.

    Python sets the picture (``picture``, ``picture_format``, ``img_w``, ``img_h``, the
    corners' pixel size) and the ``items`` (dicts with ``item``, ``text``, ``score``,
    ``corners``, ``x``, ``y``, ``corrected``, ``accepted``), under an ``image_id`` that
    names what is shown. The browser sets ``selection`` (``[image_id, item]``), the filters
    (``text_filter``, ``score_min``, ``score_max``), ``review`` and ``threshold``, the sort
    order (``sort_by``, ``ascending``) and ``zoom``, and sends edits as messages
    ``{"kind": "correct" | "accept", "image_id", "item", ["text"]}``.

    Keys (focus the widget first): ``j``/``↓`` next item, ``k``/``↑`` previous, ``n`` next
    low-score item (lowest first), ``e``/``Enter`` edit, ``a`` accept and go on,
    ``+``/``-``/``0`` zoom, ``l`` labels, ``Esc`` deselect.

    Examples
    --------
    >>> view = ReviewView()
    >>> view.image_id, view.items = "7", [{"item": 0, "text": "合计"}]
    >>> edits = []
    >>> view.on_edit(edits.append)
    >>> view.receive({"kind": "correct", "image_id": "7", "item": 0, "text": "合計"})
    >>> edits
    [{'kind': 'correct', 'image_id': '7', 'item': 0, 'text': '合計'}]
    >>> view.selection = ["6", 0]   # made on an image no longer shown: dropped
    >>> view.selection is None
    True
    """

    _esm = _STATIC / "inspector.js"
    _css = _STATIC / "inspector.css"

    image_id = traitlets.Unicode("").tag(sync=True)
    picture = traitlets.Bytes(b"").tag(sync=True)
    picture_format = traitlets.Unicode("png").tag(sync=True)
    img_w = traitlets.Int(0).tag(sync=True)
    img_h = traitlets.Int(0).tag(sync=True)
    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    selection = traitlets.List(allow_none=True, default_value=None).tag(sync=True)
    color_range = traitlets.List(traitlets.Float(), default_value=[0.5, 1.0]).tag(sync=True)
    labels = traitlets.Bool(True).tag(sync=True)
    text_filter = traitlets.Unicode("").tag(sync=True)
    score_min = traitlets.Float(0.0).tag(sync=True)
    score_max = traitlets.Float(1.0).tag(sync=True)
    review = traitlets.Bool(False).tag(sync=True)
    threshold = traitlets.Float(DEFAULT_THRESHOLD).tag(sync=True)
    sort_by = traitlets.Enum(["item", "text", "score", "x", "y"], "item").tag(sync=True)
    ascending = traitlets.Bool(True).tag(sync=True)
    zoom = traitlets.Float(1.0).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._edit_handlers = CallbackDispatcher()
        self.on_msg(self._on_front_end_msg)

    def on_edit(self, callback: Callable[[dict[str, Any]], Any], remove: bool = False) -> None:
        """Call ``callback(message)`` for each edit the front end sends (``remove=True``
        unregisters it), as :meth:`ipywidgets.Button.on_click` does for clicks."""
        self._edit_handlers.register_callback(callback, remove=remove)

    def receive(self, message: dict[str, Any]) -> None:
        """Take ``message`` as the front end sends it and pass it to the :meth:`on_edit`
        callbacks; a script or a test may act as the browser with it, as
        :meth:`ipywidgets.Button.click` clicks."""
        self._edit_handlers(message)

    def _on_front_end_msg(self, widget: ReviewView, content: dict[str, Any],
                          buffers: list[Any]) -> None:
        self.receive(content)

    @traitlets.observe("selection")
    def _on_selection(self, change: dict[str, Any]) -> None:
        selection = change["new"]
        if selection and selection[0] != self.image_id:
            self.selection = None  # made on an image no longer shown
