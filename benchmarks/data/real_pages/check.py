"""Validate the real-page reading-order set.

Run from anywhere: ``python check.py`` (needs Pillow). Loads every truth/*.json,
checks the schema and that each image opens, and prints counts per kind and
language and the total number of characters. Exit status 1 on any problem.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent
KINDS = {"newspaper", "exam", "report", "paper", "magazine", "textbook", "book", "slides", "form", "other"}
LANGS = {"zh", "en", "mixed"}
BLOCK_KINDS = {"title", "text", "header", "footer", "caption", "table", "figure_text", "list", "note", "equation"}
REQUIRED = {"id": str, "file": str, "kind": str, "language": str, "vertical": bool,
            "source": str, "licence": str, "blocks": list}


def check_page(path: Path) -> tuple[list[str], dict]:
    """Return (problems, truth) for one truth file."""
    problems: list[str] = []
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{path.name}: unreadable JSON ({exc})"], {}
    for key, typ in REQUIRED.items():
        if not isinstance(truth.get(key), typ):
            problems.append(f"{path.name}: field {key!r} missing or not {typ.__name__}")
    if problems:
        return problems, truth
    if truth["id"] != path.stem:
        problems.append(f"{path.name}: id {truth['id']!r} does not match the file name")
    if truth["kind"] not in KINDS:
        problems.append(f"{path.name}: kind {truth['kind']!r} not in {sorted(KINDS)}")
    if truth["language"] not in LANGS:
        problems.append(f"{path.name}: language {truth['language']!r} not in {sorted(LANGS)}")
    if not truth["blocks"]:
        problems.append(f"{path.name}: no blocks")
    for i, block in enumerate(truth["blocks"]):
        if not isinstance(block, dict) or block.get("kind") not in BLOCK_KINDS:
            problems.append(f"{path.name}: block {i} has bad kind {block.get('kind') if isinstance(block, dict) else block!r}")
            continue
        lines = block.get("lines")
        if not isinstance(lines, list) or not lines or not all(isinstance(x, str) and x.strip() for x in lines):
            problems.append(f"{path.name}: block {i} needs a non-empty list of non-empty lines")
    image = ROOT / truth["file"]
    try:
        with Image.open(image) as im:
            im.load()
            size = im.size
        if max(size) > 2500:
            problems.append(f"{path.name}: image long side {max(size)} > 2500")
        truth["_size"] = size
    except OSError as exc:
        problems.append(f"{path.name}: image {truth['file']!r} does not open ({exc})")
    return problems, truth


def main() -> int:
    files = sorted((ROOT / "truth").glob("*.json"))
    problems: list[str] = []
    pages = []
    for path in files:
        p, truth = check_page(path)
        problems += p
        if truth:
            pages.append(truth)
    referenced = {t.get("file") for t in pages}
    for image in sorted(ROOT.glob("*")):
        if image.suffix.lower() in {".jpg", ".jpeg", ".png"} and image.name not in referenced:
            problems.append(f"{image.name}: image has no truth file")
    chars = {t["id"]: sum(len(line) for b in t["blocks"] for line in b["lines"]) for t in pages}
    by_kind = Counter(t["kind"] for t in pages)
    by_lang = Counter(t["language"] for t in pages)
    size_mb = sum(f.stat().st_size for f in ROOT.iterdir() if f.suffix.lower() in {".jpg", ".jpeg", ".png"}) / 1e6
    print(f"pages: {len(pages)}   vertical: {sum(t['vertical'] for t in pages)}   images: {size_mb:.1f} MB")
    print("per kind:    " + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())))
    print("per language: " + ", ".join(f"{k} {n}" for k, n in sorted(by_lang.items())))
    for kind in sorted(by_kind):
        ids = [t["id"] for t in pages if t["kind"] == kind]
        print(f"  {kind:9s} {sum(chars[i] for i in ids):6d} chars  ({', '.join(ids)})")
    print(f"total characters: {sum(chars.values())}")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
