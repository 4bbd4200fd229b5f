"""Raw answers as JSON Lines: one WeChat-shaped answer per line, with the image it came from.

Each line is the documented answer plus an ``"image"`` key naming its input, e.g.
``{"image": "samples/sign.png", "errcode": 0, "errmsg": "ok", "items": [...], "img_size": {...}}``.
Lines in the cloud-call spelling (``errCode``, ``imgSize``, ``leftTop`` ...) load too.
Corners are written as held (``OcrResult.to_dict(exact=True)``: the local engine's sub-pixel
floats, WeChat's integers), so a frame read back is the frame written; WeChat's own wire
form, integer corners, is :meth:`~wxocr_pandas.OcrResult.to_json`.

Two pairs, named like pandas' readers and writers:

- frames: :func:`to_jsonl` writes an exploded frame, :func:`read_jsonl` reads the file back
  into one, without re-recognizing;
- answers: :func:`write_results` writes images and :class:`~wxocr_pandas.OcrResult` objects,
  :func:`read_results` reads them back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Hashable, Sequence
from typing import TextIO

import numpy as np
import pandas as pd

from .filenames import display_name
from .frame import explode
from .geometry import quads
from .result import ImgSize, InputResult, Item, OcrResult, Point, Spelling, first_page
from .schema import group_images, schema_of


def write_results(path: str | os.PathLike[str], images: Sequence[str | None],
                  results: Sequence[InputResult], *, spelling: Spelling = "snake") -> None:
    """Write one line per image: ``{"image": ..., **answer}`` (``spelling="camel"``: cloud keys).
    A document writes one line per page, each with its ``"page"`` (1, 2, ...). A file name
    that is not UTF-8 is written as :func:`~wxocr_pandas.filenames.display_name` shows it.

    Examples
    --------
    >>> import tempfile, os
    >>> from wxocr_pandas import OcrResult
    >>> path = os.path.join(tempfile.mkdtemp(), "raw.jsonl")
    >>> write_results(path, ["a.png", "b.pdf"], [OcrResult(), (OcrResult(), OcrResult())])
    >>> open(path).read().splitlines()[2]
    '{"image": "b.pdf", "page": 2, "errcode": 0, "errmsg": "ok", "items": []}'
    >>> read_results(path)[1][1]
    (OcrResult(errcode=0, errmsg='ok', items=(), img_size=None), OcrResult(errcode=0, errmsg='ok', items=(), img_size=None))
    """
    with open(path, "w", encoding="utf-8") as handle:
        write_result_lines(handle, images, results, spelling=spelling)


def write_result_lines(handle: TextIO, images: Sequence[str | None],
                       results: Sequence[InputResult], *, spelling: Spelling = "snake") -> None:
    """The lines of :func:`write_results`, written to an open text file (so a file can grow
    batch by batch, as ``wxocr recognize`` writes it)."""
    for image, result in zip(images, results, strict=True):
        pages = [({}, result)] if isinstance(result, OcrResult) else [
            ({"page": number}, page)
            for number, page in enumerate(result, start=first_page(result))]
        for page, answer in pages:
            name = image if image is None else display_name(image)
            handle.write(json.dumps({"image": name, **page, **answer.to_dict(spelling, exact=True)},
                                    ensure_ascii=False))
            handle.write("\n")


def read_results(path: str | os.PathLike[str]) -> tuple[list[str | None], list[InputResult]]:
    """Read a JSON Lines file of answers (either spelling) into images and results; the
    lines of a document's pages (``"page"`` 1, 2, ...) make one tuple of page results.

    Examples
    --------
    >>> import tempfile, os
    >>> from wxocr_pandas import OcrResult, read_results, write_results
    >>> path = os.path.join(tempfile.mkdtemp(), "raw.jsonl")
    >>> write_results(path, ["a.png"], [OcrResult.from_dict({"errcode": 0, "items": []})])
    >>> images, results = read_results(path)
    >>> images, results[0].errcode
    (['a.png'], 0)
    """
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    images: list[str | None] = []
    results: list[InputResult] = []
    for record in records:
        result = OcrResult.from_dict(record)
        page = record.get("page")
        if page is None:
            images.append(record.get("image"))
            results.append(result)
        elif page == 1 or not results or isinstance(results[-1], OcrResult):
            images.append(record.get("image"))
            results.append((result,))
        else:
            results[-1] = (*results[-1], result)
    return images, results


def _number(value: float) -> int | float:
    """Whole pixel coordinates go back to JSON as integers, as WeChat writes them."""
    return int(value) if float(value).is_integer() else float(value)


def results_from_frame(frame: pd.DataFrame) -> list[InputResult]:
    """Rebuild one :class:`OcrResult` per image (index label) of an exploded frame; a
    document's pages (a frame with a page after the first) give a tuple per label.

    Examples
    --------
    >>> from wxocr_pandas import OcrResult
    >>> from wxocr_pandas.frame import results_frame
    >>> results_from_frame(results_frame([OcrResult(errcode=900002, errmsg="gone")]))
    [OcrResult(errcode=900002, errmsg='gone', items=(), img_size=None)]
    """
    schema = schema_of(frame)
    texts = frame[schema.text].to_numpy(dtype=object, na_value=None)
    scores = frame[schema.score].to_numpy(dtype=np.float64, na_value=np.nan)
    corners = quads(frame)
    sizes = frame[[schema.img_w, schema.img_h]].to_numpy(dtype=object, na_value=None)
    errcodes = frame[schema.errcode].to_numpy()
    errmsgs = frame[schema.errmsg].to_numpy(dtype=object)
    results = []
    groups = group_images(frame, schema=schema)
    for rows in groups.positions:
        first = rows[0]
        items = tuple(
            Item(texts[r], *(Point(_number(x), _number(y)) for x, y in corners[r]),
                 score=None if np.isnan(scores[r]) else float(scores[r]))
            for r in rows if texts[r] is not None)
        width, height = sizes[first]
        results.append(OcrResult(
            errcode=int(errcodes[first]), errmsg=str(errmsgs[first]), items=items,
            img_size=None if width is None else ImgSize(int(width), int(height))))
    if not schema.paged:
        return results
    documents: dict[Hashable, InputResult] = {}
    for (label, page), result in zip(groups.keys(), results):
        documents[label] = result if pd.isna(page) else (*documents.get(label, ()), result)
    return list(documents.values())


def to_jsonl(frame: pd.DataFrame, path: str | os.PathLike[str], *,
             image_column: Hashable | None = None, spelling: Spelling = "snake") -> None:
    """Write an exploded frame as raw answers, one JSON line per image (index label).

    Parameters
    ----------
    frame
        An exploded result.
    path
        The ``.jsonl`` file to write.
    image_column
        The column naming each image (its first row's value is written as ``"image"``). By
        default the column the frame was recognized from (its schema); when the frame does not
        record one, the index label is written instead.
    spelling
        ``"snake"`` (documented keys) or ``"camel"`` (the cloud function's keys, see
        :meth:`wxocr_pandas.OcrResult.to_dict`).

    Examples
    --------
    >>> import tempfile, os, pandas as pd, wxocr_pandas
    >>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
    >>> path = os.path.join(tempfile.mkdtemp(), "raw.jsonl")
    >>> to_jsonl(out, path)
    >>> back = read_jsonl(path)
    >>> back["image"].tolist(), back["text"].tolist()
    (['samples/sign.png', 'samples/sign.png'], ['小心地滑', 'Caution Wet Floor'])
    """
    column = image_column if image_column is not None else schema_of(frame).image
    groups = group_images(frame)
    firsts: dict[Hashable, int] = {}  # one name per input: a document's pages share theirs
    for label, rows in zip(groups.labels, groups.positions):
        firsts.setdefault(label, rows[0])
    names = list(firsts) if column is None else frame[column].iloc[list(firsts.values())]
    write_results(path, [None if pd.isna(name) else str(name) for name in names],
                  results_from_frame(frame), spelling=spelling)


def read_jsonl(path: str | os.PathLike[str], *, prefix: str = "") -> pd.DataFrame:
    """Load raw answers (either spelling) into the exploded frame, without re-recognizing.

    The frame has an ``image`` column (each line's ``"image"``, recorded as the frame's image
    column) and a ``RangeIndex`` over the lines, like ``wxocr recognize ... -o results.csv``.

    Examples
    --------
    >>> import tempfile, os
    >>> from wxocr_pandas import OcrResult
    >>> path = os.path.join(tempfile.mkdtemp(), "raw.jsonl")
    >>> write_results(path, ["a.png"], [OcrResult()], spelling="camel")
    >>> read_jsonl(path)[["image", "errcode"]].values.tolist()
    [['a.png', 0]]
    """
    images, results = read_results(path)
    return explode(pd.DataFrame({"image": images}), results, prefix=prefix, image="image")
