"""Reading order on real and rendered pages: CER per page kind and milliseconds per page.

Two page sets, each OCRed once by the local engine (answers cached by ``--cache``):

- **real**: the 45 scanned, photographed and rasterized pages of ``benchmarks/data/real_pages``
  (newspapers, exams, reports, papers, magazines, textbooks, books, slides, forms; Chinese
  and English, six set vertically), each with a hand-checked reading-order truth;
- **rendered**: the 24 pages of ``tools/make_pages.py`` (papers, magazines, books with side
  notes and exams, clean and degraded), whose truth is the rendered text.

The same OCR items are put in reading order several ways, and the character error rate of the
page text (lines joined, :func:`wxocr_pandas.evaluate.normalize`) against the truth is printed
per page kind, weighted by the truth's characters:

- ``engine``: the items in the order the engine returns them (detection order);
- ``before``: ``text.to_text`` as it was on main before real pages were measured (commit
  :data:`BEFORE_COMMIT`): the benchmark copies ``text.py`` and ``layout.py`` out of git history
  into temporary modules of the package, so the baseline is the real old code;
- ``boxes``: ``text.to_text(regions=None)`` now, the layout from the text boxes alone;
- ``no_model``: ``text.to_text()`` now without the layout model installed (the default of a
  plain ``pip install``): the boxes and the separator rules found in the image
  (``result_regions(frame, model=False)``);
- ``model``: ``text.to_text()`` now, the default: with the bundled layout model's figures and
  tables (:func:`wxocr_pandas.layout_model.result_regions`) and the rules, when it is
  installed;
- ``oracle``: the best order of the OCR's own items found: the items sorted by where each
  aligns in the truth (``_real_pages.oracle_order``), or any of the orders above where one is
  closer (alignment is ambiguous on the rendered pages, which repeat phrases). What
  recognition errors alone cost: no order of these items reads much better.

Milliseconds per page are measured in the same run: ``to_text`` from the boxes alone, with
the rules alone (the image read again), the layout model (reading the image again and running
the model), and the default ``to_text``.

Usage::

    python benchmarks/bench_reading_order.py [--cache DIR] [--set real|rendered|both]
                                             [--per-page KIND[,KIND...]|all]

``--per-page`` also prints the CER of every page of those kinds (``newspaper``), each method.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _real_pages  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BEFORE_COMMIT = "4f58970"  # main when issue 23 (reading order on real pages) was taken up
TARGETS = {"real": 0.20, "real kind": 0.35, "rendered": 0.03}


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def before_text_module():
    """``wxocr_pandas/text.py`` and ``layout.py`` at :data:`BEFORE_COMMIT`, imported as
    ``wxocr_pandas._before_text`` (reading ``wxocr_pandas._before_layout``)."""
    folder = Path(tempfile.mkdtemp())
    for name in ("layout", "text"):
        source = subprocess.run(["git", "show", f"{BEFORE_COMMIT}:wxocr_pandas/{name}.py"],
                                cwd=ROOT, check=True, capture_output=True, text=True).stdout
        source = source.replace("from .layout import", "from ._before_layout import")
        (folder / f"_before_{name}.py").write_text(source, encoding="utf-8")
    _load("wxocr_pandas._before_layout", folder / "_before_layout.py")
    return _load("wxocr_pandas._before_text", folder / "_before_text.py")


def real_set(cache: Path | None) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """The real pages' OCR frame, truths and kinds, by page id."""
    pages = _real_pages.load_pages()
    frame = _real_pages.recognize(pages, cache / "real" if cache else None)
    return frame, {p.id: p.truth for p in pages}, {p.id: p.kind for p in pages}


def rendered_set(cache: Path | None) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """The rendered pages' OCR frame (their images in its ``image`` column), truths, kinds."""
    from wxocr_pandas import LocalBackend, OcrResult
    from wxocr_pandas.frame import explode
    from wxocr_pandas.images import as_source

    tool = _load("make_pages", ROOT / "tools" / "make_pages.py")
    backend = None
    pages, images, results = [], [], []
    for index in range(24):
        page = tool.make_page(index, 0)
        image = tool.render(page)
        path = cache / "rendered" / f"{page.name}.json" if cache else None
        if path is not None and path.exists():
            result = OcrResult.from_json(path.read_text(encoding="utf-8"))
        else:
            backend = backend or LocalBackend()
            result = backend.recognize(as_source(image))
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(result.to_json(), encoding="utf-8")
        pages.append(page)
        images.append(image)
        results.append(result)
    names = [page.name for page in pages]
    frame = explode(pd.DataFrame({"image": images}, index=names), results, image="image")
    return (frame, {page.name: tool.truth_text(page) for page in pages},
            {page.name: page.name.split("-")[2] for page in pages})


def engine_order(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby(level=0, sort=False)["text"].agg(lambda texts: "\n".join(texts.dropna()))


def oracle_order(frame: pd.DataFrame, truth: dict[str, str]) -> pd.Series:
    texts = frame.groupby(level=0, sort=False)["text"].agg(lambda t: t.dropna().tolist())
    return pd.Series({name: "\n".join(items[k] for k in _real_pages.oracle_order(items, truth[name]))
                      for name, items in texts.items()})


def timed(run: Callable[[pd.DataFrame], object], frame: pd.DataFrame, pages: int) -> tuple[object, float]:
    """``run(frame)`` and its milliseconds per page (after one warm-up page)."""
    run(frame.loc[[frame.index[0]]])
    start = time.perf_counter()
    out = run(frame)
    return out, (time.perf_counter() - start) / pages * 1000


def measure(name: str, frame: pd.DataFrame, truth: dict[str, str], kinds: dict[str, str],
            before, shown_kinds: set[str] = frozenset()) -> pd.DataFrame:
    """Print the CER table of one set per kind and its costs; return the per-page errors."""
    from rapidfuzz.distance import Levenshtein

    from wxocr_pandas import text
    from wxocr_pandas.evaluate import normalize

    pages = len(truth)
    orders = {"engine": engine_order(frame), "before": before.to_text(frame)}
    orders["boxes"], boxes_ms = timed(lambda f: text.to_text(f, regions=None), frame, pages)
    costs = {"to_text, boxes alone": boxes_ms}
    from wxocr_pandas.layout_model import model_path, result_regions

    orders["no_model"], costs["to_text, rules alone (the default without the model)"] = timed(
        lambda f: text.to_text(f, regions=result_regions(f, model=False)), frame, pages)
    try:
        model_path()
    except Exception as error:  # noqa: BLE001  (the model is optional: say why it is left out)
        print(f"layout model left out: {error}")
    else:
        regions, costs["layout model (image read again + model)"] = timed(result_regions, frame, pages)
        orders["model"], costs["to_text, default (with the model)"] = timed(text.to_text, frame, pages)
        print(f"layout model: {len(regions)} regions on {regions.index.nunique()} pages")
    orders["oracle"] = oracle_order(frame, truth)
    rows = []
    for page, expected in truth.items():
        target = normalize(expected)
        row = {"page": page, "kind": kinds[page], "chars": len(target)}
        for method, texts in orders.items():
            row[method] = Levenshtein.distance(normalize(str(texts.get(page, ""))), target)
        row["oracle"] = min(row[method] for method in orders)
        rows.append(row)
    table = pd.DataFrame(rows)
    methods = list(orders)
    by_kind = table.groupby("kind")[["chars", *methods]].sum()
    by_kind.loc["all (by characters)"] = by_kind.sum()
    cer = by_kind[methods].div(by_kind["chars"], axis=0)
    per_page = table[methods].div(table["chars"], axis=0)
    cer.loc["all (mean of pages)"] = per_page.mean()
    cer.insert(0, "pages", table.groupby("kind").size().reindex(cer.index).fillna(pages).astype(int))
    cer.insert(1, "chars", by_kind["chars"].reindex(cer.index).fillna(by_kind["chars"].iloc[-1]))
    print(f"\n== {name} set: {pages} pages, {int(frame['text'].notna().sum())} items; CER by kind ==")
    print(cer.round(3).to_string())
    print("ms a page: " + ", ".join(f"{what} {ms:.1f}" for what, ms in costs.items()))
    shown = table[table["kind"].isin(shown_kinds) | ("all" in shown_kinds)]
    if len(shown):
        pages_cer = shown[methods].div(shown["chars"], axis=0)
        pages_cer.insert(0, "chars", shown["chars"])
        pages_cer.index = shown["page"]
        print(f"\n== {name} set: CER per page ==")
        print(pages_cer.round(3).to_string())
    return table.set_index("page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="keep the OCR answers here")
    parser.add_argument("--set", choices=("real", "rendered", "both"), default="both")
    parser.add_argument("--per-page", default="", metavar="KINDS",
                        help="also print the CER of each page of these kinds (comma-separated, or all)")
    args = parser.parse_args()
    per_page = set(filter(None, args.per_page.split(",")))
    before = before_text_module()
    results = {}
    if args.set in ("real", "both"):
        results["real"] = measure("real", *real_set(args.cache), before, per_page)
    if args.set in ("rendered", "both"):
        results["rendered"] = measure("rendered", *rendered_set(args.cache), before, per_page)
    print("\n== targets ==")
    for name, table in results.items():
        method = "model" if "model" in table else "boxes"
        chars = table["chars"].sum()
        overall = table[method].sum() / chars if name == "real" else (table[method] / table["chars"]).mean()
        goal = TARGETS[name]
        print(f"{name}: {method} CER {overall:.3f} (target <= {goal}): "
              f"{'met' if overall <= goal else 'NOT met'}")
        if name == "real":
            kinds = table.groupby("kind")[[method, "chars"]].sum()
            worst = (kinds[method] / kinds["chars"]).sort_values(ascending=False)
            over = worst[worst > TARGETS["real kind"]]
            print(f"real, per kind (target <= {TARGETS['real kind']}): "
                  + ("met" if over.empty else "NOT met for " + ", ".join(
                      f"{kind} {value:.3f}" for kind, value in over.items())))
        worst_pages = (table[method] / table["chars"]).nlargest(3)
        print(f"  worst {name} pages: " + ", ".join(f"{p} {v:.3f}" for p, v in worst_pages.items()))


if __name__ == "__main__":
    from _record import run

    run(main)
