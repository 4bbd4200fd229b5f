"""The server's settings: the apps it accepts and its limits (``wxocr serve`` options)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..config import resolve_workers, setting
from ..errors import ConfigError

#: WeChat's documented image limit: under 2 MB.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
#: Seconds an image may wait in the queue for a worker; past it, -1 (busy).
QUEUE_TIMEOUT = 30.0
#: Seconds one worker (one thread) takes per image, at the slow end of what was measured on a
#: busy 2-core machine (see docs/performance.md#observations). The default queue is sized
#: with it.
SECONDS_PER_IMAGE = 1.5
#: Seconds an ``img_url`` fetch may take in all, redirects included.
FETCH_TIMEOUT = 10.0
#: Seconds a client has to send a request's line and headers (:mod:`.connections`).
HEADER_TIMEOUT = 10.0


def parse_apps(entries: Sequence[str] | None = None) -> dict[str, str]:
    """``APPID:SECRET`` entries (``--app``), else ``WXOCR_SERVER_APPS``
    (``"appid:secret,appid2:secret2"``), as {appid: secret}.

    Messages name the entry by position, never by content: it holds a secret.

    Examples
    --------
    >>> parse_apps(["wx1:s3cr3t", "wx2:other:with:colons"])
    {'wx1': 's3cr3t', 'wx2': 'other:with:colons'}
    >>> parse_apps(["wx1"])
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.ConfigError: app 1 is not APPID:SECRET (both non-empty)
    """
    if not entries:
        listed = setting("server_apps")
        entries = [e for e in str(listed).split(",") if e.strip()] if listed else []
    if not entries:
        raise ConfigError("no app to serve: pass --app APPID:SECRET or set "
                          "WXOCR_SERVER_APPS=appid:secret,appid2:secret2")
    apps: dict[str, str] = {}
    for position, entry in enumerate(entries, 1):
        appid, _, secret = entry.strip().partition(":")
        if not appid or not secret:
            raise ConfigError(f"app {position} is not APPID:SECRET (both non-empty)")
        if appid in apps:
            raise ConfigError(f"app {position}: appid {appid} is given twice")
        apps[appid] = secret
    return apps


def default_workers(workers: int | None = None) -> int:
    """``workers``, else ``WXOCR_WORKERS``, else one per usable core.

    Examples
    --------
    >>> default_workers(3)
    3
    """
    chosen = resolve_workers(workers)
    if chosen is not None:
        return chosen
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class ServerSettings:
    """What ``wxocr serve`` serves and how much it accepts.

    Parameters
    ----------
    apps
        {appid: secret} of the accounts that may fetch tokens.
    daily_quota
        OCR calls per appid and Beijing-time day; then 45009.
    max_bytes
        Images of this many bytes or more are refused (45002).
    workers
        Recognition worker processes.
    backend
        The package backend that recognizes (``local``).
    allow_private_urls
        Let ``img_url`` reach loopback, private and link-local addresses.
    token_ttl
        Seconds a token lives.
    cache, cache_dir
        Answer repeated images from the package's result cache.
    upload_timeout
        Seconds a client has to send the request body (a client trickling bytes holds a
        connection, never more: 47001 after this).
    queue
        Images that may wait for a worker (each worker runs one); one more is answered -1 at
        once, before its upload is read. Default: as many as the workers get through in
        ``queue_timeout`` at :data:`SECONDS_PER_IMAGE` (20 per worker).
    queue_timeout
        Seconds an image may wait in the queue; one that waited longer is answered -1.
    header_timeout
        Seconds a client has to send a request's line and headers; then the connection is
        closed (a client that never finishes its request line holds nothing).

    Examples
    --------
    >>> ServerSettings({"wx1": "s3cr3t"})
    ServerSettings(appids=['wx1'], daily_quota=100, max_bytes=2097152, workers=1, backend='local')
    """

    apps: Mapping[str, str] = field(repr=False)
    daily_quota: int = 100
    max_bytes: int = DEFAULT_MAX_BYTES
    workers: int = 1
    backend: str = "local"
    allow_private_urls: bool = False
    token_ttl: float = 7200.0
    cache: bool = True
    cache_dir: str | os.PathLike[str] | None = None
    upload_timeout: float = 30.0
    queue: int | None = None
    queue_timeout: float = QUEUE_TIMEOUT
    header_timeout: float = HEADER_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("daily_quota", "max_bytes", "workers", "token_ttl"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, not {getattr(self, name)}")
        for name in ("upload_timeout", "queue_timeout", "header_timeout"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be positive, not {getattr(self, name)}")
        if self.queue is not None and self.queue < 0:
            raise ConfigError(f"queue must be at least 0, not {self.queue}")
        if not self.apps:
            raise ConfigError("no app to serve")

    def __repr__(self) -> str:
        return (f"ServerSettings(appids={sorted(self.apps)}, daily_quota={self.daily_quota}, "
                f"max_bytes={self.max_bytes}, workers={self.workers}, backend={self.backend!r})")

    @property
    def queue_size(self) -> int:
        """Images that may wait for a worker: ``queue``, else as many as the workers get
        through in ``queue_timeout``.

        Examples
        --------
        >>> ServerSettings({"wx1": "s"}, workers=2).queue_size
        40
        >>> ServerSettings({"wx1": "s"}, workers=2, queue=16).queue_size
        16
        """
        if self.queue is not None:
            return self.queue
        return self.workers * max(1, int(self.queue_timeout / SECONDS_PER_IMAGE))

    @property
    def capacity(self) -> int:
        """OCR requests admitted at once: one running per worker, :attr:`queue_size`
        waiting (or still sending their upload)."""
        return self.workers + self.queue_size
