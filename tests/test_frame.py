"""Results become the exploded frame: schema, dtypes, index, empty and failed rows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from wxocr_pandas import ColumnConflictError, ImgSize, Item, OcrResult, Point, UsageError
from wxocr_pandas.frame import CORNER_COLUMNS, RESULT_COLUMNS, RESULT_DTYPES, explode, results_frame


def _item(text: str, x: float, score: float | None = None) -> Item:
    return Item(text, Point(x, 1), Point(x + 10, 1), Point(x + 10, 5), Point(x, 5), score=score)


RESULTS = [
    OcrResult(items=(_item("甲", 0, 0.9), _item("乙", 20, 0.8)), img_size=ImgSize(100, 50)),
    OcrResult(img_size=ImgSize(30, 30)),
    OcrResult(errcode=900002, errmsg="x.png: file not found (errcode 900002)"),
    OcrResult(items=(_item("丙", 7),), img_size=ImgSize(64, 64)),
]


def test_columns_and_dtypes_are_the_documented_ones():
    frame = results_frame(RESULTS)
    assert tuple(frame.columns) == RESULT_COLUMNS
    assert frame.dtypes.to_dict() == RESULT_DTYPES
    assert CORNER_COLUMNS == ("left_top_x", "left_top_y", "right_top_x", "right_top_y",
                              "right_bottom_x", "right_bottom_y", "left_bottom_x", "left_bottom_y")


def test_one_row_per_item_and_one_per_empty_or_failed_image():
    frame = results_frame(RESULTS)
    assert frame.index.tolist() == [0, 0, 1, 2, 3]
    assert frame["item"].tolist() == [0, 1, pd.NA, pd.NA, 0]
    assert frame["text"].tolist() == ["甲", "乙", pd.NA, pd.NA, "丙"]
    assert frame["errcode"].tolist() == [0, 0, 0, 900002, 0]
    assert frame["img_w"].tolist() == [100, 100, 30, pd.NA, 64]
    assert frame["errmsg"].iloc[3] == "x.png: file not found (errcode 900002)"


def test_corners_and_scores_land_in_their_columns():
    frame = results_frame(RESULTS)
    assert frame.iloc[1][list(CORNER_COLUMNS)].tolist() == [20, 1, 30, 1, 30, 5, 20, 5]
    assert np.isnan(frame.iloc[2]["left_top_x"])
    assert frame["score"].iloc[:2].tolist() == [0.9, 0.8] and np.isnan(frame["score"].iloc[4])


def test_explode_keeps_columns_and_repeats_index_labels():
    df = pd.DataFrame({"path": list("abcd"), "shop": list("WXYZ")}, index=[10, 20, 30, 40])
    out = explode(df, RESULTS)
    assert out.index.tolist() == [10, 10, 20, 30, 40]
    assert out.columns.tolist() == ["path", "shop", *RESULT_COLUMNS]
    assert out["shop"].tolist() == ["W", "W", "X", "Y", "Z"]
    assert out["path"].dtype == df["path"].dtype


def test_a_multi_index_is_kept():
    df = pd.DataFrame({"path": list("abcd")},
                      index=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 2), ("c", 3)]))
    out = explode(df, RESULTS)
    assert out.index.tolist() == [("a", 1), ("a", 1), ("a", 2), ("b", 2), ("c", 3)]


@pytest.mark.parametrize("index", [[0, 1, 1, 2], pd.MultiIndex.from_tuples([("a", 1), ("a", 1),
                                                                            ("b", 2), ("c", 3)])])
def test_a_non_unique_index_is_refused_since_it_would_merge_images(index):
    df = pd.DataFrame({"path": list("abcd")}, index=index)
    with pytest.raises(UsageError, match=r"index repeats the label\(s\) \[.*1\)?\].*reset_index"):
        explode(df, RESULTS)


def test_duplicated_column_names_are_refused():
    df = pd.DataFrame([["a", 1, 2]] * 4, columns=["path", "shop", "shop"])
    with pytest.raises(UsageError, match=r"several columns named \['shop'\]"):
        explode(df, RESULTS)


def test_the_frame_records_its_schema_and_keeps_the_inputs_attrs():
    df = pd.DataFrame({"path": list("abcd")})
    df.attrs["source"] = "scans"
    out = explode(df, RESULTS, prefix="ocr_", image="path")
    assert out.attrs == {"source": "scans", "wxocr": {"prefix": "ocr_", "image": "path"}}
    json.dumps(out.attrs)  # JSON-simple, so Parquet keeps it too


def test_column_clash_is_a_clear_error_and_prefix_avoids_it():
    df = pd.DataFrame({"path": list("abcd"), "text": list("1234")})
    with pytest.raises(ColumnConflictError, match=r"\['text'\].*prefix="):
        explode(df, RESULTS)
    out = explode(df, RESULTS, prefix="ocr_")
    assert "ocr_text" in out and out["text"].tolist() == ["1", "1", "2", "3", "4"]


def test_empty_input_gives_an_empty_frame_with_the_schema():
    out = explode(pd.DataFrame({"path": pd.Series([], dtype=object)}), [])
    assert len(out) == 0 and tuple(out.columns[1:]) == RESULT_COLUMNS
    assert out.dtypes.iloc[1:].to_dict() == RESULT_DTYPES


def test_result_count_must_match_rows():
    with pytest.raises(UsageError, match="3 results for 4 rows"):
        explode(pd.DataFrame({"path": list("abcd")}), RESULTS[:3])
