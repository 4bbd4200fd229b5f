"""Persistent worker processes for process backends (the local engine), through loky.

``multiprocessing``'s spawn and forkserver start methods re-run the user's ``__main__`` in
every worker, so a script without an ``if __name__ == "__main__":`` guard, or one piped on
stdin, crashes the pool. loky (the executor under joblib) starts workers that do not
re-import ``__main__``, keeps them alive between calls until they have been idle for
five minutes (``WXOCR_WORKER_IDLE_TIMEOUT``), and replaces a pool
that a dead worker broke.

Workers receive the backend's :meth:`~wxocr_pandas.backends.base.ProcessBackend.for_worker`
copy, pickled with every option it has. The local engine is loaded in each worker on first
use and kept there (:func:`~wxocr_pandas.backends.local.load_engine` caches it in a package
module, once per parameter set), so a notebook's second ``recognize`` pays no start-up, and
answers equal the in-process ones for any options.

One executor serves the whole process: :func:`loky.get_reusable_executor` keeps one per
*thread*, and the server and notebooks call from several, so it is held here and shared.
:func:`shutdown_workers` stops it (the next call starts a new one).

A worker that dies (the OOM killer, a crash in the engine) costs at most one image:
:func:`recognize_many` retries every image that was in flight once, alone in a fresh
pool, so an image that kills its worker again is the culprit, and only it gets
:attr:`~wxocr_pandas.errors.Errcode.WORKER_DIED`. The retry runs under a memory bound
(:func:`recognize_bounded`: the worker may grow by :data:`RETRY_MEMORY` at most), so an image
that blew a worker up gives an error row instead of blowing the next one up; where the
platform has no such bound, it is not retried.

Workers do not outlive their parent: each watches it (:data:`PARENT_POLL_SECONDS`) and exits
once it is gone, a parent killed with SIGKILL included. :func:`shutdown_workers` with a
``timeout`` kills the workers still running images when it ends.
"""

from __future__ import annotations

import atexit
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import Any

from .backends.base import Backend
from .config import resolve_idle_timeout, worker_memory_growth_limit
from .errors import BackendError, WorkerDiedError, WxOcrError
from .images import ImageSource
from .result import OcrResult

#: What recognizing one image in a worker gives: an answer or the image's error.
Outcome = OcrResult | WxOcrError

_lock = threading.Lock()
_executor: Any = None
_size = 0
#: The executor's workers never idle out (a server asked for it).
_keep_alive = False
#: When a worker last finished an image (time.monotonic); workers idle past the idle
#: timeout have exited.
_last_finished = -math.inf


def usable_cpus() -> int:
    """The cores this process may run on (its CPU affinity where the platform has one).

    Examples
    --------
    >>> usable_cpus() >= 1
    True
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def current_size() -> int | None:
    """The number of processes of the current executor, None when there is none."""
    with _lock:
        return None if _executor is None else _size


def warm_workers() -> int:
    """How many worker processes are warm now, their engines loaded by earlier batches:
    the executor's size while its workers are within the idle timeout of their last image
    (0 before the first batch, and again once the idle timeout has stopped them).

    Examples
    --------
    >>> warm_workers() >= 0
    True
    """
    with _lock:
        idle = time.monotonic() - _last_finished
        warm = _keep_alive or idle < resolve_idle_timeout()
        return _size if _executor is not None and warm else 0


def get_executor(max_workers: int | None = None, *, keep_alive: bool = False) -> Executor:
    """The process-wide loky executor with ``max_workers`` processes (default: one per
    usable core), started on first use and reused while it is of that size.

    Its idle workers exit after the idle timeout, unless ``keep_alive`` is asked (a
    server's, whose next request must not wait for an engine to load): that choice holds
    for the executors that replace it, until :func:`shutdown_workers`.

    An executor of another size is replaced (its workers finish what they run, then exit);
    :func:`submit` replaces one that a dead worker broke.

    Examples
    --------
    >>> from wxocr_pandas.workers import get_executor
    >>> get_executor(1) is get_executor(1)
    True
    """
    global _executor, _size, _keep_alive
    from loky import ProcessPoolExecutor

    size = max_workers or usable_cpus()
    with _lock:
        if _executor is not None and (_size != size or (keep_alive and not _keep_alive)):
            _executor.shutdown(wait=False)
            _executor = None
        if _executor is None:
            _keep_alive = _keep_alive or keep_alive
            _executor = ProcessPoolExecutor(
                size, timeout=None if _keep_alive else resolve_idle_timeout(),
                initializer=_init_worker, initargs=(os.getpid(),),
                env={"LOKY_MAX_MEMORY_LEAK_SIZE": worker_memory_growth_limit()})
            _size = size
        return _executor


def submit(fn: Callable[..., Any], *args: Any, max_workers: int | None = None) -> Future:
    """``fn(*args)`` in a worker process of the executor of :func:`get_executor`.

    An executor that a dead worker broke (or that was shut down meanwhile) refuses new work;
    it is then replaced by a fresh one, which takes the call.
    """
    global _executor
    from loky.process_executor import BrokenProcessPool, ShutdownExecutorError

    pool = get_executor(max_workers)
    try:
        return pool.submit(fn, *args)
    except (BrokenProcessPool, ShutdownExecutorError):
        with _lock:
            if _executor is pool:
                _executor = None
        pool.shutdown(wait=False)
        return get_executor(max_workers).submit(fn, *args)


def _init_worker(parent: int) -> None:
    """Worker initializer.

    Ignore SIGINT: Ctrl-C in a terminal reaches the whole process group; the parent decides
    what stops (``wxocr serve`` finishes the requests in flight, a batch stops its workers),
    so a worker must not die under the image it is reading.

    Fix the ``mmap`` threshold (:func:`~wxocr_pandas.heap.return_large_blocks`): a worker
    lives long and reads images of many sizes.

    Exit with the parent: a parent killed outright (SIGKILL, the OOM killer) cannot stop its
    workers, which would otherwise idle with their engines loaded until the idle timeout. A
    daemon thread notices within :data:`PARENT_POLL_SECONDS` that the worker was handed to
    another parent, and ends the process. ``parent`` is the pid of the process that started
    the executor, passed along: a parent killed while the worker was still starting has
    already handed it to another one by the time this runs.
    """
    import signal

    from .heap import return_large_blocks

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return_large_blocks()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True,
                     name="wxocr-parent-watch").start()


#: Seconds between a worker's checks that its parent is alive.
PARENT_POLL_SECONDS = 1.0


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)  # nothing to clean up that the parent still needs


def shutdown_workers(*, kill: bool = False, timeout: float | None = None) -> None:
    """Stop the worker processes (their engines are unloaded); the next batch starts new ones.

    Parameters
    ----------
    kill
        ``False`` lets running images finish first; ``True`` stops the workers at once.
    timeout
        With ``kill=False``: seconds the running images get to finish; the workers still
        running one then are killed (their images get
        :class:`~wxocr_pandas.errors.WorkerDiedError`). None waits as long as they take.

    Examples
    --------
    >>> import wxocr_pandas
    >>> wxocr_pandas.shutdown_workers(timeout=10)
    """
    global _executor, _keep_alive
    with _lock:
        current, _executor, _keep_alive = _executor, None, False
    if current is None:
        return
    if kill or timeout is None:
        current.shutdown(wait=True, kill_workers=kill)
        return
    draining = threading.Thread(target=current.shutdown, kwargs={"wait": True},
                                name="wxocr-drain", daemon=True)
    draining.start()
    draining.join(timeout)
    if draining.is_alive():  # the executor's manager kills the workers it still waits on
        current.shutdown(wait=False, kill_workers=True)
        draining.join()


# Dropped before the interpreter tears its modules down, which loky's callbacks still use.
atexit.register(shutdown_workers)


def recognize_safely(backend: Backend, source: ImageSource) -> Outcome:
    """Recognize one image; every failure is returned as a :class:`WxOcrError` naming it.

    An exception that is not a :class:`WxOcrError` (a bug, a surprise from a library)
    becomes a :class:`BackendError` with the original as its cause.

    Examples
    --------
    >>> from wxocr_pandas import LocalBackend
    >>> from wxocr_pandas.images import as_source
    >>> recognize_safely(LocalBackend(), as_source("no/such.png")).errcode
    900002
    """
    try:
        return backend.recognize(source)
    except WxOcrError as exc:
        return exc.with_image(source.label)
    except Exception as exc:
        error = BackendError(f"unexpected {type(exc).__name__}: {exc}", image=source.label)
        error.__cause__ = exc
        return error


#: Bytes of address space a worker may add while it retries an image whose first worker
#: died: a page of the largest size the engine reads takes well under 1.5 GB more (OpenVINO
#: reserves more address space than it uses); an image that needs more was what killed the
#: first worker.
RETRY_MEMORY = 4 * 2**30


def can_bound_memory() -> bool:
    """True where a worker can cap its own memory (Linux: ``RLIMIT_AS``), so an image
    whose worker died may be retried under :data:`RETRY_MEMORY`.

    Examples
    --------
    >>> import sys
    >>> can_bound_memory() == sys.platform.startswith("linux")
    True
    """
    import sys

    return sys.platform.startswith("linux")


def recognize_bounded(backend: Backend, source: ImageSource,
                      growth: int = RETRY_MEMORY) -> Outcome:
    """In a worker: :func:`recognize_safely` while the process may grow by at most
    ``growth`` bytes of address space (``RLIMIT_AS``, put back afterwards). An image that
    needs more fails with the allocation's error (a :class:`BackendError` row) instead of
    taking the machine's memory.

    Examples
    --------
    >>> from wxocr_pandas import LocalBackend
    >>> from wxocr_pandas.images import as_source
    >>> recognize_bounded(LocalBackend(), as_source("samples/sign.png")).errcode
    0
    """
    import resource

    import psutil

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = psutil.Process().memory_info().vms + growth
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY:
        cap = min(cap, soft)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        return recognize_safely(backend, source)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def recognize_in_worker(backend: Backend, source: ImageSource,
                        max_workers: int | None = None) -> Future[Outcome]:
    """Recognize one image in a worker process (of the executor of ``max_workers``
    processes); the future gives the answer or the error.

    If the worker dies, the image is sent once more to a fresh pool, under the memory bound
    of :func:`recognize_bounded` (not at all where :func:`can_bound_memory` is False); if
    that worker dies too, the future gives a :class:`~wxocr_pandas.errors.WorkerDiedError`.
    The future never raises, except :class:`~concurrent.futures.CancelledError` when
    cancelled.

    Examples
    --------
    >>> from wxocr_pandas import LocalBackend
    >>> from wxocr_pandas.images import as_source
    >>> recognize_in_worker(LocalBackend(), as_source("samples/sign.png")).result().errcode
    0
    """
    outer: Future[Outcome] = Future()

    def send(attempt: int) -> None:
        inner = (submit(recognize_safely, backend, source, max_workers=max_workers)
                 if attempt == 1 else
                 submit(recognize_bounded, backend, source, max_workers=max_workers))

        def done(finished: Future) -> None:
            if finished.cancelled():
                outer.cancel()
                return
            outcome = outcome_of(finished, source)
            if isinstance(outcome, WorkerDiedError) and attempt == 1 and can_bound_memory():
                # Not from this callback's thread: it belongs to the broken pool.
                threading.Thread(target=send, args=(2,)).start()
                return
            outer.set_result(outcome)

        inner.add_done_callback(done)

    outer.set_running_or_notify_cancel()
    send(1)
    return outer


def outcome_of(future: Future, source: ImageSource) -> Outcome:
    """What a finished worker future means for its image: its outcome, a
    :class:`WorkerDiedError` when its worker (or the pool) died under it, or a
    :class:`BackendError` when it could not be sent (an unpicklable cell)."""
    global _last_finished
    from loky.process_executor import BrokenProcessPool, ShutdownExecutorError

    try:
        outcome = future.result()
        with _lock:
            _last_finished = time.monotonic()
        return outcome
    except (BrokenProcessPool, ShutdownExecutorError):
        return WorkerDiedError(image=source.label)
    except Exception as exc:
        error = BackendError(f"could not be sent to a worker process: {type(exc).__name__}: "
                             f"{exc}", image=source.label)
        error.__cause__ = exc
        return error


def recognize_many(backend: Backend, sources: Sequence[ImageSource], max_workers: int,
                   stop: Any = None) -> Iterator[tuple[int, Outcome | None]]:
    """``(index, outcome)`` for each source, in completion order, from ``max_workers``
    worker processes.

    At most ``max_workers`` images are in flight, so little is lost when a worker dies and
    nothing is queued when the batch stops. The images in flight when a worker dies are
    sent again one at a time, each alone and under the memory bound of
    :func:`recognize_bounded`; one that kills its worker again gives a
    :class:`WorkerDiedError` (at once where :func:`can_bound_memory` is False). Finished
    images are never sent again. Once ``stop.error`` is
    set (a spent quota), nothing more is sent and the unsent images give None. On
    KeyboardInterrupt the workers are killed at once, so Ctrl-C stops within a second.
    """
    waiting = deque(range(len(sources)))
    suspects: deque[int] = deque()
    in_flight: dict[Future, int] = {}
    alone = False  # the one image in flight is a suspect, sent alone
    try:
        while waiting or suspects or in_flight:
            if stop is not None and stop.error is not None:
                while waiting:
                    yield waiting.popleft(), None
            if not in_flight and suspects:
                index = suspects.popleft()
                in_flight[submit(recognize_bounded, backend, sources[index],
                                 max_workers=max_workers)] = index
                alone = True
            elif not suspects and waiting:
                while waiting and len(in_flight) < max_workers:
                    index = waiting.popleft()
                    in_flight[submit(recognize_safely, backend, sources[index],
                                     max_workers=max_workers)] = index
            if not in_flight:
                continue
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                index = in_flight.pop(future)
                outcome = outcome_of(future, sources[index])
                if isinstance(outcome, WorkerDiedError) and not alone and can_bound_memory():
                    suspects.append(index)
                else:
                    yield index, outcome
            alone = False
    except KeyboardInterrupt:
        shutdown_workers(kill=True)
        raise
    finally:  # closed early (errors="raise", an interrupt): drop what was not sent
        for future in in_flight:
            future.cancel()


