"""Benchmark 5: peak memory of the streaming form on 1,000 against 5,000 images.

Each size runs in its own fresh process: distinct tiny PNGs come from a generator, a cheap
backend (it decodes the image and answers five items) stands in for the engine, and
:func:`wxocr_pandas.recognize_to_parquet` writes chunks of 256. The figure is the peak of
Python allocations (tracemalloc) during the run; peak RSS is printed too.
Run: ``python benchmarks/bench_stream_memory.py``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

from _images import tiny_png

from wxocr_pandas import ImgSize, Item, OcrResult, Point, recognize_to_parquet
from wxocr_pandas.images import ImageSource, decode


class FiveItemBackend:
    """Decodes the image and answers five fixed items: the engine's shape at no cost."""

    name = "five-items"
    identity = "five-items:1"

    def recognize(self, source: ImageSource) -> OcrResult:
        width, height = decode(source).size
        corners = (Point(0, 0), Point(width, 0), Point(width, height), Point(0, height))
        return OcrResult(items=tuple(Item(f"text {i}", *corners, score=0.9) for i in range(5)),
                         img_size=ImgSize(width, height))


def child(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        images = (tiny_png(number) for number in range(count))
        tracemalloc.start()
        rows = recognize_to_parquet(images, Path(folder) / "out.parquet", chunksize=256,
                                    backend=FiveItemBackend(), cache=False, progress=False)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"rows": rows, "peak": peak, "rss": rss}))


def measure(count: int) -> dict:
    run = subprocess.run([sys.executable, __file__, "--child", str(count)], check=True,
                         capture_output=True, text=True)
    return json.loads(run.stdout)


def main() -> None:
    small, large = measure(1_000), measure(5_000)
    for count, figures in ((1_000, small), (5_000, large)):
        print(f"{count} images ({figures['rows']} rows): peak Python allocations "
              f"{figures['peak'] / 1e6:.1f} MB, peak RSS {figures['rss'] / 1e6:.0f} MB")
    print(f"5,000 images used {large['peak'] / small['peak']:.2f}x the peak allocations of "
          f"1,000 (target <= 1.2x); RSS {large['rss'] / small['rss']:.2f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
    else:
        from _record import run

        run(main)
