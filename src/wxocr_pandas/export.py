"""Raw answers as JSON Lines: one WeChat-shaped answer per line, with the image it came from.

Each line is the documented answer plus an ``"image"`` key naming its input, e.g.
``{"image": "samples/sign.png", "errcode": 0, "errmsg": "ok", "items": [...], "img_size": {...}}``.
Lines in the cloud-call spelling (``errCode``, ``imgSize``) load too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from .result import OcrResult


def write_jsonl(path: str | os.PathLike[str], images: Sequence[str],
                results: Sequence[OcrResult]) -> None:
    """Write one line per image: ``{"image": ..., **answer}``.

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
            handle.write(json.dumps({"image": image, **result.to_dict()}, ensure_ascii=False))
            handle.write("\n")


def read_jsonl(path: str | os.PathLike[str]) -> tuple[list[str], list[OcrResult]]:
    """Read a file written by :func:`write_jsonl` back into images and results."""
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return [record.get("image") for record in records], [OcrResult.from_dict(r) for r in records]
