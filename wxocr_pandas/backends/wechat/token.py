"""Access tokens: one per (API root, appid), cached, and refreshed by one caller at a time.

Fetching a token through ``/cgi-bin/token`` invalidates the previous one, so a client that
fetched one per call or per thread would keep knocking out its own tokens. The refresh rules
are written once, in :func:`get_token` and :func:`invalidate_token`:

- a token is kept until :data:`REFRESH_MARGIN` seconds before ``expires_in`` runs out (at most
  half its lifetime);
- single flight: under the store's lock one caller fetches while the others wait, then find
  its token and share it;
- a refused token is forgotten only if it is still the current one, so callers refused at
  once cause one refresh, not one each;
- the fetch after a refusal asks for a forced refresh (``stable_token`` would otherwise hand
  back the same refused token).

*Where* the token lives is pluggable: a :class:`TokenStore` holds the state and the lock that
guards it. :class:`MemoryTokenStore` keeps it in this process (:func:`process_token_store`
gives every backend of one account the same store);
:class:`wxocr_pandas.backends.wechat.cluster.SharedTokenStore` keeps it in a Dask scheduler for a whole cluster.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

#: Refresh this many seconds before ``expires_in`` runs out (at most half the lifetime).
REFRESH_MARGIN = 300.0

#: ``fetch(force_refresh)`` returns ``(access_token, expires_in)``.
Fetch = Callable[[bool], tuple[str, float]]


@dataclass(frozen=True)
class TokenState:
    """One account's token as a store keeps it.

    Parameters
    ----------
    token
        The current access token, or None once it was refused.
    refresh_at
        When to fetch a new one, on the store's clock (:meth:`TokenStore.now`).
    rejected
        The last token was refused: the next fetch forces a refresh.
    """

    token: str | None
    refresh_at: float
    rejected: bool = False

    def __repr__(self) -> str:  # never print the token
        held = "no token" if self.token is None else "a token"
        return f"TokenState({held}, refresh_at={self.refresh_at:.0f}, rejected={self.rejected})"


@runtime_checkable
class TokenStore(Protocol):
    """Where one account's :class:`TokenState` lives, with the lock that guards it.

    ``lock`` is held while a token is fetched or invalidated; ``now()`` is the clock
    ``refresh_at`` is measured on (monotonic in one process, wall-clock across machines).
    """

    @property
    def lock(self) -> AbstractContextManager[Any]:
        """Held by the one caller that fetches or invalidates."""
        ...

    def now(self) -> float:
        """Seconds on the clock of ``refresh_at``."""
        ...

    def load(self) -> TokenState | None:
        """The stored state, or None if no token was ever fetched."""
        ...

    def save(self, state: TokenState) -> None:
        """Replace the stored state."""
        ...


class MemoryTokenStore:
    """A :class:`TokenStore` in this process's memory, shared by its threads.

    Parameters
    ----------
    clock
        Monotonic seconds (tests pass a clock they move by hand).

    Examples
    --------
    >>> store = MemoryTokenStore()
    >>> store.save(TokenState("TOKEN-42", refresh_at=store.now() + 60))
    >>> store.load().token, store
    ('TOKEN-42', <MemoryTokenStore holding a token>)
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.lock = threading.Lock()
        self._clock = clock
        self._state: TokenState | None = None

    def __repr__(self) -> str:
        state = "holding a token" if self._state and self._state.token else "empty"
        return f"<MemoryTokenStore {state}>"

    def now(self) -> float:
        """This store's clock."""
        return self._clock()

    def load(self) -> TokenState | None:
        """The current state (a plain read: one attribute, atomic across threads)."""
        return self._state

    def save(self, state: TokenState) -> None:
        """Replace the state."""
        self._state = state


def _usable(store: TokenStore, state: TokenState | None) -> bool:
    return state is not None and state.token is not None and store.now() < state.refresh_at


def get_token(store: TokenStore, fetch: Fetch) -> str:
    """The token in ``store``, fetched with ``fetch`` first if there is none or it is near expiry.

    Callers arriving during a fetch wait for it and share its token. A failed fetch raises
    and leaves the store as it was, so the next caller tries again.

    Examples
    --------
    >>> store, fetches = MemoryTokenStore(), []
    >>> def fetch(force_refresh):
    ...     fetches.append(force_refresh)
    ...     return f"token-{len(fetches)}", 7200
    >>> get_token(store, fetch), get_token(store, fetch)
    ('token-1', 'token-1')
    >>> invalidate_token(store, "token-1"); invalidate_token(store, "token-1")  # the second: no-op
    >>> get_token(store, fetch), fetches
    ('token-2', [False, True])
    """
    state = store.load()
    if _usable(store, state):
        return state.token
    with store.lock:
        state = store.load()  # another caller may have fetched while this one waited
        if _usable(store, state):
            return state.token
        token, expires_in = fetch(state is not None and state.rejected)
        margin = min(REFRESH_MARGIN, expires_in / 2)
        store.save(TokenState(token, store.now() + expires_in - margin))
        return token


def invalidate_token(store: TokenStore, failed: str) -> None:
    """Forget ``failed`` if it is still the token in ``store`` (WeChat refused it).

    Callers that saw the same refusal at once do not each force a refresh: only the first
    finds its token still current; the others find the fresh one already there.
    """
    with store.lock:
        state = store.load()
        if state is not None and state.token == failed:
            store.save(TokenState(None, 0.0, rejected=True))


_stores: dict[tuple[str, str], MemoryTokenStore] = {}
_stores_lock = threading.Lock()


def process_token_store(base_url: str, appid: str) -> MemoryTokenStore:
    """The process-wide token store of one account at one API root.

    Examples
    --------
    >>> process_token_store("https://api.weixin.qq.com", "wx1") is process_token_store("https://api.weixin.qq.com", "wx1")
    True
    """
    with _stores_lock:
        return _stores.setdefault((base_url, appid), MemoryTokenStore())


def clear_tokens() -> None:
    """Forget every token held in this process (e.g. after the AppSecret was reset).

    Examples
    --------
    >>> clear_tokens()
    """
    with _stores_lock:
        _stores.clear()
