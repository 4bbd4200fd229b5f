"""The WeChat backend on a Dask cluster: one account, many workers, one set of rules.

:class:`ClusterWeChat` is what a Dask graph carries instead of a
:class:`~wxocr_pandas.WeChatBackend`: its secret-free settings. Each worker process builds
its WeChat backend once from them, taking ``WXOCR_APPID``/``WXOCR_SECRET`` from *its own*
environment (start workers with them set: ``dask worker``'s environment, a Kubernetes secret,
or Dask's ``distributed.nanny.environ`` config), so no secret or token is ever in a task
graph. The workers then coordinate through Dask's scheduler, per API root and appid:

- a :class:`distributed.Semaphore` caps the calls in flight on the whole cluster
  (``max_concurrent``), however many workers and threads run;
- :class:`SharedTokenStore` keeps one access token for the whole cluster: ``/cgi-bin/token``
  invalidates earlier tokens, so workers must not each fetch their own. Each worker's
  backend is given this store (``token_store=``); a :class:`distributed.Lock` lets one
  worker fetch while the others wait, and a :class:`distributed.Variable` holds the token
  (in the scheduler's memory, never in a graph);
- the first error that stops a batch (45009 daily quota, 101003, a spent local budget, a
  refused account) is put in a :class:`distributed.Variable`: every worker checks it before
  each call, so no image is sent after it anywhere. Rows already answered are kept; the
  others get that error's errcode. The stop holds for the rest of the day (Beijing time,
  when WeChat resets its quota); :func:`clear_stop` lifts it earlier.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .token import TokenState
from .backend import DEFAULT_BASE_URL, WeChatBackend
from ...config import number_setting, setting
from ...errors import ConfigError, WxOcrError
from ...images import ImageSource
from .quota import today
from ...result import OcrResult

if TYPE_CHECKING:
    import distributed

#: Calls in flight on the whole cluster by default (env ``WXOCR_MAX_CONCURRENT``).
DEFAULT_MAX_CONCURRENT = 4
_CREDENTIALS = frozenset({"secret", "access_token"})


@dataclass(frozen=True, init=False)
class ClusterWeChat:
    """The WeChat backend as configuration for Dask workers: no secret, no token.

    Parameters
    ----------
    appid, base_url
        As for :class:`~wxocr_pandas.WeChatBackend`; None: the worker's ``WXOCR_APPID`` /
        ``WXOCR_BASE_URL``.
    max_concurrent
        Calls in flight on the whole cluster (env ``WXOCR_MAX_CONCURRENT``, default
        :data:`DEFAULT_MAX_CONCURRENT`).
    options
        Any other secret-free :class:`~wxocr_pandas.WeChatBackend` argument
        (``stable_token``, ``timeout``, ``daily_budget``, ``quota_dir``, ``max_attempts`` ...).

    Examples
    --------
    >>> import pickle
    >>> backend = ClusterWeChat(appid="wx0123456789abcdef", max_concurrent=2, timeout=10)
    >>> backend.options
    (('timeout', 10),)
    >>> pickle.loads(pickle.dumps(backend)) == backend
    True
    >>> ClusterWeChat(secret="s3cr3t")
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.ConfigError: secret must not travel to Dask workers: set WXOCR_SECRET / WXOCR_ACCESS_TOKEN in the workers' environment
    """

    appid: str | None = None
    base_url: str | None = None
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    options: tuple[tuple[str, Any], ...] = ()

    name = "wechat"

    def __init__(self, appid: str | None = None, base_url: str | None = None, *,
                 max_concurrent: int | None = None, **options: Any) -> None:
        credentials = sorted(_CREDENTIALS & set(options))
        if credentials:
            raise ConfigError(f"{credentials[0]} must not travel to Dask workers: set "
                              "WXOCR_SECRET / WXOCR_ACCESS_TOKEN in the workers' environment")
        # frozen: set through object.__setattr__, as dataclasses do themselves.
        object.__setattr__(self, "appid", appid)
        object.__setattr__(self, "base_url", base_url)
        object.__setattr__(self, "max_concurrent", number_setting(
            "max_concurrent", max_concurrent, DEFAULT_MAX_CONCURRENT, kind=int))
        object.__setattr__(self, "options", tuple(sorted(options.items())))

    @property
    def identity(self) -> str:
        """The WeChat backend's identity (API root and appid), as built on this worker."""
        return worker_backend(self).identity

    def recognize(self, source: ImageSource) -> OcrResult:
        """Recognize one image with this worker's backend, under the cluster's rules."""
        return worker_backend(self).recognize(source)


def cluster_wechat(appid: str | None = None, base_url: str | None = None,
                   **options: Any) -> ClusterWeChat:
    """``backend="wechat"`` on Dask: a :class:`ClusterWeChat` with this process's
    secret-free settings (``WXOCR_APPID``, ``WXOCR_BASE_URL``); the secret is the workers'.

    Examples
    --------
    >>> cluster_wechat(appid="wx1").appid
    'wx1'
    """
    return ClusterWeChat(setting("appid", appid), setting("base_url", base_url), **options)


@functools.lru_cache(maxsize=16)
def worker_backend(config: ClusterWeChat) -> _CoordinatedWeChat:
    """This process's backend for ``config``, built once (secret from this process's env)."""
    return _CoordinatedWeChat(config)


def scope_name(base_url: str, appid: str | None) -> str:
    """The name prefix of one account's Dask coordination objects (no secret in it).

    Examples
    --------
    >>> scope_name("https://api.weixin.qq.com", "wx1")
    'wxocr-wechat-8725278457d5'
    """
    account = hashlib.sha256(f"{base_url}\0{appid or ''}".encode()).hexdigest()[:12]
    return f"wxocr-wechat-{account}"


def clear_stop(appid: str | None = None, base_url: str | None = None) -> None:
    """Lift the cluster-wide stop of one account (e.g. after buying more quota); needs a
    Dask client. The machines' local call counters (:mod:`wxocr_pandas.backends.wechat.quota`) are apart.

    Examples
    --------
    >>> clear_stop("wx1")  # doctest: +SKIP
    """
    from distributed import Variable

    url = str(setting("base_url", base_url, DEFAULT_BASE_URL)).rstrip("/")
    Variable(f"{scope_name(url, setting('appid', appid))}-stop").delete()


class SharedTokenStore:
    """A :class:`~wxocr_pandas.backends.wechat.token.TokenStore` for a whole Dask cluster: the
    token state lives in a :class:`distributed.Variable` (in the scheduler's memory, never in
    a graph), and a :class:`distributed.Lock` makes one worker fetch while the others wait
    (single flight across machines). The refresh rules are the process's own
    (:func:`~wxocr_pandas.backends.wechat.token.get_token`); only the place differs.

    The Dask objects are made on first use: they need this process's Dask client.

    Examples
    --------
    >>> SharedTokenStore(scope_name("https://api.weixin.qq.com", "wx1"))
    <SharedTokenStore wxocr-wechat-8725278457d5-token>
    """

    def __init__(self, scope: str, clock: Callable[[], float] = time.time) -> None:
        self._name = f"{scope}-token"
        self._clock = clock  # wall clock: refresh_at is compared on other machines

    def __repr__(self) -> str:
        return f"<SharedTokenStore {self._name}>"

    @functools.cached_property
    def lock(self) -> distributed.Lock:
        """The cluster-wide lock of this account's token."""
        from distributed import Lock

        return Lock(f"{self._name}-lock")

    @functools.cached_property
    def _variable(self) -> distributed.Variable:
        from distributed import Variable

        return Variable(self._name)

    def now(self) -> float:
        """Wall-clock seconds."""
        return self._clock()

    def load(self) -> TokenState | None:
        """The cluster's token state, or None if no worker fetched one yet."""
        try:
            stored = self._variable.get(timeout=0)
        except TimeoutError:  # never set
            return None
        return TokenState(**stored)

    def save(self, state: TokenState) -> None:
        """Replace the cluster's token state (a plain dict: the scheduler needs no wxocr_pandas)."""
        self._variable.set(dataclasses.asdict(state))


class _CoordinatedWeChat(WeChatBackend):
    """A worker's WeChat backend that shares its token, call cap and stop with the cluster."""

    def __init__(self, config: ClusterWeChat) -> None:
        super().__init__(config.appid, base_url=config.base_url, **dict(config.options))
        self._config = config
        self._scope = scope_name(self.base_url, self.appid)
        self.token_store = SharedTokenStore(self._scope)
        self._shared: dict[str, Any] = {}

    def _coordination(self) -> dict[str, Any]:
        """The Dask objects, made on first use: they need this process's Dask client."""
        if not self._shared:
            from distributed import Lock, Semaphore, Variable

            self._shared.update(
                calls=Semaphore(max_leases=self._config.max_concurrent,
                                name=f"{self._scope}-calls"),
                stop=Variable(f"{self._scope}-stop"), stop_lock=Lock(f"{self._scope}-stop-lock"))
        return self._shared

    def recognize(self, source: ImageSource) -> OcrResult:
        shared = self._coordination()
        with shared["calls"]:
            stopped = self._stopped()
            if stopped is not None:
                raise stopped.with_image(source.label)
            try:
                return super().recognize(source)
            except WxOcrError as exc:
                if not exc.stops_batch:
                    raise
                # The first stop on the cluster wins, so every row names the same cause.
                raise self._stop(exc).with_image(source.label) from None

    def _stopped(self) -> WxOcrError | None:
        """A fresh copy of the cluster's stop error, or None."""
        try:
            stop = self._coordination()["stop"].get(timeout=0)
        except TimeoutError:
            return None
        if stop["day"] != today():  # WeChat's daily quota is back
            return None
        return pickle.loads(stop["error"])

    def _stop(self, error: WxOcrError) -> WxOcrError:
        """Make ``error`` the cluster's stop unless another worker's came first; return it."""
        with self._coordination()["stop_lock"]:
            first = self._stopped()
            if first is not None:
                return first
            # Pickled here, so the scheduler stores bytes and needs no wxocr_pandas installed.
            unlabelled = type(error)(error.errmsg, errcode=error.errcode)
            self._coordination()["stop"].set({"error": pickle.dumps(unlabelled), "day": today()})
            return error
