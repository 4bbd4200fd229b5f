"""File names that are not valid UTF-8, shown and written without failing.

On Linux and macOS a file name is bytes. Python gives a name that does not decode as UTF-8
(a GBK-encoded Chinese name unpacked from a Windows zip, say) as a ``str`` holding *surrogate
escapes* (PEP 383: byte ``0xff`` becomes ``"\\udcff"``), as :func:`os.listdir`, :mod:`glob`
and :func:`os.fsdecode` do. The package keeps such a name as given wherever it names a file
(``os.fsencode(name)`` gives back its bytes, and opening it reads the file), but UTF-8 text
cannot hold a surrogate: SQLite, Arrow strings, CSV and JSON files refuse it. So:

- messages, image labels and the cache's labels show a name by :func:`display_name`, its
  undecodable bytes as ``\\xff`` escapes;
- the package's writers (CSV, Parquet, JSON Lines) write frames through :func:`writable`,
  which shows such names in the same way; a name that is valid UTF-8 is written as it is.
"""

from __future__ import annotations

import pandas as pd


def display_name(name: str) -> str:
    """``name`` as valid UTF-8 text: each undecodable byte of a surrogate-escaped name as a
    ``\\xNN`` escape (any other lone surrogate as ``\\udNNN``); other names unchanged.

    Examples
    --------
    >>> import os
    >>> display_name(os.fsdecode(b"scans/bad\\xff.png"))
    'scans/bad\\\\xff.png'
    >>> display_name("发票.png")
    '发票.png'
    """
    if name.isascii():
        return name
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name gives (JSON's "\\ud800")
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _has_surrogate(value: object) -> bool:
    return isinstance(value, str) and not value.isascii() and any(
        "\ud800" <= char <= "\udfff" for char in value)


def writable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every string cell that UTF-8 cannot hold shown by :func:`display_name`
    (only object columns can hold one); the frame itself when there is none.

    Examples
    --------
    >>> import os, pandas as pd
    >>> frame = pd.DataFrame({"image": [os.fsdecode(b"bad\\xff.png"), "ok.png"]}, dtype=object)
    >>> writable(frame)["image"].tolist()
    ['bad\\\\xff.png', 'ok.png']
    """
    columns = {}
    for position, (name, column) in enumerate(frame.items()):
        if column.dtype == object and column.map(_has_surrogate).any():
            columns[position] = column.map(
                lambda value: display_name(value) if _has_surrogate(value) else value)
    if not columns:
        return frame
    shown = frame.copy(deep=False)
    for position, column in columns.items():
        shown.isetitem(position, column)
    return shown
