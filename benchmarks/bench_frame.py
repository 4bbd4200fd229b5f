"""Benchmark 4: building the exploded frame for 100,000 answers of 20 items each.

The project builds it from the answers (:class:`OcrResult`, what every backend returns) with
:func:`wxocr_pandas.frame.results_frame`; the baseline is the usual pandas recipe over the
same answers as WeChat JSON dicts: ``pd.json_normalize`` + ``explode`` + ``json_normalize`` of
the items. Run: ``python benchmarks/bench_frame.py [answers]``.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from wxocr_pandas import ImgSize, Item, OcrResult, Point
from wxocr_pandas.frame import results_frame


def answers(count: int, items: int = 20) -> list[OcrResult]:
    def item(i: int, j: int) -> Item:
        x, y = float(j * 10), float(i % 700)
        return Item(f"text {i}-{j}", Point(x, y), Point(x + 9, y), Point(x + 9, y + 5),
                    Point(x, y + 5), score=0.9)

    return [OcrResult(items=tuple(item(i, j) for j in range(items)), img_size=ImgSize(800, 600))
            for i in range(count)]


def baseline(dicts: list[dict]) -> pd.DataFrame:
    rows = pd.json_normalize(dicts).explode("items", ignore_index=True)
    items = pd.json_normalize(rows.pop("items").tolist())
    return pd.concat([rows, items], axis=1)


def main(count: int) -> None:
    results = answers(count)
    dicts = [result.to_dict() for result in results]
    start = time.perf_counter()
    ours = results_frame(results)
    project = time.perf_counter() - start
    start = time.perf_counter()
    parsed = [OcrResult.from_dict(d) for d in dicts]
    parse = time.perf_counter() - start
    start = time.perf_counter()
    theirs = baseline(dicts)
    plain = time.perf_counter() - start
    assert len(ours) == len(theirs) == len(parsed) * 20
    print(f"{count} answers x 20 items = {len(ours)} rows: project {project:.2f} s, "
          f"json_normalize + explode {plain:.2f} s")
    print(f"project {plain / project:.1f}x json_normalize + explode (target >= 5x)")
    print(f"from JSON dicts (parse {parse:.2f} s + build): {plain / (parse + project):.1f}x")


if __name__ == "__main__":
    from _record import run

    run(lambda: main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
