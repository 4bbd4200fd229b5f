"""Run the peers of ``bench_tables.py`` in their own environment (never the package's).

    .bench-venv/bin/python benchmarks/_table_peers.py JOBS.json RESULTS.json

``JOBS.json`` is ``{"images": [path, ...], "pdfs": [path, ...]}``. Images go through
img2table at its best settings (its RapidOCR class on the bundled Chinese/English models,
``detect_rotation=True``, ``implicit_rows=True``, ``borderless_tables=True``); PDFs through
camelot, lattice and stream. Each result is ``{path: {"seconds": s, "pages": {page:
[table, ...]}}}``, a table being a list of cells ``{"row", "col", "row_span", "col_span",
"text"}`` (img2table repeats a spanning cell over the positions it covers; those positions
are folded back into one cell).
"""

from __future__ import annotations

import json
import sys
import time


def _img2table_cells(table) -> list[dict]:
    where: dict[tuple, list[tuple[int, int]]] = {}
    values = {}
    for r, row in enumerate(table.content.values()):
        for c, cell in enumerate(row):
            key = (cell.bbox.x1, cell.bbox.y1, cell.bbox.x2, cell.bbox.y2)
            where.setdefault(key, []).append((r, c))
            values[key] = cell.value
    cells = []
    for key, spots in where.items():
        rows = [r for r, _ in spots]
        cols = [c for _, c in spots]
        cells.append({"row": min(rows), "col": min(cols), "row_span": max(rows) - min(rows) + 1,
                      "col_span": max(cols) - min(cols) + 1, "text": values[key]})
    return cells


def run_img2table(paths: list[str]) -> dict:
    from img2table.document import Image
    from img2table.ocr import RapidOCR
    from rapidocr import LangRec

    ocr = RapidOCR(params={"Rec.lang_type": LangRec.CH})  # the models the wheel bundles
    out = {}
    for path in paths:
        start = time.perf_counter()
        found = Image(src=path, detect_rotation=True).extract_tables(
            ocr=ocr, implicit_rows=True, borderless_tables=True)
        seconds = time.perf_counter() - start
        found = found if isinstance(found, list) else [t for ts in found.values() for t in ts]
        out[path] = {"seconds": seconds, "pages": {"1": [_img2table_cells(t) for t in found]}}
    return out


def run_camelot(paths: list[str]) -> dict:
    import camelot

    out = {}
    for path in paths:
        for flavor in ("lattice", "stream"):
            start = time.perf_counter()
            try:
                found = camelot.read_pdf(path, pages="all", flavor=flavor)
            except Exception as exc:  # a peer's failure is a result, not a crash
                print(f"camelot {flavor} failed on {path}: {exc}", file=sys.stderr)
                found = []
            pages: dict[str, list] = {}
            for table in found:
                df = table.df
                cells = [{"row": r, "col": c, "row_span": 1, "col_span": 1,
                          "text": str(df.iat[r, c]).replace("\n", " ")}
                         for r in range(df.shape[0]) for c in range(df.shape[1])]
                pages.setdefault(str(table.page), []).append(cells)
            out[f"{path}#{flavor}"] = {"seconds": time.perf_counter() - start, "pages": pages}
    return out


def main() -> None:
    jobs = json.load(open(sys.argv[1]))
    results = {}
    if jobs.get("images"):
        results["img2table"] = run_img2table(jobs["images"])
    if jobs.get("pdfs"):
        results["camelot"] = run_camelot(jobs["pdfs"])
    json.dump(results, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
