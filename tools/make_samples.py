"""Render the bundled sample images in ``samples/`` and their expected text.

Each image is drawn with Pillow from a list of text runs (one run = one string
drawn with one ``draw.text`` call) in reading order. Beside the images the script
writes ``expected.json``, mapping each file name to a list of
``{"text": str, "box": [x0, y0, x1, y1]}``, where ``box`` is the ink bounding box
of the run from ``draw.textbbox``.

The content was tuned so that the plain RapidOCR engine reads every run as exactly
one item with exactly the expected text. The output is deterministic: the same
font file gives the same bytes.

Usage::

    PYTHONPATH=. python tools/make_samples.py [--out samples]
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from wxocr_pandas.fonts import find_cjk_font

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]

BLACK: Color = (20, 20, 20)
GREY: Color = (90, 90, 90)
WHITE: Color = (255, 255, 255)
PAPER: Color = (250, 248, 242)


@dataclass(frozen=True)
class Run:
    """One string drawn with one ``draw.text`` call.

    ``anchor`` follows Pillow's text anchors: ``"la"`` puts the left/ascender
    corner at ``xy``, ``"ra"`` right-aligns, ``"ma"`` centres horizontally and
    ``"mm"`` centres both ways.
    """

    text: str
    xy: tuple[int, int]
    size: int = 26
    fill: Color = BLACK
    anchor: str = "la"
    bold: bool = False

    @property
    def stroke_width(self) -> int:
        """Outline width that fakes a bold face (0 for regular text)."""
        return max(1, self.size // 40) if self.bold else 0


@dataclass(frozen=True)
class Rect:
    """A filled (optionally rounded) rectangle drawn before the text."""

    box: Box
    fill: Color
    radius: int = 0


@dataclass(frozen=True)
class Sample:
    """One sample image: canvas, background shapes and text runs in reading order."""

    name: str
    size: tuple[int, int]
    background: Color
    runs: tuple[Run, ...]
    rects: tuple[Rect, ...] = field(default=())


Item = tuple[str, str, str]  # name, "quantity x unit price", amount


def receipt_runs(
    shop: str, stamp: str, items: list[Item], total: str, payment: str, width: int
) -> tuple[Run, ...]:
    """Lay out a narrow shop receipt: names left-aligned, amounts right-aligned."""
    left, middle, right, centre = 40, 210, width - 40, width // 2
    runs = [Run(shop, (centre, 40), size=36, anchor="ma", bold=True)]
    runs.append(Run(stamp, (centre, 104), size=24, fill=GREY, anchor="ma"))
    y = 190
    for name, quantity, amount in items:
        runs += [
            Run(name, (left, y)),
            Run(quantity, (middle, y)),
            Run(amount, (right, y), anchor="ra"),
        ]
        y += 58
    y += 40
    runs += [
        Run("合计", (left, y), size=30, bold=True),
        Run(total, (right, y), size=30, anchor="ra", bold=True),
    ]
    y += 70
    runs += [Run(payment, (left, y)), Run(total, (right, y), anchor="ra")]
    runs.append(Run("谢谢惠顾", (centre, y + 100), size=24, fill=GREY, anchor="ma"))
    return tuple(runs)


def receipt_rules(runs: tuple[Run, ...], width: int) -> tuple[Rect, ...]:
    """Thin horizontal rules above the first item line and above the total line."""
    first_item, total_line = runs[2].xy[1], next(r.xy[1] for r in runs if r.text == "合计")
    return tuple(Rect((40, y, width - 40, y + 2), GREY) for y in (first_item - 30, total_line - 30))


def receipt(
    name: str, shop: str, stamp: str, items: list[Item], total: str, payment: str
) -> Sample:
    """Build a receipt sample 560 px wide, as tall as its content."""
    width = 560
    runs = receipt_runs(shop, stamp, items, total, payment, width)
    return Sample(name, (width, runs[-1].xy[1] + 90), PAPER, runs, receipt_rules(runs, width))


def screenshot() -> Sample:
    """Build an app settings window: blue header bar, mixed Chinese/English text, two buttons."""
    blue: Color = (22, 119, 255)
    runs = (
        Run("设置 Settings", (40, 24), size=30, fill=WHITE),
        Run("账户信息", (40, 120), size=28, bold=True),
        Run("Account", (40, 170), size=24, fill=GREY),
        Run("上传图片后即可识别文字", (40, 240)),
        Run("Upload an image to extract its text", (40, 290)),
        Run("识别结果会保存为表格", (40, 340)),
        Run("保存 Save", (140, 475), fill=WHITE, anchor="mm"),
        Run("取消 Cancel", (400, 475), anchor="mm"),
    )
    rects = (
        Rect((0, 0, 720, 84), blue),
        Rect((40, 440, 240, 510), blue, radius=10),
        Rect((290, 440, 510, 510), (225, 228, 232), radius=10),
    )
    return Sample("screenshot.png", (720, 560), (245, 247, 250), runs, rects)


def document() -> Sample:
    """Build a printed English page: a title and a six-line paragraph."""
    lines = (
        "Optical character recognition turns pictures of",
        "printed or written text into strings that a",
        "computer can search, edit and analyse. Each",
        "recognised line comes with a bounding box and",
        "a confidence score, which makes it easy to put",
        "the results into a table for further work.",
    )
    title = Run("Reading Text from Images", (60, 50), size=36, bold=True)
    body = tuple(Run(line, (60, 140 + 52 * i)) for i, line in enumerate(lines))
    return Sample("document.png", (700, 500), WHITE, (title, *body))


def two_columns() -> Sample:
    """Build a two-column Chinese page: the left column must be read before the right."""
    left = (
        "春天来了",
        "河边的柳树发芽了",
        "小草从土里钻出来",
        "燕子飞回了北方",
        "孩子们在田野里放风筝",
    )
    right = ("夏天到了", "池塘里开满荷花", "知了在树上唱歌", "西瓜又大又甜", "晚上可以看星星")
    runs = tuple(
        Run(text, (x, 60 + 60 * i), size=30 if i == 0 else 26, bold=i == 0)
        for x, column in ((50, left), (440, right))
        for i, text in enumerate(column)
    )
    return Sample("two_columns.png", (800, 400), WHITE, runs, (Rect((399, 50, 401, 340), GREY),))


def sign() -> Sample:
    """Build a red warning sign: a large bold Chinese phrase with an English line under it."""
    runs = (
        Run("小心地滑", (400, 90), size=96, fill=WHITE, anchor="ma", bold=True),
        Run("Caution Wet Floor", (400, 260), size=40, fill=WHITE, anchor="ma"),
    )
    return Sample("sign.png", (800, 400), (200, 30, 40), runs)


def samples() -> tuple[Sample, ...]:
    """All bundled samples."""
    return (
        receipt(
            "receipt.png",
            "阳光便利店",
            "2026-11-03 14:25",
            [
                ("牛奶", "2 x 6.50", "13.00"),
                ("面包", "1 x 8.00", "8.00"),
                ("苹果", "3 x 4.20", "12.60"),
                ("矿泉水", "4 x 2.00", "8.00"),
            ],
            "41.60",
            "微信支付",
        ),
        screenshot(),
        document(),
        two_columns(),
        sign(),
        receipt(
            "receipt2.png",
            "城南超市",
            "2026-12-18 09:40",
            [
                ("鸡蛋", "1 x 15.80", "15.80"),
                ("大米", "2 x 32.50", "65.00"),
                ("酱油", "1 x 9.90", "9.90"),
            ],
            "90.70",
            "支付宝",
        ),
    )


@functools.cache
def load_face(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """Open ``path`` at ``size``, preferring the Simplified Chinese face of a collection."""
    index = 0
    while True:
        try:
            face = ImageFont.truetype(str(path), size, index=index)
        except OSError:
            return ImageFont.truetype(str(path), size)
        if "SC" in (face.getname()[0] or ""):
            return face
        index += 1


def render(sample: Sample, font_path: Path) -> tuple[Image.Image, list[dict[str, object]]]:
    """Draw ``sample`` and return the image with its expected runs."""
    image = Image.new("RGB", sample.size, sample.background)
    draw = ImageDraw.Draw(image)
    for rect in sample.rects:
        draw.rounded_rectangle(rect.box, radius=rect.radius, fill=rect.fill)
    expected: list[dict[str, object]] = []
    for run in sample.runs:
        font = load_face(font_path, run.size)
        stroke = run.stroke_width
        draw.text(
            run.xy,
            run.text,
            fill=run.fill,
            font=font,
            anchor=run.anchor,
            stroke_width=stroke,
            stroke_fill=run.fill,
        )
        bbox = draw.textbbox(run.xy, run.text, font=font, anchor=run.anchor, stroke_width=stroke)
        box = [int(v) for v in bbox]
        expected.append({"text": run.text, "box": box})
    return image, expected


def dump_expected(expected: dict[str, list[dict[str, object]]]) -> str:
    """Format ``expected.json`` with one text run per line, so diffs stay readable."""
    files = []
    for name, runs in expected.items():
        lines = ",\n".join(f"    {json.dumps(run, ensure_ascii=False)}" for run in runs)
        files.append(f"  {json.dumps(name)}: [\n{lines}\n  ]")
    return "{\n" + ",\n".join(files) + "\n}\n"


def main() -> None:
    """Write every sample PNG and ``expected.json`` to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path("samples"), help="output folder (default: samples)"
    )
    args = parser.parse_args()
    font_path = find_cjk_font()
    if font_path is None:
        sys.exit("No CJK font found: install one, e.g. `apt-get install fonts-noto-cjk`.")
    args.out.mkdir(parents=True, exist_ok=True)
    expected: dict[str, list[dict[str, object]]] = {}
    for sample in samples():
        image, expected[sample.name] = render(sample, font_path)
        image.save(args.out / sample.name, optimize=True)
        print(f"wrote {args.out / sample.name}")
    (args.out / "expected.json").write_text(dump_expected(expected), encoding="utf-8")
    print(f"wrote {args.out / 'expected.json'} (font: {font_path})")


if __name__ == "__main__":
    main()
