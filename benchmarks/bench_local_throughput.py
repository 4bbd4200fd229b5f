"""Benchmark 1: local throughput, the project against a plain RapidOCR loop.

24 distinct images (4 margin variants of each sample), cache off. The project runs its
default plan (worker processes, one inference thread each); the baseline is
``RapidOCR()(path)`` over the same files in one process with the engine's default threads.
Both timings include building the engine(s). Run: ``python benchmarks/bench_local_throughput.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _images import sample_variants

from wxocr_pandas import LocalBackend
from wxocr_pandas.batch import recognize_results


def plain_loop(paths: list[Path]) -> list[list[str]]:
    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.log_level": "error"})  # quiet; answers unchanged
    return [list(engine(str(path)).txts or ()) for path in paths]


def project(paths: list[Path]) -> list[list[str]]:
    results = recognize_results([str(p) for p in paths], LocalBackend(), cache=False,
                                progress=False)
    return [[item.text for item in result.items] for result in results]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = sample_variants(Path(folder))
        start = time.perf_counter()
        plain_texts = plain_loop(paths)
        plain = time.perf_counter() - start
        start = time.perf_counter()
        project_texts = project(paths)
        ours = time.perf_counter() - start
    same = sum(a == b for a, b in zip(plain_texts, project_texts))
    print(f"{len(paths)} images: plain rapidocr loop {plain:.1f} s, project {ours:.1f} s")
    print(f"project {plain / ours:.2f}x the plain engine loop (target >= 1.4x)")
    print(f"same recognized text on {same} of {len(paths)} images")


if __name__ == "__main__":
    from _record import run

    run(main)
