"""Recognition for the server: a bounded queue with a deadline in front of the workers.

The event loop never recognizes: an image goes to one of the package's worker processes
(:mod:`wxocr_pandas.workers`, one inference thread each) and the loop awaits its future.
Each worker runs one image at a time; the others wait their turn, first come first served:

- a request takes a *place* (:meth:`RecognitionPool.place`) before its upload is read; there
  are ``workers + queue`` places, and a request that finds none is answered -1 at once, so an
  overload costs the server nothing;
- an image waits at most ``queue_timeout`` seconds for a worker, then it is answered -1
  (it cannot be served in time; a client retrying later is better off than one waiting on).

The workers start, and load their engines, with the server (:meth:`RecognitionPool.warm_up`),
and stay up while it runs. Answers come from the package's own backend and result cache
(a cached image needs no worker, so it never waits), so the server answers exactly what
:func:`wxocr_pandas.recognize` answers for the same image.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, cast

from ..backends.base import Backend, ProcessBackend, parallelism
from ..backends.registry import resolve_backend
from ..cache import ResultCache, cache_key
from ..errors import WxOcrError
from ..images import ImageSource, as_source, image_digest
from ..result import OcrResult
from ..workers import get_executor, recognize_in_worker, recognize_safely, shutdown_workers, submit
from .settings import ServerSettings

#: Rounds of warm-up images sent to the workers until each has loaded its engine.
WARM_UP_ROUNDS = 8
#: Seconds the workers get to finish their images when the server stops, then killed.
WORKER_DRAIN_SECONDS = 10.0


class Busy(Exception):
    """No place is free, or the image waited past the deadline: answer -1 with this text."""


class RecognitionPool:
    """Recognize images off the event loop, one per worker, the rest queued with a deadline.

    Examples
    --------
    >>> import asyncio
    >>> from pathlib import Path
    >>> settings = ServerSettings({"wx1": "s"}, cache=False)
    >>> async def main():
    ...     pool = RecognitionPool(settings)
    ...     try:
    ...         with pool.place():
    ...             return await pool.recognize(Path("samples/sign.png").read_bytes())
    ...     finally:
    ...         pool.close()
    >>> asyncio.run(main()).items[0].text
    '小心地滑'
    """

    def __init__(self, settings: ServerSettings) -> None:
        self.workers = settings.workers
        self.queue = settings.queue_size
        self.capacity = settings.capacity
        self.queue_timeout = settings.queue_timeout
        #: Requests holding a place: uploading, waiting for a worker or running.
        self.admitted = 0
        self.running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.backend: Backend = resolve_backend(settings.backend)
        # Workers share the cores: the copy a process backend gives them, as batches do.
        self._worker_backend = (cast(ProcessBackend, self.backend).for_worker()
                                if parallelism(self.backend) == "process" else self.backend)
        self._identity: str | None = self.backend.identity if settings.cache else None
        self._cache = ResultCache(settings.cache_dir) if self._identity is not None else None
        # sqlite3 connections belong to one thread: every cache call runs in this one.
        self._cache_thread = ThreadPoolExecutor(1, thread_name_prefix="wxocr-cache")

    @property
    def full(self) -> bool:
        """True when one more request would find no place."""
        return self.admitted >= self.capacity

    @contextmanager
    def place(self) -> Iterator[None]:
        """Hold a place for one request, from before its upload is read until it is answered.

        Raises
        ------
        Busy
            When every place is taken (``workers`` running, ``queue`` waiting).
        """
        if self.full:
            raise Busy(f"the recognition queue is full ({self.queue} waiting, "
                       f"{self.workers} running), retry later")
        self.admitted += 1
        try:
            yield
        finally:
            self.admitted -= 1

    async def recognize(self, data: bytes) -> OcrResult | WxOcrError:
        """The package's answer for the encoded image ``data``, or its error; the request
        holds a :meth:`place`.

        Raises
        ------
        Busy
            When the image waited ``queue_timeout`` seconds without getting a worker.
        """
        source = as_source(data)
        loop = asyncio.get_running_loop()
        key = await loop.run_in_executor(self._cache_thread, self._cache_key, source)
        if key is not None:
            cached = await loop.run_in_executor(self._cache_thread, self._cache.get_many, [key])
            if key in cached:
                return cached[key]
        await self._turn()
        try:
            outcome = await self._in_worker(source)
        finally:
            self._next()
        if key is not None and isinstance(outcome, OcrResult):
            await loop.run_in_executor(self._cache_thread, self._store, key, outcome, source)
        return outcome

    async def _turn(self) -> None:
        """Wait for a free worker, first come first served, at most ``queue_timeout``."""
        if self.running < self.workers and not self._waiters:
            self.running += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(turn)
        try:
            await asyncio.wait_for(turn, self.queue_timeout)  # _next counts it as running
        except BaseException as exc:  # the deadline, or the request cancelled
            if turn in self._waiters:
                self._waiters.remove(turn)
            elif turn.done() and not turn.cancelled():
                self._next()  # it was given a worker it will not use
            if isinstance(exc, asyncio.TimeoutError):
                raise Busy(f"waited {self.queue_timeout:g} s for a worker, retry later"
                           ) from None
            raise

    def _next(self) -> None:
        """A worker is free: hand it to the first image still waiting, else count it free."""
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.running -= 1

    def _cache_key(self, source: ImageSource) -> str | None:
        if self._cache is None or self._identity is None:
            return None
        return cache_key(image_digest(source), self._identity)

    def _store(self, key: str, result: OcrResult, source: ImageSource) -> None:
        assert self._cache is not None and self._identity is not None
        self._cache.put(key, result, backend=self._identity, image=source.label)

    def _in_worker(self, source: ImageSource) -> asyncio.Future[OcrResult | WxOcrError]:
        # The executor is looked up per image: a pool a dead worker broke is replaced.
        get_executor(self.workers, keep_alive=True)
        return asyncio.wrap_future(recognize_in_worker(self._worker_backend, source,
                                                       self.workers))

    async def warm_up(self, image: bytes) -> None:
        """Start the worker processes and load the engine in each, so the first requests
        wait for no engine: ``image`` is recognized by every worker at least once (rounds
        of one image per worker, until each worker process has answered one)."""
        get_executor(self.workers, keep_alive=True)
        source = as_source(image)
        warmed: set[int] = set()
        for _ in range(WARM_UP_ROUNDS):
            pids = await asyncio.gather(*(
                asyncio.wrap_future(submit(_warm, self._worker_backend, source,
                                           max_workers=self.workers))
                for _ in range(self.workers)))
            warmed.update(pids)
            if len(warmed) >= self.workers:
                return

    def close(self) -> None:
        """Stop the worker processes, close the cache. uvicorn has already given the
        requests in flight their time; a worker still running an image after
        :data:`WORKER_DRAIN_SECONDS` more (an abandoned request's) is killed."""
        shutdown_workers(timeout=WORKER_DRAIN_SECONDS)
        if self._cache is not None:
            self._cache_thread.submit(self._cache.close).result()
        self._cache_thread.shutdown(wait=True)

    def stats(self) -> dict[str, Any]:
        """The queue's figures for ``/healthz``."""
        return {"workers": self.workers, "running": self.running,
                "waiting": len(self._waiters), "queue": self.queue,
                "in_flight": self.admitted, "capacity": self.capacity}


def _warm(backend: Backend, source: ImageSource) -> int:
    """In a worker: recognize ``source`` (loading the engine), and say which process did."""
    recognize_safely(backend, source)
    return os.getpid()
