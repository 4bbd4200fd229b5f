"""A local count of WeChat OCR calls per appid and day, shared by every process of the machine.

WeChat allows about 100 ``ocr.printedText`` calls a day per account and answers 45009 once
they are spent. Counting locally lets a notebook warn before that happens and refuse to burn
the last calls by accident. The counter is a small sqlite3 database (``quota.sqlite3`` in
``WXOCR_QUOTA_DIR`` or the platform's user data directory); each call is counted inside an
``IMMEDIATE`` transaction, so parallel processes and threads never lose a count.

The day is the calendar day in Beijing time (UTC+8), when WeChat's daily quota resets.
"""

from __future__ import annotations

import math
import os
import sqlite3
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ...config import directory_setting
from ...errors import Errcode, QuotaExceededError

_BEIJING = timezone(timedelta(hours=8))
#: Share of the budget at which a warning is given.
WARN_SHARE = 0.8

_SCHEMA = """CREATE TABLE IF NOT EXISTS calls (
    appid TEXT NOT NULL,
    day TEXT NOT NULL,            -- YYYY-MM-DD in Beijing time
    count INTEGER NOT NULL,       -- OCR requests sent (or the budget, once WeChat said 45009)
    PRIMARY KEY (appid, day)
)"""


class QuotaWarning(UserWarning):
    """The local daily call count is near or past its budget.

    Examples
    --------
    >>> import warnings
    >>> from wxocr_pandas import QuotaWarning
    >>> warnings.simplefilter("error", QuotaWarning)   # stop a batch at 80 % of the budget
    >>> warnings.resetwarnings()
    """


def today() -> str:
    """Today's date in Beijing time, as WeChat counts its daily quota.

    Examples
    --------
    >>> len(today())
    10
    """
    return datetime.now(_BEIJING).date().isoformat()


def resolve_quota_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """``directory``, else ``WXOCR_QUOTA_DIR``, else the platform's user data directory.

    Examples
    --------
    >>> resolve_quota_dir("/tmp/q").as_posix()
    '/tmp/q'
    """
    return directory_setting("quota_dir", directory, "user_data_dir")


class DailyQuota:
    """Count this machine's WeChat OCR calls for one appid and refuse past a daily budget.

    Parameters
    ----------
    appid
        The account counted (without an appid, all token-only use shares one count).
    budget
        Calls allowed per day; a :class:`QuotaWarning` comes at 80 %.
    allow_over_budget
        Past the budget, warn instead of refusing.
    directory
        Where ``quota.sqlite3`` lives (see :func:`resolve_quota_dir`).

    Examples
    --------
    >>> import tempfile
    >>> quota = DailyQuota("wx123", budget=2, directory=tempfile.mkdtemp())
    >>> quota.reserve(), quota.reserve(), quota.used()
    (1, 2, 2)
    >>> quota.reserve()
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.QuotaExceededError: local daily budget of 2 WeChat calls for appid wx123 is used up (2 today); raise daily_budget / WXOCR_DAILY_BUDGET or pass allow_over_budget=True if the account has more quota (errcode 900007)
    """

    def __init__(self, appid: str | None, budget: int, *, allow_over_budget: bool = False,
                 directory: str | os.PathLike[str] | None = None) -> None:
        self.appid = appid or "(no appid)"
        self.budget = budget
        self.allow_over_budget = allow_over_budget
        self.path = resolve_quota_dir(directory) / "quota.sqlite3"

    def __repr__(self) -> str:
        return f"DailyQuota(appid={self.appid!r}, budget={self.budget}, path='{self.path}')"

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.execute(_SCHEMA)
        return connection

    def _update(self, new_count: str) -> tuple[int, int]:
        """Set today's count to the SQL expression ``new_count`` of ``count``, atomically;
        return (count before, count after)."""
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute("SELECT count FROM calls WHERE appid = ? AND day = ?",
                                     (self.appid, today())).fetchone()
            before = row[0] if row else 0
            after = connection.execute(f"SELECT {new_count}", {"count": before,
                                                               "budget": self.budget}).fetchone()[0]
            if after != before:
                connection.execute("INSERT OR REPLACE INTO calls (appid, day, count) VALUES (?, ?, ?)",
                                   (self.appid, today(), after))
            connection.execute("COMMIT")
            return before, after
        finally:
            connection.close()

    def used(self) -> int:
        """Calls counted today.

        Examples
        --------
        >>> import tempfile
        >>> DailyQuota("wx123", budget=5, directory=tempfile.mkdtemp()).used()
        0
        """
        return self._update(":count")[0]

    def reserve(self) -> int:
        """Count one call about to be sent and return today's count including it.

        Raises
        ------
        QuotaExceededError
            When the budget is used up (``stops_batch``), unless ``allow_over_budget``.
        """
        before, after = self._update(":count + 1" if self.allow_over_budget else
                                     "CASE WHEN :count < :budget THEN :count + 1 ELSE :count END")
        if after == before:
            raise QuotaExceededError(
                f"local daily budget of {self.budget} WeChat calls for appid {self.appid} is "
                f"used up ({before} today); raise daily_budget / WXOCR_DAILY_BUDGET or pass "
                "allow_over_budget=True if the account has more quota",
                errcode=Errcode.LOCAL_BUDGET_SPENT)
        self._warn(before, after)
        return after

    def _warn(self, before: int, after: int) -> None:
        near = math.ceil(WARN_SHARE * self.budget)
        if before < near <= after < self.budget:
            warnings.warn(f"{after} of the {self.budget} daily WeChat calls for appid "
                          f"{self.appid} are used", QuotaWarning, stacklevel=4)
        elif before <= self.budget < after:
            warnings.warn(f"{after} WeChat calls today for appid {self.appid}, over the daily "
                          f"budget of {self.budget} (allow_over_budget=True)",
                          QuotaWarning,
                          stacklevel=4)

    def mark_spent(self) -> None:
        """Record that WeChat said the quota is spent (45009), so every process stops asking.

        Examples
        --------
        >>> import tempfile
        >>> quota = DailyQuota("wx123", budget=100, directory=tempfile.mkdtemp())
        >>> quota.mark_spent(); quota.used()
        100
        """
        self._update("MAX(:count, :budget)")
