"""Reading order on rendered multi-column pages: CER of the page text and seconds per page.

The pages come from ``tools/make_pages.py`` (papers, magazines, books with side notes and exams,
in Chinese and English, clean and degraded), each OCRed once by the local engine. The same
items are then put in reading order four ways, and the character error rate of the page text
against the rendered truth is printed for each:

- ``engine``: the items in the order the engine returns them (detection order);
- ``old``: ``text.to_text`` as it was before the layout module (commit ``OLD_COMMIT``): the
  benchmark copies that file out of git history (``git show``) into a temporary module of
  the package at run time, so the baseline is the real old code, not a re-implementation;
- ``new``: ``text.to_text`` now (geometry only, the default);
- ``new+model``: the same with the regions of the bundled layout model
  (:mod:`wxocr_pandas.layout_model`), when it is installed.

Seconds per page are for ``to_text`` on the shared OCR answers (grouping, deskewing, ordering,
joining), measured in the same run; then the ordering step alone (old column finder against
``layout.read_page`` on the same boxes), and the layout model's own cost per page.

Usage::

    python benchmarks/bench_reading_order.py [--count 24] [--seed 0] [--cache DIR]

``--cache`` keeps the OCR answers as JSON so a second run skips the engine.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OLD_COMMIT = "cf0f6a3"  # main just before the layout module replaced text.py's column finder


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def old_text_module():
    """``wxocr_pandas/text.py`` at :data:`OLD_COMMIT`, imported as ``wxocr_pandas._old_text``."""
    source = subprocess.run(["git", "show", f"{OLD_COMMIT}:wxocr_pandas/text.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    folder = Path(tempfile.mkdtemp())
    (folder / "_old_text.py").write_text(source, encoding="utf-8")
    return _load("wxocr_pandas._old_text", folder / "_old_text.py")


def recognize_pages(count: int, seed: int, cache: Path | None):
    """The pages, their images, truths and OCR answers (from ``cache`` where there)."""
    from wxocr_pandas import LocalBackend, OcrResult
    from wxocr_pandas.images import as_source

    tool = _load("make_pages", ROOT / "tools" / "make_pages.py")
    backend = None
    pages, images, results = [], [], []
    for index in range(count):
        page = tool.make_page(index, seed)
        image = tool.render(page)
        path = cache / f"{page.name}.json" if cache else None
        if path is not None and path.exists():
            result = OcrResult.from_json(path.read_text(encoding="utf-8"))
        else:
            backend = backend or LocalBackend()
            result = backend.recognize(as_source(image))
            if path is not None:
                path.write_text(result.to_json(), encoding="utf-8")
        pages.append(page)
        images.append(image)
        results.append(result)
    return tool, pages, images, results


def layout_only(frame: pd.DataFrame, old, rounds: int = 5) -> tuple[float, float]:
    """Milliseconds a page of the ordering step alone, old and new, on each page's boxes
    (best of ``rounds``): the old ``_reading_order`` and :func:`wxocr_pandas.layout.read_page`."""
    from wxocr_pandas.geometry import box_arrays, quads
    from wxocr_pandas.layout import read_page

    geometry = box_arrays(quads(frame))
    box = np.column_stack([geometry[k] for k in ("x_min", "y_min", "x_max", "y_max")])
    codes = frame.index.factorize()[0]
    pages = [box[(codes == code) & ~np.isnan(box[:, 0])] for code in np.unique(codes)]
    heights = [float(np.median(page[:, 3] - page[:, 1])) for page in pages]
    best = []
    for run in (lambda page, height: old._reading_order(np.arange(len(page)), page, height),
                lambda page, height: read_page(page)):
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            for page, height in zip(pages, heights):
                run(page, height)
            times.append((time.perf_counter() - start) / len(pages) * 1000)
        best.append(min(times))
    return best[0], best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)

    from wxocr_pandas import text
    from wxocr_pandas.evaluate import text_scores
    from wxocr_pandas.frame import explode

    tool, pages, images, results = recognize_pages(args.count, args.seed, args.cache)
    names = [page.name for page in pages]
    frame = explode(pd.DataFrame({"name": names}, index=names), results)
    truth = {page.name: tool.truth_text(page) for page in pages}
    old = old_text_module()

    def engine_order(frame: pd.DataFrame) -> pd.Series:
        return frame.groupby(level=0, sort=False)["text"].agg(
            lambda texts: "\n".join(texts.dropna()))

    methods = {"engine": engine_order, "old": old.to_text, "new": text.to_text}
    try:
        from wxocr_pandas.layout_model import detect_layout, model_path

        model_path()
    except Exception as error:  # noqa: BLE001  (the model is optional: say why it is left out)
        print(f"layout model left out: {error}")
    else:
        images_frame = pd.DataFrame({"image": images}, index=names)
        detect_layout(images_frame.iloc[:1], "image")  # load the session
        start = time.perf_counter()
        regions = detect_layout(images_frame, "image")
        model_seconds = (time.perf_counter() - start) / len(pages)
        print(f"layout model: {model_seconds * 1000:.0f} ms a page")
        methods["new+model"] = lambda frame: text.to_text(frame, regions=regions)
    rows = []
    for method, to_text in methods.items():
        to_text(frame.iloc[:50])  # warm up
        start = time.perf_counter()
        predicted = to_text(frame)
        seconds = (time.perf_counter() - start) / len(pages)
        for name in names:
            rows.append({"method": method, "page": name, "seconds": seconds,
                         "cer": text_scores(str(predicted[name]), truth[name])["cer"]})
    table = pd.DataFrame(rows)
    table["template"] = table["page"].str.split("-").str[2]
    table["lang"] = table["page"].str.split("-").str[3]
    table["degrade"] = table["page"].str.split("-").str[4]
    print(f"{len(pages)} pages, {int(frame['text'].notna().sum())} items\n")
    print("CER by template:")
    print(table.pivot_table(index="template", columns="method", values="cer").round(3)
          [list(methods)].to_string())
    print("\nCER by degradation:")
    print(table.pivot_table(index="degrade", columns="method", values="cer").round(3)
          [list(methods)].to_string())
    summary = table.groupby("method", sort=False).agg(cer=("cer", "mean"),
                                                       seconds=("seconds", "first"))
    print("\nAll pages:")
    print(summary.assign(ms_per_page=summary["seconds"] * 1000).drop(columns="seconds")
          .round(3).to_string())
    old_ms, new_ms = layout_only(frame, old)
    print(f"\nLayout step alone (the same boxes, no pandas): old column finder {old_ms:.2f} ms "
          f"a page, layout.read_page {new_ms:.2f} ms a page ({old_ms / new_ms:.2f}x)")
    worst = table[table["method"] == "new"].nlargest(3, "cer")[["page", "cer"]]
    print("\nWorst pages (new):")
    print(worst.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
