"""Headlines and the articles they head (wxocr_pandas.layout_articles), on boxes in a page's
frame: lines run left to right, top to bottom (a vertical page is turned a quarter)."""

from __future__ import annotations

import numpy as np

from wxocr_pandas.layout_articles import continued, headed_by, headlines

BODY = (10.0, 12.0)  # the body's font size and line thickness


def test_a_bold_subtitle_against_a_headline_is_part_of_it_and_a_long_banner_is_none():
    box = np.array([[0, 0, 200, 30],        # headline
                    [0, 32, 150, 47],       # bold sub-title, a little thicker than the body
                    [0, 55, 300, 67],       # body
                    [0, 100, 700, 130]],    # a line of large type 23 times longer than thick
                   dtype=float)
    sizes = np.array([30, 13, 10, 30], dtype=float)
    assert headlines(box, sizes, BODY).tolist() == [0, 0, -1, -1]


def test_large_type_in_small_lines_is_no_headline():
    # The font size alone (a short item's padded box) or the thickness alone is not enough.
    box = np.array([[0, 0, 60, 12], [100, 0, 160, 30]], dtype=float)
    assert headlines(box, np.array([30.0, 10.0]), BODY).tolist() == [-1, -1]


def test_a_horizontal_title_heads_the_vertical_columns_it_stands_over():
    # Turned frame of a vertical page: the title (across) runs down the frame, the columns
    # it stands over lie right of it; a column beside but far below stays unheaded.
    box = np.array([[0, 0, 30, 200],                         # title, across the lines
                    [40, 0, 300, 12], [40, 20, 300, 32],     # columns under it
                    [40, 300, 300, 312]], dtype=float)       # a column elsewhere
    owner = headed_by(box, np.array([0, -1, -1, -1]), 10.0, across=np.array([1, 0, 0, 0], bool))
    assert owner.tolist() == [0, 0, 0, -1]


def test_a_vertical_headline_heads_the_tier_right_under_it_only_on_a_vertical_page():
    # Turned frame: the headline's columns run left to right; the tier under it on the page
    # lies right of it in the frame, just past its end.
    box = np.array([[0, 0, 100, 30],                         # headline
                    [0, 40, 300, 52],                        # a column beside it
                    [105, 0, 300, 12], [105, 15, 300, 27]],  # the tier under it
                   dtype=float)
    head = np.array([0, -1, -1, -1])
    assert headed_by(box, head, 10.0, vertical=True).tolist() == [0, 0, 0, 0]
    assert headed_by(box, head, 10.0).tolist() == [0, 0, -1, -1]


def test_an_article_runs_on_line_by_line_but_not_across_a_wide_gap():
    box = np.array([[0, 0, 100, 10], [0, 15, 100, 25], [0, 30, 100, 40], [0, 60, 100, 70],
                    [200, 15, 300, 25]], dtype=float)
    owner = continued(box, np.array([3, -1, -1, -1, -1]), np.ones(5, dtype=bool), 10.0)
    assert owner.tolist() == [3, 3, 3, -1, -1]
