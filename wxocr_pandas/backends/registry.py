"""Backends by name: the one table of ``backend="..."`` names and how each is built.

Every caller that takes ``backend=`` (the recognizing functions, the inspector, the CLI,
:func:`~wxocr_pandas.compare`, the Dask accessors) resolves it here, so a name means the same
everywhere and a new engine is one :func:`register_backend` call. Each name has two factories:
one for this process, and one for a Dask cluster (:func:`wxocr_pandas.dask.cluster_backend`),
where the local engine runs single-threaded (one worker process per core) and the WeChat
backend travels without its secret. The factories import their backend when called, so this
module stays light and knows no engine at import time.

Examples
--------
>>> from wxocr_pandas.backends.registry import backend_names, resolve_backend
>>> backend_names()
('local', 'wechat')
>>> resolve_backend("local").threads, resolve_backend("local", cluster=True).threads
(None, 1)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..config import setting
from ..errors import ConfigError, UsageError
from .base import Backend, is_backend

#: Builds a backend from the settings of this process (``WXOCR_*`` variables); no arguments.
Factory = Callable[[], Backend]


@dataclass(frozen=True)
class _Entry:
    factory: Factory
    cluster_factory: Factory


_entries: dict[str, _Entry] = {}
_entries_lock = threading.Lock()


def register_backend(name: str, factory: Factory, *,
                     cluster_factory: Factory | None = None) -> None:
    """Make ``backend=name`` (and ``WXOCR_BACKEND=name``) build ``factory()``.

    Parameters
    ----------
    name
        Lower-case name; registering a taken name again is allowed only with the same factories.
    factory
        Called with no arguments each time the name is resolved.
    cluster_factory
        Builds what is shipped to Dask workers instead (default: ``factory``); it must pickle
        without secrets.

    Raises
    ------
    UsageError
        For a name that is empty, not lower-case, or taken by other factories.

    Examples
    --------
    >>> from wxocr_pandas.backends.registry import register_backend, resolve_backend, unregister_backend
    >>> from wxocr_pandas import LocalBackend
    >>> def strict():
    ...     return LocalBackend(text_score=0.9)
    >>> register_backend("strict", strict)
    >>> resolve_backend("strict").text_score
    0.9
    >>> unregister_backend("strict")
    """
    if not name or name != name.strip().lower():
        raise UsageError(f"a backend name is lower-case with no spaces around it, not {name!r}")
    entry = _Entry(factory, cluster_factory or factory)
    with _entries_lock:
        if _entries.setdefault(name, entry) != entry:
            raise UsageError(f"backend {name!r} is already registered; unregister_backend it first")


def unregister_backend(name: str) -> None:
    """Forget the backend registered as ``name`` (a plugin's teardown); unknown names are ignored.

    Examples
    --------
    >>> unregister_backend("never-registered")
    """
    with _entries_lock:
        _entries.pop(name, None)


def backend_names() -> tuple[str, ...]:
    """The registered names, in registration order (the built-in ``local`` first).

    Examples
    --------
    >>> backend_names()[:2]
    ('local', 'wechat')
    """
    with _entries_lock:
        return tuple(_entries)


def resolve_backend(backend: str | Backend | None = None, *, cluster: bool = False) -> Backend:
    """Turn ``backend=`` (a name, a backend object or None) into a backend object.

    None means ``WXOCR_BACKEND``, else ``"local"``; names are matched case-insensitively. A
    backend object is returned as given.

    Parameters
    ----------
    backend
        A registered name, a backend object, or None.
    cluster
        Build the backend to ship to Dask workers (see :func:`register_backend`).

    Raises
    ------
    ConfigError
        For a name that is not registered (the message lists the names).
    UsageError
        For an object that is not a :class:`~wxocr_pandas.backends.base.Backend`.

    Examples
    --------
    >>> resolve_backend("LOCAL").name
    'local'
    >>> resolve_backend("tesseract")
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.ConfigError: unknown backend 'tesseract'; choose one of local, wechat or pass a backend object
    """
    chosen = setting("backend", backend, "local")
    if not isinstance(chosen, str):
        if not is_backend(chosen):
            raise UsageError(f"{chosen!r} is not a backend: a backend has a name, an identity "
                             "and recognize(source) (see wxocr_pandas.Backend)")
        return chosen
    with _entries_lock:
        entry = _entries.get(chosen.strip().lower())
    if entry is None:
        raise ConfigError(f"unknown backend {chosen!r}; choose one of "
                          f"{', '.join(backend_names())} or pass a backend object")
    return entry.cluster_factory() if cluster else entry.factory()


def _local() -> Backend:
    from .local import LocalBackend

    return LocalBackend()


def _local_on_cluster() -> Backend:
    from .local import LocalBackend

    # Dask runs one single-threaded worker process per core: more threads would oversubscribe.
    return LocalBackend(threads=1)


def _wechat() -> Backend:
    from .wechat import WeChatBackend

    return WeChatBackend()


def _wechat_on_cluster() -> Backend:
    from .wechat.cluster import cluster_wechat

    return cluster_wechat()


register_backend("local", _local, cluster_factory=_local_on_cluster)
register_backend("wechat", _wechat, cluster_factory=_wechat_on_cluster)
