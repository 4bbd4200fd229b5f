"""Access tokens: one per (API root, appid), cached and shared by every thread of the process.

Fetching a token through ``/cgi-bin/token`` invalidates the previous one, so a client that
fetched one per call or per thread would keep knocking out its own tokens. :func:`token_cache`
hands every backend of the same account the same :class:`TokenCache`; its lock makes one
caller fetch while the others wait for that token (single flight).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Refresh this many seconds before ``expires_in`` runs out (at most half the lifetime).
REFRESH_MARGIN = 300.0

#: ``fetch(force_refresh)`` returns ``(access_token, expires_in)``.
Fetch = Callable[[bool], tuple[str, float]]


class TokenCache:
    """One account's current access token.

    Parameters
    ----------
    clock
        Monotonic seconds (tests pass a fake clock to expire tokens without waiting).

    Examples
    --------
    >>> cache = TokenCache()
    >>> fetches = []
    >>> def fetch(force_refresh):
    ...     fetches.append(force_refresh)
    ...     return f"token-{len(fetches)}", 7200
    >>> cache.get(fetch), cache.get(fetch)
    ('token-1', 'token-1')
    >>> cache.invalidate("token-1"); cache.invalidate("token-1")   # the second is a no-op
    >>> cache.get(fetch), fetches
    ('token-2', [False, True])
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self._rejected = False

    def __repr__(self) -> str:
        state = "empty" if self._token is None else "holding a token"
        return f"<TokenCache {state}>"

    def get(self, fetch: Fetch) -> str:
        """The cached token, fetched with ``fetch`` first if there is none or it is near expiry.

        Callers arriving during a fetch wait for it and share its token. A failed fetch raises
        and leaves the cache empty, so the next caller tries again.
        """
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                # After a rejection a plain stable_token call would return the same refused
                # token: ask for a forced refresh then.
                token, expires_in = fetch(self._rejected)
                margin = min(REFRESH_MARGIN, expires_in / 2)
                self._token, self._refresh_at = token, self._clock() + expires_in - margin
                self._rejected = False
            return self._token

    def invalidate(self, failed: str) -> None:
        """Forget ``failed`` if it is still the current token (WeChat refused it).

        Callers that saw the same refusal at once do not each force a refresh: only the
        first finds its token still current; the others find the fresh one already there.
        """
        with self._lock:
            if self._token == failed:
                self._token = None
                self._rejected = True


_caches: dict[tuple[str, str], TokenCache] = {}
_caches_lock = threading.Lock()


def token_cache(base_url: str, appid: str) -> TokenCache:
    """The process-wide token cache of one account at one API root.

    Examples
    --------
    >>> token_cache("https://api.weixin.qq.com", "wx1") is token_cache("https://api.weixin.qq.com", "wx1")
    True
    """
    with _caches_lock:
        return _caches.setdefault((base_url, appid), TokenCache())


def clear_tokens() -> None:
    """Forget every cached token of this process (e.g. after the AppSecret was reset).

    Examples
    --------
    >>> clear_tokens()
    """
    with _caches_lock:
        _caches.clear()
