"""The plain functions behind the ``.wxocr`` accessors and the top-level API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .backends.base import Backend
from .batch import BatchOptions, Errors, recognize_results
from .frame import check_input, explode
from .result import OcrResult

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
