"""Backoff after repeated wrong secrets: a token endpoint must not be a guessing machine.

Every 40125 ("invalid appsecret") counts against the appid and against the client address
that sent it. After :data:`FREE_FAILURES` of them, each further attempt of that appid, or
from that client, must wait: 1 s after the sixth wrong secret, doubling with each one
after, up to :data:`MAX_DELAY` for a client and :data:`MAX_APPID_DELAY` for an appid.
An attempt made while waiting is answered 45011 at once, without the secret being compared.
A right secret clears the client's count and the appid's; counts older than :data:`WINDOW`
are forgotten.

The appid's delay stays short (a guesser spread over many addresses is slowed, and one who
knows the appid can only keep its owner waiting so long); the client's grows long (500
guesses from one address now take days; measured before: see
docs/performance.md#observations). At most :data:`MAX_TRACKED` clients are remembered (the
least recently failing one is forgotten first).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

#: Wrong secrets allowed without waiting.
FREE_FAILURES = 5
#: The wait after the first wrong secret past the free ones, doubled by each one after.
FIRST_DELAY = 1.0
#: The longest wait for a client address ...
MAX_DELAY = 900.0
#: ... and for an appid.
MAX_APPID_DELAY = 60.0
#: Seconds after which a count of wrong secrets is forgotten.
WINDOW = 3600.0
#: Client addresses (and appids) remembered at once.
MAX_TRACKED = 10_000


class SecretThrottle:
    """Counts wrong secrets per appid and client address, and says how long to wait.

    Examples
    --------
    >>> now = [0.0]
    >>> throttle = SecretThrottle(clock=lambda: now[0])
    >>> for _ in range(6):
    ...     throttle.failed("wx1", "10.1.2.3")
    >>> throttle.wait("wx1", "10.1.2.3"), throttle.wait("wx2", "10.1.2.3")
    (1.0, 1.0)
    >>> now[0] = 1.0
    >>> throttle.wait("wx1", "10.1.2.3")
    0.0
    >>> throttle.succeeded("wx1", "10.1.2.3"); throttle.failed("wx1", "10.1.2.3")
    >>> throttle.wait("wx1", "10.1.2.3")
    0.0
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        #: key -> (wrong secrets, time of the last one), least recently failing first.
        self._failures: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()

    def wait(self, appid: str, client: str) -> float:
        """Seconds until ``client`` may try a secret for ``appid`` (0: now)."""
        now = self._clock()
        with self._lock:
            return max(self._wait(("appid", appid), MAX_APPID_DELAY, now),
                       self._wait(("client", client), MAX_DELAY, now))

    def failed(self, appid: str, client: str) -> None:
        """Count a wrong secret for ``appid`` from ``client``."""
        now = self._clock()
        with self._lock:
            for key in (("appid", appid), ("client", client)):
                count, last = self._failures.pop(key, (0, now))
                self._failures[key] = (count + 1 if now - last < WINDOW else 1, now)
            while len(self._failures) > MAX_TRACKED:
                self._failures.popitem(last=False)

    def succeeded(self, appid: str, client: str) -> None:
        """A right secret: forget the counts of ``appid`` and of ``client``."""
        with self._lock:
            self._failures.pop(("appid", appid), None)
            self._failures.pop(("client", client), None)

    def _wait(self, key: tuple[str, str], longest: float, now: float) -> float:
        count, last = self._failures.get(key, (0, now))
        if count <= FREE_FAILURES or now - last >= WINDOW:
            return 0.0
        delay = min(FIRST_DELAY * 2 ** (count - FREE_FAILURES - 1), longest)
        return max(0.0, last + delay - now)
