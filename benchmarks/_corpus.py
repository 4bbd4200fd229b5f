"""Image sets with known text for the speed and accuracy benchmarks.

Three sets, each a list of ``(path, truth)`` with ``truth`` the text drawn on the image:

- ``small``: 24 distinct small images, margin variants of ``samples/`` (receipts, a screenshot,
  a sign, a document crop, two columns);
- ``degraded``: the samples blurred, saved as JPEG at quality 30, shrunk to small fonts, and
  "photographed off a screen" (perspective, a light gradient, moire and sensor noise);
- ``pages``: document pages of 1240 x 1754 pixels (A4 at 150 dpi), paragraphs of Chinese and
  English at several sizes, some of them scanned-looking (gray paper, slight rotation, noise).

Everything is rendered here from a fixed seed; nothing is downloaded.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from _images import SAMPLE_NAMES, SAMPLES, sample_variants
from wxocr_pandas.fonts import find_cjk_font

Labelled = list[tuple[Path, str]]

_WORDS_EN = ("invoice total amount paid order number customer service delivery date "
             "payment received balance account statement quarterly revenue growth market "
             "analysis report summary table figure section method result discussion data "
             "sample model training accuracy error rate page chapter reference").split()
_PHRASES_ZH = ("数据分析 机器学习 文字识别 发票金额 订单编号 客户服务 配送日期 付款方式 "
               "账户余额 季度报告 市场增长 研究方法 实验结果 讨论部分 参考文献 图表说明 "
               "合计金额 会员积分 营业时间 联系电话 地址信息 使用说明 注意事项 产品参数").split()


def _expected() -> dict[str, list[dict]]:
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


def _sample_truth(name: str) -> str:
    return "\n".join(run["text"] for run in _expected()[name])


def small_set(folder: Path) -> Labelled:
    """24 distinct small images with their text."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = sample_variants(folder)
    return [(path, _sample_truth(path.stem.rsplit("-", 1)[0] + ".png")) for path in paths]


def _screen_photo(image: Image.Image, rng: random.Random) -> Image.Image:
    """A photo of a screen: slight perspective, a brightness gradient, moire, noise."""
    width, height = image.size
    dx, dy = width * 0.03, height * 0.03
    quad = (rng.uniform(0, dx), rng.uniform(0, dy), rng.uniform(0, dx), height - rng.uniform(0, dy),
            width - rng.uniform(0, dx), height - rng.uniform(0, dy), width - rng.uniform(0, dx),
            rng.uniform(0, dy))
    warped = image.transform((width, height), Image.Transform.QUAD, quad,
                             Image.Resampling.BICUBIC, fillcolor=(235, 235, 235))
    pixels = np.asarray(warped, dtype=np.float32)
    yy, xx = np.mgrid[0:height, 0:width]
    gradient = 0.85 + 0.15 * (xx / width)
    moire = 6 * np.sin(xx * 0.9 + yy * 0.35)
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 6, pixels.shape[:2])
    pixels = pixels * gradient[..., None] + (moire + noise)[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.6))


def degraded_set(folder: Path) -> Labelled:
    """The samples four ways degraded: blur, JPEG quality 30, small fonts, screen photo."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(13)
    out: Labelled = []
    for name in SAMPLE_NAMES:
        image = Image.open(SAMPLES / name).convert("RGB")
        truth = _sample_truth(name)
        stem = Path(name).stem
        image.filter(ImageFilter.GaussianBlur(1.1)).save(folder / f"{stem}-blur.png")
        image.save(folder / f"{stem}-q30.jpg", quality=30)
        image.resize((round(image.width * 0.6), round(image.height * 0.6)),
                     Image.Resampling.LANCZOS).save(folder / f"{stem}-small.png")
        _screen_photo(image, rng).save(folder / f"{stem}-screen.jpg", quality=85)
        out += [(folder / f"{stem}-{kind}", truth)
                for kind in ("blur.png", "q30.jpg", "small.png", "screen.jpg")]
    return out


def _line(rng: random.Random, chinese: bool, font: ImageFont.FreeTypeFont, width: int) -> str:
    """A line of words or phrases that fills between 60 % and 100 % of ``width`` pixels."""
    target = width * rng.uniform(0.6, 1.0)
    pick = (lambda: rng.choice(_PHRASES_ZH)) if chinese else (lambda: rng.choice(_WORDS_EN))
    joiner = "" if chinese else " "
    parts = [pick()]
    while font.getlength(joiner.join([*parts, "0000"])) < target:
        parts.append(pick() if rng.random() > 0.1 else str(rng.randint(10, 9999)))
    return joiner.join(parts)


def pages_set(folder: Path, count: int = 24) -> Labelled:
    """``count`` document pages of 1240 x 1754 with their lines of text."""
    folder.mkdir(parents=True, exist_ok=True)
    font_path = find_cjk_font()
    if font_path is None:
        raise SystemExit("no CJK font found: install fonts-noto-cjk (scripts/setup.sh does)")
    rng = random.Random(24)
    out: Labelled = []
    for number in range(count):
        size = rng.choice((22, 26, 30))
        font = ImageFont.truetype(str(font_path), size)
        paper = (255, 255, 255) if number % 3 else (236, 232, 222)
        page = Image.new("RGB", (1240, 1754), paper)
        draw = ImageDraw.Draw(page)
        lines, y = [], 120
        while y < 1754 - 160:
            text = _line(rng, rng.random() < 0.5, font, 1240 - 2 * 110)
            draw.text((110, y), text, font=font, fill=(25, 25, 25))
            lines.append(text)
            y += int(size * rng.choice((1.8, 2.2, 2.6)))
        if number % 3 == 0:  # scanned-looking: a slight turn and sensor noise
            page = page.rotate(rng.uniform(-1.2, 1.2), Image.Resampling.BICUBIC, fillcolor=paper)
            noisy = np.asarray(page, np.float32) + np.random.default_rng(number).normal(0, 8, (1754, 1240, 1))
            page = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
        path = folder / f"page-{number:02d}.jpg"
        ImageOps.exif_transpose(page).save(path, quality=90)
        out.append((path, "\n".join(lines)))
    return out
