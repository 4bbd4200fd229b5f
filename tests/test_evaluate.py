"""Metrics on hand-computed examples; evaluate and compare on the samples."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from wxocr_pandas import ImgSize, Item, OcrResult, Point, compare, evaluate, plot_comparison
from wxocr_pandas.evaluate import detection_scores, normalize, text_scores, tokens
from wxocr_pandas.frame import explode
from wxocr_pandas.images import ImageSource
from wxocr_pandas.result import CORNERS

matplotlib.use("Agg")


def test_normalize_drops_layout_spaces_only():
    assert normalize(" 设置 Settings\n\tHello   world\n") == "设置Settings Hello world"
    assert normalize("合 计\n41.60") == "合计41.60"
    assert normalize("") == ""


def test_tokens_split_cjk_characters_and_latin_words():
    assert tokens("上传 image.png 到云") == ["上", "传", "image.png", "到", "云"]
    assert tokens("abc合def") == ["abc", "合", "def"]


def test_cer_and_wer_by_hand():
    # kitten -> sitting: 3 edits over 7 truth characters; one word of one.
    scores = text_scores("kitten", "sitting")
    assert scores["cer"] == pytest.approx(3 / 7) and scores["wer"] == 1.0
    # One word missing of four; 4 characters (" down") missing of 16.
    scores = text_scores("the cat sat", "the cat sat down")
    assert scores["wer"] == 0.25 and scores["cer"] == pytest.approx(5 / 16)
    # The space beside 计 is layout: truth is 合计41.60 (7 characters), one is wrong.
    scores = text_scores("合汁\n41.60", "合计 41.60")
    assert scores["cer"] == pytest.approx(1 / 7) and scores["wer"] == pytest.approx(1 / 3)


def test_character_scores_ignore_order_and_count_repeats():
    scores = text_scores("ba", "ab")
    assert scores["cer"] == 1.0 and scores["char_f1"] == 1.0
    # pred {a: 2, b: 1}, truth {a: 1, b: 2}: 2 in common of 3 each.
    scores = text_scores("a a b", "abb")
    assert scores["char_precision"] == pytest.approx(2 / 3)
    assert scores["char_recall"] == pytest.approx(2 / 3) and scores["char_f1"] == pytest.approx(2 / 3)


def test_empty_sides_give_nan_or_zero():
    missed = text_scores("", "字")
    assert missed["cer"] == 1.0 and missed["char_recall"] == 0.0 and missed["char_f1"] == 0.0
    assert math.isnan(missed["char_precision"])
    extra = text_scores("字", " ")
    assert math.isnan(extra["cer"]) and math.isnan(extra["wer"]) and extra["char_precision"] == 0.0


def test_detection_matches_one_to_one_at_iou_half():
    truth = np.array([[0, 0, 10, 10], [20, 0, 30, 10]])
    pred = np.array([[0, 0, 10, 10], [1, 0, 10, 10], [20, 0, 25, 10]])  # IoU 1, 0.9, 0.5
    scores = detection_scores(pred, truth)
    assert scores == {"det_precision": 2 / 3, "det_recall": 1.0, "det_hmean": 0.8}
    assert detection_scores(pred[:0], truth)["det_recall"] == 0.0


def _item(text: str, x0: float, y0: float, x1: float, y1: float) -> Item:
    return Item(text, Point(x0, y0), Point(x1, y0), Point(x1, y1), Point(x0, y1))


def _pred() -> pd.DataFrame:
    results = [OcrResult(items=(_item("合计", 0, 0, 40, 20), _item("41.6O", 100, 0, 160, 20)),
                         img_size=ImgSize(200, 50)),
               OcrResult(errcode=900002, errmsg="gone")]
    return explode(pd.DataFrame({"path": ["a.png", "b.png"]}, index=["a", "b"]), results)


def test_evaluate_a_series_of_page_text():
    scores = evaluate(_pred(), pd.Series({"a": "合计 41.60", "b": "无", "c": "缺"}))
    assert scores.index.tolist() == ["a", "b", "c"]
    assert scores.loc["a", "cer"] == pytest.approx(1 / 7)
    assert scores.loc["a", "wer"] == pytest.approx(1 / 3)
    assert scores.loc[["b", "c"], "cer"].tolist() == [1.0, 1.0]  # failed or absent: read empty
    assert "det_hmean" not in scores


def test_evaluate_a_frame_with_boxes():
    truth = pd.DataFrame({"text": ["合计", "41.60", "无"], "x_min": [2, 100, 0], "y_min": [2, 30, 0],
                          "x_max": [38, 160, 9], "y_max": [18, 50, 9]}, index=["a", "a", "b"])
    scores = evaluate(_pred(), truth)
    assert scores.loc["a", "cer"] == pytest.approx(1 / 7)  # the line break beside 计 is layout
    # 合计 matches (IoU 0.72); the amount is 10 px too low (IoU 0.33).
    assert scores.loc["a", ["det_precision", "det_recall", "det_hmean"]].tolist() == [0.5, 0.5, 0.5]
    assert math.isnan(scores.loc["b", "det_precision"]) and scores.loc["b", "det_recall"] == 0.0


def test_truth_boxes_may_be_corner_columns():
    pred = _pred()
    corners = pred.loc[["a"], ["text", *[f"{c}_{a}" for c in CORNERS for a in "xy"]]]
    assert evaluate(pred, corners).loc["a", "det_hmean"] == 1.0


class Replay:
    """A real backend that answers from saved results, keyed by image label."""

    name = "replay"
    identity = "replay:test"

    def __init__(self, answers: dict[str, OcrResult]) -> None:
        self.answers = answers

    def recognize(self, source: ImageSource) -> OcrResult:
        return self.answers[source.label]


@pytest.fixture(scope="module")
def sign_comparison(local_backend, samples_dir, expected):
    path = str(samples_dir / "sign.png")
    wrong = OcrResult(items=(_item("小心地清", 206, 119, 594, 213),), img_size=ImgSize(800, 400))
    truth = pd.Series(["\n".join(run["text"] for run in expected["sign.png"])])
    table = compare(pd.DataFrame({"path": [path]}), "path",
                    backends=[local_backend, Replay({path: wrong}), Replay({path: wrong})], truth=truth)
    return table


def test_compare_lines_up_backends_per_image(sign_comparison):
    table = sign_comparison
    assert table["backend"].tolist() == ["local", "replay", "replay#2"]
    assert table.index.tolist() == [0, 0, 0]
    assert table["text"].tolist()[:2] == ["小心地滑\nCaution Wet Floor", "小心地清"]
    assert table["cer"].tolist()[:2] == [0.0, pytest.approx(18 / 21)]  # 1 wrong, 17 missing


def test_plot_comparison_draws_one_bar_per_image_and_backend(sign_comparison):
    ax = plot_comparison(sign_comparison, metric="cer")
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == pytest.approx(sign_comparison["cer"].tolist())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["local", "replay", "replay#2"]
    assert ax.get_ylabel() == "cer"
    matplotlib.pyplot.close(ax.figure)
