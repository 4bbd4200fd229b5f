"""Benchmark: rows per image is linear in the rows.

Groups an exploded frame of N images x 5 items (and rebuilds its answers with
:func:`wxocr_pandas.export.results_from_frame`, which groups through it) at N and 10 N images.
A linear grouping takes about 10x as long for 10x the images; the baseline, the per-image mask
recipe the package used before (``frame.index == label`` for each image), takes about 100x.

Run: ``python benchmarks/bench_grouping.py [images]`` (default 4,000 and 40,000 images).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from wxocr_pandas import ImgSize, Item, OcrResult, Point
from wxocr_pandas.export import results_from_frame
from wxocr_pandas.frame import explode
from wxocr_pandas.schema import group_images

ITEMS = 5


def _frame(n_images: int):
    import pandas as pd

    item = Item("合计", Point(1, 2), Point(9, 2), Point(9, 8), Point(1, 8), score=0.9)
    results = [OcrResult(items=(item,) * ITEMS, img_size=ImgSize(20, 10))] * n_images
    return explode(pd.DataFrame({"image": [f"{i}.png" for i in range(n_images)]}), results,
                   image="image")


def _masks(frame) -> list[np.ndarray]:
    """The old recipe: one boolean mask over all rows per image."""
    codes, labels = frame.index.factorize()
    return [np.flatnonzero(codes == image) for image in range(len(labels))]


def _seconds(function, *args) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    small = int(sys.argv[1]) if len(sys.argv) > 1 else 4_000
    frames = {n: _frame(n) for n in (small, 10 * small)}
    for name, function in (("group_images", group_images), ("results_from_frame", results_from_frame),
                           ("per-image masks (baseline)", _masks)):
        times = {n: _seconds(function, frame) for n, frame in frames.items()}
        print(f"{name}: {small:,} images {times[small]:.3f} s, {10 * small:,} images "
              f"{times[10 * small]:.3f} s -> {times[10 * small] / times[small]:.1f}x for 10x "
              "the images (linear ~10x, quadratic ~100x)")
    masks = _seconds(_masks, frames[10 * small])
    grouped = _seconds(group_images, frames[10 * small])
    print(f"project {masks / grouped:.0f}x the per-image masks at {10 * small:,} images")


if __name__ == "__main__":
    from _record import run

    run(main)
