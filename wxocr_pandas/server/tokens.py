"""Access tokens: random, per appid, expiring, with WeChat's overlap on renewal.

``/cgi-bin/token`` issues a new token on every call and the appid's earlier tokens stay
valid for :data:`OVERLAP` seconds more (never past their own expiry), so clients that
share a token can switch over. ``/cgi-bin/stable_token`` returns the appid's current stable
token until it expires, and touches no other token; ``force_refresh`` replaces it, with the
same overlap. Tokens are 64 random URL-safe characters and never logged.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import Errcode

#: Seconds an appid's replaced token keeps working (WeChat: five minutes).
OVERLAP = 300.0
#: Tokens of one kind held per appid: a client fetching tokens in a loop cannot grow the
#: store; the oldest replaced ones are forgotten first.
MAX_HELD = 16


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
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.overlap = overlap
        self._clock = clock
        self._tokens: dict[str, _Token] = {}
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
            self._forget_dead(now)
            if stable and not force_refresh:
                current = self._current_stable(appid, now)
                if current is not None:
                    token, held = current
                    return token, int(held.expires_at - now)
            same_kind = [token for token, held in self._tokens.items()
                         if held.appid == appid and held.stable == stable]
            for token in same_kind[:max(0, len(same_kind) - MAX_HELD + 1)]:
                del self._tokens[token]
            for token in same_kind[-(MAX_HELD - 1):]:
                held = self._tokens[token]
                if now + self.overlap < held.expires_at:
                    held.expires_at, held.replaced = now + self.overlap, True
            token = secrets.token_urlsafe(48)
            self._tokens[token] = _Token(appid, now + self.ttl, stable)
            return token, int(self.ttl)

    def _current_stable(self, appid: str, now: float) -> tuple[str, _Token] | None:
        """The appid's live stable token that no ``force_refresh`` has replaced (a replaced
        one only lives out its overlap for the clients still holding it)."""
        for token, held in reversed(self._tokens.items()):
            if (held.appid == appid and held.stable and not held.replaced
                    and held.expires_at > now):
                return token, held
        return None

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

    def _forget_dead(self, now: float) -> None:
        """Drop tokens dead for longer than the overlap (one that expired recently still
        answers 42001)."""
        dead = [token for token, held in self._tokens.items()
                if held.expires_at + self.overlap < now]
        for token in dead:
            del self._tokens[token]
