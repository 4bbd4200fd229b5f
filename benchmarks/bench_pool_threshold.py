"""When does starting the worker processes pay? The in-process engine (already loaded, as in a
notebook after its first call) against freshly started workers, for batches of n images.

For each n, the workers are shut down first, so their start-up (processes, imports, one
engine load each) is inside the timing; then the same batch is read once more by the now warm
workers. The smallest n where cold workers beat the in-process engine is the threshold
``batch.MIN_PROCESS_BATCH`` stands for (48 images, measured); warm workers pay from 2 images on.

Run: ``python benchmarks/bench_pool_threshold.py``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _images import sample_variants

from wxocr_pandas import LocalBackend, shutdown_workers
from wxocr_pandas.batch import recognize_results

SIZES = (2, 4, 8, 12, 16, 24, 32, 48)


def timed(paths: list[str], backend: LocalBackend, workers: int) -> float:
    start = time.perf_counter()
    recognize_results(paths, backend, cache=False, progress=False, max_workers=workers)
    return time.perf_counter() - start


def main() -> None:
    backend = LocalBackend()
    with tempfile.TemporaryDirectory() as folder:
        paths = [str(p) for p in sample_variants(Path(folder), per_sample=8)]
        timed(paths[:1], backend, 1)  # the in-process engine is loaded, as after a first call
        print(f"{'images':>6} {'in-process':>11} {'cold workers':>13} {'warm workers':>13}")
        for size in SIZES:
            batch = paths[:size]
            inline = timed(batch, backend, 1)
            shutdown_workers()
            cold = timed(batch, backend, 2)
            warm = timed(batch, backend, 2)
            print(f"{size:>6} {inline:>10.2f}s {cold:>12.2f}s {warm:>12.2f}s"
                  f"   cold {inline / cold:.2f}x, warm {inline / warm:.2f}x")
    shutdown_workers()


if __name__ == "__main__":
    from _record import run

    run(main)
