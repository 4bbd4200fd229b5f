"""Numbers as tables print them, read into floats: ``1,234.50``, ``(12)``, ``¥8``, ``45%``,
full-width digits."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

_CURRENCY = re.compile(r"[¥$€£￥]|RMB|CNY|USD|元")
_SEPARATORS = re.compile(r"(?<=\d)[,\s'](?=\d{3}(?:\D|$))")
_PLAIN = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")


def parse_number(text: object) -> float | None:
    """The number a table cell prints, or None when it is not one.

    Thousands separators, currency signs (``¥ $ € £``, ``元``), a trailing ``%`` (the number
    is kept as printed: ``"12%"`` is 12.0), parentheses for negatives (``"(1,200)"`` is
    -1200.0), the minus sign ``−`` and full-width digits are understood.

    Examples
    --------
    >>> [parse_number(t) for t in ["1,234.50", "(12)", "¥8", "45%", "１２３", "−3", "n/a"]]
    [1234.5, -12.0, 8.0, 45.0, 123.0, -3.0, None]
    """
    if not isinstance(text, str):
        return None
    value = unicodedata.normalize("NFKC", text).strip().replace("−", "-")
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1].strip()
    value = _CURRENCY.sub("", value).strip()
    if value.endswith("%"):
        value = value[:-1].strip()
    value = _SEPARATORS.sub("", value).replace(" ", "")
    if value.startswith("-") and value[1:2] in "¥$€£":
        value = "-" + value[2:]
    if not _PLAIN.match(value):
        return None
    number = float(value)
    return -number if negative else number


def numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column whose non-empty cells are all numbers converted: to
    ``Int64`` when they are all whole numbers written without a decimal point, else
    ``float64``. Other columns stay as they are.

    Examples
    --------
    >>> df = pd.DataFrame({"item": ["tea", "milk"], "qty": ["2", "1,200"], "price": ["¥3.5", None]})
    >>> numeric_columns(df)[["qty", "price"]].dtypes.astype(str).tolist()
    ['Int64', 'float64']
    """
    out = frame.copy()
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        filled = column.notna().to_numpy() & (column.astype(str).str.strip() != "").to_numpy()
        if not filled.any():
            continue
        present = column.to_numpy(dtype=object)[filled]
        numbers = [parse_number(v) for v in present]
        if any(n is None for n in numbers):
            continue
        values = np.full(len(column), np.nan)
        values[filled] = numbers
        whole = all(float(n).is_integer() for n in numbers) and not any("." in v for v in present)
        out.isetitem(position, pd.array(values, dtype="Int64") if whole else values)
    return out
