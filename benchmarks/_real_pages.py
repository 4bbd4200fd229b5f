"""The real page set (``benchmarks/data/real_pages``) and its OCR answers, cached by file hash.

Each page is an image with a hand-checked reading-order truth (see the set's README.md). The
local engine reads each image once; its answer is kept as JSON under ``cache`` (named by the
SHA-256 of the image), so ordering methods can be compared in seconds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parent / "data" / "real_pages"


@dataclass(frozen=True)
class RealPage:
    """One page: its id, kind, image path, truth blocks (kind, lines) and flags."""

    id: str
    kind: str
    language: str
    vertical: bool
    path: Path
    blocks: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def truth(self) -> str:
        """The truth lines in reading order, one per line."""
        return "\n".join(line for _, lines in self.blocks for line in lines)

    @property
    def truth_lines(self) -> list[str]:
        return [line for _, lines in self.blocks for line in lines]


def load_pages(folder: Path = DATA) -> list[RealPage]:
    """All pages of the set, sorted by id."""
    pages = []
    for path in sorted((folder / "truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        pages.append(RealPage(truth["id"], truth["kind"], truth["language"], truth["vertical"],
                              folder / truth["file"],
                              tuple((b["kind"], tuple(b["lines"])) for b in truth["blocks"])))
    return pages


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:20]


def recognize(pages: list[RealPage], cache: Path | None) -> pd.DataFrame:
    """The exploded OCR frame of ``pages`` (indexed by page id), read from ``cache`` where
    there and written there otherwise."""
    from wxocr_pandas import LocalBackend, OcrResult
    from wxocr_pandas.frame import explode
    from wxocr_pandas.images import as_source

    backend = None
    results = []
    for page in pages:
        stored = cache / f"{digest(page.path)}.json" if cache else None
        if stored is not None and stored.exists():
            result = OcrResult.from_json(stored.read_text(encoding="utf-8"))
        else:
            backend = backend or LocalBackend()
            result = backend.recognize(as_source(page.path))
            if stored is not None:
                stored.parent.mkdir(parents=True, exist_ok=True)
                stored.write_text(result.to_json(), encoding="utf-8")
        results.append(result)
    ids = [page.id for page in pages]
    return explode(pd.DataFrame({"path": [str(p.path) for p in pages]}, index=ids), results,
                   image="path")


def oracle_order(items: list[str], truth: str) -> list[int]:
    """The items' positions sorted by where each aligns in ``truth`` (both normalized):
    the best order of the OCR's own items, so its CER is what recognition alone costs.

    Long items claim their span of the truth first, so that a short item ("1", "the") is
    placed where it is not already covered by a longer one.
    """
    from rapidfuzz import fuzz

    from wxocr_pandas.evaluate import normalize

    rest = list(normalize(truth))
    where = [0.0] * len(items)
    for k in sorted(range(len(items)), key=lambda k: -len(normalize(items[k]))):
        text = normalize(items[k])
        if not text:
            continue
        found = fuzz.partial_ratio_alignment(text, "".join(rest))
        where[k] = found.dest_start + 1e-6 * k
        if found.score >= 50:
            rest[found.dest_start:found.dest_end] = "\0" * (found.dest_end - found.dest_start)
    return sorted(range(len(items)), key=where.__getitem__)
