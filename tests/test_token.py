"""The token rules (expiry margin, single flight, refusals) on both stores: this process's
memory and a Dask cluster's scheduler, which must behave alike because one implementation
(:func:`get_token`, :func:`invalidate_token`) serves both."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from wxocr_pandas.backends.wechat.token import (
    REFRESH_MARGIN,
    MemoryTokenStore,
    TokenStore,
    clear_tokens,
    get_token,
    invalidate_token,
    process_token_store,
)
from wxocr_pandas.backends.wechat.cluster import SharedTokenStore


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Issuer:
    """Hands out numbered tokens and counts how often it was asked."""

    def __init__(self, expires_in: float = 7200, pause: float = 0.0) -> None:
        self.expires_in = expires_in
        self.pause = pause
        self.forced: list[bool] = []
        self._lock = threading.Lock()

    def __call__(self, force_refresh: bool) -> tuple[str, float]:
        time.sleep(self.pause)  # a slow fetch, so concurrent callers really overlap
        with self._lock:
            self.forced.append(force_refresh)
            return f"token-{len(self.forced)}", self.expires_in


@pytest.fixture(scope="module")
def dask_client():
    """A Dask scheduler and worker in this process (threads): enough for Variable and Lock."""
    from distributed import Client

    with Client(processes=False, n_workers=1, threads_per_worker=1,
                dashboard_address=":0") as client:
        yield client


@pytest.fixture(params=["memory", "cluster"])
def clock_and_store(request) -> tuple[Clock, TokenStore]:
    """A hand-moved clock and an empty store on it, of each kind."""
    clock = Clock()
    if request.param == "memory":
        return clock, MemoryTokenStore(clock)
    request.getfixturevalue("dask_client")
    return clock, SharedTokenStore(f"test-{uuid.uuid4().hex}", clock)


def test_both_stores_are_token_stores(clock_and_store):
    assert isinstance(clock_and_store[1], TokenStore)


def test_a_token_is_kept_until_shortly_before_it_expires(clock_and_store):
    (clock, store), issuer = clock_and_store, Issuer()
    assert get_token(store, issuer) == "token-1"
    clock.now += 7200 - REFRESH_MARGIN - 1
    assert get_token(store, issuer) == "token-1"
    clock.now += 1
    assert get_token(store, issuer) == "token-2" and issuer.forced == [False, False]


def test_a_short_lived_token_is_still_cached_for_half_its_life(clock_and_store):
    (clock, store), issuer = clock_and_store, Issuer(expires_in=60)
    get_token(store, issuer)
    clock.now += 29
    assert get_token(store, issuer) == "token-1"
    clock.now += 1
    assert get_token(store, issuer) == "token-2"


def test_concurrent_callers_wait_for_one_fetch(clock_and_store):
    store, issuer = clock_and_store[1], Issuer(pause=0.05)
    start = threading.Barrier(16)
    seen: list[str] = []

    def call() -> None:
        start.wait()
        seen.append(get_token(store, issuer))

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["token-1"] * 16 and issuer.forced == [False]


def test_only_the_first_refusal_of_a_token_forces_a_refresh(clock_and_store):
    store, issuer = clock_and_store[1], Issuer()
    first = get_token(store, issuer)
    for _ in range(5):  # five callers were refused with the same token at once
        invalidate_token(store, first)
        assert get_token(store, issuer) == "token-2"
    invalidate_token(store, "token-1")  # a late report about an old token changes nothing
    assert get_token(store, issuer) == "token-2" and issuer.forced == [False, True]


def test_a_failed_fetch_leaves_the_store_for_the_next_caller(clock_and_store):
    store, calls = clock_and_store[1], []

    def flaky(force_refresh: bool) -> tuple[str, float]:
        calls.append(force_refresh)
        if len(calls) <= 2:
            raise ConnectionError("down")
        return "token-ok", 7200

    get_token(store, lambda force_refresh: ("token-refused", 7200))
    invalidate_token(store, "token-refused")
    for _ in range(2):
        with pytest.raises(ConnectionError):
            get_token(store, flaky)
    assert get_token(store, flaky) == "token-ok"
    assert calls == [True, True, True]  # every retry after the refusal still forces a refresh


def test_no_token_in_a_repr(clock_and_store):
    store = clock_and_store[1]
    get_token(store, lambda force_refresh: ("TOKEN-SHH-42", 7200))
    assert "TOKEN-SHH-42" not in repr(store) and "TOKEN-SHH-42" not in repr(store.load())


def test_one_store_per_api_root_and_appid():
    clear_tokens()
    assert process_token_store("http://a", "wx1") is process_token_store("http://a", "wx1")
    assert process_token_store("http://a", "wx1") is not process_token_store("http://a", "wx2")
    assert process_token_store("http://a", "wx1") is not process_token_store("http://b", "wx1")
    kept = process_token_store("http://a", "wx1")
    clear_tokens()
    assert process_token_store("http://a", "wx1") is not kept
