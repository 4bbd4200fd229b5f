"""Render the README's reading-order pictures: pages with their blocks numbered.

Two pages are recognized by the local engine, and each block of ``blocks()`` (with the
default layout model) is drawn as a box coloured by kind with its number in reading order:

- ``docs/images/reading_order.png``: a two-column English paper page from
  ``tools/make_pages.py`` (running header, title, a figure across the columns, footnotes,
  footer);
- ``docs/images/reading_order_real.jpg``: a real page of ``benchmarks/data/real_pages``
  (``zh-magazine-01``, a degraded trade-magazine page: three columns, a photo under the first
  two with its caption, the third running down beside it).

Run from the repository root after the layout code changes::

    python tools/render_reading_order.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from PIL import Image  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_pages  # noqa: E402

import wxocr_pandas  # noqa: E402,F401  (registers .wxocr)
from wxocr_pandas.frame import CORNER_COLUMNS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "reading_order.png"
REAL_OUT = ROOT / "docs" / "images" / "reading_order_real.jpg"
REAL_PAGE = ROOT / "benchmarks" / "data" / "real_pages" / "zh-magazine-01.jpg"
COLOURS = {"header": "#7f7f7f", "title": "#d62728", "text": "#1f77b4", "caption": "#2ca02c",
           "figure": "#e377c2", "table": "#17becf", "note": "#9467bd", "footnote": "#8c564b",
           "footer": "#7f7f7f"}


def draw(image, found: pd.DataFrame, out: Path, title: str, size: tuple[float, float]) -> None:
    """Draw ``found`` (a ``blocks()`` frame of ``image``) numbered in reading order to ``out``."""
    fig, ax = plt.subplots(figsize=size)
    ax.imshow(np.asarray(image.convert("RGB")))
    quads = found[list(CORNER_COLUMNS)].to_numpy().reshape(-1, 4, 2)
    colours = [COLOURS.get(kind, "#ff7f0e") for kind in found["kind"]]
    ax.add_collection(PolyCollection(quads, facecolors="none", edgecolors=colours, linewidths=1.5))
    for number, (quad, colour) in enumerate(zip(quads, colours), start=1):
        ax.text(quad[0, 0] - 6, quad[0, 1] + 4, str(number), color="white", fontsize=8,
                ha="right", va="top", bbox={"boxstyle": "round,pad=0.15", "fc": colour, "ec": "none"})
    handles = [plt.Line2D([], [], color=c, lw=3, label=k) for k, c in COLOURS.items()
               if k in set(found["kind"])]
    ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.9)
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=80, **({"pil_kwargs": {"quality": 80}} if out.suffix == ".jpg" else {}))
    plt.close(fig)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KiB")


def main() -> None:
    page = make_pages.make_page(1, template="paper", lang="en", degrade="clean")
    image = make_pages.render(page)
    out = pd.DataFrame({"image": [image]}).wxocr.recognize("image")
    draw(image, out.wxocr.blocks(), OUT, "blocks() in reading order", (7, 9.8))
    real = pd.DataFrame({"path": [str(REAL_PAGE)]}).wxocr.recognize("path")
    draw(Image.open(REAL_PAGE), real.wxocr.blocks(),
         REAL_OUT, "a real page: blocks() in reading order", (7, 9.4))


if __name__ == "__main__":
    main()
