"""Access tokens: random, per appid, expiring, with WeChat's overlap on renewal.

``/cgi-bin/token`` issues a new token on every call and the appid's earlier tokens stay
valid for :data:`OVERLAP` seconds more (never past their own expiry), so clients that
share a token can switch over; the store holds at most :data:`MAX_HELD` tokens per appid and
kind. ``/cgi-bin/stable_token`` returns the appid's current stable
token until it expires, and touches no other token; ``force_refresh`` replaces it, with the
same overlap. Tokens are 64 random URL-safe characters and never logged.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import Errcode

#: Seconds an appid's replaced token keeps working (WeChat: five minutes).
OVERLAP = 300.0
#: Tokens of one kind held per appid: a replaced token is kept until its overlap ends, and
#: only a client fetching more than this many within five minutes (33 a second) makes the
#: oldest replaced ones stop early. The memory this bounds: see
#: docs/performance.md#observations.
MAX_HELD = 10_000


@dataclass
class _Token:
    appid: str
    expires_at: float
    stable: bool
    replaced: bool = False


class TokenStore:
    """Issue and check the tokens of every appid.

    Parameters
    ----------
    ttl
        Seconds a token lives (``expires_in``).
    overlap
        Seconds a replaced token keeps working.
    clock
        Monotonic seconds (tests pass their own clock).
    max_held
        Tokens of one kind held per appid (:data:`MAX_HELD`).

    Examples
    --------
    >>> store = TokenStore(ttl=7200)
    >>> token, expires_in = store.issue("wx1")
    >>> store.check(token), expires_in
    ('wx1', 7200)
    >>> store.check("forged")
    40001
    >>> stable, _ = store.issue("wx1", stable=True)
    >>> forced, _ = store.issue("wx1", stable=True, force_refresh=True)
    >>> store.issue("wx1", stable=True)[0] == forced != stable
    True
    """

    def __init__(self, ttl: float, overlap: float = OVERLAP,
                 clock: Callable[[], float] = time.monotonic, max_held: int = MAX_HELD) -> None:
        self.ttl = ttl
        self.overlap = overlap
        self.max_held = max_held
        self._clock = clock
        self._tokens: dict[str, _Token] = {}
        #: Each appid's tokens of one kind (stable or not), oldest first: they are replaced,
        #: and so expire, in that order.
        self._issued: dict[tuple[str, bool], deque[str]] = {}
        self._lock = threading.Lock()

    def issue(self, appid: str, *, stable: bool = False, force_refresh: bool = False
              ) -> tuple[str, int]:
        """A token for ``appid`` and its remaining lifetime in whole seconds.

        Plain tokens are new on every call; the appid's earlier plain tokens then expire
        after the overlap. A stable token is the current one while it lives, unless
        ``force_refresh``.
        """
        now = self._clock()
        with self._lock:
            issued = self._issued.setdefault((appid, stable), deque())
            self._forget_dead(issued, now)
            current = self._tokens[issued[-1]] if issued else None
            if current is not None and current.expires_at > now and not current.replaced:
                if stable and not force_refresh:
                    return issued[-1], int(current.expires_at - now)
                current.expires_at = min(current.expires_at, now + self.overlap)
                current.replaced = True
            token = secrets.token_urlsafe(48)
            self._tokens[token] = _Token(appid, now + self.ttl, stable)
            issued.append(token)
            return token, int(self.ttl)

    def check(self, token: str) -> str | int:
        """The appid a live token belongs to, else the errcode to answer: 40001 (unknown,
        forgotten, or replaced and past the overlap: WeChat's "access_token is invalid or not
        latest") or 42001 (expired)."""
        now = self._clock()
        with self._lock:
            held = self._tokens.get(token)
        if held is None:
            return int(Errcode.INVALID_CREDENTIAL)
        if held.expires_at <= now:
            return int(Errcode.INVALID_CREDENTIAL if held.replaced
                       else Errcode.ACCESS_TOKEN_EXPIRED)
        return held.appid

    def _forget_dead(self, issued: deque[str], now: float) -> None:
        """Drop the oldest tokens of one kind that are dead for longer than the overlap (one
        that expired recently still answers 42001), and any past :attr:`max_held`, leaving
        room for one more."""
        while issued and (len(issued) >= self.max_held
                          or self._tokens[issued[0]].expires_at + self.overlap < now):
            del self._tokens[issued.popleft()]
