"""The token cache: expiry, single flight across threads, refusal handling."""

from __future__ import annotations

import threading
import time

from wxocr_pandas.backends.token import REFRESH_MARGIN, TokenCache, clear_tokens, token_cache


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


def test_a_token_is_kept_until_shortly_before_it_expires():
    clock, issuer = Clock(), Issuer()
    cache = TokenCache(clock)
    assert cache.get(issuer) == "token-1"
    clock.now += 7200 - REFRESH_MARGIN - 1
    assert cache.get(issuer) == "token-1"
    clock.now += 1
    assert cache.get(issuer) == "token-2" and issuer.forced == [False, False]


def test_a_short_lived_token_is_still_cached_for_half_its_life():
    clock, issuer = Clock(), Issuer(expires_in=60)
    cache = TokenCache(clock)
    cache.get(issuer)
    clock.now += 29
    assert cache.get(issuer) == "token-1"
    clock.now += 1
    assert cache.get(issuer) == "token-2"


def test_concurrent_callers_wait_for_one_fetch():
    issuer = Issuer(pause=0.05)
    cache = TokenCache()
    start = threading.Barrier(16)
    seen: list[str] = []

    def call() -> None:
        start.wait()
        seen.append(cache.get(issuer))

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["token-1"] * 16 and issuer.forced == [False]


def test_only_the_first_refusal_of_a_token_forces_a_refresh():
    issuer = Issuer()
    cache = TokenCache()
    first = cache.get(issuer)
    for _ in range(5):  # five callers were refused with the same token at once
        cache.invalidate(first)
        assert cache.get(issuer) == "token-2"
    cache.invalidate("token-1")  # a late report about an old token changes nothing
    assert cache.get(issuer) == "token-2" and issuer.forced == [False, True]


def test_a_failed_fetch_leaves_the_cache_empty_for_the_next_caller():
    calls = []

    def flaky(force_refresh: bool) -> tuple[str, float]:
        calls.append(force_refresh)
        if len(calls) == 1:
            raise ConnectionError("down")
        return "token-ok", 7200

    cache = TokenCache()
    try:
        cache.get(flaky)
    except ConnectionError:
        pass
    assert cache.get(flaky) == "token-ok" and len(calls) == 2


def test_one_cache_per_api_root_and_appid():
    clear_tokens()
    assert token_cache("http://a", "wx1") is token_cache("http://a", "wx1")
    assert token_cache("http://a", "wx1") is not token_cache("http://a", "wx2")
    assert token_cache("http://a", "wx1") is not token_cache("http://b", "wx1")
    cached = token_cache("http://a", "wx1")
    clear_tokens()
    assert token_cache("http://a", "wx1") is not cached
    cached.get(lambda force_refresh: ("TOKEN-SHH-42", 7200))
    assert "TOKEN-SHH-42" not in repr(cached)
