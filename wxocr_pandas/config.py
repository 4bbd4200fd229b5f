"""Configuration, resolved in one place: explicit argument, then ``WXOCR_*`` environment
variable, then default. No other module reads ``os.environ`` (loky's own
``LOKY_MAX_MEMORY_LEAK_SIZE`` is read here too, for the worker processes).

This module is a leaf: it imports nothing of the package but :mod:`.errors`, so every
other module may use it. Turning a backend name into a backend is
:func:`wxocr_pandas.backends.registry.resolve_backend`.

Every variable the package reads is a row of :data:`SETTINGS`, the one table of them: the
documentation's "Errors and configuration" page is generated from it, and the test suite
checks it against every ``WXOCR_`` name in the package.

Examples
--------
>>> [row.variable for row in SETTINGS][:3]
['WXOCR_BACKEND', 'WXOCR_WORKERS', 'WXOCR_WORKER_IDLE_TIMEOUT']
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class Setting:
    """One environment variable of :data:`SETTINGS`.

    Parameters
    ----------
    variable
        The variable's name, ``WXOCR_`` and the setting's name in capitals.
    meaning
        What it sets (Markdown, one line).
    default
        What applies when it is unset (Markdown).
    topic
        The documentation page that tells more: a path under ``docs/``.

    Examples
    --------
    >>> Setting("WXOCR_DPI", "resolution of PDF pages", "`150`", "guide/documents.md").name
    'dpi'
    """

    variable: str
    meaning: str
    default: str
    topic: str

    @property
    def name(self) -> str:
        """The setting's name as :func:`setting` takes it (``WXOCR_DPI`` -> ``dpi``)."""
        return self.variable.removeprefix("WXOCR_").lower()


#: Every ``WXOCR_*`` variable: what it sets, its default and the page that tells more.
SETTINGS: tuple[Setting, ...] = (
    Setting("WXOCR_BACKEND", "the backend a name-less call uses: `local`, `wechat` or a "
            "registered name", "`local`", "backends/index.md"),
    Setting("WXOCR_WORKERS", "parallel workers of a batch (processes for the local engine, "
            "threads for WeChat); `--workers`", "one per core (local), 1 (WeChat)",
            "scaling/workers.md"),
    Setting("WXOCR_WORKER_IDLE_TIMEOUT", "seconds an idle worker process keeps its engine "
            "loaded", "`300`", "scaling/workers.md"),
    Setting("WXOCR_RUNTIME", "inference runtime of the local engine: `auto`, `openvino` or "
            "`onnxruntime`", "`auto`", "backends/local.md"),
    Setting("WXOCR_CACHE_DIR", "directory of the result cache", "the platform cache "
            "directory", "cache.md"),
    Setting("WXOCR_CACHE_TIMEOUT", "seconds to wait for a cache locked by another process",
            "`30`", "cache.md"),
    Setting("WXOCR_TIMEOUT", "seconds one HTTP exchange may take in all (a WeChat call, an "
            "image download)", "`30`", "backends/wechat.md"),
    Setting("WXOCR_DPI", "resolution PDF pages are rendered at; `--dpi`", "`150`",
            "guide/documents.md"),
    Setting("WXOCR_PDF_OCR", "`1`: recognize PDF pages that have a text layer too; "
            "`--pdf-ocr`", "`0`", "guide/documents.md"),
    Setting("WXOCR_MAX_PAGES", "pages read of one document; the rest become one error row; "
            "`--max-pages`", "every page", "guide/documents.md"),
    Setting("WXOCR_LAYOUT_MODEL", "`0`: read layouts from the text boxes alone, without the "
            "layout model", "`1`", "guide/text.md"),
    Setting("WXOCR_APPID", "the WeChat account's appid", "none", "backends/wechat.md"),
    Setting("WXOCR_SECRET", "its AppSecret (tokens are fetched from `/cgi-bin/token`)", "none",
            "backends/wechat.md"),
    Setting("WXOCR_ACCESS_TOKEN", "a fixed access token instead, used as given (cannot be "
            "refreshed)", "none", "backends/wechat.md"),
    Setting("WXOCR_BASE_URL", "WeChat's API root, or a compatible server or proxy",
            "`https://api.weixin.qq.com`", "backends/wechat.md"),
    Setting("WXOCR_STABLE_TOKEN", "`1`: fetch tokens from `/cgi-bin/stable_token`, which "
            "does not knock out tokens other clients hold", "`0`", "backends/wechat.md"),
    Setting("WXOCR_DAILY_BUDGET", "local cap on WeChat OCR calls per appid and day", "`100`",
            "backends/wechat.md"),
    Setting("WXOCR_ALLOW_OVER_BUDGET", "`1`: past the budget, warn instead of refusing", "`0`",
            "backends/wechat.md"),
    Setting("WXOCR_QUOTA_DIR", "directory of the daily call counter", "the platform data "
            "directory", "backends/wechat.md"),
    Setting("WXOCR_MAX_CONCURRENT", "WeChat calls in flight on a whole Dask cluster", "`4`",
            "scaling/dask.md"),
    Setting("WXOCR_SERVER_APPS", "the apps `wxocr serve` accepts, `appid:secret,...` (kept "
            "out of `ps`, unlike `--app`)", "none", "scaling/server.md"),
)

#: Rendering resolution of PDF pages, in dots per inch: the lowest that reads scanned small
#: print as well as 300 dpi (measured: see docs/performance.md#bench_pdf_dpi).
DEFAULT_DPI = 150.0


def setting(name: str, value: Any = None, default: Any = None) -> Any:
    """``value`` if given, else env ``WXOCR_<NAME>``, else ``default``.

    Examples
    --------
    >>> setting("backend", "wechat")
    'wechat'
    >>> setting("max_pages", default=3)
    3
    """
    if value is not None:
        return value
    env = os.environ.get(f"WXOCR_{name.upper()}")
    return env if env not in (None, "") else default


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The result cache directory: ``cache_dir``, else ``WXOCR_CACHE_DIR``, else the
    platform's user cache directory (``~/.cache/wxocr-pandas`` on Linux).

    Examples
    --------
    >>> resolve_cache_dir("/tmp/wx").as_posix()
    '/tmp/wx'
    """
    return directory_setting("cache_dir", cache_dir, "user_cache_dir")


def directory_setting(name: str, value: str | os.PathLike[str] | None,
                      platform_dir: str) -> Path:
    """A directory :func:`setting`, defaulting to a ``platformdirs`` directory of the package
    (``platform_dir`` names the function: ``"user_cache_dir"``, ``"user_data_dir"``).

    Examples
    --------
    >>> directory_setting("quota_dir", "~/q", "user_data_dir").name
    'q'
    """
    chosen = setting(name, value)
    if chosen is None:
        import platformdirs

        chosen = getattr(platformdirs, platform_dir)("wxocr-pandas", appauthor=False)
    return Path(chosen).expanduser()


def resolve_workers(max_workers: int | None = None) -> int | None:
    """``max_workers``, else ``WXOCR_WORKERS``, else None (the batch code decides).

    Examples
    --------
    >>> resolve_workers(4)
    4
    """
    return number_setting("workers", max_workers, kind=int, minimum=1)


def resolve_timeout(timeout: float | None = None) -> float:
    """Seconds one HTTP exchange may take in all: a WeChat call, or an image download from
    connecting to its last byte (``timeout``, else ``WXOCR_TIMEOUT``, else 30).

    Examples
    --------
    >>> resolve_timeout(5)
    5.0
    """
    return number_setting("timeout", timeout, 30.0, strict=True)


def resolve_cache_timeout(timeout: float | None = None) -> float:
    """Seconds to wait for a result cache locked by another process before the batch runs
    without it (``WXOCR_CACHE_TIMEOUT``, default 30).

    Examples
    --------
    >>> resolve_cache_timeout("2.5")
    2.5
    """
    return number_setting("cache_timeout", timeout, 30.0, strict=True)


def resolve_idle_timeout(timeout: float | None = None) -> float:
    """Seconds an idle worker process keeps its engine loaded before it exits
    (``WXOCR_WORKER_IDLE_TIMEOUT``, default 300).

    Examples
    --------
    >>> resolve_idle_timeout(60)
    60.0
    """
    return number_setting("worker_idle_timeout", timeout, 300.0, strict=True)


#: loky restarts a worker whose memory grew by more than this since its first task. Its own
#: default (300 MB) is less than an engine's working memory for a large page grows past a
#: first small image, so warm workers were restarted, reloading their engines, every few
#: dozen images (measured: see docs/performance.md#observations). A real leak is still caught.
WORKER_MEMORY_GROWTH_LIMIT = 1_500_000_000


def worker_memory_growth_limit() -> str:
    """loky's ``LOKY_MAX_MEMORY_LEAK_SIZE`` for the worker processes: the user's value,
    else :data:`WORKER_MEMORY_GROWTH_LIMIT` bytes.

    Examples
    --------
    >>> worker_memory_growth_limit()
    '1500000000'
    """
    return os.environ.get("LOKY_MAX_MEMORY_LEAK_SIZE", str(WORKER_MEMORY_GROWTH_LIMIT))


def number_setting(name: str, value: float | None = None, default: float | None = None, *,
                   kind: type = float, minimum: float = 0, strict: bool = False) -> Any:
    """A numeric :func:`setting` converted with ``kind``, finite and at least ``minimum``
    (above it with ``strict``); a bad value raises a :class:`ConfigError` naming the variable.

    Examples
    --------
    >>> number_setting("daily_budget", "250", 100, kind=int)
    250
    >>> number_setting("timeout", "nan", 30.0)
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.ConfigError: timeout (WXOCR_TIMEOUT) must be a finite number, not 'nan'
    """
    chosen = setting(name, value, default)
    if chosen is None:
        return None
    where = f"{name} (WXOCR_{name.upper()})"
    try:
        number = kind(float(chosen) if kind is float else chosen)
        finite = math.isfinite(number)
    except (TypeError, ValueError, OverflowError):
        finite = False
    if not finite:
        noun = "whole number" if kind is int else "finite number"
        raise ConfigError(f"{where} must be a {noun}, not {chosen!r}") from None
    if number < minimum or (strict and number == minimum):
        bound = "above" if strict else "at least"
        raise ConfigError(f"{where} must be {bound} {minimum:g}, not {chosen!r}")
    return number


def flag_setting(name: str, value: bool | None = None, default: bool = False) -> bool:
    """A yes/no :func:`setting`: ``1/true/yes/on`` or ``0/false/no/off`` in the environment.

    Examples
    --------
    >>> flag_setting("stable_token", None, default=False)
    False
    >>> flag_setting("stable_token", True)
    True
    """
    chosen = setting(name, value, default)
    if isinstance(chosen, bool):
        return chosen
    text = str(chosen).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"WXOCR_{name.upper()} must be 1/true/yes/on or 0/false/no/off, not {chosen!r}")


def resolve_dpi(dpi: float | None = None) -> float:
    """Resolution at which PDF pages are rendered (``dpi``, else ``WXOCR_DPI``, else
    :data:`DEFAULT_DPI`); at least 18, at most 1200.

    Examples
    --------
    >>> resolve_dpi(300)
    300.0
    """
    chosen = number_setting("dpi", dpi, DEFAULT_DPI, kind=float, minimum=18)
    if chosen > 1200:
        raise ConfigError(f"dpi (WXOCR_DPI) must be at most 1200, not {chosen:g}")
    return chosen


def resolve_pdf_ocr(pdf_ocr: bool | None = None) -> bool:
    """Whether PDF pages with a text layer are recognized as images too (``pdf_ocr``, else
    ``WXOCR_PDF_OCR``, else False: a text layer is read as it is).

    Examples
    --------
    >>> resolve_pdf_ocr(None)
    False
    """
    return flag_setting("pdf_ocr", pdf_ocr, default=False)


def resolve_layout_model(layout_model: bool | None = None) -> bool:
    """Whether the text tools read layouts with the bundled layout model when it is installed
    (``layout_model``, else ``WXOCR_LAYOUT_MODEL``, else True), or from the boxes alone.

    Examples
    --------
    >>> resolve_layout_model(False)
    False
    """
    return flag_setting("layout_model", layout_model, default=True)


def resolve_max_pages(max_pages: int | None = None) -> int | None:
    """The most pages read of one document (``max_pages``, else ``WXOCR_MAX_PAGES``, else
    None: every page); the pages past it become one error row.

    Examples
    --------
    >>> resolve_max_pages(100), resolve_max_pages(None)
    (100, None)
    """
    return number_setting("max_pages", max_pages, kind=int, minimum=1)
