"""Box geometry from the corner columns: hand-computed quads, empty rows, rotation, IoU."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wxocr_pandas import ImgSize, Item, OcrResult, Point
from wxocr_pandas.frame import explode
from wxocr_pandas.geometry import BOX_COLUMNS, boxes, iou_matrix, quads, rotate


def _frame() -> pd.DataFrame:
    # A 40x10 box turned 30 degrees clockwise about its left-top corner (10, 20).
    c, s = np.cos(np.radians(30)), np.sin(np.radians(30))
    corners = [(0, 0), (40, 0), (40, 10), (0, 10)]
    turned = [Point(10 + x * c - y * s, 20 + x * s + y * c) for x, y in corners]
    results = [OcrResult(items=(Item("斜", *turned),), img_size=ImgSize(100, 100)),
               OcrResult(errcode=900002, errmsg="gone")]
    return explode(pd.DataFrame({"path": ["a.png", "b.png"]}, index=[5, 6]), results)


def test_boxes_of_a_rotated_quad():
    geo = boxes(_frame())
    assert geo.columns.tolist()[-len(BOX_COLUMNS):] == list(BOX_COLUMNS)
    row = geo.loc[5]
    assert row["width"] == pytest.approx(40) and row["height"] == pytest.approx(10)
    assert row["angle"] == pytest.approx(30)
    assert row["x_min"] == pytest.approx(10 - 10 * np.sin(np.radians(30)))
    assert row["y_max"] == pytest.approx(20 + 40 * np.sin(np.radians(30)) + 10 * np.cos(np.radians(30)))
    assert (row["center_x"], row["center_y"]) == pytest.approx(
        (10 + 20 * np.cos(np.radians(30)) - 5 * np.sin(np.radians(30)),
         20 + 20 * np.sin(np.radians(30)) + 5 * np.cos(np.radians(30))))


def test_failed_rows_get_nan_and_the_frame_is_kept():
    frame = _frame()
    geo = boxes(frame)
    assert geo.loc[6, list(BOX_COLUMNS)].isna().all()
    assert geo.index.tolist() == [5, 6] and geo["path"].tolist() == ["a.png", "b.png"]
    assert not set(BOX_COLUMNS) & set(frame.columns)


def test_angle_sign_follows_the_image_y_axis():
    uphill = np.array([[[0, 10], [10, 0], [11, 1], [1, 11]]], dtype=float)
    frame = pd.DataFrame(uphill.reshape(1, 8), columns=[f"{c}_{a}" for c in
                         ("left_top", "right_top", "right_bottom", "left_bottom") for a in "xy"])
    assert boxes(frame)["angle"].iloc[0] == pytest.approx(-45)
    assert quads(frame).shape == (1, 4, 2)


@given(st.floats(-180, 180), st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))
def test_rotation_is_undone_by_its_opposite(degrees, x, y):
    points = np.array([[x, y], [y, x]])
    assert np.allclose(rotate(rotate(points, degrees), -degrees), points, atol=1e-6)


def test_iou_by_hand():
    a = np.array([[0, 0, 10, 10], [0, 0, 0, 0]])
    b = np.array([[5, 0, 15, 10], [0, 0, 10, 10], [20, 20, 30, 30]])
    assert iou_matrix(a, b).tolist() == [[50 / 150, 1.0, 0.0], [0.0, 0.0, 0.0]]
    assert iou_matrix(a[:0], b).shape == (0, 3)
