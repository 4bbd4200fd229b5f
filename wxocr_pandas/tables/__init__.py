"""Tables into tidy DataFrames: :func:`cells` (one row per cell) and :func:`tables` (one
DataFrame per table), from any result frame and its images.

- :mod:`~wxocr_pandas.tables.grid`: rows, columns and spanning cells from the boxes and rules
  (pure numpy);
- :mod:`~wxocr_pandas.tables.ruling`: ruling lines from pixels (OpenCV) or PDF vector paths;
- :mod:`~wxocr_pandas.tables.frames`: the frames; :mod:`~wxocr_pandas.tables.numbers`: number
  parsing for ``numeric=True``; :mod:`~wxocr_pandas.tables.output`: files for the CLI.
"""

from .frames import CELL_COLUMNS, CELL_DTYPES, TableWarning, cells, empty_cells, tables

__all__ = ["CELL_COLUMNS", "CELL_DTYPES", "TableWarning", "cells", "empty_cells", "tables"]
