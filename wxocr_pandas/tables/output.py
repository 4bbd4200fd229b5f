"""Tables into files, for ``wxocr tables``: a workbook (a sheet per table), a folder of
CSVs (one per table), or the tidy cells as CSV or Parquet."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, UsageError

#: Outputs ``wxocr tables`` writes, by suffix (no suffix: a folder of CSVs).
TABLE_SUFFIXES = (".xlsx", ".csv", ".parquet")


def table_name(frame: pd.DataFrame, taken: set[str], limit: int = 31) -> str:
    """A short unique name for a table from its ``attrs``: ``<image>-p<page>-t<table>``
    (Excel allows 31 characters and no ``[]:*?/\\`` in a sheet name).

    Examples
    --------
    >>> table = pd.DataFrame()
    >>> table.attrs = {"label": 0, "image": "scans/price list.png", "page": 1, "table": 0}
    >>> table_name(table, set())
    'price list-p1-t0'
    """
    image = frame.attrs.get("image")
    stem = Path(str(image)).stem if isinstance(image, (str, Path)) else str(frame.attrs.get("label"))
    tail = f"-p{frame.attrs.get('page') or 1}-t{frame.attrs.get('table', 0)}"
    stem = re.sub(r"[\[\]:*?/\\]", "_", stem)[:limit - len(tail)]
    name = stem + tail
    count = 1
    while name in taken:
        count += 1
        name = f"{stem[:limit - len(tail) - 3]}~{count}{tail}"
    taken.add(name)
    return name


def check_output(path: Path) -> None:
    """Refuse an output ``wxocr tables`` cannot write, before anything is recognized.

    Raises
    ------
    UsageError
        An unknown suffix, or an unwritable place.
    ConfigError
        ``.xlsx`` without openpyxl (``pip install 'wxocr-pandas[xlsx]'``).
    """
    suffix = path.suffix.lower()
    if suffix and suffix not in TABLE_SUFFIXES:
        raise UsageError(f"output must end in {', '.join(TABLE_SUFFIXES)} or be a folder, "
                         f"not {path.name!r}")
    if suffix == ".xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise ConfigError("a workbook needs openpyxl: pip install 'wxocr-pandas[xlsx]'"
                              ) from None
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ConfigError("Parquet needs pyarrow: pip install 'wxocr-pandas[parquet]'"
                              ) from None
    folder = path if not suffix else path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_tables(path: Path, grid: pd.DataFrame, found: Sequence[pd.DataFrame],
                 images: Sequence[object]) -> list[Path]:
    """Write tables to ``path``: ``.xlsx`` (a sheet per table), ``.csv``/``.parquet`` (the
    tidy cells, with the input in an ``image`` column first) or a folder (a CSV per table).
    Returns the files written.

    Examples
    --------
    >>> import tempfile
    >>> table = pd.DataFrame({"Item": ["tea"], "Qty": ["2"]})
    >>> table.attrs = {"label": 0, "image": "list.png", "page": 1, "table": 0}
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_tables(folder, pd.DataFrame(), [table], ["list.png"])]
    ['list-p1-t0.csv']
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet"):
        labelled = grid.copy()
        labelled.insert(0, "image", [images[int(label)] for label in grid.index])
        labelled = labelled.reset_index(drop=True)
        if suffix == ".csv":
            labelled.to_csv(path, index=False)
        else:
            labelled.to_parquet(path, index=False)
        return [path]
    taken: set[str] = set()
    names = [table_name(table, taken) for table in found]
    found = [_flat(table) for table in found]
    if suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as workbook:
            for name, table in zip(names, found):
                table.to_excel(workbook, sheet_name=name, index=False)
            if not found:  # a workbook needs a sheet
                pd.DataFrame({"tables": []}).to_excel(workbook, sheet_name="no tables",
                                                      index=False)
        return [path]
    written = []
    for name, table in zip(names, found):
        target = path / f"{name}.csv"
        table.to_csv(target, index=False)
        written.append(target)
    return written


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """Several header rows joined into one name per column (``2023 / Units``): files have
    one header line."""
    if not isinstance(table.columns, pd.MultiIndex):
        return table
    out = table.copy()
    out.columns = [" / ".join(dict.fromkeys(str(v) for v in names if str(v)))
                   for names in table.columns]
    return out
