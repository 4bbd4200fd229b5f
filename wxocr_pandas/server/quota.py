"""Per-appid daily quota of OCR calls, counted in memory for the Beijing-time day.

WeChat's quota resets at midnight Beijing time; the day comes from
:func:`wxocr_pandas.backends.wechat.quota.today`, the same day the package's client-side counter uses.
Counts live in the server process: a restart starts the day's counts again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..backends.wechat.quota import today


class AppQuota:
    """Count OCR calls per appid and day; refuse past ``daily_quota``.

    Examples
    --------
    >>> quota = AppQuota(2)
    >>> quota.take("wx1"), quota.take("wx1"), quota.take("wx1"), quota.take("wx2")
    (True, True, False, True)
    >>> quota.give_back("wx1"); quota.used("wx1"), quota.spent("wx1")
    (1, False)
    """

    def __init__(self, daily_quota: int, day: Callable[[], str] = today) -> None:
        self.daily_quota = daily_quota
        self._day = day
        self._counted_day = ""
        self._used: dict[str, int] = {}
        self._lock = threading.Lock()

    def _roll(self) -> None:
        day = self._day()
        if day != self._counted_day:
            self._counted_day, self._used = day, {}

    def spent(self, appid: str) -> bool:
        """True when today's quota of ``appid`` is used up (nothing is counted)."""
        return self.used(appid) >= self.daily_quota

    def take(self, appid: str) -> bool:
        """Count one call for ``appid`` if today's quota allows it; False when spent."""
        with self._lock:
            self._roll()
            used = self._used.get(appid, 0)
            if used >= self.daily_quota:
                return False
            self._used[appid] = used + 1
            return True

    def give_back(self, appid: str) -> None:
        """Uncount a call the server could not serve (busy): the client will retry it."""
        with self._lock:
            self._roll()
            if self._used.get(appid, 0) > 0:
                self._used[appid] -= 1

    def used(self, appid: str) -> int:
        """Calls counted today for ``appid``."""
        with self._lock:
            self._roll()
            return self._used.get(appid, 0)
