"""Run a backend over many images, keeping every row: one bad image never sinks a batch.

A batch goes through four steps, and its results always come back in input order:

1. every cell is checked and hashed (:func:`~wxocr_pandas.images.image_digest`); a cell that
   cannot be read becomes its error row here;
2. identical images are grouped, so each is recognized once;
3. answers already in the :class:`~wxocr_pandas.cache.ResultCache` are taken from it;
4. the rest is recognized: a backend that runs in processes
   (:class:`~wxocr_pandas.backends.base.ProcessBackend`, like the local engine) in the
   persistent worker processes of :mod:`~wxocr_pandas.workers`, each with the backend's
   :meth:`~wxocr_pandas.backends.base.ProcessBackend.for_worker` copy; any other backend
   (HTTP) in a thread pool. Each successful answer is stored in the cache as soon as it
   arrives, so an interrupted batch keeps it.

No exception escapes one image: whatever goes wrong while reading, preparing, sending or
recognizing it becomes that image's error row (``errors="raise"`` raises the first one as a
:class:`~wxocr_pandas.errors.WxOcrError`, the original chained as its cause). A worker
process that dies costs at most that one image (see :func:`~wxocr_pandas.workers.recognize_many`).

After an error that stops a batch (the daily quota is spent), no further image is sent:
answers already received are kept, and the images not sent get that error's errcode.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TypedDict, cast

from .backends.base import Backend, ProcessBackend, parallelism
from .backends.registry import resolve_backend
from .cache import ResultCache, cache_key
from .config import (resolve_dpi, resolve_idle_timeout, resolve_max_pages, resolve_pdf_ocr,
                     resolve_timeout, resolve_workers)
from .errors import InvalidImageError, UnsupportedInputError, UsageError, WxOcrError
from .images import ImageSource, as_source, image_digest
from .documents import Document, Page, open_document
from .result import InputResult, OcrResult, PageRun
from .workers import current_size, recognize_many, recognize_safely, usable_cpus, warm_workers

Errors = Literal["coerce", "raise"]
#: What recognizing one image gives: an answer, an error, or None when it was not sent.
Outcome = OcrResult | WxOcrError | None


class BatchOptions(TypedDict, total=False):
    """Keyword options every recognizing function passes on to :func:`recognize_results`."""

    cache: bool
    cache_dir: str | os.PathLike[str] | None
    max_workers: int | None
    progress: bool | None
    dpi: float | None
    pdf_ocr: bool | None
    max_pages: int | None


#: Below this many images to recognize, a process backend runs in-process unless worker
#: processes are already warm: starting them (a process, the imports and an engine each)
#: costs more than it saves on a smaller batch, with this process's engine loaded (a
#: notebook after its first call); warm workers take any batch of 2 or more. Where cold
#: workers break even is measured by ``benchmarks/bench_pool_threshold.py``: see
#: docs/performance.md#bench_pool_threshold.
MIN_PROCESS_BATCH = 48
#: The same when this process has not loaded the backend yet (a script, the CLI): then the
#: workers' engine loads replace this process's own (measured in the same place).
MIN_PROCESS_BATCH_UNLOADED = 16
#: With ``progress=None``, a bar is shown once a batch has this many images to recognize.
MIN_PROGRESS_BATCH = 2


def recognize_one(value: Any, backend: Backend) -> OcrResult:
    """Recognize one cell; a failure raises a :class:`WxOcrError` naming the image.

    Examples
    --------
    >>> from wxocr_pandas import LocalBackend
    >>> recognize_one("samples/sign.png", LocalBackend()).errcode
    0
    """
    outcome = recognize_safely(backend, as_source(value))
    if isinstance(outcome, WxOcrError):
        raise outcome
    return outcome


def recognize_results(values: Iterable[Any], backend: str | Backend | None = None,
                      errors: Errors = "coerce", *, cache: bool = True,
                      cache_dir: str | os.PathLike[str] | None = None,
                      max_workers: int | None = None,
                      progress: bool | None = None, dpi: float | None = None,
                      pdf_ocr: bool | None = None,
                      max_pages: int | None = None) -> list[InputResult]:
    """One answer per value, in order: an :class:`OcrResult` for an image, a tuple of them
    (one per page) for a document (a PDF, a multi-page TIFF, an animated GIF; see
    :mod:`wxocr_pandas.documents`).

    Parameters
    ----------
    values
        Image cells: paths, http(s) URLs, bytes, PIL images, numpy arrays (NA allowed).
    backend
        ``"local"`` (default), ``"wechat"`` or a backend object; env ``WXOCR_BACKEND``.
    errors
        ``"coerce"``: a failed image becomes a result with its errcode and a message naming
        the image and the cause. ``"raise"``: the first failure raises.
    cache
        Read and store answers in the persistent cache (only successful answers are
        stored). ``False`` recognizes everything again and stores nothing.
    cache_dir
        Where the cache lives; env ``WXOCR_CACHE_DIR``, else the platform's cache directory.
    max_workers
        Parallel workers; env ``WXOCR_WORKERS``. A process backend (the local engine):
        worker processes, by default one per core once a batch has
        :data:`MIN_PROCESS_BATCH` images to recognize (1 runs in-process). Other backends:
        threads, by default 1 (sequential), because a quota or rate limit belongs to the
        account, not to the machine.
    progress
        ``True``/``False`` force a :mod:`tqdm.auto` bar on or off; ``None`` shows one in
        Jupyter or a terminal when at least :data:`MIN_PROGRESS_BATCH` images need
        recognizing (a re-run served by the cache stays quiet).
    dpi
        Resolution at which PDF pages are rendered to be recognized; env ``WXOCR_DPI``,
        default :data:`~wxocr_pandas.config.DEFAULT_DPI`. Coordinates are in pixels of the
        page at this resolution.
    pdf_ocr
        Recognize every PDF page as an image, even where it has a text layer (by default a
        text layer is read as it is: exact and much faster); env ``WXOCR_PDF_OCR``.
    max_pages
        The most pages read of one document (env ``WXOCR_MAX_PAGES``; default: all). The
        pages past it are not read: they are one error row
        (:class:`~wxocr_pandas.errors.PageLimitError`, errcode 900010, numbered with the first
        of them), or raise with ``errors="raise"``.

    Examples
    --------
    >>> results = recognize_results(["samples/sign.png", "no/such.png", "samples/report.pdf"])
    >>> [r.errcode for r in results[:2]], [page.errcode for page in results[2]]
    ([0, 900002], [0, 0, 0])
    """
    values = list(values)
    with Recognizer(backend, errors, cache=cache, cache_dir=cache_dir, max_workers=max_workers,
                    progress=progress, total=len(values), dpi=dpi,
                    pdf_ocr=pdf_ocr, max_pages=max_pages) as recognizer:
        return recognizer.run(values)


class Recognizer:
    """Recognizes batch after batch with one backend, cache connection, worker pool and
    progress bar: :func:`recognize_results` runs one batch, the streaming functions of
    :mod:`wxocr_pandas.stream` run one per chunk. Parameters are those of
    :func:`recognize_results`; ``total`` sizes the progress bar (None if unknown).

    Examples
    --------
    >>> with Recognizer(max_workers=1, progress=False) as recognizer:
    ...     [r.errcode for r in recognizer.run(["samples/sign.png", None])]
    [0, 900001]
    """

    def __init__(self, backend: str | Backend | None = None, errors: Errors = "coerce", *,
                 cache: bool = True, cache_dir: str | os.PathLike[str] | None = None,
                 max_workers: int | None = None, progress: bool | None = None,
                 total: int | None = None, dpi: float | None = None,
                 pdf_ocr: bool | None = None, max_pages: int | None = None) -> None:
        if errors not in ("coerce", "raise"):
            raise UsageError(f"errors must be 'coerce' or 'raise', not {errors!r}")
        self.backend = resolve_backend(backend)
        self.errors = errors
        self.max_workers = resolve_workers(max_workers)
        self.dpi = resolve_dpi(dpi)
        self.pdf_ocr = resolve_pdf_ocr(pdf_ocr)
        self.max_pages = resolve_max_pages(max_pages)
        resolve_timeout()  # read by every download: a bad WXOCR_TIMEOUT stops here, not per image
        resolve_idle_timeout()
        self.progress = progress
        self.total = total
        # A backend without an identity cannot be told apart from another: never cache it.
        self.identity: str | None = self.backend.identity if cache else None
        self.cache = ResultCache(cache_dir) if self.identity is not None else None
        self.stop = _StopSignal()
        self._threads: ThreadPoolExecutor | None = None
        self._warned = False  # about more worker processes than cores
        self._bar: Any = None
        self._more_pages = 0  # documents' pages past their first, opened so far

    def __enter__(self) -> Recognizer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # Interrupted: do not wait for the threads' images (the worker processes are
        # already stopped by recognize_many); Ctrl-C must stop at once.
        self.close(wait=exc_type is None or not issubclass(exc_type, KeyboardInterrupt))

    def close(self, wait: bool = True) -> None:
        """Stop the threads, close the cache and the progress bar. The worker processes
        stay warm for the next batch (:func:`~wxocr_pandas.shutdown_workers` stops them)."""
        if self._threads is not None:
            self._threads.shutdown(wait=wait, cancel_futures=True)
            self._threads = None
        if self.cache is not None:
            self.cache.close()
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def run(self, values: Sequence[Any]) -> list[InputResult]:
        """One answer per value, in order (see :func:`recognize_results`)."""
        results: list[Any] = [None] * len(values)
        for positions, answers in self.stream(values):
            for position, answer in zip(positions, answers):
                results[position] = (answer if isinstance(answer, OcrResult)
                                     else (*(results[position] or ()), *answer))
        return results

    def stream(self, values: Sequence[Any], pages: int | None = None
               ) -> Iterator[tuple[list[int], list[InputResult]]]:
        """The answers of ``values`` piece by piece, each piece as soon as it is done: the
        positions of the values it answers, in order, and their answers.

        A piece holds at most ``pages`` pages (an image is one page; None: one piece for
        everything), so a long document's rows need not wait for its last page: its answer
        comes as :class:`~wxocr_pandas.result.PageRun` pieces, and its position in each.
        Identical images within a piece are recognized once (across pieces, the cache
        answers). Documents are opened as the pieces reach them.

        Examples
        --------
        >>> with Recognizer(max_workers=1, progress=False) as recognizer:
        ...     pieces = list(recognizer.stream(["samples/sign.png", "samples/report.pdf"], 2))
        >>> [(positions, [getattr(a, "first", None) for a in answers]) for positions, answers in pieces]
        [([0, 1], [None, 1]), ([1], [2])]
        """
        piece: list[_Slot] = []
        for position, value in enumerate(values):
            for slot in self._slots(position, value):
                piece.append(slot)
                if pages is not None and len(piece) >= pages:
                    yield self._answer(piece, len(values))
                    piece = []
        if piece:
            yield self._answer(piece, len(values))

    def _slots(self, position: int, value: Any) -> Iterator[_Slot]:
        """The slot of an image, or the slots of a document's pages (opened here)."""
        try:
            source, digest = _source_and_digest(value)
            document = self._document(source, digest)
        except WxOcrError as exc:
            if self.errors == "raise":
                raise
            yield _Slot(position, result=OcrResult.from_error(exc))
            return
        if document is None:
            yield _Slot(position, source=source, key=digest)
            return
        self._add_to_total(len(document.pages) - 1)  # the bar counted the document as one
        for page in document.pages:
            if page.source is None:
                yield _Slot(position, page, result=page.finish())
            else:
                yield _Slot(position, page, page.source, page.key or image_digest(page.source))

    def _answer(self, piece: list[_Slot], size: int) -> tuple[list[int], list[InputResult]]:
        """Recognize what the slots of a piece need (cache first), then their answers."""
        groups: dict[str, list[_Slot]] = {}
        for slot in piece:
            if slot.result is None:
                groups.setdefault(slot.key, []).append(slot)
        sources = {key: slots[0].source for key, slots in groups.items()}
        keys: dict[str, str] = {}
        if self.cache is not None:
            keys = {digest: cache_key(digest, self.identity) for digest in groups}
            cached = self.cache.get_many(list(keys.values()))
            for digest, key in keys.items():
                if key in cached:
                    for slot in groups.pop(digest):
                        slot.place(cached[key])
        pending = list(groups)
        self._open_bar(len(pending), size)
        self._advance(len(piece) - sum(map(len, groups.values())))
        for index, outcome in self._outcomes([sources[d] for d in pending]):
            digest = pending[index]
            if isinstance(outcome, WxOcrError):
                if self.errors == "raise":
                    raise outcome
                if outcome.stops_batch:
                    self.stop.error = outcome
            elif outcome is not None and self.cache is not None:
                self.cache.put(keys[digest], outcome, backend=self.identity,
                               image=sources[digest].label)
            for slot in groups[digest]:
                slot.place(self._row(outcome, sources[digest], slot.source.label))
            self._advance(len(groups[digest]))
        positions: list[int] = []
        answers: list[Any] = []  # an image's answer, or [first page number, page answers...]
        for slot in piece:  # a document's pages in a piece are consecutive slots
            if slot.page is None:
                positions.append(slot.position)
                answers.append(slot.result)
            elif positions and positions[-1] == slot.position and isinstance(answers[-1], list):
                answers[-1].append(slot.result)
            else:
                positions.append(slot.position)
                answers.append([slot.page.number, slot.result])
        return positions, [answer if isinstance(answer, OcrResult)
                           else PageRun(answer[1:], first=answer[0]) for answer in answers]

    def _document(self, source: ImageSource, digest: str) -> Document | None:
        """The source opened as a document (None for an image); any failure to open it is
        a :class:`WxOcrError` naming it."""
        try:
            document = open_document(source, dpi=self.dpi, pdf_ocr=self.pdf_ocr, digest=digest,
                                     max_pages=self.max_pages)
        except WxOcrError:
            raise
        except Exception as exc:  # e.g. a text layer pdfium cannot measure
            raise InvalidImageError(f"cannot be read as a document: {type(exc).__name__}: "
                                    f"{exc}", image=source.label) from exc
        if self.errors == "raise" and document is not None and document.unread is not None:
            raise document.unread
        return document

    def _row(self, outcome: Outcome, source: ImageSource, label: str) -> OcrResult:
        """The result row of one slot, named by its own ``label`` (identical images, and
        identical documents, are recognized once for several slots)."""
        if isinstance(outcome, OcrResult):
            return outcome
        if outcome is None:
            stopped = self.stop.error
            assert stopped is not None  # None outcomes exist only after a stop
            return OcrResult(errcode=stopped.errcode, errmsg=(
                f"{label}: not sent: {stopped.errmsg} (errcode {stopped.errcode})"))
        if label != source.label:
            outcome = type(outcome)(outcome.errmsg, errcode=outcome.errcode, image=label)
        return OcrResult.from_error(outcome)

    def _outcomes(self, sources: list[ImageSource]) -> Iterator[tuple[int, Outcome]]:
        """``(index, outcome)`` pairs in completion order."""
        if parallelism(self.backend) == "process":
            backend = cast(ProcessBackend, self.backend)
            workers = self._processes_for(backend, len(sources))
            if workers > 1:
                yield from recognize_many(backend.for_worker(), sources, workers, self.stop)
                return
        pool = self._threads_for(len(sources))
        if pool is None:
            for index, source in enumerate(sources):
                yield index, attempt(self.backend, source, self.stop)
            return
        futures = {pool.submit(attempt, self.backend, source, self.stop): i
                   for i, source in enumerate(sources)}
        try:
            for future in as_completed(futures):
                yield futures[future], _outcome_of(future)
                if self.stop.error is not None:
                    for waiting in futures:
                        waiting.cancel()
        finally:  # raised out of (errors="raise") or closed early: send nothing more
            for waiting in futures:
                waiting.cancel()

    def _processes_for(self, backend: ProcessBackend, pending: int) -> int:
        """How many worker processes read ``pending`` images (1: in-process).

        At most one per image; a size between that and the number asked for keeps the
        warm pool of an earlier batch. More than the usable cores is allowed, with a warning.
        """
        # Daemonic processes (e.g. Dask workers) may not start children.
        if pending < 2 or multiprocessing.current_process().daemon:
            return 1
        cores = usable_cpus()
        threshold = MIN_PROCESS_BATCH if backend.loaded() else MIN_PROCESS_BATCH_UNLOADED
        asked = self.max_workers or (cores if pending >= threshold or warm_workers() > 1 else 1)
        if asked > cores and not self._warned:
            warnings.warn(f"{asked} worker processes on {cores} usable cores: each loads its "
                          "own engine, and they will slow each other down", RuntimeWarning,
                          stacklevel=4)
            self._warned = True
        size = min(asked, pending)
        current = current_size()
        return current if current is not None and size <= current <= asked else size

    def _threads_for(self, pending: int) -> ThreadPoolExecutor | None:
        """The thread pool for a batch of ``pending`` images, or None to run in-process."""
        workers = min(self.max_workers or 1, pending)
        if self._threads is None and workers > 1:
            self._threads = ThreadPoolExecutor(workers, thread_name_prefix="wxocr")
        return self._threads

    def _add_to_total(self, pages: int) -> None:
        """Count ``pages`` more on the progress bar (a document's pages past its first)."""
        self._more_pages += pages
        if self._bar is not None and pages:
            self._bar.total += pages
            self._bar.refresh()

    def _open_bar(self, pending: int, size: int) -> None:
        if self._bar is not None or self.progress is False:
            return
        from tqdm.auto import tqdm
        from tqdm.autonotebook import tqdm as chosen  # what tqdm.auto picked: widget or text
        from tqdm.std import tqdm as text_tqdm

        interactive = chosen is not text_tqdm or sys.stderr.isatty()
        if self.progress or (interactive and pending >= MIN_PROGRESS_BATCH):
            total = self.total if self.total is not None else size
            self._bar = tqdm(total=total + self._more_pages, desc="wxocr", unit="page")

    def _advance(self, images: int) -> None:
        if self._bar is not None and images:
            self._bar.update(images)


def _source_and_digest(value: Any) -> tuple[ImageSource, str]:
    """The checked cell and its content digest; any failure is a :class:`WxOcrError`, even
    one raised by the cell's own code (a ``__fspath__``, ``__repr__`` or ``tobytes`` that
    fails)."""
    try:
        source = as_source(value)
    except WxOcrError:
        raise
    except Exception as exc:
        raise UnsupportedInputError(f"cannot be checked: {_describe(exc)}",
                                    image=f"<{type(value).__name__}>") from exc
    try:
        return source, image_digest(source)
    except WxOcrError:
        raise
    except Exception as exc:  # e.g. a lazily opened PIL image whose file was cut short
        raise InvalidImageError(f"cannot be read: {_describe(exc)}", image=source.label) from exc


def _describe(exc: Exception) -> str:
    """``Type: message`` of an exception, or its type alone when its message fails too."""
    try:
        return f"{type(exc).__name__}: {exc}"
    except Exception:
        return type(exc).__name__


@dataclass
class _Slot:
    """One page of one input in a piece: its ``page`` of a document (None for an image), what
    to recognize (``source``, deduplicated by ``key``), and its answer once known."""

    position: int
    page: Page | None = None
    source: ImageSource | None = None
    key: str | None = None
    result: OcrResult | None = None

    def place(self, answer: OcrResult) -> None:
        """Take the recognized answer (merged with a document page's text layer)."""
        self.result = answer if self.page is None else self.page.finish(answer)


class _StopSignal:
    """Holds the error that stopped the batch; shared with the threads that send images,
    so one that is about to send sees the stop at once."""

    error: WxOcrError | None = None


def attempt(backend: Backend, source: ImageSource, stop: _StopSignal | None = None) -> Outcome:
    """Recognize one image unless the batch has stopped; errors are returned, not raised.

    Examples
    --------
    >>> from wxocr_pandas import LocalBackend
    >>> from wxocr_pandas.images import as_source
    >>> attempt(LocalBackend(), as_source("no/such.png")).errcode
    900002
    """
    if stop is not None and stop.error is not None:
        return None
    outcome = recognize_safely(backend, source)
    if stop is not None and isinstance(outcome, WxOcrError) and outcome.stops_batch:
        stop.error = outcome
    return outcome


def _outcome_of(future: Future) -> Outcome:
    try:
        return future.result()
    except CancelledError:
        return None
