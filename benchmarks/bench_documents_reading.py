"""Benchmark: turned pages, tight crops and very long images (issue 14), in one run.

Every input is rendered with known text (``tests/helpers/rendered_text.py``): hard scene-word crops
(fonts, sizes, colours, textured backgrounds, tilt/shear/perspective, blur, noise, low
resolution, JPEG, cut to the ink box give or take a pixel), printed document lines cut to
their ink box, pages turned 0/90/180/270 degrees, a 20000x200 strip and a tall receipt.

Three readers are compared on the same inputs:

- *plain*: the engine's own answer (``LocalBackend`` with every repair off and the engine's
  per-line direction classifier on, as ``RapidOCR()`` runs);
- *old*: the backend as before this change: the plain answer, or recognition alone over the
  whole image when detection found nothing on an image at most 160 px high;
- *new*: ``LocalBackend()`` with the repairs of ``wxocr_pandas/backends/reading.py``.

Character F1 is computed per input on the multiset of characters (spaces ignored) and
averaged. Run: ``python benchmarks/bench_documents_reading.py [--crops 60]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.helpers
from tests.helpers.rendered_text import (DOCUMENT_LINES, document_line_crops, page, rotate_page,  # noqa: E402
                           strip, word_crops)

from wxocr_pandas import LocalBackend  # noqa: E402
from wxocr_pandas.backends.reading import RECOGNITION_ONLY  # noqa: E402
from wxocr_pandas.images import as_source  # noqa: E402

# The engine as it comes: every repair off and its own per-line direction classifier on.
PLAIN = LocalBackend(line_fallback=False, orientation=False, tile=False,
                     params={"Global.use_cls": True})
NEW = LocalBackend()


def char_f1(read: str, truth: str) -> float:
    found, wanted = Counter(read.replace(" ", "")), Counter(truth.replace(" ", ""))
    matched = sum((found & wanted).values())
    if not matched:
        return 0.0
    precision, recall = matched / sum(found.values()), matched / sum(wanted.values())
    return 2 * precision * recall / (precision + recall)


def texts(result) -> list[str]:
    """Texts left to right, then top to bottom (the crops and strips are one line)."""
    items = sorted(result.items, key=lambda i: (i.left_top.x + i.left_bottom.x))
    return [item.text for item in items]


def old_backend(image: Image.Image) -> list[str]:
    """The backend on main before this change: recognition alone when detection found nothing
    on an image at most 160 px high."""
    read = texts(PLAIN.recognize(as_source(image)))
    if read or image.height > 160:
        return read
    bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    output = PLAIN.engine_for(RECOGNITION_ONLY)(bgr)
    found = [t for t, s in zip(output.txts or (), output.scores or ())
             if t.strip() and s >= PLAIN.text_score]
    return found if len(found) == 1 else []


def crop_figures(name: str, crops: list[tuple[str, Image.Image]]) -> None:
    readers = {"plain": lambda c: texts(PLAIN.recognize(as_source(c))), "old": old_backend,
               "new": lambda c: texts(NEW.recognize(as_source(c)))}
    for label, reader in readers.items():
        started = time.perf_counter()
        read = [reader(crop) for _, crop in crops]
        seconds = (time.perf_counter() - started) / len(crops)
        f1 = np.mean([char_f1("".join(r), truth) for r, (truth, _) in zip(read, crops)])
        exact = sum("".join(r).replace(" ", "") == truth.replace(" ", "")
                    for r, (truth, _) in zip(read, crops))
        print(f"  {name:<15} {label:<6} char F1 {f1:.3f}  exact {exact:>3}/{len(crops)}"
              f"  {seconds:.3f} s/crop")


def page_figures() -> None:
    pages = [page(list(DOCUMENT_LINES[i:i + 6]), size=22, width=760) for i in (0, 6)]
    for label, backend in (("plain", PLAIN), ("new", NEW)):
        for degrees in (0, 90, 180, 270):
            f1s, corners, seconds = [], [], 0.0
            for image, drawn in pages:
                turned, quads = rotate_page(image, drawn, degrees)
                started = time.perf_counter()
                result = backend.recognize(as_source(turned))
                seconds += time.perf_counter() - started
                f1s.append(char_f1("".join(i.text for i in result.items),
                                   "".join(t.text for t in drawn)))
                truth_corners = {text: quad[0] for text, quad in quads}
                for item in result.items:
                    if item.text in truth_corners:
                        first = np.array([item.left_top.x, item.left_top.y])
                        corners.append(np.abs(first - truth_corners[item.text]).max() < 15)
            print(f"  page turned {degrees:>3}  {label:<6} char F1 {np.mean(f1s):.3f}"
                  f"  first corner on the text's top-left {np.mean(corners or [0]):.0%}"
                  f"  {seconds / len(pages):.2f} s/page")


def long_figures() -> None:
    words = [w for line in DOCUMENT_LINES for w in line.split()] * 2
    long_strip, drawn = strip(words[:70], size=100, spacing=120)
    lines = [f"{n:03d} 商品{n} Item {n} ¥{n}.50" for n in range(100)]
    receipt, receipt_drawn = page(lines, size=22, width=480, gap=1.7)
    for name, image, truth in (("strip", long_strip, drawn), ("tall receipt", receipt,
                                                              receipt_drawn)):
        wanted = "".join(t.text for t in truth)
        for label, backend in (("plain", PLAIN), ("new", NEW)):
            started = time.perf_counter()
            try:
                read = "".join(i.text for i in backend.recognize(as_source(image)).items)
            except Exception as exc:  # the plain engine refuses some strips outright
                read = f"<{type(exc).__name__}>"
            seconds = time.perf_counter() - started
            print(f"  {name} {image.width}x{image.height} {label:<6}"
                  f" char F1 {char_f1(read, wanted):.3f}  {seconds:.2f} s")


def upright_cost(repeats: int) -> None:
    samples = sorted((Path(__file__).resolve().parents[1] / "samples").glob("*.png"))
    images = [Image.open(p).convert("RGB") for p in samples]
    timings = {}
    for label, backend in (("orientation off", LocalBackend(orientation=False)),
                           ("orientation on", NEW)):
        backend.recognize(as_source(images[0]))  # engines loaded before timing
        started = time.perf_counter()
        for _ in range(repeats):
            for image in images:
                backend.recognize(as_source(image))
        timings[label] = (time.perf_counter() - started) / (repeats * len(images))
    off, on = timings["orientation off"], timings["orientation on"]
    print(f"  upright sample pages: {off:.3f} s/page without the orientation check, {on:.3f} "
          f"with it ({on / off:.2f}x, +{on - off:.3f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crops", type=int, default=60, help="scene-word crops")
    parser.add_argument("--lines", type=int, default=24, help="document-line crops")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the upright timing")
    args = parser.parse_args()
    NEW.recognize(as_source(Image.new("RGB", (200, 40), "white")))  # load engines first
    print(f"runtime {NEW.runtime}")
    print("tight crops")
    crop_figures("scene words", word_crops(args.crops, seed=1))
    crop_figures("document lines", document_line_crops(args.lines, seed=2))
    print("turned pages")
    page_figures()
    print("very long images")
    long_figures()
    print("cost on upright pages")
    upright_cost(args.repeats)


if __name__ == "__main__":
    from _record import run

    run(main)
