"""Item-level comparison on rendered samples whose differences are known."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # in this process only

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

import wxocr_pandas  # noqa: E402
from wxocr_pandas import LocalBackend  # noqa: E402
from wxocr_pandas.api import recognize_frame  # noqa: E402
from wxocr_pandas.matching import STATUS_COLORS, char_diff, match_items, plot_matches  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")

STRICT = 0.95


@pytest.fixture(scope="module")
def images(samples_dir):
    return pd.DataFrame({"path": [str(samples_dir / "receipt.png"), str(samples_dir / "sign.png")]},
                        index=["receipt", "sign"])


@pytest.fixture(scope="module")
def loose(images, local_backend):
    return recognize_frame(images, "path", backend=local_backend, cache=False)


@pytest.fixture(scope="module")
def strict(images):
    """The same engine keeping only texts scored at least 0.95: a real second setting."""
    return recognize_frame(images, "path", backend=LocalBackend(text_score=STRICT), cache=False)


def test_a_stricter_text_score_loses_exactly_the_low_score_items(loose, strict):
    table = match_items(loose, strict, names=("loose", "strict"))
    low = loose[loose["score"] < STRICT]
    assert len(low) >= 1, "the receipt has texts under 0.95 (its quantity lines)"
    only = table[table["status"] == "only_loose"]
    assert sorted(zip(only.index, only["text_loose"])) == sorted(zip(low.index, low["text"]))
    pairs = table[table["status"] == "same"]
    assert len(pairs) == len(strict) and (pairs["iou"] == 1.0).all()
    assert (pairs["text_loose"] == pairs["text_strict"]).all()
    assert not (table["status"] == "only_strict").any()
    # Pairs never cross images, and each image keeps A's item order.
    for label, rows in table.groupby(level=0):
        assert rows["item_loose"].tolist() == sorted(loose.loc[[label], "item"].tolist())
    assert table["score_loose"].notna().all()
    assert table.loc[table["status"] == "only_loose", "score_strict"].isna().all()


def test_an_edited_answer_shows_each_kind_of_disagreement(loose):
    """B is the receipt read again by "another engine": one text misread, one item missed,
    one extra item found, and no scores at all (like WeChat)."""
    receipt = loose.loc[["receipt"]]
    other = receipt.copy()
    assert (receipt["text"].iloc[2], receipt["text"].iloc[15]) == ("牛奶", "41.60")
    other.iloc[15, other.columns.get_loc("text")] = "47.60"
    other = other.iloc[[i for i in range(len(other)) if i != 2]]
    stamp = other.iloc[[0]].copy()
    stamp["text"] = pd.array(["PAID"], dtype="string")
    for corner in ("left_top", "right_top", "right_bottom", "left_bottom"):
        stamp[f"{corner}_y"] += 2000  # far below everything
    other = pd.concat([other, stamp]).assign(score=np.nan)
    other["item"] = pd.array(range(len(other)), dtype="Int64")

    table = match_items(receipt, other, names=("local", "wechat"))
    by_status = table.groupby("status", observed=False).size().to_dict()
    assert by_status == {"same": 17, "differs": 1, "only_local": 1, "only_wechat": 1}
    differs = table[table["status"] == "differs"].iloc[0]
    assert (differs["text_local"], differs["text_wechat"], differs["diff"]) == \
        ("41.60", "47.60", "4[1→7].60")
    assert differs["score_local"] > 0.9 and np.isnan(differs["score_wechat"])
    missed = table[table["status"] == "only_local"].iloc[0]
    assert missed["text_local"] == "牛奶" and pd.isna(missed["item_wechat"])
    extra = table[table["status"] == "only_wechat"].iloc[0]
    assert extra["text_wechat"] == "PAID" and extra["diff"] == "[+PAID]"
    assert table.iloc[-1]["text_wechat"] == "PAID", "placed after the last item above it"


def test_images_are_matched_by_label_whatever_the_row_order(loose):
    shuffled = loose.iloc[::-1]
    table = match_items(loose, shuffled)
    assert (table["status"] == "same").all() and len(table) == len(loose)
    assert list(dict.fromkeys(table.index)) == ["receipt", "sign"]


def test_a_failed_image_has_no_items_to_match(loose, images):
    broken = recognize_frame(images.assign(path=["no/such.png", images["path"].iloc[1]]),
                             "path", cache=False)
    table = match_items(loose, broken)
    assert (table.loc["receipt", "status"] == "only_a").all()
    assert (table.loc["sign", "status"] == "same").all()


def test_names_must_differ(loose):
    with pytest.raises(wxocr_pandas.UsageError, match="names must differ"):
        match_items(loose, loose, names=("x", "x"))


@pytest.mark.parametrize(("a", "b", "diff"), [
    ("牛奶", "牛乃", "牛[奶→乃]"), ("abc", "abc", "abc"), ("", "x", "[+x]"), ("x y", "xy", "x[- ]y")])
def test_char_diff(a, b, diff):
    assert char_diff(a, b) == diff


def test_plot_matches_highlights_disagreements_side_by_side(loose, strict):
    left, right = plot_matches(loose, strict, row="receipt", names=("loose", "strict"))
    lost = loose.loc["receipt"]
    lost = lost[lost["score"] < STRICT]
    edges = [tuple(edge) for edge in left.collections[0].get_edgecolors()]
    assert edges.count(to_rgba(STATUS_COLORS["only_a"])) == len(lost)
    assert edges.count(to_rgba(STATUS_COLORS["same"])) == len(strict.loc["receipt"])
    widths = left.collections[0].get_linewidths()
    assert sorted(set(widths)) == [1.0, 2.5]
    assert sorted(text.get_text() for text in left.texts) == sorted(lost["text"])
    assert not right.texts, "everything B read agrees with A"
    assert left.get_title() == (f"loose: {len(strict.loc['receipt'])} same, 0 differ, "
                                f"{len(lost)} only in loose")
    assert left.images[0].get_array().shape[:2] == (
        int(loose.loc["receipt", "img_h"].iloc[0]), int(loose.loc["receipt", "img_w"].iloc[0]))
