"""Run a backend over many images, keeping every row: one bad image never sinks a batch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from .backends.base import Backend
from .config import resolve_backend
from .errors import WxOcrError
from .images import as_source
from .result import OcrResult

Errors = Literal["coerce", "raise"]


def recognize_one(value: Any, backend: Backend) -> OcrResult:
    """Recognize one cell; a failure raises a :class:`WxOcrError` naming the image."""
    source = as_source(value)
    try:
        return backend.recognize(source)
    except WxOcrError as exc:
        raise exc.with_image(source.label)


def _label(value: Any) -> str:
    try:
        return as_source(value).label
    except WxOcrError as exc:
        return exc.image or repr(value)


def recognize_results(values: Iterable[Any], backend: str | Backend | None = None,
                      errors: Errors = "coerce") -> list[OcrResult]:
    """One :class:`OcrResult` per value, in order.

    With ``errors="coerce"`` a failed image becomes a result with its errcode and a message
    naming the image and the cause; with ``errors="raise"`` the first failure raises. After an
    error that stops a batch (the daily quota is spent), the remaining images are not sent and
    get that error's errcode.

    Examples
    --------
    >>> results = recognize_results(["samples/sign.png", "no/such.png"])
    >>> [r.errcode for r in results]
    [0, 900002]
    """
    if errors not in ("coerce", "raise"):
        raise ValueError(f"errors must be 'coerce' or 'raise', not {errors!r}")
    chosen = resolve_backend(backend)
    results: list[OcrResult] = []
    stopped: WxOcrError | None = None
    for value in values:
        if stopped is not None:
            results.append(OcrResult(errcode=stopped.errcode, errmsg=(
                f"{_label(value)}: not sent: {stopped.errmsg} (errcode {stopped.errcode})")))
            continue
        try:
            results.append(recognize_one(value, chosen))
        except WxOcrError as exc:
            if errors == "raise":
                raise
            if exc.stops_batch:
                stopped = exc
            results.append(OcrResult.from_error(exc))
    return results
