"""Benchmark: recognition batching (rapidocr's ``Rec.rec_batch_num``).

The engine recognizes the text crops of an image in batches, crops sorted by aspect ratio so
that a batch pads little. This measures batch sizes 1, 6 (rapidocr's default, which the
backend keeps) and 16 with the backend's runtime and one inference thread, as a worker runs
it, in-process, on the ``small`` and ``pages`` sets of ``_corpus.py``: seconds and
character F1 against the drawn text, each against batch 1 in the same run.

Run: ``python benchmarks/bench_rec_batch.py``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from _corpus import pages_set, small_set

from wxocr_pandas import LocalBackend
from wxocr_pandas.evaluate import text_scores
from wxocr_pandas.images import as_source

SIZES = (1, 6, 16)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        sets = {"small": small_set(Path(folder) / "small"),
                "pages": pages_set(Path(folder) / "pages", count=12)}
        for name, labelled in sets.items():
            times = {}
            for size in SIZES:
                backend = LocalBackend(threads=1, params={"Rec.rec_batch_num": size})
                backend.recognize(as_source(str(labelled[0][0])))  # load the engine
                start = time.perf_counter()
                texts = ["\n".join(item.text for item in
                                   backend.recognize(as_source(str(path))).items)
                         for path, _ in labelled]
                times[size] = time.perf_counter() - start
                f1 = statistics.fmean(text_scores(text, truth)["char_f1"]
                                      for text, (_, truth) in zip(texts, labelled))
                print(f"[{name}] rec_batch_num {size:2}: {times[size]:.1f} s for "
                      f"{len(labelled)} images ({times[1] / times[size]:.2f}x batch 1), "
                      f"char F1 {f1:.4f}")


if __name__ == "__main__":
    from _record import run

    run(main)
