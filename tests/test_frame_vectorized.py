"""The vectorized frame builder equals a plain row-by-row build, for any results."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from wxocr_pandas import ImgSize, Item, OcrResult, Point
from wxocr_pandas.frame import CORNER_COLUMNS, RESULT_DTYPES, results_frame

coordinates = st.floats(-1e4, 1e4, allow_nan=False) | st.integers(-10_000, 10_000)
points = st.builds(Point, coordinates, coordinates)
items = st.builds(Item, st.text(max_size=5), points, points, points, points,
                  score=st.none() | st.floats(0, 1))
sizes = st.none() | st.builds(ImgSize, st.integers(1, 5000), st.integers(1, 5000))
answers = st.builds(OcrResult, items=st.lists(items, max_size=4).map(tuple), img_size=sizes)
failures = st.builds(OcrResult, errcode=st.integers(1, 999_999), errmsg=st.text(max_size=10))
#: A document's answer: its pages, page 1 first (a page may fail on its own).
documents = st.lists(answers | failures, min_size=1, max_size=3).map(tuple)


def build_row_by_row(results: list) -> pd.DataFrame:
    rows, index = [], []
    for position, answer in enumerate(results):
        # An image is page 1 (NA when it failed); a document's pages count from 1.
        pages = ([(1 if answer.ok else None, answer)] if isinstance(answer, OcrResult)
                 else list(enumerate(answer, start=1)))
        for page, result in pages:
            size = result.img_size
            common = {"page": page, "img_w": size.w if size else None,
                      "img_h": size.h if size else None, "errcode": result.errcode,
                      "errmsg": result.errmsg}
            for order, item in enumerate(result.items or [None]):
                row = {"item": None, "text": None, "score": None, **dict.fromkeys(CORNER_COLUMNS)}
                if item is not None:
                    corners = [v for p in item.corners for v in (p.x, p.y)]
                    row = {"item": order, "text": item.text, "score": item.score,
                           **dict(zip(CORNER_COLUMNS, corners))}
                rows.append({**row, **common})
                index.append(position)
    frame = pd.DataFrame(rows, index=index, columns=list(RESULT_DTYPES))
    return frame.astype({name: ("float64" if name == "score" or name in CORNER_COLUMNS else dtype)
                         for name, dtype in RESULT_DTYPES.items()})


@settings(max_examples=60, deadline=None)
@given(st.lists(answers | failures | documents, max_size=8))
def test_vectorized_build_equals_the_row_by_row_build(results):
    expected = build_row_by_row(results)
    actual = results_frame(results)
    pd.testing.assert_frame_equal(actual, expected, check_index_type=False)
