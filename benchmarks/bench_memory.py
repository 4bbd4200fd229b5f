"""Memory over a long session: peak RSS of the whole process tree (the Python process and its
OCR workers), images 1-100 against images 200-300 of one session.

300 distinct images (margin variants of the samples; every 10th a large 2480 x 3508 page,
since OpenVINO is reported to keep memory after very large images) go through
``recognize_results`` in batches of 20, as notebook cells would send them, cache off. A thread
samples the RSS of the process and all its children every 50 ms.

Run: ``python benchmarks/bench_memory.py`` (target: ratio <= 1.2x).
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import psutil
from PIL import Image, ImageOps

from _corpus import pages_set
from _images import SAMPLE_NAMES, SAMPLES

from wxocr_pandas.batch import recognize_results

IMAGES = 300
BATCH = 20
TARGET = 1.2


class TreeRss:
    """Peak resident memory of this process and its children, sampled in a thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self.interval):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:  # a worker that just exited
                    pass
            self.peak = max(self.peak, total)

    def window(self) -> int:
        """The peak since the last call, and start a new window."""
        peak, self.peak = self.peak, 0
        return peak

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def images(folder: Path) -> list[str]:
    large = [path for path, _ in pages_set(folder / "pages", count=IMAGES // 10)]
    paths: list[str] = []
    for number in range(IMAGES):
        if number % 10 == 9:
            page = Image.open(large[number // 10])
            path = folder / f"large-{number}.jpg"
            page.resize((page.width * 2, page.height * 2)).save(path, quality=90)
        else:
            sample = Image.open(SAMPLES / SAMPLE_NAMES[number % len(SAMPLE_NAMES)]).convert("RGB")
            path = folder / f"small-{number}.png"
            ImageOps.expand(sample, border=2 + number // len(SAMPLE_NAMES), fill="white").save(path)
        paths.append(str(path))
    return paths


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = images(Path(folder))
        peaks: list[int] = []
        with TreeRss() as rss:
            for start in range(0, IMAGES, BATCH):
                recognize_results(paths[start:start + BATCH], cache=False, progress=False)
                peaks.append(rss.window())
    per_batch = IMAGES // BATCH
    first = max(peaks[: 100 // BATCH])
    late = max(peaks[200 // BATCH: per_batch])
    print("peak RSS of the process tree per batch of 20 (MB): "
          + " ".join(f"{peak / 2**20:.0f}" for peak in peaks))
    print(f"images 1-100: {first / 2**20:.0f} MB, images 200-300: {late / 2**20:.0f} MB -> "
          f"{late / first:.2f}x (target <= {TARGET}x)")


if __name__ == "__main__":
    from _record import run

    run(main)
