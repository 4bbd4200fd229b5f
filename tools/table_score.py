"""Score table structure the ICDAR 2013 way: adjacency relations between neighbouring
non-empty cells, plus cells at the right (row, col) and exact row/column counts.

A table is a list of cells ``{"row", "col", "row_span", "col_span", "text"}``. Its
relations are, for each non-empty cell and each row (column) it covers, the nearest
non-empty cell to its right (below), skipping empty cells: ``(text, text, "h" | "v")``.
Texts are compared without whitespace and case, and two texts match when their Levenshtein
distance is at most :data:`TOLERANCE` of the longer one (at least one edit for texts of 5
characters or more), so one misread character does not break a relation. Relations are
pooled per image (all its tables) and matched one to one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from rapidfuzz.distance import Levenshtein

#: Share of the longer text that may differ for two cell texts to match.
TOLERANCE = 0.15


def normalize(text: object) -> str:
    """Lower case, NFKC, no whitespace.

    Examples
    --------
    >>> normalize(" Unit  Price ")
    'unitprice'
    """
    if text is None or text != text:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def same(a: str, b: str) -> bool:
    """Two normalized texts match within the tolerance."""
    if a == b:
        return True
    longest = max(len(a), len(b))
    allowed = max(int(TOLERANCE * longest), 1 if longest >= 5 else 0)
    return Levenshtein.distance(a, b, score_cutoff=allowed) <= allowed


def grid(cells: list[dict]) -> dict[tuple[int, int], int]:
    """(row, col) -> index of the cell covering it."""
    out = {}
    for k, cell in enumerate(cells):
        for r in range(cell["row"], cell["row"] + cell["row_span"]):
            for c in range(cell["col"], cell["col"] + cell["col_span"]):
                out[(r, c)] = k
    return out


def relations(cells: list[dict]) -> list[tuple[str, str, str]]:
    """The adjacency relations of one table."""
    texts = [normalize(c["text"]) for c in cells]
    where = grid(cells)
    n_rows = max((r for r, _ in where), default=-1) + 1
    n_cols = max((c for _, c in where), default=-1) + 1
    found = set()
    for k, cell in enumerate(cells):
        if not texts[k]:
            continue
        # To the right along each row the cell covers, then down along each of its columns.
        for direction, lines, start, stop, place in (
                ("h", range(cell["row"], cell["row"] + cell["row_span"]),
                 cell["col"] + cell["col_span"], n_cols, lambda line, at: (line, at)),
                ("v", range(cell["col"], cell["col"] + cell["col_span"]),
                 cell["row"] + cell["row_span"], n_rows, lambda line, at: (at, line))):
            for line in lines:
                for at in range(start, stop):
                    other = where.get(place(line, at))
                    if other is not None and other != k and texts[other]:
                        found.add((k, other, direction))
                        break
    return [(texts[a], texts[b], d) for a, b, d in found]


def match_count(predicted: list[tuple[str, str, str]], truth: list[tuple[str, str, str]]) -> int:
    """Relations matched one to one: exact ones first, then within the tolerance."""
    left = Counter(truth)
    rest = []
    hits = 0
    for rel in predicted:
        if left[rel] > 0:
            left[rel] -= 1
            hits += 1
        else:
            rest.append(rel)
    pool = [rel for rel, n in left.items() for _ in range(n)]
    used = [False] * len(pool)
    for a, b, d in rest:
        for k, (ta, tb, td) in enumerate(pool):
            if not used[k] and td == d and same(a, ta) and same(b, tb):
                used[k] = True
                hits += 1
                break
    return hits


def score_image(predicted: list[list[dict]], truth: list[list[dict]]) -> dict:
    """Counts for one image: relations (predicted, true, matched), true non-empty cells
    and those at the right place, tables with exact row and column counts."""
    pred_rel = [r for table in predicted for r in relations(table)]
    true_rel = [r for table in truth for r in relations(table)]
    out = {"rel_pred": len(pred_rel), "rel_true": len(true_rel),
           "rel_hit": match_count(pred_rel, true_rel), "cells": 0, "cells_hit": 0,
           "tables": len(truth), "tables_exact": 0, "tables_found": len(predicted)}
    for table in truth:
        best = _best_table(table, predicted)
        out["cells"] += sum(1 for c in table if normalize(c["text"]))
        if best is None:
            continue
        where = grid(best)
        for cell in table:
            text = normalize(cell["text"])
            k = where.get((cell["row"], cell["col"]))
            if text and k is not None and same(text, normalize(best[k]["text"])):
                out["cells_hit"] += 1
        shape = lambda t: (max(c["row"] + c["row_span"] for c in t),  # noqa: E731
                           max(c["col"] + c["col_span"] for c in t))
        out["tables_exact"] += shape(table) == shape(best)
    return out


def _best_table(table: list[dict], predicted: list[list[dict]]) -> list[dict] | None:
    """The predicted table holding most of ``table``'s texts."""
    texts = Counter(normalize(c["text"]) for c in table if normalize(c["text"]))
    best, most = None, 0
    for candidate in predicted:
        found = Counter(normalize(c["text"]) for c in candidate)
        common = sum((texts & found).values())
        if common > most:
            best, most = candidate, common
    return best


def summarize(counts: list[dict]) -> dict:
    """Precision, recall and F1 of relations, share of cells placed right, share of exact
    tables, over a list of :func:`score_image` counts.

    Examples
    --------
    >>> cells = [{"row": 0, "col": c, "row_span": 1, "col_span": 1, "text": t}
    ...          for c, t in enumerate(["a", "b"])]
    >>> summarize([score_image([cells], [cells])])["f1"]
    1.0
    """
    total = Counter()
    for c in counts:
        total.update(c)
    p = total["rel_hit"] / total["rel_pred"] if total["rel_pred"] else 0.0
    r = total["rel_hit"] / total["rel_true"] if total["rel_true"] else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "cells": total["cells_hit"] / total["cells"] if total["cells"] else 0.0,
            "exact": total["tables_exact"] / total["tables"] if total["tables"] else 0.0,
            "n": len(counts)}


def _missing(value: object) -> bool:
    return value is None or value is getattr(__import__("pandas"), "NA") or value != value


def frame_tables(cells_frame) -> list[list[dict]]:
    """The tables of a :func:`wxocr_pandas.tables.cells` frame (one image) as cell lists."""
    out = []
    for _, part in cells_frame[cells_frame["errcode"] == 0].groupby("table", sort=True):
        out.append([{"row": int(r.row), "col": int(r.col), "row_span": int(r.row_span),
                     "col_span": int(r.col_span), "text": None if _missing(r.text) else str(r.text)} for r in part.itertuples()])
    return out
