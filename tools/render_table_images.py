"""Render the README's table picture: a scanned price list with the cells found drawn over
it, beside the typed DataFrame that ``tables(numeric=True)`` gives.

Usage::

    PYTHONPATH=. python tools/render_table_images.py    # writes docs/images/table_scan.png
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import wxocr_pandas  # noqa: E402,F401
from wxocr_pandas.fonts import cjk_font_family  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    scan = ROOT / "samples" / "tables" / "price_list_scan.jpg"
    out = pd.DataFrame({"path": [str(scan)]}).wxocr.recognize("path", progress=False)
    [table] = out.wxocr.tables(numeric=True)
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
    out.wxocr.plot(row=0, tables=True, labels=False, color_by=None, ax=left)
    left.set_title("the scan (150 dpi, turned 0.9°, JPEG): cells found, header shaded")
    right.set_axis_off()
    shown = table.astype(str).replace("<NA>", "")
    cells = right.table(cellText=shown.values, colLabels=[f"{c}\n{t}" for c, t in
                                                            zip(table.columns, table.dtypes)],
                        loc="center", cellLoc="left")
    cells.auto_set_font_size(False)
    cells.set_fontsize(11)
    cells.scale(1, 2.0)
    for cell in cells.get_celld().values():
        cell.get_text().set_fontfamily(cjk_font_family() or "sans-serif")
    right.set_title("out.wxocr.tables(numeric=True)[0]", fontfamily="monospace")
    figure.savefig(ROOT / "docs" / "images" / "table_scan.png", dpi=110)


if __name__ == "__main__":
    main()
