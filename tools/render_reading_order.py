"""Render the README's reading-order picture: a multi-column page, its blocks numbered.

A two-column English paper page from ``tools/make_pages.py`` (running header, title, a
figure across the columns, footnotes, footer) is recognized by the local engine; each block of
``blocks()`` is drawn as a box coloured by kind with its number in reading order.

Run from the repository root after the layout code changes::

    python tools/render_reading_order.py   # writes docs/images/reading_order.png
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_pages  # noqa: E402

import wxocr_pandas  # noqa: E402,F401  (registers .wxocr)
from wxocr_pandas.frame import CORNER_COLUMNS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "reading_order.png"
COLOURS = {"header": "#7f7f7f", "title": "#d62728", "text": "#1f77b4", "caption": "#2ca02c",
           "note": "#9467bd", "footnote": "#8c564b", "footer": "#7f7f7f"}


def main() -> None:
    page = make_pages.make_page(1, template="paper", lang="en", degrade="clean")
    image = make_pages.render(page)
    out = pd.DataFrame({"image": [image]}).wxocr.recognize("image")
    found = out.wxocr.blocks()
    fig, ax = plt.subplots(figsize=(7, 9.8))
    ax.imshow(np.asarray(image))
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
    ax.set_title("blocks() in reading order", fontsize=10)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=80)
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
