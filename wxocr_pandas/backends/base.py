"""The backend protocol: one image in, one WeChat-shaped :class:`OcrResult` out."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..images import ImageSource
from ..result import OcrResult


@runtime_checkable
class Backend(Protocol):
    """What every backend provides.

    ``recognize`` raises a :class:`~wxocr_pandas.errors.WxOcrError` subclass for an image it
    cannot read; the batch code turns that into an error row. ``identity`` names the backend
    and everything that changes its answers (engine and model version, or API base URL and
    appid), never a secret: it keys the result cache.
    """

    name: str

    @property
    def identity(self) -> str:
        """A stable, secret-free description of what produces the answers."""
        ...

    def recognize(self, source: ImageSource) -> OcrResult:
        """Recognize one image."""
        ...
