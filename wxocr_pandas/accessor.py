"""The ``.wxocr`` accessors: one-line delegations, no state, no logic.

Each method calls the plain function named in its docstring, which works without the
accessor too and checks its own input (a missing column, a frame that is not a result). The
accessor object itself accepts any DataFrame or Series and keeps nothing but it: pandas builds
a new one on every attribute access. Every argument after the image column (or after the
frame, for the tools) is keyword-only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import alto, api, geometry, hocr, plotting, searchable, text
from .backends.base import Backend
from .batch import BatchOptions, Errors

if TYPE_CHECKING:
    from typing_extensions import Unpack
    from matplotlib.axes import Axes

    from .widgets import Inspector


@pd.api.extensions.register_dataframe_accessor("wxocr")
class DataFrameAccessor:
    """``df.wxocr``: OCR over a DataFrame column, and tools for its results."""

    def __init__(self, obj: pd.DataFrame) -> None:
        self._obj = obj

    def recognize(self, column: str, *, backend: str | Backend | None = None,
                  errors: Errors = "coerce", prefix: str = "",
                  **options: Unpack[BatchOptions]) -> pd.DataFrame:
        """Recognize ``df[column]``; see :func:`wxocr_pandas.api.recognize_frame`."""
        return api.recognize_frame(self._obj, column, backend=backend, errors=errors,
                                   prefix=prefix, **options)

    def boxes(self) -> pd.DataFrame:
        """Add box geometry columns; see :func:`wxocr_pandas.geometry.boxes`."""
        return geometry.boxes(self._obj)

    def lines(self, *, regions: text.Regions = "auto") -> pd.DataFrame:
        """Text lines in reading order; see :func:`wxocr_pandas.text.lines`."""
        return text.lines(self._obj, regions=regions)

    def blocks(self, *, regions: text.Regions = "auto") -> pd.DataFrame:
        """Paragraphs and regions in reading order; see :func:`wxocr_pandas.text.blocks`."""
        return text.blocks(self._obj, regions=regions)

    def to_text(self, *, sep: str = "\n", regions: text.Regions = "auto") -> pd.Series:
        """One string per image; see :func:`wxocr_pandas.text.to_text`."""
        return text.to_text(self._obj, sep=sep, regions=regions)

    def find(self, pattern: str, *, regex: bool = True, case: bool = True) -> pd.DataFrame:
        """Rows whose text matches; see :func:`wxocr_pandas.text.find`."""
        return text.find(self._obj, pattern, regex=regex, case=case)

    def extract(self, pattern: str, *, flags: int = 0) -> pd.DataFrame:
        """First match per image; see :func:`wxocr_pandas.text.extract`."""
        return text.extract(self._obj, pattern, flags=flags)

    def value_near(self, label: str, *, direction: text.Direction = "right",
                   regex: bool = True) -> pd.Series:
        """The text beside a label, per image; see :func:`wxocr_pandas.text.value_near`."""
        return text.value_near(self._obj, label, direction=direction, regex=regex)

    def cells(self, **kwargs: Any) -> pd.DataFrame:
        """The tables' cells, one row each; see :func:`wxocr_pandas.tables.cells`."""
        from .tables import cells

        return cells(self._obj, **kwargs)

    def tables(self, **kwargs: Any) -> list[pd.DataFrame]:
        """One DataFrame per table; see :func:`wxocr_pandas.tables.tables`."""
        from .tables import tables

        return tables(self._obj, **kwargs)

    def plot(self, **kwargs: Any) -> Axes:
        """Draw one image's items over it; see :func:`wxocr_pandas.plotting.plot_overlay`."""
        return plotting.plot_overlay(self._obj, **kwargs)

    def plot_grid(self, **kwargs: Any) -> np.ndarray:
        """One overlay per image; see :func:`wxocr_pandas.plotting.plot_grid`."""
        return plotting.plot_grid(self._obj, **kwargs)

    def plot_side_by_side(self, **kwargs: Any) -> np.ndarray:
        """Image and text side by side; see :func:`wxocr_pandas.plotting.plot_side_by_side`."""
        return plotting.plot_side_by_side(self._obj, **kwargs)

    def to_pdf(self, path: str | os.PathLike[str], **kwargs: Any) -> list[Path]:
        """Write a searchable PDF; see :func:`wxocr_pandas.searchable.to_pdf`."""
        return searchable.to_pdf(self._obj, path, **kwargs)

    def to_hocr(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write hOCR; see :func:`wxocr_pandas.hocr.to_hocr`."""
        hocr.to_hocr(self._obj, path, **kwargs)

    def to_alto(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write ALTO v4 XML; see :func:`wxocr_pandas.alto.to_alto`."""
        alto.to_alto(self._obj, path, **kwargs)

    def inspect(self, column: str, *, backend: str | Backend | None = None) -> Inspector:
        """A widget to check one image at a time; see :class:`wxocr_pandas.widgets.Inspector`."""
        from .widgets import Inspector

        return Inspector(self._obj, column, backend=backend)


@pd.api.extensions.register_series_accessor("wxocr")
class SeriesAccessor:
    """``s.wxocr``: OCR over a Series of images."""

    def __init__(self, obj: pd.Series) -> None:
        self._obj = obj

    def recognize(self, *, backend: str | Backend | None = None, errors: Errors = "coerce",
                  prefix: str = "", **options: Unpack[BatchOptions]) -> pd.DataFrame:
        """Recognize the Series; see :func:`wxocr_pandas.api.recognize_series`."""
        return api.recognize_series(self._obj, backend=backend, errors=errors, prefix=prefix,
                                    **options)
