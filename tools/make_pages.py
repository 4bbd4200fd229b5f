"""Render multi-column pages with a known reading order: the reading-order test set.

Each page is laid out from a seeded random generator: a running header, a spanning title,
two or three columns of paragraphs that flow from one column to the next, figures with
captions (inside a column or across all of them), side notes in the margin, footnotes and a
footer, in Chinese or English, some degraded (blur, noise, JPEG, a slight rotation).

The truth of a page is its blocks in reading order, each ``{"kind", "box", "lines"}``: ``kind``
is one of ``header``, ``title``, ``text``, ``figure``, ``caption``, ``note`` (a side note),
``footnote`` and ``footer``; ``box`` is ``[x0, y0, x1, y1]`` in pixels of the page as drawn
before any rotation; ``lines`` are the texts drawn, top to bottom (a figure has none). A
paragraph that continues in the next column is two blocks. The reading order is:

- the header, the title and what spans the page, in order from top to bottom;
- between two spanning elements, the columns left to right, each read top to bottom (a
  caption where its figure is), then the side notes of that band;
- footnotes, then the footer.

Usage::

    PYTHONPATH=. python tools/make_pages.py [--out pages] [--count 24] [--seed 0]

writes ``page-NN.png`` and ``truth.json`` (file name -> blocks). Fonts are found with
:mod:`wxocr_pandas.fonts` (``fonts-noto-cjk`` on Debian); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_samples import load_face  # noqa: E402  (one loader of the CJK face for both tools)

from wxocr_pandas.fonts import find_cjk_font  # noqa: E402

WHITE = (255, 255, 255)
INK = (25, 25, 25)
GREY = (95, 95, 95)
KINDS = ("header", "title", "text", "figure", "caption", "note", "footnote", "footer")

ZH = (
    "阅读顺序决定了识别结果能否直接使用。", "多栏排版在报纸和杂志中十分常见。",
    "每一栏应当从上到下读完再读下一栏。", "标题通常横跨整个页面的宽度。",
    "图片下方的说明文字属于这张图片。", "页眉和页脚一般与正文分开处理。",
    "脚注位于页面底部用较小的字号排印。", "旁注写在页边帮助读者理解正文。",
    "试卷的题目按照编号依次排列。", "考生需要在规定时间内完成全部题目。",
    "城市的公园在春天开满了鲜花。", "河流穿过山谷流向远方的大海。",
    "图书馆每天早上八点准时开门。", "学生们在操场上进行体育锻炼。",
    "科学研究需要耐心和细致的观察。", "新的铁路让两座城市之间的往来更加方便。",
    "农民在秋天收获了金黄的稻谷。", "博物馆展出了许多珍贵的文物。",
    "天气预报说明天会有小雨。", "这本书介绍了古代建筑的发展历史。",
    "实验的结果与理论的预测基本一致。", "工程师们正在设计一座新的大桥。",
    "夜晚的星空格外明亮。", "我们应当节约用水保护环境。",
)
EN = (
    "Reading order decides whether the text can be used as it is.",
    "Multi-column layouts are common in newspapers and magazines.",
    "Each column is read from top to bottom before the next one.",
    "A title usually spans the whole width of the page.",
    "The caption under a figure belongs to that figure.",
    "Headers and footers are kept apart from the body text.",
    "Footnotes sit at the bottom of the page in a smaller size.",
    "Side notes in the margin help the reader follow the text.",
    "The questions of an exam are numbered in order.",
    "Candidates must answer every question within the time allowed.",
    "The city parks are full of flowers in the spring.",
    "A river runs through the valley towards the distant sea.",
    "The library opens at eight o'clock every morning.",
    "Students take part in sports on the playground.",
    "Research needs patience and careful observation.",
    "The new railway makes travel between the two cities easier.",
    "Farmers brought in a golden harvest this autumn.",
    "The museum shows many rare and precious objects.",
    "The weather forecast says there will be light rain tomorrow.",
    "This book describes the history of ancient buildings.",
    "The results of the experiment agree with the theory.",
    "Engineers are designing a new bridge over the river.",
    "The stars are especially bright tonight.",
    "We should save water and protect the environment.",
)
TITLES = {"zh": ("版面分析与阅读顺序", "城市与自然的对话", "期中考试数学试卷", "古代建筑简史"),
          "en": ("Layout Analysis and Reading Order", "A Conversation Between City and Nature",
                 "Midterm Examination in Physics", "A Short History of Ancient Buildings")}


@dataclass
class Block:
    """One block of the truth: its kind, its box and its lines (each ``(text, x, y)``)."""

    kind: str
    size: int
    lines: list[tuple[str, int, int]] = field(default_factory=list)
    box: tuple[int, int, int, int] | None = None
    fill: tuple[int, int, int] = INK

    def truth(self) -> dict[str, object]:
        """The JSON form: kind, box and the lines' texts."""
        return {"kind": self.kind, "box": list(self.box), "lines": [t for t, _, _ in self.lines]}


@dataclass
class Page:
    """A laid-out page: its size, its blocks in reading order and how to degrade it."""

    name: str
    size: tuple[int, int]
    lang: str
    blocks: list[Block]
    degrade: str = "clean"
    rules: list[tuple[int, int, int, int]] = field(default_factory=list)


class Layout:
    """Places blocks on a page of ``size`` with fonts ``face(size)``; text is wrapped to fit."""

    def __init__(self, rng: random.Random, lang: str, size: tuple[int, int], font: Path) -> None:
        self.rng, self.lang, self.size, self.font = rng, lang, size, font
        self.blocks: list[Block] = []
        self.rules: list[tuple[int, int, int, int]] = []

    def face(self, size: int) -> ImageFont.FreeTypeFont:
        return load_face(self.font, size)

    def sentences(self, count: int) -> str:
        pool = ZH if self.lang == "zh" else EN
        glue = "" if self.lang == "zh" else " "
        return glue.join(self.rng.choice(pool) for _ in range(count))

    def wrap(self, text: str, width: int, size: int) -> list[str]:
        """Split ``text`` into lines no wider than ``width`` (by character for Chinese)."""
        face = self.face(size)
        units = list(text) if self.lang == "zh" else text.split(" ")
        glue = "" if self.lang == "zh" else " "
        lines, current = [], ""
        for unit in units:
            trial = current + glue + unit if current else unit
            if current and face.getlength(trial) > width and unit not in "。，、；：":
                lines.append(current)
                current = unit
            else:
                current = trial
        return lines + [current] if current else lines

    def line_height(self, size: int) -> int:
        return int(size * 1.6)

    def place(self, kind: str, texts: list[str], x0: int, x1: int, y: int, size: int,
              align: str = "left", fill: tuple[int, int, int] = INK) -> int:
        """Add a block of ``texts`` lines from ``y`` between ``x0`` and ``x1``; return its end."""
        face = self.face(size)
        block = Block(kind, size, fill=fill)
        for text in texts:
            width = face.getlength(text)
            x = {"left": x0, "center": (x0 + x1 - width) / 2, "right": x1 - width}[align]
            block.lines.append((text, int(x), y))
            y += self.line_height(size)
        self.blocks.append(block)
        return y

    def spanning(self, kind: str, text: str, y: int, size: int, align: str = "center",
                 fill: tuple[int, int, int] = INK) -> int:
        margin = self.margin
        return self.place(kind, self.wrap(text, self.size[0] - 2 * margin, size),
                          margin, self.size[0] - margin, y, size, align, fill)

    @property
    def margin(self) -> int:
        return self.size[0] // 14

    def figure(self, x0: int, x1: int, y: int, height: int) -> int:
        """A figure without text (bars on a frame); returns its bottom."""
        block = Block("figure", 0, box=(x0, y, x1, y + height))
        self.blocks.append(block)
        return y + height

    def flow(self, items: list[tuple[str, object]], columns: list[tuple[int, int]], top: int,
             bottom: int, size: int) -> None:
        """Flow paragraphs, headings and figures down ``columns`` from ``top`` to ``bottom``.

        A paragraph that reaches the bottom of a column goes on at the top of the next one;
        what does not fit in the last column is dropped.
        """
        step = self.line_height(size)
        column, y = 0, top
        for kind, content in items:
            x0, x1 = columns[column]
            if kind == "figure":
                height, caption = content
                lines = self.wrap(caption, x1 - x0, size - 5)
                need = height + 8 + len(lines) * self.line_height(size - 5)
                if y + need > bottom:
                    column, y = column + 1, top
                    if column == len(columns):
                        return
                    x0, x1 = columns[column]
                self.figure(x0, x1, y, height)
                y = self.place("caption", lines, x0, x1, y + height + 8, size - 5, fill=GREY)
                y += step // 2
                continue
            heading = kind == "heading"
            lines = self.wrap(str(content), x1 - x0, size + 2 if heading else size)
            while lines:
                room = max(0, (bottom - y) // step)
                if heading and room < 3:  # a heading never ends a column
                    room = 0
                if room == 0:
                    column, y = column + 1, top
                    if column == len(columns):
                        return
                    x0, x1 = columns[column]
                    continue
                part, lines = lines[:room], lines[room:]
                y = self.place("title" if heading else "text", part, x0, x1, y,
                               size + 2 if heading else size)
            y += step // 2

    def columns(self, count: int, gutter: int, left: int | None = None,
                right: int | None = None) -> list[tuple[int, int]]:
        left = self.margin if left is None else left
        right = self.size[0] - self.margin if right is None else right
        width = (right - left - gutter * (count - 1)) // count
        return [(left + k * (width + gutter), left + k * (width + gutter) + width)
                for k in range(count)]

    def body(self, paragraphs: int, heading_every: int = 0, figure: tuple[int, int] | None = None,
             numbered: bool = False) -> list[tuple[str, object]]:
        """Paragraph items to flow: random sentences, optional headings, figures and numbers."""
        items: list[tuple[str, object]] = []
        for k in range(paragraphs):
            if heading_every and k % heading_every == 0:
                items.append(("heading", self.heading(k // heading_every + 1)))
            text = self.sentences(self.rng.randint(2, 4))
            if numbered:
                text = f"{k + 1}. {text}" if self.lang == "en" else f"{k + 1}．{text}"
            items.append(("text", text))
            if figure and k == figure[0]:
                items.append(("figure", (figure[1], self.caption(1))))
        return items

    def heading(self, number: int) -> str:
        names = ("引言", "方法", "结果", "讨论") if self.lang == "zh" else (
            "Introduction", "Method", "Results", "Discussion")
        name = names[(number - 1) % len(names)]
        return f"{number} {name}"

    def caption(self, number: int) -> str:
        return (f"图{number} 各栏文字的分布情况" if self.lang == "zh"
                else f"Figure {number}. How the text is spread over the columns")


def _header(layout: Layout, left: str, right: str, size: int = 16) -> int:
    """A running header: ``left`` and ``right`` on one line, with a rule under it."""
    y, (x0, x1) = layout.size[1] // 40, (layout.margin, layout.size[0] - layout.margin)
    face = layout.face(size)
    block = Block("header", size, fill=GREY)
    block.lines.append((left, x0, y))
    block.lines.append((right, int(x1 - face.getlength(right)), y))
    layout.blocks.append(block)
    layout.rules.append((x0, y + size + 8, x1, y + size + 9))
    return y + size + 30


def _footer(layout: Layout, text: str, size: int = 16) -> int:
    y = layout.size[1] - layout.size[1] // 30 - size
    layout.place("footer", [text], layout.margin, layout.size[0] - layout.margin, y, size,
                 "center", GREY)
    return y


def _footnotes(layout: Layout, count: int, bottom: int, size: int = 15) -> int:
    """Footnotes ending just above ``bottom``, under a short rule; returns their top."""
    texts = [f"{k + 1} {layout.sentences(1)}" for k in range(count)]
    width = layout.size[0] - 2 * layout.margin
    wrapped = [layout.wrap(text, width, size) for text in texts]
    height = sum(len(lines) for lines in wrapped) * layout.line_height(size)
    y = top = bottom - height - 10
    layout.rules.append((layout.margin, top - 12, layout.margin + width // 4, top - 11))
    for lines in wrapped:
        y = layout.place("footnote", lines, layout.margin, layout.size[0] - layout.margin, y,
                         size, fill=GREY)
    return top - 24


def paper(layout: Layout) -> None:
    """A two-column paper: header, title, authors, columns, a spanning figure, footnotes."""
    w, h = layout.size
    top = _header(layout, "Journal of Document Images" if layout.lang == "en" else "文档图像学报",
                  "Vol. 12, No. 3" if layout.lang == "en" else "第十二卷 第三期")
    y = layout.spanning("title", layout.rng.choice(TITLES[layout.lang]), top + 10, 34)
    y = layout.spanning("text", "Li Wei, Anna Schmidt and Chen Jing" if layout.lang == "en"
                        else "李伟 陈静 王芳", y + 4, 18, fill=GREY) + 16
    # Footer and footnotes are placed first (their positions bound the body) and read last.
    footer = _footer(layout, str(layout.rng.randint(2, 99)))
    bottom = _footnotes(layout, 2, footer - 16)
    last = [layout.blocks.pop(), layout.blocks.pop(), layout.blocks.pop()][::-1]
    columns = layout.columns(2, 44)
    split = y + (bottom - y) * layout.rng.choice((2, 3)) // 5
    layout.flow(layout.body(12, heading_every=4), columns, y, split, 20)
    fig_top = split + 10
    fig_bottom = layout.figure(w // 6, w - w // 6, fig_top, (bottom - y) // 6)
    cap = layout.spanning("caption", layout.caption(1), fig_bottom + 8, 16, fill=GREY)
    layout.flow(layout.body(12, heading_every=5), columns, cap + 14, bottom, 20)
    layout.blocks += last[1:] + last[:1]


def magazine(layout: Layout) -> None:
    """A three-column magazine page: title, standfirst, columns with a figure, footer."""
    w, h = layout.size
    y = layout.spanning("title", layout.rng.choice(TITLES[layout.lang]), h // 24, 40,
                        align="left")
    y = layout.spanning("text", layout.sentences(2), y + 6, 22, align="left", fill=GREY) + 18
    footer = _footer(layout, f"— {layout.rng.randint(10, 99)} —")
    footer_block = layout.blocks.pop()
    columns = layout.columns(3, 36)
    layout.flow(layout.body(30, figure=(layout.rng.randint(3, 6), 150)), columns, y,
                footer - 30, 19)
    layout.blocks.append(footer_block)


def book(layout: Layout) -> None:
    """A book page: header, one main column with side notes in the right margin, footnote."""
    w, h = layout.size
    top = _header(layout, layout.rng.choice(TITLES[layout.lang]),
                  "第三章" if layout.lang == "zh" else "Chapter 3")
    footer = _footer(layout, str(layout.rng.randint(10, 300)))
    footer_block = layout.blocks.pop()
    bottom = _footnotes(layout, 1, footer - 16)
    footnote = layout.blocks.pop()
    main_right = w - layout.margin - w // 4
    layout.flow(layout.body(14, heading_every=6), [(layout.margin, main_right)], top + 10,
                bottom, 21)
    side = (main_right + 36, w - layout.margin)
    y = top + 10 + layout.rng.randint(0, 3) * 40
    for _ in range(layout.rng.randint(2, 3)):
        lines = layout.wrap(layout.sentences(1), side[1] - side[0], 16)
        y = layout.place("note", lines, side[0], side[1], y, 16, fill=GREY)
        y += layout.rng.randint(80, 220)
        if y > bottom - 120:
            break
    layout.blocks += [footnote, footer_block]


def exam(layout: Layout) -> None:
    """An exam page: header, title, a name line, two columns of numbered questions, footer."""
    w, h = layout.size
    top = _header(layout, "2026学年第一学期" if layout.lang == "zh" else "Autumn term 2026",
                  "第1页 共4页" if layout.lang == "zh" else "Page 1 of 4")
    y = layout.spanning("title", TITLES[layout.lang][2], top + 10, 30)
    y = layout.spanning("text", "姓名：＿＿＿＿ 班级：＿＿＿＿ 学号：＿＿＿＿" if layout.lang == "zh"
                        else "Name: ________ Class: ________ Number: ________", y + 6, 18)
    footer = _footer(layout, "第1页" if layout.lang == "zh" else "1")
    footer_block = layout.blocks.pop()
    layout.flow(layout.body(16, numbered=True), layout.columns(2, 50), y + 20, footer - 30, 20)
    layout.blocks.append(footer_block)


TEMPLATES = {"paper": paper, "magazine": magazine, "book": book, "exam": exam}
DEGRADATIONS = ("clean", "blur", "noise", "jpeg", "rotate")


def make_page(index: int, seed: int = 0, template: str | None = None, lang: str | None = None,
              degrade: str | None = None, font: Path | None = None) -> Page:
    """Lay out page ``index`` of the set made with ``seed`` (templates and languages cycle)."""
    font = font or find_cjk_font()
    if font is None:
        raise RuntimeError("no CJK font found: install one, e.g. `apt-get install fonts-noto-cjk`")
    rng = random.Random(seed * 1000 + index)
    template = template or tuple(TEMPLATES)[index % len(TEMPLATES)]
    lang = lang or ("zh", "en")[index // len(TEMPLATES) % 2]
    degrade = degrade or DEGRADATIONS[index % len(DEGRADATIONS)]
    layout = Layout(rng, lang, (1000, 1400), font)
    TEMPLATES[template](layout)
    for block in layout.blocks:
        if block.box is None:
            block.box = _ink_box(layout, block)
    return Page(f"page-{index:02d}-{template}-{lang}-{degrade}", layout.size, lang, layout.blocks,
                degrade, layout.rules)


def _ink_box(layout: Layout, block: Block) -> tuple[int, int, int, int]:
    face = layout.face(block.size)
    boxes = [ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((x, y), t, font=face)
             for t, x, y in block.lines]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def render(page: Page, font: Path | None = None) -> Image.Image:
    """Draw ``page`` (degraded as it says) and return the image."""
    font = font or find_cjk_font()
    image = Image.new("RGB", page.size, WHITE)
    draw = ImageDraw.Draw(image)
    rng = random.Random(page.name)
    for rule in page.rules:
        draw.rectangle(rule, fill=GREY)
    for block in page.blocks:
        if block.kind == "figure":
            _draw_figure(draw, block.box, rng)
            continue
        face = load_face(font, block.size)
        for text, x, y in block.lines:
            draw.text((x, y), text, fill=block.fill, font=face)
    return _degrade(image, page.degrade, rng)


def _draw_figure(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int],
                 rng: random.Random) -> None:
    """A bar chart without text: a frame and a few filled bars."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, outline=GREY, width=2, fill=(240, 243, 248))
    bars = rng.randint(4, 8)
    step = (x1 - x0 - 20) / bars
    for k in range(bars):
        top = y0 + 10 + rng.random() * (y1 - y0 - 30)
        draw.rectangle((x0 + 14 + k * step, top, x0 + 6 + (k + 1) * step, y1 - 10),
                       fill=(70 + 20 * k % 150, 120, 190))


def _degrade(image: Image.Image, how: str, rng: random.Random) -> Image.Image:
    if how == "blur":
        return image.filter(ImageFilter.GaussianBlur(1.0))
    if how == "noise":
        noise = Image.effect_noise(image.size, 40).convert("RGB")
        return Image.blend(image, noise, 0.18)
    if how == "jpeg":
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=30)
        return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    if how == "rotate":
        return image.rotate(rng.choice((-1.5, 1.5)), resample=Image.BICUBIC, expand=True,
                            fillcolor=WHITE)
    return image


def truth_text(page: Page) -> str:
    """The page's text in reading order, one line per drawn line."""
    return "\n".join(text for block in page.blocks for text, _, _ in block.lines)


def main() -> None:
    """Write ``--count`` pages and ``truth.json`` to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("pages"))
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    truth = {}
    for index in range(args.count):
        page = make_page(index, args.seed)
        render(page).save(args.out / f"{page.name}.png")
        truth[f"{page.name}.png"] = [block.truth() for block in page.blocks]
    (args.out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    print(f"wrote {args.count} pages and truth.json to {args.out}")


if __name__ == "__main__":
    main()
