"""Rendered inputs with known truth for the reading tests and benchmark: tight word crops,
document lines, rotated pages, long strips and tall receipts.

Everything is drawn with Pillow from a seeded random generator, so a given seed always gives
the same images. The truth of a text is its ink box (the pixels its glyphs cover, measured on
a clean mask, not the font's nominal box).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from wxocr_pandas.fonts import find_cjk_font

Color = tuple[int, int, int]

ENGLISH_WORDS = (
    "EXIT", "Coffee", "Parking", "OPEN", "Station", "Library", "Welcome", "SALE", "Pharmacy",
    "Bakery", "Museum", "Hotel", "Garden", "Platform", "Ticket", "Airport", "Bus Stop",
    "No Smoking", "Taxi", "Market", "Pizza", "Bookstore", "Cinema", "Bank", "PUSH", "Gate",
    "Office", "Police", "Restroom", "Hospital",
)
CHINESE_WORDS = (
    "出口", "咖啡", "停车场", "营业中", "地铁站", "图书馆", "欢迎光临", "特价", "药店", "面包房",
    "博物馆", "酒店", "花园", "站台", "售票处", "机场", "公交站", "禁止吸烟", "出租车", "菜市场",
    "书店", "电影院", "银行", "推", "入口", "办公室", "派出所", "洗手间", "医院", "超市",
)
NUMBERS = (
    "2026", "18.50", "¥36.00", "110", "13800138000", "09:45", "2026-11-03", "No.7", "3F",
    "85%", "1234", "A12", "6.5", "400-820-8820", "24h", "B2", "99.9", "15:30", "0571", "77",
)
DOCUMENT_LINES = (
    "The quarterly report shows steady growth in all regions.",
    "Please return the signed form before the end of the month.",
    "Results are summarised in Table 3 and discussed below.",
    "Shipping is free for orders above 50 dollars.",
    "本季度报告显示各地区均保持稳定增长。",
    "请在月底之前交回已签字的表格。",
    "实验结果汇总于表三，并在下文讨论。",
    "订单满五十元即可享受免费配送服务。",
    "Invoice 2026-0412 total amount 1,280.00",
    "会议时间：2026年11月26日 上午9:30",
    "Section 4.2 describes the sampling method in detail.",
    "所有数据均来自公开的统计年鉴。",
)


def cjk_font_path() -> Path:
    """The CJK font every render needs (the suite already requires one)."""
    path = find_cjk_font()
    if path is None:
        raise RuntimeError("no CJK font installed (apt-get install fonts-noto-cjk)")
    return path


@functools.lru_cache(maxsize=1)
def latin_font_paths() -> tuple[Path, ...]:
    """Installed Latin fonts of a few styles (serif, sans, mono, bold), for variety."""
    from matplotlib import font_manager

    found = []
    for family in ("DejaVu Serif", "Liberation Serif", "DejaVu Sans", "Liberation Sans",
                   "Liberation Mono", "DejaVu Sans Mono"):
        for weight in ("normal", "bold"):
            try:
                path = font_manager.findfont(font_manager.FontProperties(family=family, weight=weight),
                                             fallback_to_default=False)
            except ValueError:
                continue
            found.append(Path(path))
    return tuple(dict.fromkeys(found))


@functools.lru_cache(maxsize=1)
def cjk_font_paths() -> tuple[Path, ...]:
    """The CJK font plus its bold and serif siblings where installed."""
    base = cjk_font_path()
    siblings = [base] + [base.with_name(base.name.replace("Regular", style))
                         for style in ("Bold",)]
    siblings += [base.with_name(base.name.replace("Sans", "Serif"))]
    return tuple(p for p in dict.fromkeys(siblings) if p.exists())


@functools.lru_cache(maxsize=64)
def _face(path: Path, size: int) -> ImageFont.FreeTypeFont:
    # Noto CJK .ttc files hold several languages; index 2 is Simplified Chinese.
    index = 2 if path.suffix == ".ttc" else 0
    return ImageFont.truetype(str(path), size, index=index)


@dataclass(frozen=True)
class Text:
    """One drawn string and its ink box ``(x0, y0, x1, y1)``, pixel indices inclusive."""

    text: str
    box: tuple[int, int, int, int]


def _ink_box(mask: Image.Image) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = mask.point(lambda v: 255 if v > 96 else 0).getbbox()
    return x0, y0, x1 - 1, y1 - 1


def _draw(canvas: Image.Image, xy: tuple[int, int], text: str, font: ImageFont.FreeTypeFont,
          fill: Color) -> Text:
    """Draw ``text`` at ``xy`` and measure its ink on a separate clean mask."""
    mask = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(mask).text(xy, text, font=font, fill=255)
    ImageDraw.Draw(canvas).text(xy, text, font=font, fill=fill)
    return Text(text, _ink_box(mask))


def _colors(rng: np.random.Generator) -> tuple[Color, Color]:
    """A foreground and background pair with enough contrast to be legible."""
    while True:
        fg, bg = (tuple(int(v) for v in rng.integers(0, 256, 3)) for _ in range(2))
        if rng.random() < 0.5:  # the common cases: dark on light, light on dark
            dark, light = tuple(int(v) for v in rng.integers(0, 70, 3)), tuple(
                int(v) for v in rng.integers(190, 256, 3))
            fg, bg = (dark, light) if rng.random() < 0.6 else (light, dark)
        luma = [0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] for c in (fg, bg)]
        if abs(luma[0] - luma[1]) >= 70:
            return fg, bg


def _background(size: tuple[int, int], bg: Color, rng: np.random.Generator) -> Image.Image:
    """A flat, gradient or mottled background around ``bg``."""
    width, height = size
    base = np.empty((height, width, 3), dtype=float)
    base[:] = bg
    kind = rng.integers(0, 3)
    if kind == 1:
        ramp = np.linspace(-25, 25, width)[None, :, None] * rng.choice([-1, 1])
        base += ramp
    elif kind == 2:
        blobs = rng.normal(0, 1, (max(2, height // 16), max(2, width // 16), 1))
        base += np.asarray(Image.fromarray(
            ((blobs[:, :, 0] + 3) * 40).clip(0, 255).astype(np.uint8)).resize(
            (width, height), Image.Resampling.BICUBIC), dtype=float)[:, :, None] / 255 * 30 - 15
    return Image.fromarray(base.clip(0, 255).astype(np.uint8))


def _degrade(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Blur, uneven light, sensor noise, low resolution and JPEG artefacts, as on photos."""
    if rng.random() < 0.6:
        image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.6))))
    if rng.random() < 0.4:  # light falling off across the sign
        pixels = np.asarray(image, dtype=float)
        pixels *= np.linspace(1.0, rng.uniform(0.55, 0.9), image.width)[None, :, None]
        image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
    if rng.random() < 0.4:  # a distant, low-resolution word
        scale = rng.uniform(0.35, 0.7)
        small = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        image = image.resize(small, Image.Resampling.BILINEAR).resize(
            image.size, Image.Resampling.BILINEAR)
    if rng.random() < 0.6:
        pixels = np.asarray(image, dtype=float)
        pixels += rng.normal(0, rng.uniform(3, 16), pixels.shape)
        image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=int(rng.integers(25, 90)))
        image = Image.open(buffer).convert("RGB")
    return image


def _slant(mask: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A small tilt, shear or perspective, as on a sign seen at an angle."""
    kind = rng.integers(0, 3)
    if kind == 0:
        return mask.rotate(float(rng.uniform(-6, 6)), resample=Image.Resampling.BICUBIC)
    if kind == 1:
        shear = float(rng.uniform(-0.25, 0.25))
        return mask.transform(mask.size, Image.Transform.AFFINE,
                              (1, shear, -shear * mask.height / 2, 0, 1, 0),
                              resample=Image.Resampling.BICUBIC)
    squeeze = float(rng.uniform(0.0, 0.12)) * mask.height
    width, height = mask.size
    return mask.transform(mask.size, Image.Transform.QUAD,
                          (0, 0, 0, height, width, height - squeeze, width, squeeze),
                          resample=Image.Resampling.BICUBIC)


def word_crop(text: str, rng: np.random.Generator) -> Image.Image:
    """``text`` in a random font, size and colour pair, slanted and degraded like a word on a
    photographed sign, cut to its ink box with no margin (give or take a pixel or two, as a
    detector or a person cuts a word out), sometimes with a bit of the sign's frame in it."""
    latin = text.isascii() and latin_font_paths()
    fonts = latin_font_paths() + cjk_font_paths() if latin else cjk_font_paths()
    font = _face(fonts[int(rng.integers(len(fonts)))], int(rng.integers(12, 72)))
    fg, bg = _colors(rng)
    left, top, right, bottom = font.getbbox(text)
    pad = font.size
    canvas = _background((right - left + 2 * pad, bottom - top + 2 * pad), bg, rng)
    mask = Image.new("L", canvas.size, 0)
    outline = rng.random() < 0.15
    ImageDraw.Draw(mask).text((pad - left, pad - top), text, font=font, fill=255)
    if rng.random() < 0.6:
        mask = _slant(mask, rng)
    x0, y0, x1, y1 = _ink_box(mask)
    if outline:  # a dark outline around light letters
        ring = mask.filter(ImageFilter.MaxFilter(3))
        canvas.paste(Image.new("RGB", canvas.size, tuple(255 - c for c in fg)), mask=ring)
    canvas.paste(Image.new("RGB", canvas.size, fg), mask=mask)
    if rng.random() < 0.2:  # the sign's frame just outside the word
        frame = ImageDraw.Draw(canvas)
        frame.line([(0, y1 + 2), (canvas.width, y1 + 2)], fill=fg, width=2)
    jitter = rng.integers(-2, 2, 4) if rng.random() < 0.5 else np.zeros(4, dtype=int)
    box = (x0 + jitter[0], y0 + jitter[1], x1 + 1 - jitter[2], y1 + 1 - jitter[3] + 3 * (
        rng.random() < 0.2))
    return _degrade(canvas, rng).crop(tuple(int(v) for v in box))


def word_crops(count: int, seed: int = 0) -> list[tuple[str, Image.Image]]:
    """``count`` tight crops: English words, Chinese words and numbers in turn."""
    rng = np.random.default_rng(seed)
    pools = (ENGLISH_WORDS, CHINESE_WORDS, NUMBERS)
    texts = [pools[i % 3][int(rng.integers(len(pools[i % 3])))] for i in range(count)]
    return [(text, word_crop(text, rng)) for text in texts]


def document_line_crops(count: int, seed: int = 0) -> list[tuple[str, Image.Image]]:
    """``count`` printed lines (dark on white or paper, 16-30 px) cut to their ink boxes."""
    rng = np.random.default_rng(seed)
    crops = []
    for number in range(count):
        text = DOCUMENT_LINES[number % len(DOCUMENT_LINES)]
        fonts = cjk_font_paths() if not text.isascii() else latin_font_paths() + cjk_font_paths()
        font = _face(fonts[int(rng.integers(len(fonts)))], int(rng.integers(16, 31)))
        left, top, right, bottom = font.getbbox(text)
        paper = tuple(int(v) for v in rng.integers(235, 256, 3))
        canvas = Image.new("RGB", (right - left + 40, bottom - top + 40), paper)
        drawn = _draw(canvas, (20 - left, 20 - top), text, font, (20, 20, 20))
        x0, y0, x1, y1 = drawn.box
        crops.append((text, canvas.crop((x0, y0, x1 + 1, y1 + 1))))
    return crops


def page(lines: list[str], size: int = 24, width: int = 640,
         gap: float = 1.9) -> tuple[Image.Image, list[Text]]:
    """A white page with ``lines`` printed one under another, and their ink boxes."""
    font = _face(cjk_font_path(), size)
    height = int(size * gap * len(lines) + 2 * size)
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    drawn = [_draw(canvas, (size, int(size + i * size * gap)), line, font, (25, 25, 25))
             for i, line in enumerate(lines)]
    return canvas, drawn


def strip(texts: list[str], size: int, spacing: int) -> tuple[Image.Image, list[Text]]:
    """One very long line: ``texts`` side by side, ``spacing`` pixels apart."""
    font = _face(cjk_font_path(), size)
    widths = [int(font.getlength(text)) for text in texts]
    canvas = Image.new("RGB", (sum(widths) + spacing * (len(texts) + 1), size * 2),
                       (255, 255, 255))
    x, drawn = spacing, []
    for text, text_width in zip(texts, widths):
        drawn.append(_draw(canvas, (x, size // 2), text, font, (25, 25, 25)))
        x += text_width + spacing
    return canvas, drawn


def rotate_page(image: Image.Image, texts: list[Text],
                degrees: int) -> tuple[Image.Image, list[tuple[str, np.ndarray]]]:
    """The page turned counter-clockwise by ``degrees`` (0, 90, 180 or 270), and every text's
    ink quad in the turned page's pixels, starting at the text's own top-left corner."""
    turned = image.rotate(degrees, expand=True) if degrees else image.copy()
    quads = []
    for text in texts:
        x0, y0, x1, y1 = text.box
        quad = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float)
        width, height = image.size
        for _ in range(degrees // 90):  # a quarter turn counter-clockwise: (x, y) -> (y, W-1-x)
            quad = np.stack([quad[:, 1], width - 1 - quad[:, 0]], axis=1)
            width, height = height, width
        quads.append((text.text, quad))
    return turned, quads
