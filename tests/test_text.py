"""Lines, reading order, page text, search and fields: on rendered pages and hand-made quads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from tests.helpers.tools import load_tool
from wxocr_pandas import ImgSize, Item, OcrResult, Point, UsageError
from wxocr_pandas.fonts import find_cjk_font
from wxocr_pandas.frame import CORNER_COLUMNS, explode
from wxocr_pandas.images import as_source
from wxocr_pandas.text import extract, find, lines, to_text, value_near

ROOT = Path(__file__).resolve().parents[1]

TITLE = "两栏排版的阅读顺序"
LEFT = ("早上七点起床洗漱", "吃完早饭去学校", "上午有三节数学课", "中午在食堂吃饭")
RIGHT = ("下午参加篮球比赛", "傍晚回家写作业", "晚饭后陪家人散步", "十点准时上床睡觉")
FOOTER = "第一页完"
ROWS = (("Subtotal", "38.00"), ("Discount", "1.00"), ("Tax", "4.60"), ("Total", "41.60"),
        ("Paid by card", "41.60"))


def _make_samples():
    """``tools/make_samples.py``, whose Run/Sample/render draw the pages below."""
    return load_tool("make_samples")


def _render_pages() -> dict[str, Image.Image]:
    tool = _make_samples()
    run, sample = tool.Run, tool.Sample
    font = find_cjk_font()
    if font is None:
        pytest.skip("no CJK font installed")
    columns = sample("columns", (760, 410), tool.WHITE, (
        run(TITLE, (380, 30), size=32, anchor="ma"),
        *(run(text, (40, 110 + 55 * i)) for i, text in enumerate(LEFT)),
        *(run(text, (420, 110 + 55 * i)) for i, text in enumerate(RIGHT)),
        run(FOOTER, (380, 350), anchor="ma"),
    ))
    # Labels at the left, amounts right-aligned far away: rotated, a naive row grouping pairs
    # each label with the amount of the next row.
    table = sample("table", (660, 260), tool.WHITE, tuple(
        part for i, (label, amount) in enumerate(ROWS)
        for part in (run(label, (40, 40 + 42 * i)), run(amount, (620, 40 + 42 * i), anchor="ra"))))
    pages = {name: tool.render(page, font)[0] for name, page in (("columns", columns), ("table", table))}

    def tilt(image: Image.Image, degrees: float) -> Image.Image:
        return image.rotate(degrees, expand=True, fillcolor=tool.WHITE, resample=Image.BICUBIC)

    return {**pages, "columns_tilted": tilt(pages["columns"], 3), "table_tilted": tilt(pages["table"], -4)}


@pytest.fixture(scope="module")
def pages(local_backend) -> pd.DataFrame:
    """The rendered pages, the receipt sample and a missing image, recognized once."""
    images = {**_render_pages(), "receipt": str(ROOT / "samples" / "receipt.png")}
    df = pd.DataFrame({"image": list(images.values())}, index=list(images))
    results = [local_backend.recognize(as_source(value)) for value in df["image"]]
    empty = OcrResult(img_size=ImgSize(10, 10))
    return explode(pd.concat([df, pd.DataFrame({"image": [None]}, index=["blank"])]),
                   [*results, empty])


def test_two_columns_are_read_column_by_column_between_title_and_footer(pages):
    expected = [TITLE, *LEFT, *RIGHT, FOOTER]
    assert lines(pages.loc[["columns"]])["text"].tolist() == expected
    assert to_text(pages)["columns"] == "\n".join(expected)


def test_a_tilted_page_reads_like_a_straight_one(pages):
    assert to_text(pages)["columns_tilted"] == to_text(pages)["columns"]
    table = lines(pages.loc[["table_tilted"]])
    assert table["text"].tolist() == [f"{label} {amount}" for label, amount in ROWS]
    assert table["n_items"].tolist() == [2] * len(ROWS)


def test_a_receipt_table_stays_row_by_row(pages, expected):
    receipt = lines(pages.loc[["receipt"]])
    assert receipt["text"].tolist()[2:4] == ["牛奶 2 x 6.50 13.00", "面包 1 x 8.00 8.00"]
    assert receipt["line"].tolist() == list(range(len(receipt)))
    assert receipt["n_items"].sum() == len(expected["receipt.png"])


def test_lines_keep_input_columns_and_enclose_their_items(pages):
    table = lines(pages.loc[["table_tilted"]])
    assert table.columns[0] == "image" and table.index.unique().tolist() == ["table_tilted"]
    items = pages.loc[["table_tilted"]]
    xs = items[[c for c in CORNER_COLUMNS if c.endswith("_x")]].to_numpy()
    line_xs = table[[c for c in CORNER_COLUMNS if c.endswith("_x")]].to_numpy()
    assert line_xs.min() <= xs.min() + 1 and line_xs.max() >= xs.max() - 1
    # The line quads are tilted like the page (turned clockwise): each line's right end is lower.
    assert (table["right_top_y"] > table["left_top_y"] + 10).all()
    assert table["score"].between(0, 1).all()


def test_an_image_without_text_has_no_line_and_empty_text(pages):
    assert "blank" not in lines(pages).index
    text = to_text(pages, sep=" ")
    assert text["blank"] == "" and text.index.tolist() == pages.index.unique().tolist()
    assert str(text.dtype) == "string"


def test_value_near_reads_the_receipt_total_and_the_tilted_table(pages, expected):
    runs = [run["text"] for run in expected["receipt.png"]]
    total = runs[runs.index("合计") + 1]
    values = value_near(pages, "合计")
    assert values["receipt"] == total == "41.60"
    assert values.isna().sum() == len(values) - 1
    assert value_near(pages, "Total", regex=False)["table_tilted"] == "41.60"
    assert value_near(pages, "合计", direction="below")["receipt"] == "微信支付"


def test_find_and_extract(pages):
    found = find(pages, r"^\d+\.\d\d$")
    assert set(found.index) == {"table", "table_tilted", "receipt"}
    assert find(pages, "^total$", case=False)["text"].tolist() == ["Total", "Total"]
    assert find(pages, "2 x 6.50", regex=False)["text"].tolist() == ["2 x 6.50"]
    totals = extract(pages, r"(?:合计|^Total) (?P<total>[\d.]+)")
    assert totals.index.tolist() == pages.index.unique().tolist()
    assert totals["total"].dropna().to_dict() == {"table": "41.60", "table_tilted": "41.60",
                                                  "receipt": "41.60"}
    assert str(totals["total"].dtype) == "string"


# Hand-made quads: rules the rendered pages do not reach.

def _quad_item(text: str, x0: float, y0: float, x1: float, y1: float) -> Item:
    return Item(text, Point(x0, y0), Point(x1, y0), Point(x1, y1), Point(x0, y1))


def _frame(*pages: list[Item]) -> pd.DataFrame:
    results = [OcrResult(items=tuple(items), img_size=ImgSize(1000, 1000)) for items in pages]
    return explode(pd.DataFrame({"sheet": range(len(pages))}), results)


def test_joining_glues_close_cjk_only():
    frame = _frame([_quad_item("上传图片", 0, 0, 120, 30), _quad_item("后即可", 125, 0, 215, 30),
                    _quad_item("识别", 400, 0, 460, 30), _quad_item("OK", 465, 0, 500, 30),
                    _quad_item("好", 505, 0, 535, 30)])
    assert to_text(frame).tolist() == ["上传图片后即可 识别 OK 好"]


def test_three_columns_and_short_cells():
    column_items = [_quad_item(f"c{c}l{r} " + "x" * 12, 20 + 300 * c, 40 * r, 220 + 300 * c, 40 * r + 30)
                    for c in range(3) for r in range(3)]
    cells = [_quad_item(f"r{r}c{c}", 20 + 300 * c, 40 * r, 80 + 300 * c, 40 * r + 30)
             for r in range(3) for c in range(3)]
    text = to_text(_frame(column_items, cells), sep="|").tolist()
    assert text[0] == "|".join(f"c{c}l{r} " + "x" * 12 for c in range(3) for r in range(3))
    assert text[1] == "|".join(" ".join(f"r{r}c{c}" for c in range(3)) for r in range(3))


def test_groups_are_index_labels_in_order_of_appearance():
    frame = _frame([_quad_item("a", 0, 0, 10, 10)], [_quad_item("b", 0, 0, 10, 10)])
    frame.index = ["y", "x"]
    assert to_text(frame).to_dict() == {"y": "a", "x": "b"}
    frame.index = ["same", "same"]  # two images under one label: refused, never merged
    with pytest.raises(UsageError, match=r"'same' hold rows of several images"):
        to_text(frame)


def test_value_near_needs_overlap_and_a_valid_direction():
    frame = _frame([_quad_item("Name", 0, 0, 60, 30), _quad_item("far below", 0, 300, 90, 330),
                    _quad_item("next line", 100, 31, 200, 61)])
    assert value_near(frame, "Name").isna().all()
    assert value_near(frame, "Name", direction="below").tolist() == ["far below"]
    with pytest.raises(UsageError, match="direction"):
        value_near(frame, "Name", direction="left")


def test_lines_of_a_frame_without_text_is_empty():
    frame = explode(pd.DataFrame({"sheet": [1]}), [OcrResult(errcode=900002, errmsg="gone")])
    out = lines(frame)
    assert len(out) == 0 and {"line", "text", "n_items", *CORNER_COLUMNS} <= set(out.columns)
    assert extract(frame, "(x)").iloc[0, 0] is pd.NA
    assert out.columns[0] == "sheet"
