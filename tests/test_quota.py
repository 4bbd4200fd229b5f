"""The local daily call counter: budget, warnings, the 45009 mark, and many processes at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
import warnings
from pathlib import Path

import pytest

from wxocr_pandas import QuotaExceededError, QuotaWarning
from wxocr_pandas.backends.wechat.quota import DailyQuota, resolve_quota_dir, today


def test_the_budget_warns_at_80_percent_once_and_refuses_past_it(tmp_path):
    quota = DailyQuota("wx1", budget=10, directory=tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = [quota.reserve() for _ in range(10)]
    assert counts == list(range(1, 11))
    assert [str(w.message) for w in caught] == ["8 of the 10 daily WeChat calls for appid wx1 are used"]
    with pytest.raises(QuotaExceededError) as refused:
        quota.reserve()
    assert refused.value.stops_batch and refused.value.errcode == 900007
    assert quota.used() == 10


def test_over_budget_calls_are_allowed_with_a_warning_when_asked(tmp_path):
    DailyQuota("wx1", budget=2, directory=tmp_path).mark_spent()
    quota = DailyQuota("wx1", budget=2, allow_over_budget=True, directory=tmp_path)
    with pytest.warns(QuotaWarning, match="3 WeChat calls today.*over the daily budget of 2"):
        assert quota.reserve() == 3


def test_counts_are_per_appid_and_per_beijing_day(tmp_path):
    DailyQuota("wx1", budget=5, directory=tmp_path).reserve()
    assert DailyQuota("wx2", budget=5, directory=tmp_path).used() == 0
    with sqlite3.connect(tmp_path / "quota.sqlite3") as connection:
        rows = connection.execute("SELECT appid, day, count FROM calls").fetchall()
    assert rows == [("wx1", today(), 1)]


def test_the_directory_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WXOCR_QUOTA_DIR", str(tmp_path / "q"))
    assert resolve_quota_dir() == tmp_path / "q"
    assert DailyQuota(None, budget=1).path == tmp_path / "q" / "quota.sqlite3"


def _reserve_many(directory: str, count: int) -> int:
    quota = DailyQuota("wxshared", budget=1000, directory=directory)
    return max(quota.reserve() for _ in range(count))


def test_parallel_processes_never_lose_a_count_nor_overshoot_the_budget(tmp_path):
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        pool.starmap(_reserve_many, [(str(tmp_path), 40)] * 3)
        granted = pool.starmap(_try_reserve, [(str(tmp_path), 20)] * 3)
    assert DailyQuota("wxshared", budget=1000, directory=tmp_path).used() == 120
    assert sum(granted) == 25
    assert DailyQuota("wxtight", budget=25, directory=Path(tmp_path)).used() == 25


def _try_reserve(directory: str, count: int) -> int:
    quota = DailyQuota("wxtight", budget=25, directory=directory)
    granted = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QuotaWarning)
        for _ in range(count):
            try:
                quota.reserve()
                granted += 1
            except QuotaExceededError:
                pass
    return granted
