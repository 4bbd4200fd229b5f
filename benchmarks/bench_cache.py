"""Benchmark 2: cached re-runs.

1. A notebook-sized batch: 12 distinct images (2 margin variants of each sample) recognized
   twice with the local engine into a fresh cache directory; the first run includes loading
   the engine, as the first run of a notebook does.
2. At scale: 100,000 cached answers of 20 items each looked up and parsed, as a fully cached
   re-run does (``ResultCache.get_many``: the compact form parsed by msgspec), against the old
   path (the same answers stored as WeChat JSON, parsed by ``OcrResult.from_json``), and the
   look-up of 10,000 against 100,000 keys (linear: about 10x).

Run: ``python benchmarks/bench_cache.py [answers]`` (default 100000).
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from _images import sample_variants

from wxocr_pandas import ImgSize, Item, OcrResult, Point, ResultCache, recognize_frame
from wxocr_pandas.cache import CACHE_FILE
from wxocr_pandas.frame import results_frame


def notebook_batch() -> None:
    import pandas as pd

    with tempfile.TemporaryDirectory() as folder:
        paths = sample_variants(Path(folder), per_sample=2)
        df = pd.DataFrame({"path": [str(p) for p in paths]})
        cache_dir = Path(folder) / "cache"
        start = time.perf_counter()
        first = recognize_frame(df, "path", cache_dir=cache_dir, progress=False)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        again = recognize_frame(df, "path", cache_dir=cache_dir, progress=False)
        warm = time.perf_counter() - start
    pd.testing.assert_frame_equal(first, again)
    print(f"{len(paths)} images: first run {cold:.2f} s, cached re-run {warm * 1000:.1f} ms "
          "(identical frame)")
    print(f"cached re-run {cold / warm:.0f}x faster than the first run (target >= 100x)")


def answer(number: int) -> OcrResult:
    """An answer of 20 items, with float corners and scores like the local engine's."""
    items = tuple(
        Item(f"line {number} text {i}", Point(10.5 + i, 20.25 * i), Point(200.0 + i, 20.25 * i),
             Point(200.0 + i, 20.25 * i + 18.5), Point(10.5 + i, 20.25 * i + 18.5),
             score=0.9 + i / 1000)
        for i in range(20))
    return OcrResult(items=items, img_size=ImgSize(1280, 720))


def at_scale(count: int) -> None:
    keys = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(count)]
    samples = [answer(n) for n in range(100)]
    with tempfile.TemporaryDirectory() as folder:
        with ResultCache(folder) as cache:  # the stored form, as the cache writes it
            for key, result in zip(keys[:100], samples):
                cache.put(key, result, backend="bench", image="x.png")
        wechat = [result.to_json() for result in samples]
        path = Path(folder) / CACHE_FILE
        with closing(sqlite3.connect(path)) as db, db:
            compact = [row[0] for row in db.execute("SELECT answer FROM results ORDER BY rowid")]
            db.executemany("INSERT OR REPLACE INTO results VALUES (?, 'bench', 'x.png', ?, 0)",
                           [(key, compact[n % 100]) for n, key in enumerate(keys)])
            db.execute("CREATE TABLE wechat (key TEXT PRIMARY KEY, answer TEXT NOT NULL)")
            db.executemany("INSERT INTO wechat VALUES (?, ?)",
                           [(key, wechat[n % 100]) for n, key in enumerate(keys)])

        def lookup(wanted: list[str]) -> tuple[float, dict[str, OcrResult]]:
            start = time.perf_counter()
            with ResultCache(folder) as cache:
                found = cache.get_many(wanted)
            return time.perf_counter() - start, found

        small, _ = lookup(keys[:count // 10])
        new, found = lookup(keys)
        start = time.perf_counter()
        frame = results_frame([found[key] for key in keys])
        framing = time.perf_counter() - start
        del found, frame
        start = time.perf_counter()
        with closing(sqlite3.connect(path)) as db:
            old_found = {}
            for first in range(0, count, 500):
                chunk = keys[first:first + 500]
                rows = db.execute(f"SELECT key, answer FROM wechat WHERE key IN "
                                  f"({','.join('?' * len(chunk))})", chunk).fetchall()
                old_found.update((key, OcrResult.from_json(text)) for key, text in rows)
        old = time.perf_counter() - start
    assert old_found[keys[7]] == samples[7] and len(old_found) == count
    print(f"{count:,} cached answers x 20 items: looked up and parsed in {new:.2f} s "
          f"(target <= 3 s); old path (WeChat JSON + OcrResult.from_json): {old:.2f} s; "
          f"{old / new:.1f}x faster")
    print(f"and their exploded frame ({count * 20:,} rows) built in {framing:.2f} s: a fully "
          f"cached re-run {new + framing:.2f} s")
    print(f"look-up of {count // 10:,} keys {small:.2f} s, of {count:,} keys {new:.2f} s: "
          f"{new / small:.1f}x the time for 10x the keys (linear ~10x)")


def main() -> None:
    at_scale(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
    notebook_batch()


if __name__ == "__main__":
    from _record import run

    run(main)
