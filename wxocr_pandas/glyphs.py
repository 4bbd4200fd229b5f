"""How text is written: which characters are CJK, and how the pieces of one line join.

Chinese has no spaces between words, so the pieces an engine reads on one line join with
nothing between two close CJK characters and with a space elsewhere: ``上传图片`` + ``后即可``
reads ``上传图片后即可``, while the cells ``合计`` and ``41.60`` read ``合计 41.60``.
"""

from __future__ import annotations

import unicodedata

import numpy as np


def is_cjk(char: str) -> bool:
    """True for an East Asian wide or full-width character (Han, kana, hangul, ``，``).

    Examples
    --------
    >>> is_cjk("合"), is_cjk("，"), is_cjk("A")
    (True, True, False)
    """
    return unicodedata.east_asian_width(char) in ("W", "F")


def join_line(texts: list[str], box: np.ndarray, height: float) -> str:
    """Join the texts of one line, left to right, with their ``(n, 4)`` boxes: nothing
    between two CJK characters less than ``height`` apart, a space elsewhere.

    Examples
    --------
    >>> import numpy as np
    >>> join_line(["上传图片", "后即可", "OK"], np.array([[0, 0, 40, 10], [44, 0, 74, 10],
    ...                                              [90, 0, 110, 10]]), 10.0)
    '上传图片后即可 OK'
    """
    out = texts[0]
    for k in range(1, len(texts)):
        prev, text = texts[k - 1], texts[k]
        close = box[k, 0] - box[k - 1, 2] < height
        glue = "" if close and prev and text and is_cjk(prev[-1]) and is_cjk(text[0]) else " "
        out += glue + text
    return out
