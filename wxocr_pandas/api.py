"""The plain functions behind the ``.wxocr`` accessors and the top-level API: recognizing
images, and recognizing them with several backends to compare."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .backends.base import Backend
from .backends.registry import resolve_backend
from .batch import BatchOptions, Errors, recognize_results
from .evaluate import evaluate
from .frame import check_input, explode
from .result import OcrResult
from .text import to_text

if TYPE_CHECKING:
    from typing_extensions import Unpack


def recognize(image: Any, *, backend: str | Backend | None = None, errors: Errors = "raise",
              **options: Unpack[BatchOptions]) -> dict[str, Any] | list[dict[str, Any]]:
    """Recognize one image and return the WeChat-shaped answer as a dict; a document (a PDF,
    a multi-page TIFF, an animated GIF) gives a list of them, one per page.

    The answer is WeChat's, to the type: corners and ``img_size`` are integers (rounded to
    the nearest pixel, :meth:`~wxocr_pandas.OcrResult.to_dict`); the frame functions keep the
    engine's sub-pixel corners as float64.

    Parameters
    ----------
    image
        A path, http(s) URL, bytes, PIL image or numpy array.
    backend
        ``"local"`` (default), ``"wechat"`` or a backend object; env ``WXOCR_BACKEND``.
    errors
        ``"raise"`` (default) raises a :class:`~wxocr_pandas.WxOcrError` on failure;
        ``"coerce"`` returns the error answer (``{"errcode": ..., "errmsg": ...}``).
    **options
        ``cache``, ``cache_dir``, ``max_workers``, ``progress``, ``dpi``, ``pdf_ocr``: see
        :func:`~wxocr_pandas.batch.recognize_results` (this function and the frame functions
        take them too).

    Examples
    --------
    >>> import wxocr_pandas
    >>> answer = wxocr_pandas.recognize("samples/sign.png")
    >>> answer["errcode"], sorted(answer)
    (0, ['errcode', 'errmsg', 'img_size', 'items'])
    >>> type(answer["items"][0]["pos"]["left_top"]["x"])
    <class 'int'>
    """
    answer = recognize_results([image], backend, errors, **options)[0]
    if isinstance(answer, OcrResult):
        return answer.to_dict()
    return [page.to_dict() for page in answer]


def recognize_frame(df: pd.DataFrame, column: str, *, backend: str | Backend | None = None,
                    errors: Errors = "coerce", prefix: str = "",
                    **options: Unpack[BatchOptions]) -> pd.DataFrame:
    """Recognize the images in ``df[column]``; one row per recognized text.

    Every input column is kept and the index label repeated, as with
    :meth:`pandas.DataFrame.explode`. See :data:`wxocr_pandas.schema.RESULT_DTYPES` for the
    added columns (``prefix`` goes in front of each); the frame records its schema in
    ``attrs["wxocr"]`` (see :mod:`wxocr_pandas.schema`), which every ``.wxocr`` tool reads.

    Raises
    ------
    ColumnConflictError
        When ``df`` already has a column the result adds: pass ``prefix="ocr_"``.
    UsageError
        When ``df``'s index repeats a label or a column name repeats (checked before any
        image is recognized): the result marks each image by its row's label.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"path": ["samples/sign.png", None], "shop": ["A", "B"]})
    >>> out = recognize_frame(df, "path")
    >>> out.loc[1, "errcode"]
    np.int64(900001)
    """
    if column not in df.columns:
        raise KeyError(f"no column {column!r}; columns are {list(df.columns)}")
    check_input(df, prefix=prefix)
    return explode(df, recognize_results(df[column], backend, errors, **options), prefix=prefix,
                   image=column)


def recognize_series(series: pd.Series, *, backend: str | Backend | None = None,
                     errors: Errors = "coerce", prefix: str = "",
                     **options: Unpack[BatchOptions]) -> pd.DataFrame:
    """Recognize the images of a Series; the Series becomes a column named after it.

    Examples
    --------
    >>> import pandas as pd
    >>> out = recognize_series(pd.Series(["samples/sign.png"], name="path"))
    >>> out.columns[:3].tolist()
    ['path', 'page', 'item']
    """
    name = series.name if series.name is not None else "image"
    return recognize_frame(series.to_frame(name), name, backend=backend, errors=errors,
                           prefix=prefix, **options)


def compare(df: pd.DataFrame, column: str, *, backends: Sequence[str | Backend],
            truth: pd.Series | pd.DataFrame | None = None, prefix: str = "") -> pd.DataFrame:
    """Recognize the same images with several backends, side by side.

    Parameters
    ----------
    df, column
        The images, as for :func:`wxocr_pandas.recognize_frame`.
    backends
        Backend names or objects; each is labelled by its ``name`` (``local``, ``wechat`` ...),
        numbered (``local#2``) if two share a name.
    truth
        Optional expected text (or text and boxes), as for :func:`~wxocr_pandas.evaluate.evaluate`.
    prefix
        As for :func:`~wxocr_pandas.recognize_frame`, when ``df`` has a column the result adds.

    Returns
    -------
    pandas.DataFrame
        One row per image and backend, indexed by image label: ``backend``, the page ``text``
        and, with ``truth``, the metrics of :func:`~wxocr_pandas.evaluate.evaluate`. ``.pivot(columns="backend",
        values="cer")`` puts the backends in columns; :func:`~wxocr_pandas.evaluate.plot_comparison` draws them.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> df = pd.DataFrame({"path": ["samples/sign.png"]})
    >>> truth = pd.Series(["小心地滑 Caution Wet Floor"])
    >>> table = wxocr_pandas.compare(df, "path", backends=["local"], truth=truth)
    >>> table[["backend", "cer"]].values.tolist()
    [['local', 0.0]]
    """
    parts = []
    seen: Counter[str] = Counter()
    for backend in backends:
        chosen = resolve_backend(backend)
        seen[chosen.name] += 1
        name = chosen.name if seen[chosen.name] == 1 else f"{chosen.name}#{seen[chosen.name]}"
        out = recognize_frame(df, column, backend=chosen, prefix=prefix)
        part = to_text(out).rename("text").to_frame()
        if truth is not None:
            part = part.join(evaluate(out, truth))
        parts.append(part.assign(backend=name))
    table = pd.concat(parts)
    return table[["backend", *[c for c in table.columns if c != "backend"]]]
