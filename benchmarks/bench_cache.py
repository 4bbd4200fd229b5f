"""Benchmark 2: a cached re-run against the first run of the same notebook-sized batch.

12 distinct images (2 margin variants of each sample) recognized twice with the local
engine into a fresh cache directory. The first run includes loading the engine, as the
first run of a notebook does. Run: ``python benchmarks/bench_cache.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _images import sample_variants

from wxocr_pandas import recognize_frame


def main() -> None:
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


if __name__ == "__main__":
    main()
