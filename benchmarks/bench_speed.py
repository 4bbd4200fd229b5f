"""Speed and accuracy of the local backend against a plain ``RapidOCR()`` loop.

The baseline is what a user writes without this package: ``engine = RapidOCR()`` and
``engine(path)`` over the files, in one process, with the engine's default runtime
(onnxruntime) and threads. The project runs its defaults: ``recognize_results(paths,
cache=False)``, i.e. the fastest installed runtime in warm worker processes.

Printed, each against the baseline measured in this same run:

- warm: both engines loaded before the clock starts (the project's workers too), per set;
- cold: a fresh ``python -c`` process each, imports and engine loads included (small set);
- accuracy: character F1 against the drawn text, per set, for the baseline and the project
  (the project must stay within 0.003 of the baseline);
- per-call overhead: one small image through ``recognize_results`` in-process against the
  engine called directly on the decoded pixels, both warm.

Sets (see ``_corpus.py``): ``small`` (24 small images), ``degraded`` (24 blurred, JPEG q30,
small-font and screen-photo images), ``pages`` (24 document pages of 1240 x 1754).

Run: ``python benchmarks/bench_speed.py [--sets small,degraded,pages] [--skip-cold]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _corpus import Labelled, degraded_set, pages_set, small_set

from wxocr_pandas import LocalBackend
from wxocr_pandas.batch import recognize_results
from wxocr_pandas.evaluate import text_scores
from wxocr_pandas.workers import usable_cpus

SETS = {"small": small_set, "degraded": degraded_set, "pages": pages_set}
TARGETS = {"small": 2.8, "degraded": 2.8, "pages": 2.5}
COLD_TARGET = 2.0
F1_TOLERANCE = 0.003

_PLAIN = """
import sys
from rapidocr import RapidOCR
engine = RapidOCR(params={"Global.log_level": "error"})
for path in sys.argv[1:]:
    engine(path)
"""
_PROJECT = """
import sys
from wxocr_pandas.batch import recognize_results
recognize_results(sys.argv[1:], cache=False, progress=False)
"""


def plain_engine():
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "error"})  # quiet; answers unchanged


def plain_texts(engine, paths: list[Path]) -> list[str]:
    return ["\n".join(engine(str(path)).txts or ()) for path in paths]


def project_texts(paths: list[Path]) -> list[str]:
    results = recognize_results([str(p) for p in paths], cache=False, progress=False)
    return ["\n".join(item.text for item in result.items) for result in results]


def mean_f1(texts: list[str], labelled: Labelled) -> float:
    return statistics.fmean(text_scores(text, truth)["char_f1"]
                            for text, (_, truth) in zip(texts, labelled))


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def warm_run(name: str, labelled: Labelled, engine) -> None:
    paths = [path for path, _ in labelled]
    plain_s, plain_out = timed(plain_texts, engine, paths)
    ours_s, ours_out = timed(project_texts, paths)
    plain_f1, ours_f1 = mean_f1(plain_out, labelled), mean_f1(ours_out, labelled)
    verdict = "ok" if ours_f1 >= plain_f1 - F1_TOLERANCE else "LOWER"
    print(f"[{name}] {len(paths)} images, warm: plain loop {plain_s:.1f} s, project {ours_s:.1f} s"
          f" -> {plain_s / ours_s:.2f}x (target >= {TARGETS[name]}x)")
    print(f"[{name}] char F1: plain {plain_f1:.4f}, project {ours_f1:.4f} "
          f"(diff {ours_f1 - plain_f1:+.4f}, must be >= -{F1_TOLERANCE}: {verdict})")


def cold_run(labelled: Labelled) -> None:
    paths = [str(path) for path, _ in labelled]
    plain_s, _ = timed(subprocess.run, [sys.executable, "-c", _PLAIN, *paths], check=True)
    ours_s, _ = timed(subprocess.run, [sys.executable, "-c", _PROJECT, *paths], check=True)
    print(f"[cold] {len(paths)} images in a fresh process (imports, engine loads): plain "
          f"{plain_s:.1f} s, project {ours_s:.1f} s -> {plain_s / ours_s:.2f}x "
          f"(target >= {COLD_TARGET}x)")


def per_call_overhead(path: Path) -> None:
    import numpy as np

    from wxocr_pandas.backends.local import load_engine
    from wxocr_pandas.images import as_source, decode

    backend = LocalBackend()
    engine = load_engine(backend.params)
    bgr = np.ascontiguousarray(np.asarray(decode(as_source(path)))[:, :, ::-1])
    rounds = 20
    direct = min(timed(engine, bgr)[0] for _ in range(rounds))
    ours = min(timed(recognize_results, [str(path)], backend, cache=False, progress=False,
                     max_workers=1)[0] for _ in range(rounds))
    print(f"[overhead] one {path.name} in-process, best of {rounds}: engine {direct * 1e3:.1f} ms,"
          f" recognize_results {ours * 1e3:.1f} ms -> {(ours - direct) * 1e3:.1f} ms per call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="small,degraded,pages")
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args()
    engine = plain_engine()
    with tempfile.TemporaryDirectory() as folder:
        chosen = {name: SETS[name](Path(folder) / name) for name in args.sets.split(",")}
        first = next(iter(chosen.values()))
        engine(str(first[0][0]))                      # baseline warm
        # The project warm: worker processes started with their engines loaded (a batch this
        # small would otherwise run in-process); later batches go to the warm workers.
        recognize_results([str(path) for path, _ in first[:12]], cache=False, progress=False,
                          max_workers=usable_cpus())
        print(f"runtime: {LocalBackend().runtime}; baseline: RapidOCR() on onnxruntime")
        for name, labelled in chosen.items():
            warm_run(name, labelled, engine)
        if not args.skip_cold and "small" in chosen:
            cold_run(chosen["small"])
        per_call_overhead(first[0][0])


if __name__ == "__main__":
    from _record import run

    run(main)
