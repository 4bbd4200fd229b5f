"""Benchmark: large JPEGs decoded reduced (Pillow's ``draft``) against decoded at full size.

The local backend decodes a JPEG of 4000 px or more on its long side at 1/2, 1/4 or 1/8 scale,
to no less than 2000 px, since the engine shrinks every image to 2000 px anyway
(``Global.max_side_len``). This checks that doing so keeps the accuracy, and shows what it
saves. Two sets, rendered here with known text:

- ``scans``: 8 A4 pages at 600 dpi (4960 x 7016, JPEG q85), the benchmark pages drawn 4x;
- ``photos``: 8 small images (receipts, a sign, a screenshot...) filling a 4032 x 3024 phone
  photo (JPEG q90), on a gray background with noise.

Per set: character F1 against the drawn text, seconds per image (decode and read) and the
decoded pixel memory, full size against reduced, in the same run.

Run: ``python benchmarks/bench_jpeg_draft.py``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from _corpus import Labelled, pages_set, small_set

from wxocr_pandas import LocalBackend
from wxocr_pandas.backends.local import to_result
from wxocr_pandas.backends.reading import read
from wxocr_pandas.evaluate import text_scores
from wxocr_pandas.images import as_source, decode


def scans(folder: Path) -> Labelled:
    out = []
    for path, truth in pages_set(folder / "pages", count=8):
        big = folder / f"scan-{path.stem}.jpg"
        Image.open(path).resize((4960, 7016), Image.Resampling.LANCZOS).save(big, quality=85)
        out.append((big, truth))
    return out


def photos(folder: Path) -> Labelled:
    rng = np.random.default_rng(7)
    out = []
    for number, (path, truth) in enumerate(small_set(folder / "small")[::3][:8]):
        image = Image.open(path).convert("RGB")
        scale = min(4032 * 0.7 / image.width, 3024 * 0.7 / image.height)
        image = image.resize((round(image.width * scale), round(image.height * scale)),
                             Image.Resampling.BICUBIC)
        canvas = np.full((3024, 4032, 3), 150, np.float32)
        canvas += rng.normal(0, 6, canvas.shape[:2])[..., None]
        top, left = (3024 - image.height) // 2, (4032 - image.width) // 2
        canvas[top:top + image.height, left:left + image.width] = np.asarray(image)
        photo = folder / f"photo-{number}.jpg"
        Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8)).save(photo, quality=90)
        out.append((photo, truth))
    return out


def full_size(backend: LocalBackend, path: Path):
    image = decode(as_source(str(path)))
    bgr = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
    output = read(bgr, backend.engine_for, orientation=backend.orientation,
                  line_fallback=backend.line_fallback, tile=backend.tile,
                  text_score=backend.text_score)
    return to_result(output, image.width, image.height), image.width * image.height * 3


def reduced(backend: LocalBackend, path: Path):
    from wxocr_pandas.backends.reading import ENGINE_MAX_SIDE
    from wxocr_pandas.images import decode_reduced

    pixels = decode_reduced(as_source(str(path)), reduce_to=ENGINE_MAX_SIDE).image
    return backend.recognize(as_source(str(path))), pixels.width * pixels.height * 3


def measure(name: str, labelled: Labelled, backend: LocalBackend) -> None:
    rows = {}
    for label, way in (("full size", full_size), ("reduced", reduced)):
        way(backend, labelled[0][0])  # warm: engine shapes
        start = time.perf_counter()
        answers = [way(backend, path) for path, _ in labelled]
        seconds = (time.perf_counter() - start) / len(labelled)
        f1 = statistics.fmean(text_scores("\n".join(i.text for i in result.items),
                                          truth)["char_f1"]
                              for (result, _), (_, truth) in zip(answers, labelled))
        memory = statistics.fmean(size for _, size in answers) / 1e6
        rows[label] = (f1, seconds, memory)
        print(f"[{name}] {label:9}  char F1 {f1:.4f}  {seconds:.2f} s/image  "
              f"decoded pixels {memory:.0f} MB/image")
    (f1_full, s_full, m_full), (f1_red, s_red, m_red) = rows["full size"], rows["reduced"]
    print(f"[{name}] reduced vs full: F1 {f1_red - f1_full:+.4f}, time {s_red / s_full:.2f}x, "
          f"pixel memory {m_red / m_full:.2f}x")


def main() -> None:
    backend = LocalBackend()
    with tempfile.TemporaryDirectory() as folder:
        for name, make in (("scans", scans), ("photos", photos)):
            measure(name, make(Path(folder)), backend)


if __name__ == "__main__":
    from _record import run

    run(main)
