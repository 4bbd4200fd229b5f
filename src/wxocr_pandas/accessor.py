"""The ``.wxocr`` accessors: validation and one-line delegations, no state, no logic."""

from __future__ import annotations


import pandas as pd

from . import api
from .backends.base import Backend
from .batch import Errors


@pd.api.extensions.register_dataframe_accessor("wxocr")
class DataFrameAccessor:
    """``df.wxocr``: OCR over a DataFrame column, and tools for its results."""

    def __init__(self, obj: pd.DataFrame) -> None:
        self._obj = obj

    def recognize(self, column: str, backend: str | Backend | None = None,
                  errors: Errors = "coerce", prefix: str = "") -> pd.DataFrame:
        """Recognize ``df[column]``; see :func:`wxocr_pandas.api.recognize_frame`."""
        return api.recognize_frame(self._obj, column, backend, errors, prefix)


@pd.api.extensions.register_series_accessor("wxocr")
class SeriesAccessor:
    """``s.wxocr``: OCR over a Series of images."""

    def __init__(self, obj: pd.Series) -> None:
        self._obj = obj

    def recognize(self, backend: str | Backend | None = None, errors: Errors = "coerce",
                  prefix: str = "") -> pd.DataFrame:
        """Recognize the Series; see :func:`wxocr_pandas.api.recognize_series`."""
        return api.recognize_series(self._obj, backend, errors, prefix)


