"""Frames of multi-page TIFFs and animated GIFs, read in order from one open file.

Pillow reaches frame ``n`` of a GIF by decoding every frame before it (each is drawn over the
previous ones), and frame ``n`` of a TIFF by walking the chain of directories before it. Opening
the file again for every page therefore made a document quadratic (measured: see
docs/performance.md#bench_documents_budget). Each process keeps the document it last read open here,
positioned at the frame it gave last, so pages asked for in order (as a batch sends them, each
worker taking every other page) cost one step each; only a page asked for out of order opens
the file again. The pixels are handed out as a copy, under a lock (Pillow images are not
shared between threads).
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PIL import Image

from .images import ImageSource

T = TypeVar("T")

_lock = threading.Lock()
#: The open document: its key (path and modification, or its bytes), and the image.
_open: tuple[Any, Image.Image] | None = None


def _key(document: ImageSource) -> Any:
    if document.kind == "path":
        stat = os.stat(document.value)
        return ("path", document.value, stat.st_mtime_ns, stat.st_size)
    return ("bytes", document.value)


def with_frame(document: ImageSource, index: int, use: Callable[[Image.Image], T]) -> T:
    """``use(frame)`` for frame ``index`` (0-based) of a TIFF or GIF ``document`` (a path or
    bytes source), from the file this process holds open when it is the same document.

    ``use`` must not keep the frame: it stays the file's, and moves on with the next call.

    Raises
    ------
    OSError, EOFError, SyntaxError, ValueError
        As Pillow does for a file or frame that cannot be read.

    Examples
    --------
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (4, 4), 0).save(buffer, "TIFF", save_all=True,
    ...                                append_images=[Image.new("L", (4, 4), 255)])
    >>> with_frame(ImageSource("bytes", buffer.getvalue(), "two.tif"), 1, lambda f: f.getpixel((0, 0)))
    255
    """
    global _open
    with _lock:
        key = _key(document)
        if _open is not None and (_open[0] != key or index < _open[1].tell()):
            _open[1].close()
            _open = None
        image = (_open[1] if _open is not None
                 else Image.open(io.BytesIO(document.read_bytes())))
        _open = None
        try:
            image.seek(index)
            outcome = use(image)
        except BaseException:
            image.close()
            raise
        _open = (key, image)
        return outcome
