"""Recognition for the server: a bounded admission count in front of the package's workers.

The event loop never recognizes: an image goes to one of the package's worker processes
(:mod:`wxocr_pandas.workers`, one inference thread each) and the loop awaits its future.
At most :attr:`ServerSettings.capacity` images are admitted at once (running or waiting
for a worker); one more is refused on the spot, and the endpoint answers -1 (busy) without
queueing it. Answers come from the package's own backend and result cache, so the server
answers exactly what :func:`wxocr_pandas.recognize` answers for the same image.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from ..backends.base import Backend, ProcessBackend, parallelism
from ..backends.registry import resolve_backend
from ..cache import ResultCache, cache_key
from ..errors import WxOcrError
from ..images import ImageSource, as_source, image_digest
from ..result import OcrResult
from ..workers import recognize_in_worker, shutdown_workers
from .settings import ServerSettings


class Busy(Exception):
    """Every admission slot is taken: answer -1."""


class RecognitionPool:
    """Recognize images off the event loop, at most ``settings.capacity`` at once.

    Examples
    --------
    >>> import asyncio
    >>> from pathlib import Path
    >>> settings = ServerSettings({"wx1": "s"}, cache=False)
    >>> async def main():
    ...     pool = RecognitionPool(settings)
    ...     try:
    ...         return await pool.recognize(Path("samples/sign.png").read_bytes())
    ...     finally:
    ...         pool.close()
    >>> asyncio.run(main()).items[0].text
    '小心地滑'
    """

    def __init__(self, settings: ServerSettings) -> None:
        self.capacity = settings.capacity
        self.workers = settings.workers
        self.admitted = 0
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
        """True when one more image would be refused."""
        return self.admitted >= self.capacity

    async def recognize(self, data: bytes) -> OcrResult | WxOcrError:
        """The package's answer for the encoded image ``data``, or its error.

        Raises
        ------
        Busy
            When ``capacity`` images are already admitted.
        """
        if self.full:
            raise Busy()
        self.admitted += 1
        try:
            source = as_source(data)
            loop = asyncio.get_running_loop()
            key = await loop.run_in_executor(self._cache_thread, self._cache_key, source)
            if key is not None:
                cached = await loop.run_in_executor(self._cache_thread, self._cache.get_many, [key])
                if key in cached:
                    return cached[key]
            outcome = await self._in_worker(source)
            if key is not None and isinstance(outcome, OcrResult):
                await loop.run_in_executor(self._cache_thread, self._store, key, outcome, source)
            return outcome
        finally:
            self.admitted -= 1

    def _cache_key(self, source: ImageSource) -> str | None:
        if self._cache is None or self._identity is None:
            return None
        return cache_key(image_digest(source), self._identity)

    def _store(self, key: str, result: OcrResult, source: ImageSource) -> None:
        assert self._cache is not None and self._identity is not None
        self._cache.put(key, result, backend=self._identity, image=source.label)

    def _in_worker(self, source: ImageSource) -> asyncio.Future[OcrResult | WxOcrError]:
        # The executor is looked up per image: a pool a dead worker broke is replaced.
        return asyncio.wrap_future(recognize_in_worker(self._worker_backend, source,
                                                       self.workers))

    async def warm_up(self, image: bytes) -> None:
        """Recognize ``image`` once per worker, so the first requests find engines loaded."""
        source = as_source(image)
        await asyncio.gather(*(self._in_worker(source) for _ in range(self.workers)))

    def close(self) -> None:
        """Stop the worker processes (the requests in flight are done), close the cache."""
        shutdown_workers()
        if self._cache is not None:
            self._cache_thread.submit(self._cache.close).result()
        self._cache_thread.shutdown(wait=True)

    def stats(self) -> dict[str, Any]:
        """Admission figures for ``/healthz``."""
        return {"workers": self.workers, "in_flight": self.admitted, "capacity": self.capacity}
