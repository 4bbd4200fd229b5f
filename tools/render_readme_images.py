"""Render the overlay PNGs shown in the README into docs/images/.

Run from the repository root after the samples or the plotting code change:

    python tools/render_readme_images.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from PIL import Image  # noqa: E402

import wxocr_pandas  # noqa: E402  (registers .wxocr)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"
NAMES = ["receipt", "receipt2", "screenshot", "document", "two_columns", "sign"]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({"path": [f"samples/{name}.png" for name in NAMES]}, index=NAMES)
    out = frame.wxocr.recognize("path")

    ax = out.wxocr.plot(row="receipt", highlight="score < 0.95")
    ax.figure.savefig(OUT / "receipt_overlay.png", dpi=80)
    axes = out.wxocr.plot_grid(ncols=3)
    axes[0].figure.savefig(OUT / "grid.png", dpi=60)
    axes = out.wxocr.plot_side_by_side(row="two_columns")
    axes[0].figure.savefig(OUT / "side_by_side.png", dpi=70)
    # Item-level comparison: the receipt as it is, and blurred (a quarter of the resolution,
    # scaled back up, so the boxes stay comparable).
    sharp = Image.open(ROOT / "samples" / "receipt.png").convert("RGB")
    blurred = sharp.resize((sharp.width // 4, sharp.height // 4), Image.BILINEAR).resize(sharp.size)
    sharp_out = pd.DataFrame({"image": [np.asarray(sharp)]}).wxocr.recognize("image")
    blurred_out = pd.DataFrame({"image": [np.asarray(blurred)]}).wxocr.recognize("image")
    axes = wxocr_pandas.plot_matches(sharp_out, blurred_out, names=("sharp", "blurred"), fontsize=12)
    axes[0].figure.savefig(OUT / "matches.png", dpi=80)
    plt.close("all")
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
