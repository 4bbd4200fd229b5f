"""Raw answers as JSON Lines: one WeChat-shaped answer per line, with the image it came from.

Each line is the documented answer plus an ``"image"`` key naming its input, e.g.
``{"image": "samples/sign.png", "errcode": 0, "errmsg": "ok", "items": [...], "img_size": {...}}``.
Lines in the cloud-call spelling (``errCode``, ``imgSize``) load too. An exploded frame goes
out with :func:`to_jsonl` and comes back with :func:`read_frame`, without re-recognizing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .frame import explode
from .geometry import quads
from .result import ImgSize, Item, OcrResult, Point, Spelling


def write_jsonl(path: str | os.PathLike[str], images: Sequence[str | None],
                results: Sequence[OcrResult], spelling: Spelling = "snake") -> None:
    """Write one line per image: ``{"image": ..., **answer}`` (``spelling="camel"``: cloud keys).

    Examples
    --------
    >>> import tempfile, os
    >>> from wxocr_pandas import OcrResult
    >>> path = os.path.join(tempfile.mkdtemp(), "raw.jsonl")
    >>> write_jsonl(path, ["a.png"], [OcrResult()])
    >>> read_jsonl(path)
    (['a.png'], [OcrResult(errcode=0, errmsg='ok', items=(), img_size=None)])
    """
    with open(path, "w", encoding="utf-8") as handle:
        for image, result in zip(images, results, strict=True):
            handle.write(json.dumps({"image": image, **result.to_dict(spelling)}, ensure_ascii=False))
            handle.write("\n")


def read_jsonl(path: str | os.PathLike[str]) -> tuple[list[str], list[OcrResult]]:
    """Read a file written by :func:`write_jsonl` back into images and results."""
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return [record.get("image") for record in records], [OcrResult.from_dict(r) for r in records]


def _number(value: float) -> int | float:
    """Whole pixel coordinates go back to JSON as integers, as WeChat writes them."""
    return int(value) if float(value).is_integer() else float(value)


def results_from_frame(frame: pd.DataFrame) -> list[OcrResult]:
    """Rebuild one :class:`OcrResult` per image (index label) of an exploded frame.

    Examples
    --------
    >>> from wxocr_pandas import OcrResult
    >>> from wxocr_pandas.frame import results_frame
    >>> results_from_frame(results_frame([OcrResult(errcode=900002, errmsg="gone")]))
    [OcrResult(errcode=900002, errmsg='gone', items=(), img_size=None)]
    """
    codes, labels = frame.index.factorize()
    texts = frame["text"].to_numpy(dtype=object, na_value=None)
    scores = frame["score"].to_numpy(dtype=np.float64, na_value=np.nan)
    corners = quads(frame)
    sizes = frame[["img_w", "img_h"]].to_numpy(dtype=object, na_value=None)
    errcodes, errmsgs = frame["errcode"].to_numpy(), frame["errmsg"].to_numpy(dtype=object)
    results = []
    for image in range(len(labels)):
        rows = np.flatnonzero(codes == image)
        first = rows[0]
        items = tuple(
            Item(texts[r], *(Point(_number(x), _number(y)) for x, y in corners[r]),
                 score=None if np.isnan(scores[r]) else float(scores[r]))
            for r in rows if texts[r] is not None)
        width, height = sizes[first]
        results.append(OcrResult(
            errcode=int(errcodes[first]), errmsg=str(errmsgs[first]), items=items,
            img_size=None if width is None else ImgSize(int(width), int(height))))
    return results


def to_jsonl(frame: pd.DataFrame, path: str | os.PathLike[str], image: str | None = "image",
             spelling: Spelling = "snake") -> None:
    """Write an exploded frame as raw answers, one JSON line per image (index label).

    Parameters
    ----------
    frame
        An exploded result.
    path
        The ``.jsonl`` file to write.
    image
        The column naming each image (its first row's value is written as ``"image"``);
        ``None`` writes the index label instead.
    spelling
        ``"snake"`` (documented keys) or ``"camel"`` (cloud-call keys).

    Examples
    --------
    >>> import tempfile, os, pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"image": ["samples/sign.png"]}).wxocr.recognize("image")
    >>> path = os.path.join(tempfile.mkdtemp(), "raw.jsonl")
    >>> to_jsonl(out, path)
    >>> read_frame(path)["text"].tolist()
    ['小心地滑', 'Caution Wet Floor']
    """
    firsts = frame[~frame.index.duplicated()]
    names = firsts.index if image is None else firsts[image]
    write_jsonl(path, [None if pd.isna(name) else str(name) for name in names],
                results_from_frame(frame), spelling)


def read_frame(path: str | os.PathLike[str], prefix: str = "") -> pd.DataFrame:
    """Load raw answers (either spelling) into the exploded frame, without re-recognizing.

    The frame has an ``image`` column (each line's ``"image"``) and a ``RangeIndex`` over the
    lines, like ``wxocr recognize ... -o results.csv``.

    Examples
    --------
    >>> import tempfile, os
    >>> from wxocr_pandas import OcrResult
    >>> path = os.path.join(tempfile.mkdtemp(), "raw.jsonl")
    >>> write_jsonl(path, ["a.png"], [OcrResult()], spelling="camel")
    >>> read_frame(path)[["image", "errcode"]].values.tolist()
    [['a.png', 0]]
    """
    images, results = read_jsonl(path)
    return explode(pd.DataFrame({"image": images}), results, prefix)
