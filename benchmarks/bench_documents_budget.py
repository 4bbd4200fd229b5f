"""Benchmark: long documents cost linear time per page; a 1-pixel strip costs bounded memory.

1. **Seconds per page against document length.** An animated GIF of 300 frames against one
   of 30, and a multi-page TIFF of 500 pages against one of 50 (frames of 240 x 180 pixels
   with two lines of text each), through ``recognize_results`` (cache off, the default
   worker plan). Ten times the pages should take about ten times as long (linear), not a
   hundred (quadratic: every page reopening the file and seeking from frame 0, as before).
   Each is decoded only (a backend that decodes each page and answers its size: the
   document's own cost, which the engine's would hide), and the GIFs are also recognized by
   the local engine (workers warmed first); each the best of two alternating rounds. The decoding is also run the way it was before
   (the file opened again for each page, and seeked to it), as a baseline in the same run.
2. **Peak memory of a strip against a normal image.** In fresh processes, each after loading
   the engine on a small image: the 1000 x 1 strip of the report against a 1241 x 1755 page
   (A4 at 150 dpi, two blocks of ``samples/document.png`` on it), peak RSS above the loaded
   engine. Unguarded, the strip's detector input
   alone was 30016 x 7488 pixels (225 M; the process passed 8 GB); the sizes the detector
   is handed are printed too.

Run: ``python benchmarks/bench_documents_budget.py`` (a few minutes on 2 cores).
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from wxocr_pandas import ImgSize, OcrResult
from wxocr_pandas.backends.engine_input import EngineShape, detector_input, fitting
from wxocr_pandas.batch import recognize_results
from wxocr_pandas.images import ImageSource, decode

ROOT = Path(__file__).resolve().parents[1]


class DecodeOnlyBackend:
    """Decodes each page and answers its size: the document's own cost, no engine."""

    name = "decode-only"
    identity = None

    def recognize(self, source: ImageSource) -> OcrResult:
        width, height = decode(source).size
        return OcrResult(img_size=ImgSize(width, height))


def frames(count: int) -> list[Image.Image]:
    out = []
    for number in range(count):
        frame = Image.new("RGB", (240, 180), "white")
        ImageDraw.Draw(frame).text((12, 40), f"Page {number:04d} of {count}", fill="black")
        ImageDraw.Draw(frame).text((12, 120), "wxocr-pandas budget", fill="black")
        out.append(frame)
    return out


def document(kind: str, count: int) -> bytes:
    buffer = io.BytesIO()
    first, *rest = frames(count)
    if kind == "GIF":
        first.save(buffer, "GIF", save_all=True, append_images=rest, optimize=False)
    else:
        first.save(buffer, "TIFF", save_all=True, append_images=rest, compression="tiff_lzw")
    return buffer.getvalue()


def reopened_per_page(path: Path, count: int) -> float:
    """The old way: the file opened again for every page and seeked to it from frame 0."""
    data = path.read_bytes()
    started = time.perf_counter()
    for index in range(count):
        with Image.open(io.BytesIO(data)) as image:
            image.seek(index)
            image.convert("RGB")
    return time.perf_counter() - started


def per_page(path: Path, count: int, backend: object) -> float:
    started = time.perf_counter()
    pages, = recognize_results([str(path)], backend, cache=False, progress=False)
    assert len(pages) == count and all(page.ok for page in pages)
    return (time.perf_counter() - started) / count


def documents_part() -> None:
    print("1. seconds per page against document length")
    with tempfile.TemporaryDirectory() as folder:
        for kind, short, long in (("GIF", 30, 300), ("TIFF", 50, 500)):
            paths = {}
            for count in (short, long):
                paths[count] = Path(folder) / f"doc{count}.{kind.lower()}"
                paths[count].write_bytes(document(kind, count))
            backends = [("decoded only", DecodeOnlyBackend())]
            if kind == "GIF":
                per_page(paths[short], short, None)  # workers up, engines loaded
                backends.append(("local engine", None))
            for label, backend in backends:  # best of two alternating rounds: a busy machine
                rounds = [[per_page(paths[count], count, backend) for count in (short, long)]
                          for _ in range(2)]
                first, second = (min(times) for times in zip(*rounds))
                print(f"  {kind} {label:>12}: {first * 1e3:7.2f} ms/page at {short} pages, "
                      f"{second * 1e3:7.2f} ms/page at {long}: {long // short}x the pages took "
                      f"{second * long / (first * short):5.1f}x the time")
            old_short = reopened_per_page(paths[short], short)
            old_long = reopened_per_page(paths[long], long)
            print(f"  {kind} reopened per page (before): {long // short}x the pages took "
                  f"{old_long / old_short:5.1f}x the time ({old_long / long * 1e3:.2f} ms/page "
                  f"at {long})")


STRIP_CHILD = """
import json, resource, sys
import numpy as np
import wxocr_pandas
wxocr_pandas.recognize("samples/sign.png", cache=False)
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[1] == "strip":
    image = np.full((1, 1000), 255, np.uint8)
    image[:, ::7] = 0
else:  # an A4 page at 150 dpi with two blocks of text
    from PIL import Image
    image = Image.new("RGB", (1241, 1755), "white")
    text = Image.open("samples/document.png").convert("RGB")
    image.paste(text, (100, 100))
    image.paste(text, (100, 900))
answer = wxocr_pandas.recognize(image, cache=False, errors="coerce")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"errcode": answer["errcode"], "loaded": loaded * 1024, "peak": peak * 1024}))
"""


def strip_part() -> None:
    print("2. peak memory above the loaded engine")
    figures = {}
    for which in ("normal", "strip"):
        run = subprocess.run([sys.executable, "-c", STRIP_CHILD, which], check=True, cwd=ROOT,
                             capture_output=True, text=True)
        figures[which] = json.loads(run.stdout.splitlines()[-1])
    for which, label in (("normal", "a 1241x1755 page"), ("strip", "a 1000x1 strip")):
        grown = (figures[which]["peak"] - figures[which]["loaded"]) / 1e6
        print(f"  {label}: +{grown:.0f} MB (errcode {figures[which]['errcode']})")
    grown = {which: max(figures[which]["peak"] - figures[which]["loaded"], 1)
             for which in figures}
    print(f"  the strip took {grown['strip'] / grown['normal']:.1f}x the normal page's growth")
    shape = EngineShape()
    unguarded = detector_input(1, 1000, shape)
    reshape = fitting(1, 1000, shape)
    guarded = detector_input(reshape.height, reshape.width, shape)
    print(f"  detector input of the strip: {unguarded[1]}x{unguarded[0]} unguarded "
          f"({np.prod(unguarded) / 1e6:.0f} M pixels), {guarded[1]}x{guarded[0]} guarded "
          f"({np.prod(guarded) / 1e6:.1f} M)")
    print(f"  (this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)")


def main() -> None:
    documents_part()
    strip_part()


if __name__ == "__main__":
    from _record import run

    run(main)
