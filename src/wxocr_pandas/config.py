"""Configuration, resolved in one place: explicit argument, then ``WXOCR_*`` environment
variable, then default. No other module reads ``os.environ``.

=====================  ==========================================  ===========
variable               meaning                                     default
=====================  ==========================================  ===========
``WXOCR_BACKEND``      ``local`` or ``wechat``                     ``local``
=====================  ==========================================  ===========
"""

from __future__ import annotations

import os
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
