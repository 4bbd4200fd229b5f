"""Render the overlay PNGs shown in the README into docs/images/.

Run from the repository root after the samples or the plotting code change:

    python tools/render_readme_images.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import wxocr_pandas  # noqa: E402,F401  (registers .wxocr)

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
    plt.close("all")
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
