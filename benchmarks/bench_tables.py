"""Tables: this package's ``cells()`` against img2table (images) and camelot (text-layer PDFs).

    python benchmarks/bench_tables.py [--per-style 3] [--seed 0] [--out DIR]
                                      [--peers .bench-venv/bin/python] [--layout] [--real-only]

The set (``tools/make_tables.py``): every style rendered ``--per-style`` times, clean (300 dpi
scale) and scan-like (150 dpi, 0.5-1.5 degree turn, noise, JPEG quality 50); pages with
paragraphs around a table, two tables, or prose only; the real images committed in
``samples/tables/`` (img2table's own test images) and scan-like copies of them; text-layer
PDFs (the rendered tables drawn as vector PDFs, and img2table's ``tables.pdf``); and the real
set of ``benchmarks/data/real_tables/`` (scans, screenshots and photos of other people's
documents, English, Chinese, German and French, truth transcribed by hand: its
``SOURCES.md``), scored per image and as a whole (``--real-only`` runs that set alone).

Scores (``tools/table_score.py``): ICDAR 2013 adjacency relations (precision, recall, F1;
texts without whitespace and case, 15 % edit tolerance), share of true non-empty cells at
the right (row, col), share of tables with the exact row and column counts.

Peers run in their own environment (``--peers``, a Python with ``img2table``, ``rapidocr``,
``onnxruntime`` and ``camelot-py`` installed: never a dependency of this package): img2table
at its best settings (its RapidOCR class on the same bundled models, ``detect_rotation=True``,
``implicit_rows=True``, ``borderless_tables=True``), camelot lattice and stream, the better
per file. Recognition is not timed for this package (the result cache answers); the seconds
per table are the table building alone (``cells()``), img2table's include its OCR.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))

import make_tables  # noqa: E402
import table_score  # noqa: E402

import wxocr_pandas  # noqa: E402,F401
from wxocr_pandas.tables import cells  # noqa: E402

REAL = ("img2table_test.png", "img2table_implicit.png")
REAL_PDF = ("img2table_tables.pdf",)
REAL_SET = ROOT / "benchmarks/data/real_tables"
PDF_STYLES = ("grid", "hrules", "plain", "spanning", "numbers", "chinese")


def build_real_set() -> dict[str, dict]:
    """The real set, read in place: file -> {"group": "set:NAME", "variant": "real", "pages"}."""
    truth = json.loads((REAL_SET / "truth.json").read_text(encoding="utf-8"))
    return {str(REAL_SET / name): {"group": f"set:{Path(name).stem}", "variant": "real",
                                   "pages": info["pages"]} for name, info in truth.items()}


def build(out: Path, per_style: int, seed: int) -> dict[str, dict]:
    """Write the set into ``out``; return file -> {"group", "variant", "pages"}."""
    truth_of_real = json.loads((ROOT / "samples/tables/truth.json").read_text())
    files: dict[str, dict] = build_real_set()

    def add(image, name: str, group: str, tables: list, variant: str) -> None:
        path = out / name
        image.save(path, quality=95) if name.endswith(".jpg") else image.save(path)
        files[str(path)] = {"group": group, "variant": variant, "pages": {"1": tables}}

    for style in make_tables.STYLES:
        for k in range(per_style):
            image, truth = make_tables.render(style, seed + k)
            tables = [t["cells"] for t in truth["tables"]]
            add(image, f"{style}-{k}.png", style, tables, "clean")
            scanned, _ = make_tables.scan(image, seed + k)
            add(scanned, f"{style}-{k}-scan.png", style, tables, "scan")
    for kind in ("between", "two", "prose"):
        for k in range(2):
            image, truth = make_tables.render_page(kind, seed + k)
            tables = [t["cells"] for t in truth["tables"]]
            add(image, f"page-{kind}-{k}.png", f"page-{kind}", tables, "clean")
            add(make_tables.scan(image, seed + k)[0], f"page-{kind}-{k}-scan.png",
                f"page-{kind}", tables, "scan")
    from PIL import Image

    for k, name in enumerate(REAL):
        tables = truth_of_real[name]["pages"]["1"]
        image = Image.open(ROOT / "samples/tables" / name).convert("RGB")
        add(image, name, "real", tables, "clean")
        big = image.resize((image.width * 2, image.height * 2), Image.LANCZOS)  # as "300 dpi"
        add(make_tables.scan(big, seed + k)[0], name.replace(".png", "-scan.png"), "real",
            tables, "scan")
    for style in PDF_STYLES:
        for k in range(max(1, per_style - 1)):
            path = out / f"{style}-{k}.pdf"
            truth = make_tables.render_pdf(style, seed + k, path)
            files[str(path)] = {"group": style, "variant": "pdf",
                                "pages": {"1": [t["cells"] for t in truth["tables"]]}}
    for name in REAL_PDF:
        path = out / name
        path.write_bytes((ROOT / "samples/tables" / name).read_bytes())
        files[str(path)] = {"group": "real", "variant": "pdf",
                            "pages": truth_of_real[name]["pages"]}
    return files


def ours(files: dict[str, dict], regions: bool = False) -> tuple[dict, float, int]:
    """file -> {page: [table cells]}, seconds of table building, tables built."""
    paths = list(files)
    out = pd.DataFrame({"path": paths}).wxocr.recognize("path", progress=False)
    found_regions = None
    if regions:
        from wxocr_pandas.layout_model import detect_layout

        images = [p for p in paths if not p.endswith(".pdf")]
        frame = pd.DataFrame({"path": paths})
        found_regions = detect_layout(frame[frame["path"].isin(images)], "path")
    start = time.perf_counter()
    grid = cells(out, regions=found_regions)
    seconds = time.perf_counter() - start
    result: dict[str, dict] = {}
    for position, path in enumerate(paths):
        part = grid.loc[[position]] if position in grid.index else grid.iloc[:0]
        pages: dict[str, list] = {}
        for page, rows in part.groupby("page"):
            pages[str(int(page))] = table_score.frame_tables(rows)
        result[path] = pages
    return result, seconds, int(grid.groupby([grid.index, "page", "table"]).ngroups)


def score(files: dict[str, dict], predicted: dict[str, dict]) -> dict[tuple[str, str], list]:
    """(group, variant) -> per-page counts, for the files the peer read (camelot: PDFs)."""
    counts: dict[tuple[str, str], list] = defaultdict(list)
    for path, info in files.items():
        if path not in predicted:
            continue
        for page, truth in info["pages"].items():
            found = predicted.get(path, {}).get(page, [])
            counts[(info["group"], info["variant"])].append(table_score.score_image(found, truth))
    return counts


def peers(files: dict[str, dict], python: str, work: Path) -> tuple[dict, dict, dict]:
    """img2table's and camelot's (best flavour per file) predictions and seconds."""
    images = [p for p in files if not p.endswith(".pdf")]
    pdfs = [p for p in files if p.endswith(".pdf")]
    jobs, results = work / "jobs.json", work / "peers.json"
    asked = json.dumps({"images": images, "pdfs": pdfs})
    if not (results.exists() and jobs.exists() and jobs.read_text() == asked):  # else reuse
        jobs.write_text(asked)
        subprocess.run([python, str(ROOT / "benchmarks/_table_peers.py"), str(jobs),
                        str(results)], check=True)
    found = json.loads(results.read_text())
    img2table = {p: r["pages"] for p, r in found.get("img2table", {}).items()}
    seconds = {p: r["seconds"] for p, r in found.get("img2table", {}).items()}
    camelot = {}
    for path in pdfs:
        best = None
        for flavor in ("lattice", "stream"):
            run = found.get("camelot", {}).get(f"{path}#{flavor}")
            if run is None:
                continue
            counts = [table_score.score_image(run["pages"].get(page, []), truth)
                      for page, truth in files[path]["pages"].items()]
            f1 = table_score.summarize(counts)["f1"]
            if best is None or f1 > best[0]:
                best = (f1, run["pages"], flavor)
        if best:
            camelot[path] = best[1]
            print(f"  camelot on {Path(path).name}: {best[2]} (F1 {best[0]:.3f})")
    return img2table, camelot, seconds


def _line(name: str, summary: dict | None) -> str:
    if summary is None:
        return f"{name:>12} {'—':>6}"
    return (f"{name:>12} {summary['f1']:6.3f} {summary['precision']:6.3f} {summary['recall']:6.3f}"
            f" {summary['cells']:6.3f} {summary['exact']:6.2f}")


def report(files: dict, results: dict[str, dict]) -> None:
    scored = {name: score(files, predicted) for name, predicted in results.items()}
    keys = sorted({key for counts in scored.values() for key in counts},
                  key=lambda k: (k[1], k[0]))
    header = "".join(f"{name + ' F1':>12} {'P':>6} {'R':>6} {'cells':>6} {'exact':>6}"
                     for name in results)
    print(f"{'group':>27} {'variant':>7} {header}")
    for key in keys:
        line = "".join(_line("", table_score.summarize(scored[name][key]) if key in scored[name]
                             and scored[name][key] else None) for name in results)
        print(f"{key[0]:>27} {key[1]:>7} {line}")
    for variant in ("clean", "scan", "pdf"):
        line = ""
        for name in results:
            counts = [c for key, cs in scored[name].items() if key[1] == variant
                      and not key[0].startswith("page-") and key[0] != "real" for c in cs]
            line += _line("", table_score.summarize(counts) if counts else None)
        print(f"{'STYLES':>27} {variant:>7} {line}")
    for variant in ("clean", "scan", "pdf"):
        line = ""
        for name in results:
            counts = [c for key, cs in scored[name].items() if key == ("real", variant) for c in cs]
            line += _line("", table_score.summarize(counts) if counts else None)
        print(f"{'REAL':>27} {variant:>7} {line}")
    line = ""
    for name in results:
        counts = [c for key, cs in scored[name].items() if key[1] == "real" for c in cs]
        line += _line("", table_score.summarize(counts) if counts else None)
    print(f"{'REAL SET':>27} {'real':>7} {line}")
    for variant in ("clean", "scan", "pdf"):
        line = ""
        for name in results:
            counts = [c for key, cs in scored[name].items() if key[1] == variant for c in cs]
            line += _line("", table_score.summarize(counts) if counts else None)
        print(f"{'ALL':>27} {variant:>7} {line}")
    for name in results:
        prose = [c for key, cs in scored[name].items() if key[0] == "page-prose" for c in cs]
        print(f"  {name}: tables found on prose-only pages: {sum(c['tables_found'] for c in prose)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-style", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--peers", default=str(ROOT / ".bench-venv/bin/python"),
                        help="a Python with img2table, rapidocr and camelot-py ('' to skip)")
    parser.add_argument("--layout", action="store_true",
                        help="also score ours with the layout model's table regions")
    parser.add_argument("--real-only", action="store_true",
                        help="only the real set of benchmarks/data/real_tables/")
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="bench-tables-"))
    work.mkdir(parents=True, exist_ok=True)
    files = build_real_set() if args.real_only else build(work, args.per_style, args.seed)
    print(f"{len(files)} files in {work}")
    predicted, seconds, n_tables = ours(files)
    results = {"ours": predicted}
    if args.layout:
        results["ours+layout"] = ours(files, regions=True)[0]
    peer_seconds = {}
    if args.peers and Path(args.peers).exists():
        img2table, camelot, peer_seconds = peers(files, args.peers, work)
        results["img2table"] = img2table
        results["camelot"] = camelot
    report(files, results)
    print(f"table building: {1000 * seconds / max(n_tables, 1):.1f} ms per table "
          f"({n_tables} tables, {len(files)} inputs, recognition excluded; target <= 50 ms)")
    if peer_seconds:
        total = sum(peer_seconds.values())
        print(f"img2table: {total / len(peer_seconds):.2f} s per image, its OCR included")


if __name__ == "__main__":
    from _record import run

    run(main)
