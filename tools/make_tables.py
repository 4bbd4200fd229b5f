"""Render tables in the styles users scan, with their true cells: the table test set.

Each table is drawn from a seeded generator in one of :data:`STYLES`:

- ``grid``: every cell ruled; ``hrules``: rules only above and below the header and at the
  bottom (a financial or academic table); ``zebra``: shaded alternate rows, no rules;
  ``plain``: no lines at all; ``partial``: an outer frame and a rule under the header;
- ``spanning``: a ruled table with a two-level header (a group over two columns, a stub
  header over both header rows) and a row label over two rows;
- ``wrapped``: a ruled table whose description column wraps onto two or three lines;
- ``numbers``: right-aligned amounts (thousands separators, negatives in parentheses),
  rules above and below the header and at the bottom;
- ``chinese``: Chinese and English cells, ruled.

``pages`` puts tables among paragraphs (a table between two paragraphs, two tables, a page of
prose and no table). :func:`scan` degrades a rendering like a scan: 150 dpi, a 0.5-1.5 degree
turn, noise, JPEG quality 50.

The truth of a table is its cells ``{"row", "col", "row_span", "col_span", "text"}`` (a
wrapped cell's text with its lines joined by a space) and its box. Fonts come from
:mod:`wxocr_pandas.fonts` (``fonts-noto-cjk``); nothing is downloaded.

Usage::

    PYTHONPATH=. python tools/make_tables.py --out tables [--seed 0] [--per-style 3]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_samples import load_face  # noqa: E402

from wxocr_pandas.fonts import find_cjk_font  # noqa: E402

STYLES = ("grid", "hrules", "zebra", "plain", "partial", "spanning", "wrapped", "numbers",
          "chinese")
INK = (20, 20, 20)
WHITE = (255, 255, 255)

ITEMS_EN = ["Apples", "Pears", "Green tea", "Coffee beans", "Rice", "Olive oil", "Butter",
            "Flour", "Sugar", "Salt", "Honey", "Milk", "Cheese", "Yoghurt", "Oats", "Lentils",
            "Tomatoes", "Carrots", "Onions", "Garlic", "Lemons", "Oranges", "Bread", "Eggs"]
ITEMS_ZH = ["苹果", "梨", "绿茶", "咖啡豆", "大米", "橄榄油", "黄油", "面粉", "白糖", "食盐",
            "蜂蜜", "牛奶", "奶酪", "酸奶", "燕麦", "扁豆", "番茄", "胡萝卜", "洋葱", "大蒜"]
REGIONS = ["North", "South", "East", "West", "Central", "Coast", "Valley", "Hills"]
WORDS = ("fresh daily stock from local farms packed by hand in recycled boxes and shipped "
         "within two days of harvest sold by weight or in bundles of six").split()
PROSE_EN = ("Tables in reports carry the figures that readers look for first, and a scan turns "
            "them into pictures that no spreadsheet can read without help from recognition. ")
PROSE_ZH = "表格是报告中最重要的部分之一，扫描以后它们变成了图片，需要识别才能重新使用其中的数据。"


@dataclass
class TrueCell:
    row: int
    col: int
    row_span: int
    col_span: int
    text: str
    lines: list[str] = field(default_factory=list)
    align: str = "left"

    def truth(self) -> dict:
        return {"row": self.row, "col": self.col, "row_span": self.row_span,
                "col_span": self.col_span, "text": self.text}


@dataclass
class Spec:
    style: str
    n_rows: int
    n_cols: int
    cells: list[TrueCell]
    header_rows: int
    wrap_col: int | None = None


def _money(rng: random.Random, negative: bool = True) -> str:
    value = rng.randint(-40000, 250000) if negative else rng.randint(100, 250000)
    text = f"{abs(value):,}"
    return f"({text})" if value < 0 else text


def make_spec(style: str, rng: random.Random) -> Spec:
    """The cells of one table of ``style``."""
    n_body = rng.randint(4, 8)
    cells: list[TrueCell] = []
    if style == "spanning":
        n_cols = 5
        header = [TrueCell(0, 0, 2, 1, "Region"), TrueCell(0, 1, 1, 2, "2023"),
                  TrueCell(0, 3, 1, 2, "2024"), TrueCell(1, 1, 1, 1, "Units"),
                  TrueCell(1, 2, 1, 1, "Sales"), TrueCell(1, 3, 1, 1, "Units"),
                  TrueCell(1, 4, 1, 1, "Sales")]
        header = [TrueCell(c.row, c.col, c.row_span, c.col_span, c.text, align="center")
                  for c in header]
        cells += header
        regions = rng.sample(REGIONS, n_body)
        merged = rng.randrange(0, n_body - 1)
        for r in range(n_body):
            row = r + 2
            if r == merged + 1:
                pass
            elif r == merged:
                cells.append(TrueCell(row, 0, 2, 1, regions[r]))
            else:
                cells.append(TrueCell(row, 0, 1, 1, regions[r]))
            for c in range(1, 5):
                text = str(rng.randint(10, 999)) if c % 2 else f"{rng.randint(1000, 99999):,}"
                cells.append(TrueCell(row, c, 1, 1, text, align="right"))
        return Spec(style, n_body + 2, n_cols, cells, 2)
    if style == "wrapped":
        names = rng.sample(ITEMS_EN, n_body)
        cells += [TrueCell(0, c, 1, 1, t) for c, t in enumerate(["Item", "Description", "Qty", "Price"])]
        for r, name in enumerate(names, start=1):
            words = rng.sample(WORDS, rng.randint(3, 9))
            cells += [TrueCell(r, 0, 1, 1, name), TrueCell(r, 1, 1, 1, " ".join(words)),
                      TrueCell(r, 2, 1, 1, str(rng.randint(1, 40)), align="right"),
                      TrueCell(r, 3, 1, 1, f"{rng.randint(1, 300)}.{rng.randint(0, 99):02d}",
                               align="right")]
        return Spec(style, n_body + 1, 4, cells, 1, wrap_col=1)
    if style == "numbers":
        n_cols = rng.randint(3, 4)
        years = [str(2024 - k) for k in range(n_cols - 1)]
        cells += [TrueCell(0, 0, 1, 1, "Account")] + \
            [TrueCell(0, c + 1, 1, 1, y, align="right") for c, y in enumerate(years)]
        labels = rng.sample(["Revenue", "Cost of sales", "Gross profit", "Admin expenses",
                             "Selling costs", "Other income", "Finance costs", "Tax",
                             "Net profit", "Dividends", "Depreciation", "Interest"], n_body)
        for r, label in enumerate(labels, start=1):
            cells.append(TrueCell(r, 0, 1, 1, label))
            cells += [TrueCell(r, c, 1, 1, _money(rng), align="right") for c in range(1, n_cols)]
        return Spec(style, n_body + 1, n_cols, cells, 1)
    if style == "chinese":
        n_cols = 4
        head = ["商品 Item", "数量 Qty", "单价 Price", "产地 Origin"]
        cells += [TrueCell(0, c, 1, 1, t) for c, t in enumerate(head)]
        for r, name in enumerate(rng.sample(ITEMS_ZH, n_body), start=1):
            cells += [TrueCell(r, 0, 1, 1, name),
                      TrueCell(r, 1, 1, 1, f"{rng.randint(1, 50)}kg", align="right"),
                      TrueCell(r, 2, 1, 1, f"¥{rng.randint(2, 99)}.{rng.randint(0, 9)}0",
                               align="right"),
                      TrueCell(r, 3, 1, 1, rng.choice(["山东", "云南", "Chile", "浙江", "Spain",
                                                       "四川", "Kenya", "福建"]))]
        return Spec(style, n_body + 1, n_cols, cells, 1)
    n_cols = rng.randint(3, 5)
    head = ["Product", "Region", "Units", "Unit price", "Total"][:n_cols]
    cells += [TrueCell(0, c, 1, 1, t) for c, t in enumerate(head)]
    for r, name in enumerate(rng.sample(ITEMS_EN, n_body), start=1):
        units, price = rng.randint(1, 900), rng.randint(1, 99)
        row = [name, rng.choice(REGIONS), str(units), f"{price}.{rng.randint(0, 99):02d}",
               f"{units * price:,}.00"][:n_cols]
        cells += [TrueCell(r, c, 1, 1, t, align="right" if c >= 2 else "left")
                  for c, t in enumerate(row)]
    return Spec(style, n_body + 1, n_cols, cells, 1)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def draw_table(draw: ImageDraw.ImageDraw, spec: Spec, origin: tuple[int, int],
               font: ImageFont.FreeTypeFont, rng: random.Random) -> tuple[int, int, int, int]:
    """Draw ``spec`` with its top-left at ``origin``; return its box."""
    size = font.size
    pad_x, pad_y = int(size * 0.6), int(size * rng.uniform(0.35, 0.6))
    line_h = int(size * 1.3)
    wrap_width = size * 11
    widths = [size * 2.0] * spec.n_cols
    for cell in spec.cells:
        cell.lines = (_wrap(cell.text, font, wrap_width) if cell.col == spec.wrap_col
                      and cell.row >= spec.header_rows else [cell.text])
        if cell.col_span == 1:
            widths[cell.col] = max(widths[cell.col], max(font.getlength(t) for t in cell.lines))
    col_w = [int(w + 2 * pad_x) for w in widths]
    row_lines = [1] * spec.n_rows
    for cell in spec.cells:
        if cell.row_span == 1:
            row_lines[cell.row] = max(row_lines[cell.row], len(cell.lines))
    row_h = [n * line_h + 2 * pad_y for n in row_lines]
    xs = np.concatenate([[0], np.cumsum(col_w)]) + origin[0]
    ys = np.concatenate([[0], np.cumsum(row_h)]) + origin[1]
    style = spec.style
    if style == "zebra":
        for r in range(spec.n_rows):
            if r < spec.header_rows:
                draw.rectangle([xs[0], ys[r], xs[-1], ys[r + 1]], fill=(200, 215, 235))
            elif r % 2 == 0:
                draw.rectangle([xs[0], ys[r], xs[-1], ys[r + 1]], fill=(236, 236, 236))
    ruled = style in ("grid", "spanning", "wrapped", "chinese")
    width = max(1, size // 12)
    for cell in spec.cells:
        x0, x1 = xs[cell.col], xs[cell.col + cell.col_span]
        y0, y1 = ys[cell.row], ys[cell.row + cell.row_span]
        if ruled:
            draw.rectangle([x0, y0, x1, y1], outline=INK, width=width)
        top = y0 + (y1 - y0 - len(cell.lines) * line_h) / 2
        for k, text in enumerate(cell.lines):
            length = font.getlength(text)
            if cell.align == "right":
                x = x1 - pad_x - length
            elif cell.align == "center":
                x = (x0 + x1 - length) / 2
            else:
                x = x0 + pad_x
            draw.text((x, top + k * line_h + (line_h - size) / 2), text, font=font, fill=INK)
    if style in ("hrules", "numbers"):
        for y, w in ((ys[0], 2 * width), (ys[spec.header_rows], width), (ys[-1], 2 * width)):
            draw.line([(xs[0], y), (xs[-1], y)], fill=INK, width=w)
    if style == "partial":
        draw.rectangle([xs[0], ys[0], xs[-1], ys[-1]], outline=INK, width=width)
        draw.line([(xs[0], ys[spec.header_rows]), (xs[-1], ys[spec.header_rows])], fill=INK,
                  width=width)
    return int(xs[0]), int(ys[0]), int(xs[-1]), int(ys[-1])


def _paragraph(draw: ImageDraw.ImageDraw, font: ImageFont.FreeTypeFont, xy: tuple[int, int],
               width: int, lines: int, chinese: bool) -> int:
    text = (PROSE_ZH if chinese else PROSE_EN) * 4
    y = xy[1]
    if chinese:
        chunks, line = [], ""
        for ch in text:
            if font.getlength(line + ch) > width:
                chunks.append(line)
                line = ""
            line += ch
    else:
        chunks = _wrap(text, font, width)
    for line in chunks[:lines]:
        draw.text((xy[0], y), line, font=font, fill=INK)
        y += int(font.size * 1.5)
    return y


def render(style: str, seed: int, *, font_size: int = 28) -> tuple[Image.Image, dict]:
    """One table of ``style`` on a white page (300 dpi scale) and its truth."""
    rng = random.Random(f"{style}-{seed}")
    face = load_face(find_cjk_font(), font_size)
    spec = make_spec(style, rng)
    page = Image.new("RGB", (2400, 1800), WHITE)
    draw = ImageDraw.Draw(page)
    box = draw_table(draw, spec, (80, 80), face, rng)
    crop = (0, 0, min(box[2] + 80, 2400), min(box[3] + 80, 1800))
    truth = {"style": style, "tables": [{"box": list(box),
                                          "cells": [c.truth() for c in spec.cells]}]}
    return page.crop(crop), truth


class PdfCanvas:
    """The three drawing calls :func:`draw_table` makes, drawn into a matplotlib figure of
    ``size`` pixels at 300 dpi, saved as a PDF with a text layer (TrueType text, vector
    lines): a born-digital copy of a rendered table."""

    def __init__(self, size: tuple[int, int]) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.font_manager import FontProperties

        plt.rcParams["pdf.fonttype"] = 42
        self.size = size
        self.figure = plt.figure(figsize=(size[0] / 300, size[1] / 300))
        self._font = FontProperties(fname=str(find_cjk_font()))

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return x / self.size[0], 1 - y / self.size[1]

    def rectangle(self, box, fill=None, outline=None, width=1) -> None:
        from matplotlib.patches import Rectangle

        (x0, y0), (x1, y1) = self._xy(box[0], box[3]), self._xy(box[2], box[1])
        self.figure.add_artist(Rectangle((x0, y0), x1 - x0, y1 - y0, transform=self.figure.transFigure,
                                         facecolor=np.array(fill) / 255 if fill else "none",
                                         edgecolor=np.array(outline) / 255 if outline else "none",
                                         linewidth=width * 72 / 300))

    def line(self, points, fill=INK, width=1) -> None:
        from matplotlib.lines import Line2D

        (x0, y0), (x1, y1) = (self._xy(*p) for p in points)
        self.figure.add_artist(Line2D([x0, x1], [y0, y1], transform=self.figure.transFigure,
                                      color=np.array(fill) / 255, linewidth=width * 72 / 300))

    def text(self, xy, text, font=None, fill=INK) -> None:
        x, y = self._xy(*xy)
        self.figure.text(x, y, text, va="top", fontproperties=self._font,
                         size=font.size * 72 / 300, color=np.array(fill) / 255)

    def save(self, path: Path) -> None:
        import matplotlib.pyplot as plt

        self.figure.savefig(path)
        plt.close(self.figure)


def render_pdf(style: str, seed: int, path: Path, *, font_size: int = 28) -> dict:
    """The table :func:`render` draws, as a one-page PDF with a text layer; its truth."""
    image, truth = render(style, seed, font_size=font_size)
    rng = random.Random(f"{style}-{seed}")
    spec = make_spec(style, rng)
    canvas = PdfCanvas(image.size)
    draw_table(canvas, spec, (80, 80), load_face(find_cjk_font(), font_size), rng)
    canvas.save(path)
    return truth


def render_page(kind: str, seed: int, *, font_size: int = 26) -> tuple[Image.Image, dict]:
    """A page with paragraphs and tables: ``"between"`` (a table between paragraphs),
    ``"two"`` (two tables), ``"prose"`` (no table)."""
    rng = random.Random(f"page-{kind}-{seed}")
    face = load_face(find_cjk_font(), font_size)
    page = Image.new("RGB", (1800, 2300), WHITE)
    draw = ImageDraw.Draw(page)
    chinese = seed % 2 == 1
    y = _paragraph(draw, face, (100, 100), 1600, 5, chinese) + 60
    tables = []
    if kind == "prose":
        _paragraph(draw, face, (100, y), 1600, 18, chinese)
    else:
        for k in range(2 if kind == "two" else 1):
            spec = make_spec(rng.choice(["grid", "hrules", "plain", "zebra", "numbers"]), rng)
            box = draw_table(draw, spec, (100, y), face, rng)
            tables.append({"box": list(box), "cells": [c.truth() for c in spec.cells]})
            y = box[3] + 60
            y = _paragraph(draw, face, (100, y), 1600, 4, chinese) + 60
    return page.crop((0, 0, 1800, min(y + 60, 2300))), {"style": f"page-{kind}", "tables": tables}


def scan(image: Image.Image, seed: int) -> tuple[Image.Image, float]:
    """``image`` (drawn at 300 dpi) degraded like a 150 dpi scan; returns it and its turn
    in degrees."""
    rng = random.Random(f"scan-{seed}")
    angle = rng.uniform(0.5, 1.5) * rng.choice([-1, 1])
    small = image.resize((image.width // 2, image.height // 2), Image.LANCZOS)
    turned = small.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=WHITE)
    pixels = np.asarray(turned, dtype=np.float64)
    noise = np.random.default_rng(seed).normal(0, 12, pixels.shape)
    noisy = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG", quality=50)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), angle


def render_sample() -> Image.Image:
    """``samples/tables/grid.png``: the small ruled table of the docstring examples."""
    rows = [("Item", "Qty", "Price"), ("Green tea", "2", "12.50"), ("Rice", "1", "8.00"),
            ("Honey", "3", "21.90")]
    spec = Spec("grid", 4, 3, [TrueCell(r, c, 1, 1, t, align="right" if c and r else "left")
                               for r, row in enumerate(rows) for c, t in enumerate(row)], 1)
    page = Image.new("RGB", (520, 300), WHITE)
    box = draw_table(ImageDraw.Draw(page), spec, (30, 30), load_face(find_cjk_font(), 26),
                     random.Random(0))
    return page.crop((0, 0, box[2] + 30, box[3] + 30))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("tables"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-style", type=int, default=3)
    parser.add_argument("--sample", action="store_true",
                        help="write samples/tables/grid.png (the docstrings' table) and stop")
    args = parser.parse_args()
    if args.sample:
        render_sample().save(Path(__file__).resolve().parents[1] / "samples/tables/grid.png")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    truth = {}
    for style in STYLES:
        for k in range(args.per_style):
            image, table = render(style, args.seed + k)
            for variant, picture in (("clean", image), ("scan", scan(image, args.seed + k)[0])):
                name = f"{style}-{k}-{variant}.{'png' if variant == 'clean' else 'jpg'}"
                picture.save(args.out / name)
                truth[name] = table
    (args.out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
