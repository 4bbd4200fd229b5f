"""Large sets in chunks: memory stays flat however many images there are.

:func:`recognize_iter` yields the exploded frame of one chunk at a time;
:func:`recognize_to_parquet` writes those chunks to one Parquet file as they come. One
worker pool, cache connection and progress bar serve the whole stream; identical images are
recognized once within a chunk, and across chunks the cache answers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import count, islice
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from .backends.base import Backend
from .batch import Errors, Recognizer
from .errors import UsageError
from .filenames import writable
from .frame import explode, results_frame

#: Images per chunk: big enough to keep two worker processes busy, small enough to forget.
DEFAULT_CHUNKSIZE = 256


def recognize_iter(values: pd.DataFrame | pd.Series | Iterable[Any], *,
                   column: str | None = None, chunksize: int = DEFAULT_CHUNKSIZE,
                   backend: str | Backend | None = None, errors: Errors = "coerce",
                   prefix: str = "", cache: bool = True,
                   cache_dir: str | os.PathLike[str] | None = None,
                   max_workers: int | None = None,
                   progress: bool | None = None,
                   max_pages: int | None = None) -> Iterator[pd.DataFrame]:
    """Recognize images chunk by chunk, yielding each chunk's exploded frame.

    Concatenated, the chunks equal what :func:`~wxocr_pandas.recognize_frame` returns for
    the same input. Only one chunk of images and results is held at a time. A chunk holds
    at most ``chunksize`` pages too: a long document's rows come ``chunksize`` pages at a
    time (its row repeated in each chunk, the ``page`` column going on), not after its last
    page.

    Parameters
    ----------
    values
        A DataFrame (with ``column``), a Series (it becomes a column named after it), or any
        iterable of image cells, even a generator (they become a column ``image`` with a
        running integer index).
    column
        The image column of a DataFrame.
    chunksize
        Images (or pages of documents) per chunk.
    backend, errors, prefix, cache, cache_dir, max_workers, progress, max_pages
        As for :func:`~wxocr_pandas.batch.recognize_results` and
        :func:`~wxocr_pandas.recognize_frame`.

    Examples
    --------
    >>> import wxocr_pandas
    >>> chunks = wxocr_pandas.recognize_iter(["samples/sign.png", None, "no/such.png"],
    ...                                      chunksize=2)
    >>> [chunk["errcode"].tolist() for chunk in chunks]
    [[0, 0, 900001], [900002]]
    """
    if chunksize < 1:
        raise UsageError(f"chunksize must be at least 1, not {chunksize}")
    frames, name = _frames(values, column, chunksize)
    total = len(values) if hasattr(values, "__len__") else None
    with Recognizer(backend, errors, cache=cache, cache_dir=cache_dir, max_workers=max_workers,
                    progress=progress, total=total, max_pages=max_pages) as recognizer:
        for frame in frames:
            for positions, answers in recognizer.stream(frame[name].tolist(), chunksize):
                yield explode(frame.iloc[positions], answers, prefix=prefix, image=name)


def _frames(values: Any, column: str | None, chunksize: int) -> tuple[Iterator[pd.DataFrame], str]:
    """The input as frames of ``chunksize`` rows, and the name of their image column."""
    if isinstance(values, pd.DataFrame):
        if column is None or column not in values.columns:
            raise KeyError(f"pass column= naming the image column; columns are "
                           f"{list(values.columns)}")
        return _slices(values, chunksize), column
    if isinstance(values, pd.Series):
        name = values.name if values.name is not None else "image"
        return _slices(values.to_frame(name), chunksize), name

    def chunks() -> Iterator[pd.DataFrame]:
        cells, start = iter(values), count(step=chunksize)
        while chunk := list(islice(cells, chunksize)):
            column = np.empty(len(chunk), dtype=object)
            for position, cell in enumerate(chunk):  # one by one: arrays stay whole cells
                column[position] = cell
            first = next(start)
            yield pd.DataFrame({"image": column}, index=pd.RangeIndex(first, first + len(chunk)),
                               dtype=object)

    return chunks(), "image"


def _slices(frame: pd.DataFrame, chunksize: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), chunksize):
        yield frame.iloc[start:start + chunksize]


def recognize_to_parquet(values: pd.DataFrame | pd.Series | Iterable[Any],
                         path: str | os.PathLike[str], **options: Any) -> int:
    """Recognize images chunk by chunk into one Parquet file; returns the rows written.

    Each chunk of :func:`recognize_iter` (same ``options``) becomes a row group as soon as
    it is recognized, so memory stays flat and an interrupted run leaves the answers in the
    cache. The index is not written: keep an identifying column (a Series or an iterable
    gets one, ``image``). Needs pyarrow (``pip install "wxocr-pandas[parquet]"``).

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "out.parquet")
    >>> recognize_to_parquet(["samples/sign.png", None], path, chunksize=1)
    3
    >>> pd.read_parquet(path)["text"].tolist()[-1] is pd.NA
    True
    """
    with ParquetChunks(path) as out:
        for frame in recognize_iter(values, **options):
            out.write(frame)
    if not out.rows and not out.started:  # no images: still leave a file with the result columns
        results_frame([], prefix=options.get("prefix", "")).to_parquet(path, index=False)
    return out.rows


class ParquetChunks:
    """Exploded frames appended to one Parquet file, each as a row group when it comes.

    The file is complete (readable, with every chunk written so far) once the writer is
    closed, also when the run stops early with an exception or Ctrl-C; a run killed outright
    leaves its answers in the result cache. Needs pyarrow.

    Parameters
    ----------
    where
        A path, or a binary file open for writing.

    Examples
    --------
    >>> import io
    >>> import pandas as pd
    >>> from wxocr_pandas import OcrResult
    >>> from wxocr_pandas.frame import explode
    >>> sink = io.BytesIO()
    >>> with ParquetChunks(sink) as out:
    ...     for image in ("a.png", "b.png"):
    ...         out.write(explode(pd.DataFrame({"image": [image]}), [OcrResult()]))
    >>> out.rows, pd.read_parquet(io.BytesIO(sink.getvalue()))["image"].tolist()
    (2, ['a.png', 'b.png'])
    """

    def __init__(self, where: str | os.PathLike[str] | BinaryIO) -> None:
        self.where = where
        self.rows = 0
        self._writer: Any = None

    @property
    def started(self) -> bool:
        """True once a chunk has been written."""
        return self._writer is not None

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (its index is not written) as one row group; a file name that
        is not UTF-8 is written as :func:`~wxocr_pandas.filenames.display_name` shows it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(writable(frame), preserve_index=False)
        if self._writer is None:
            # An input column that is all NA in the first chunk has no type of its own
            # (Arrow's null); text is the likely one, and later chunks must fit it.
            schema = pa.schema([field.with_type(pa.string()) if pa.types.is_null(field.type)
                                else field for field in table.schema],
                               metadata=table.schema.metadata)
            self._writer = pq.ParquetWriter(self.where, schema)
        self._writer.write_table(table.cast(self._writer.schema))
        self.rows += len(frame)

    def close(self) -> None:
        """Write the file's footer: from now on it can be read."""
        if self._writer is not None:
            self._writer.close()

    def __enter__(self) -> ParquetChunks:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
