"""The ``.wxocr`` accessors on Dask collections: the pandas call, scaled out.

``import wxocr_pandas.dask`` registers ``.wxocr`` on Dask DataFrame and Series (as
``import hvplot.dask`` does); importing it is what loads Dask, so ``import wxocr_pandas``
stays light. There is no second pipeline: each partition goes through
:func:`wxocr_pandas.recognize_frame`, so backends, cache, error rows and output schema are
the pandas ones, and Dask does the distribution, retries and progress.

What travels to the workers is configuration only: a :class:`~wxocr_pandas.LocalBackend`
pickles as its parameters (the engine lives in a per-process cache, built once per worker
process on first use and reused by every partition there), and the WeChat backend pickles
without token or secret (see :mod:`wxocr_pandas.backends.wechat.cluster`).

Examples
--------
>>> import dask, dask.dataframe as dd, pandas as pd, wxocr_pandas.dask
>>> ddf = dd.from_pandas(pd.DataFrame({"path": ["samples/sign.png", None]}), npartitions=2)
>>> out = ddf.wxocr.recognize("path", cache=False)       # lazy; meta is exact
>>> with dask.config.set(scheduler="synchronous"):
...     computed = out.compute()
>>> computed["errcode"].unique().tolist(), computed.dtypes.equals(out.dtypes)
([0, 900001], True)
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import dask.dataframe as dd
import pandas as pd
from dask.dataframe.extensions import register_dataframe_accessor, register_series_accessor

from .api import recognize_frame
from .backends.base import Backend
from .backends.registry import resolve_backend
from .batch import Errors
from .config import resolve_dpi, resolve_pdf_ocr
from .errors import ConfigError
from .frame import explode

if TYPE_CHECKING:
    import distributed

__all__ = ["DaskDataFrameAccessor", "DaskSeriesAccessor", "cells_dask", "cluster_backend",
           "connect", "default_partitions", "recognize_dask", "recognize_to_dataset",
           "result_meta"]


def cluster_backend(backend: str | Backend | None = None) -> Backend:
    """The backend to ship to Dask workers for ``backend=``.

    A backend named by string (or by ``WXOCR_BACKEND``) is built by the registry's cluster
    factory (:func:`~wxocr_pandas.backends.registry.resolve_backend` with ``cluster=True``):
    the local engine with one inference thread per worker process (Dask runs one process per
    core, so more would oversubscribe them), the WeChat backend coordinated cluster-wide (one
    token per appid, one cap on concurrent calls, one quota stop: see
    :func:`wxocr_pandas.backends.wechat.cluster.cluster_wechat`). A backend object is used as given, except
    a :class:`~wxocr_pandas.WeChatBackend`, which would carry its secret: a ``ConfigError``.

    Examples
    --------
    >>> cluster_backend("local")  # doctest: +ELLIPSIS
    LocalBackend(threads=1, text_score=0.5, runtime=..., line_fallback=True, orientation=True, tile=True)
    """
    from .backends.wechat import WeChatBackend

    if isinstance(backend, WeChatBackend):
        raise ConfigError(
            "a WeChatBackend object holds its secret, which must not travel in a Dask "
            "graph: pass backend='wechat' or wxocr_pandas.backends.wechat.cluster.ClusterWeChat(...) and "
            "set WXOCR_SECRET in the workers' environment")
    return resolve_backend(backend, cluster=True)


def result_meta(meta: pd.DataFrame, column: str, *, prefix: str = "") -> pd.DataFrame:
    """The empty frame Dask needs as ``meta``: the input's columns and index, then the
    result columns with their dtypes, built by the same code that builds real results.

    Raises
    ------
    KeyError
        If ``column`` is not a column of ``meta``.
    ColumnConflictError
        If a result column already exists (pass a ``prefix``), before anything runs.

    Examples
    --------
    >>> import pandas as pd
    >>> meta = result_meta(pd.DataFrame({"path": pd.Series([], dtype=object)}), "path",
    ...                    prefix="ocr_")
    >>> meta.columns[:3].tolist(), str(meta["ocr_page"].dtype)
    (['path', 'ocr_page', 'ocr_item'], 'Int64')
    """
    if column not in meta.columns:
        raise KeyError(f"no column {column!r}; columns are {list(meta.columns)}")
    return explode(meta.iloc[:0], [], prefix=prefix, image=column)


def recognize_dask(ddf: dd.DataFrame, column: str, *, backend: str | Backend | None = None,
                   errors: Errors = "coerce", prefix: str = "", cache: bool = True,
                   cache_dir: str | os.PathLike[str] | None = None,
                   progress: bool = False, dpi: float | None = None,
                   pdf_ocr: bool | None = None) -> dd.DataFrame:
    """Recognize ``ddf[column]`` lazily, partition by partition, on the current scheduler.

    The result has exactly the columns, order and dtypes of
    :func:`~wxocr_pandas.recognize_frame` (its ``meta`` is known before anything runs),
    one row per recognized text, input index labels repeated (so divisions are unknown).
    Each partition is recognized sequentially in its task: parallelism comes from Dask's
    workers, and a killed worker's partitions are simply run again elsewhere.

    Parameters
    ----------
    ddf
        A Dask DataFrame with a column of images (paths, any fsspec URL the workers can
        read, bytes ...).
    column, backend, errors, prefix
        As for :func:`~wxocr_pandas.recognize_frame`; ``backend`` goes through
        :func:`cluster_backend`.
    cache, cache_dir
        The result cache as seen *by each worker*: ``cache_dir`` (or the worker's
        ``WXOCR_CACHE_DIR``) must be a local disk path of the worker machine; see the
        documentation's Dask page (docs/scaling/dask.md) for clusters and network filesystems.
    progress
        ``True`` starts the computation now (``persist``) and shows Dask's progress bar:
        :func:`distributed.progress` when a distributed client is active (a widget in
        Jupyter), else :class:`dask.diagnostics.ProgressBar`. The result stays a Dask
        DataFrame, backed by the computed partitions.
    dpi, pdf_ocr
        How PDF pages are read (:func:`~wxocr_pandas.batch.recognize_results`); resolved
        here, from this process's settings, so every worker reads them alike.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> ddf = dd.from_pandas(pd.DataFrame({"path": ["samples/sign.png"]}), npartitions=1)
    >>> recognize_dask(ddf, "path", prefix="ocr_").columns[:3].tolist()
    ['path', 'ocr_page', 'ocr_item']
    """
    meta = result_meta(ddf._meta, column, prefix=prefix)
    # max_workers=1 and no tqdm bar inside a task: Dask owns parallelism and progress.
    out = ddf.map_partitions(recognize_frame, column, backend=cluster_backend(backend),
                             errors=errors, prefix=prefix, cache=cache, cache_dir=cache_dir,
                             max_workers=1, progress=False, dpi=resolve_dpi(dpi),
                             pdf_ocr=resolve_pdf_ocr(pdf_ocr), meta=meta, align_dataframes=False)
    return _persist_with_progress(out) if progress else out


def _persist_with_progress(collection: dd.DataFrame) -> dd.DataFrame:
    client = _current_client()
    if client is None:
        from dask.diagnostics import ProgressBar

        with ProgressBar():
            return collection.persist()
    from distributed import progress

    persisted = client.persist(collection)
    bar = progress(persisted)  # blocks with a text bar in a terminal; a widget in Jupyter
    if bar is not None:  # the widget shows only as a cell's value: display it from here
        from IPython.display import display

        display(bar)
    return persisted


def _current_client() -> distributed.Client | None:
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:  # no client: the local schedulers
        return None


@register_dataframe_accessor("wxocr")
class DaskDataFrameAccessor:
    """``ddf.wxocr``: OCR over a Dask DataFrame column.

    Examples
    --------
    >>> import dask, dask.dataframe as dd, pandas as pd, wxocr_pandas.dask
    >>> ddf = dd.from_pandas(pd.DataFrame({"path": ["samples/sign.png"]}), npartitions=1)
    >>> out = ddf.wxocr.recognize("path")
    >>> with dask.config.set(scheduler="synchronous"):
    ...     out.compute()["errcode"].unique().tolist()
    [0]
    """

    def __init__(self, obj: dd.DataFrame) -> None:
        self._obj = obj

    def recognize(self, column: str, *, backend: str | Backend | None = None,
                  errors: Errors = "coerce", prefix: str = "", **options: Any) -> dd.DataFrame:
        """Recognize ``ddf[column]`` lazily; see :func:`recognize_dask`."""
        return recognize_dask(self._obj, column, backend=backend, errors=errors, prefix=prefix,
                              **options)

    def cells(self, **options: Any) -> dd.DataFrame:
        """The tables' cells of a recognized collection, lazily; see :func:`cells_dask`."""
        return cells_dask(self._obj, **options)


def cells_dask(ddf: dd.DataFrame, **options: Any) -> dd.DataFrame:
    """:func:`wxocr_pandas.tables.cells` lazily, partition by partition (a result's images
    never span two partitions: each input row's items stay in its partition).

    Examples
    --------
    >>> import dask, dask.dataframe as dd, pandas as pd, wxocr_pandas.dask
    >>> ddf = dd.from_pandas(pd.DataFrame({"path": ["samples/tables/grid.png"]}), npartitions=1)
    >>> grid = ddf.wxocr.recognize("path").wxocr.cells()
    >>> with dask.config.set(scheduler="synchronous"):
    ...     int(grid.compute()["row"].max())
    3
    """
    from .tables import cells, empty_cells

    return ddf.map_partitions(cells, meta=empty_cells(ddf._meta.index), **options)


@register_series_accessor("wxocr")
class DaskSeriesAccessor:
    """``s.wxocr``: OCR over a Dask Series of images.

    Examples
    --------
    >>> import dask, dask.dataframe as dd, pandas as pd, wxocr_pandas.dask
    >>> paths = dd.from_pandas(pd.Series(["samples/sign.png"], name="path"), npartitions=1)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     paths.wxocr.recognize().compute().columns[:3].tolist()
    ['path', 'page', 'item']
    """

    def __init__(self, obj: dd.Series) -> None:
        self._obj = obj

    def recognize(self, *, backend: str | Backend | None = None, errors: Errors = "coerce",
                  prefix: str = "", **options: Any) -> dd.DataFrame:
        """Recognize the Series lazily; it becomes a column named after it."""
        name = self._obj.name if self._obj.name is not None else "image"
        return recognize_dask(self._obj.to_frame(name), name, backend=backend, errors=errors,
                              prefix=prefix, **options)


#: Images per partition the CLI aims at: a task of ~30 images runs for seconds, so the
#: scheduler's cost per task is noise (measured: see docs/performance.md#bench_dask), and a
#: lost worker costs little to redo.
IMAGES_PER_PARTITION = 32


def connect(scheduler: str = "local") -> distributed.Client:
    """A Dask client: ``"local"`` starts a LocalCluster sized to the machine (one
    single-threaded worker process per core, dashboard on :8787), anything else is a
    scheduler address (``tcp://host:8786``). Closing the client stops a cluster it started.

    Examples
    --------
    >>> client = connect("tcp://127.0.0.1:1")  # doctest: +SKIP
    """
    from distributed import Client

    if scheduler == "local":
        from .workers import usable_cpus

        return Client(n_workers=usable_cpus(), threads_per_worker=1, processes=True)
    return Client(scheduler)


def default_partitions(images: int, threads: int) -> int:
    """Partitions for ``images`` on ``threads`` worker threads: about
    :data:`IMAGES_PER_PARTITION` images each, but at least two per thread so no worker idles
    while the last partitions run.

    Examples
    --------
    >>> default_partitions(24, 2), default_partitions(10_000, 8), default_partitions(1, 8)
    (4, 313, 1)
    """
    return max(1, min(images, max(2 * threads, -(-images // IMAGES_PER_PARTITION))))


def recognize_to_dataset(client: distributed.Client, images: list[str],
                         directory: str | os.PathLike[str], *, partitions: int | None = None,
                         backend: str | Backend | None = None, errors: Errors = "coerce",
                         cache: bool = True, cache_dir: str | os.PathLike[str] | None = None,
                         progress: bool = False, dpi: float | None = None,
                         pdf_ocr: bool | None = None) -> None:
    """Recognize ``images`` on ``client``'s cluster into a partitioned Parquet dataset in
    ``directory`` (an fsspec URL works too): one ``part.N.parquet`` per partition, with an
    ``image`` column and the result columns (what ``wxocr recognize -o out/`` writes).

    Examples
    --------
    >>> recognize_to_dataset(connect(), ["samples/sign.png"], "out/")  # doctest: +SKIP
    """
    threads = sum(client.nthreads().values()) or 1
    frame = pd.DataFrame({"image": images})
    ddf = dd.from_pandas(frame, npartitions=partitions or default_partitions(len(images), threads),
                         sort=False)
    out = recognize_dask(ddf, "image", backend=backend, errors=errors, cache=cache,
                         cache_dir=cache_dir, dpi=dpi, pdf_ocr=pdf_ocr)
    write = out.to_parquet(directory, write_index=False, compute=False)
    future = client.compute(write)
    if progress:
        from distributed import progress as show_progress

        show_progress(future)
    future.result()
