"""The ``wxocr`` command. The only module that prints.

::

    wxocr recognize samples/*.png -o results.csv       # also .parquet, or .jsonl of raw answers
    wxocr recognize "scans/**/*.jpg" -o out.parquet --backend wechat
"""

from __future__ import annotations

import argparse
import glob
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .batch import recognize_results
from .errors import WxOcrError
from .export import write_jsonl
from .frame import explode

OUTPUT_SUFFIXES = (".csv", ".parquet", ".jsonl")


def expand(patterns: Sequence[str]) -> list[str]:
    """Expand glob patterns (``**`` included) the shell left alone; keep URLs and plain names.

    Examples
    --------
    >>> expand(["samples/sign.png", "https://example.com/a.png"])
    ['samples/sign.png', 'https://example.com/a.png']
    """
    images: list[str] = []
    for pattern in patterns:
        matches = [] if "://" in pattern else sorted(glob.glob(pattern, recursive=True))
        images.extend(matches or [pattern])
    return images


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wxocr", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("recognize", help="recognize images into a table of texts")
    rec.add_argument("images", nargs="+", help="image paths, glob patterns or http(s) URLs")
    rec.add_argument("-o", "--output", required=True, type=Path,
                     help=f"output file: {', '.join(OUTPUT_SUFFIXES)} (jsonl: raw answers)")
    rec.add_argument("--backend", default=None, help="local (default) or wechat")
    rec.add_argument("--errors", choices=("coerce", "raise"), default="coerce",
                     help="coerce: failed images become rows (default); raise: stop at the first")
    return parser


def _recognize(args: argparse.Namespace) -> int:
    suffix = args.output.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        print(f"wxocr: output must end in {', '.join(OUTPUT_SUFFIXES)}, not {args.output.name!r}",
              file=sys.stderr)
        return 2
    images = expand(args.images)
    results = recognize_results(images, args.backend, args.errors)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".jsonl":
        write_jsonl(args.output, images, results)
    else:
        frame = explode(pd.DataFrame({"image": images}), results)
        if suffix == ".csv":
            frame.to_csv(args.output, index=False)
        else:
            frame.to_parquet(args.output, index=False)
    failed = [r for r in results if not r.ok]
    texts = sum(len(r.items) for r in results)
    print(f"{len(images)} images, {texts} texts, {len(failed)} failed -> {args.output}")
    for result in failed:
        print(f"  failed: {result.errmsg}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``wxocr``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _recognize(args)
    except WxOcrError as exc:
        print(f"wxocr: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
