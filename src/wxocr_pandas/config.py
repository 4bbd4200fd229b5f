"""Configuration, resolved in one place: explicit argument, then ``WXOCR_*`` environment
variable, then default. No other module reads ``os.environ``.

=====================  ==========================================  ===========
variable               meaning                                     default
=====================  ==========================================  ===========
``WXOCR_BACKEND``      ``local`` or ``wechat``                     ``local``
``WXOCR_CACHE_DIR``    directory of the result cache               platform cache dir
``WXOCR_WORKERS``      parallel workers per batch                  see :mod:`.batch`
=====================  ==========================================  ===========
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .backends.base import Backend

BACKEND_NAMES = ("local", "wechat")


def setting(name: str, value: Any = None, default: Any = None) -> Any:
    """``value`` if given, else env ``WXOCR_<NAME>``, else ``default``.

    Examples
    --------
    >>> setting("backend", "wechat")
    'wechat'
    >>> setting("no_such_setting", default=3)
    3
    """
    if value is not None:
        return value
    env = os.environ.get(f"WXOCR_{name.upper()}")
    return env if env not in (None, "") else default


def resolve_backend(backend: str | Backend | None = None) -> Backend:
    """Turn ``backend=`` (a name, a backend object or None) into a backend object.

    Examples
    --------
    >>> resolve_backend("local").name
    'local'
    """
    from .backends import LocalBackend

    chosen = setting("backend", backend, "local")
    if not isinstance(chosen, str):
        return chosen
    name = chosen.strip().lower()
    if name == "local":
        return LocalBackend()
    if name == "wechat":
        from .backends.wechat import WeChatBackend

        return WeChatBackend()
    raise ConfigError(f"unknown backend {chosen!r}; choose one of {', '.join(BACKEND_NAMES)} "
                      "or pass a backend object")


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The result cache directory: ``cache_dir``, else ``WXOCR_CACHE_DIR``, else the
    platform's user cache directory (``~/.cache/wxocr-pandas`` on Linux).

    Examples
    --------
    >>> resolve_cache_dir("/tmp/wx").as_posix()
    '/tmp/wx'
    """
    chosen = setting("cache_dir", cache_dir)
    if chosen is None:
        import platformdirs

        chosen = platformdirs.user_cache_dir("wxocr-pandas", appauthor=False)
    return Path(chosen).expanduser()


def resolve_workers(max_workers: int | None = None) -> int | None:
    """``max_workers``, else ``WXOCR_WORKERS``, else None (the batch code decides).

    Examples
    --------
    >>> resolve_workers(4)
    4
    """
    chosen = setting("workers", max_workers)
    if chosen is None:
        return None
    try:
        workers = int(chosen)
    except ValueError:
        raise ConfigError(f"workers must be a whole number, not {chosen!r}") from None
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}")
    return workers
