"""Overlays are checked by what was drawn: polygons, vertices, labels, colours, glyphs."""

from __future__ import annotations

import warnings

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # in this process only (MPLBACKEND would reach the notebook kernels)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402
from matplotlib.colors import Normalize, to_rgba  # noqa: E402

from wxocr_pandas import UsageError, fonts, plot_grid, plot_overlay, plot_side_by_side  # noqa: E402
from wxocr_pandas.api import recognize_frame  # noqa: E402
from wxocr_pandas.schema import CORNER_COLUMNS  # noqa: E402
from wxocr_pandas.plotting import HIGHLIGHT_COLOR, SCORE_RANGE, resolve_image_column  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture(scope="module")
def out(local_backend, samples_dir):
    frame = pd.DataFrame({"path": [str(samples_dir / "receipt.png"), str(samples_dir / "sign.png")],
                          "shop": ["阳光", "sign"]})
    return recognize_frame(frame, "path", backend=local_backend)


@pytest.fixture(scope="module")
def receipt(out):
    return out.loc[[0]]


def _polygons(ax) -> PolyCollection:
    (collection,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    return collection


def test_one_polygon_per_item_with_the_corners_as_vertices(receipt):
    ax = plot_overlay(receipt)
    paths = _polygons(ax).get_paths()
    assert len(paths) == len(receipt) > 10
    corners = receipt[list(CORNER_COLUMNS)].to_numpy().reshape(-1, 4, 2)
    for path, quad in zip(paths, corners):
        np.testing.assert_allclose(path.vertices[:4], quad)


def test_labels_are_the_recognized_texts(receipt):
    ax = plot_overlay(receipt)
    assert [t.get_text() for t in ax.texts] == receipt["text"].tolist()
    assert not plot_overlay(receipt, labels=False).texts


def test_chinese_labels_have_their_glyphs(receipt):
    assert fonts.find_cjk_font() is not None, "this machine has Noto Sans CJK installed"
    ax = plot_overlay(receipt)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.canvas.draw()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert any("便利店" in t.get_text() for t in ax.texts)


def test_colours_follow_the_score(receipt):
    ax = plot_overlay(receipt, color_by="score")
    expected = matplotlib.colormaps["RdYlGn"](Normalize(*SCORE_RANGE)(receipt["score"].to_numpy()))
    np.testing.assert_allclose(_polygons(ax).get_edgecolors()[:, :3], expected[:, :3])
    assert len(ax.figure.axes) == 2, "a colorbar is added"
    assert len(np.unique(_polygons(ax).get_edgecolors(), axis=0)) > 1, "scores differ, so do colours"


def test_colour_by_errcode_is_categorical(receipt):
    ax = plot_overlay(receipt, color_by="errcode")
    assert len(np.unique(_polygons(ax).get_edgecolors(), axis=0)) == 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0"]
    assert len(ax.figure.axes) == 1, "no colorbar for a category"


def test_highlight_marks_the_chosen_rows(receipt):
    magenta = to_rgba(HIGHLIGHT_COLOR)
    by_query = _polygons(plot_overlay(receipt, highlight="score < 0.97")).get_edgecolors()
    chosen = (receipt["score"] < 0.97).to_numpy()
    assert 0 < chosen.sum() < len(receipt)
    assert all(tuple(edge) == magenta for edge in by_query[chosen])
    assert not any(tuple(edge) == magenta for edge in by_query[~chosen])
    by_mask = _polygons(plot_overlay(receipt, highlight=chosen)).get_edgecolors()
    np.testing.assert_array_equal(by_mask, by_query)
    with pytest.raises(UsageError, match="highlight has 2 values"):
        plot_overlay(receipt, highlight=[True, False])


def test_several_images_ask_which(out):
    with pytest.raises(UsageError, match=r"2 images .*row=.*image=.*plot_grid"):
        plot_overlay(out)
    by_row = plot_overlay(out, row=1)
    by_image = plot_overlay(out, image=out.loc[1, "path"].iloc[0])
    assert len(_polygons(by_row).get_paths()) == len(_polygons(by_image).get_paths()) == len(out.loc[1])
    with pytest.raises(UsageError, match="no index label 7"):
        plot_overlay(out, row=7)


def test_highlight_mask_over_the_whole_frame_follows_the_chosen_image(out):
    mask = (out["text"] == "小心地滑").to_numpy()
    edges = _polygons(plot_overlay(out, row=1, highlight=mask)).get_edgecolors()
    assert [tuple(edge) == to_rgba(HIGHLIGHT_COLOR) for edge in edges] == mask[out.index == 1].tolist()


def test_the_image_column_is_the_recorded_one_or_asked_for(out, samples_dir):
    assert resolve_image_column(out) == "path"
    twice = out.assign(copy=out["path"], shop=str(samples_dir / "receipt.png"))
    drawn = plot_overlay(twice.loc[[1]])  # the recorded column, not one that also holds files
    assert drawn.get_images()[0].get_array().shape[:2] == (out.loc[1, "img_h"].iloc[0],
                                                          out.loc[1, "img_w"].iloc[0])
    merged = out.loc[[1]].join(pd.DataFrame({"city": ["深圳"]}, index=["sign"]), on="shop")
    assert merged.attrs == {}, "pandas drops attrs in join"
    with pytest.raises(UsageError, match="does not record which column.*image_column="):
        plot_overlay(merged)
    assert len(_polygons(plot_overlay(merged, image_column="path")).get_paths()) == len(out.loc[1])
    with pytest.raises(UsageError, match="image_column= or image="):
        plot_overlay(out.loc[[1]].drop(columns="path"))
    with pytest.raises(UsageError, match="no image column 'nope'"):
        plot_overlay(out.loc[[1]], image_column="nope")
    drawn = plot_overlay(out.loc[[1]].drop(columns="path"), image=samples_dir / "sign.png")
    assert len(_polygons(drawn).get_paths()) == len(out.loc[1])


def test_without_a_cjk_font_it_warns_once_and_still_draws(receipt, monkeypatch):
    monkeypatch.setattr(fonts, "CJK_FONT_FAMILIES", ("No Such Font Family",))
    fonts.find_cjk_font.cache_clear()
    fonts.cjk_font_family.cache_clear()
    try:
        with pytest.warns(UserWarning, match="fonts-noto-cjk"):
            ax = plot_overlay(receipt)
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="No CJK font")
            plot_overlay(receipt)
        assert [t.get_text() for t in ax.texts] == receipt["text"].tolist()
    finally:
        monkeypatch.undo()
        fonts.find_cjk_font.cache_clear()
        fonts.cjk_font_family.cache_clear()


def test_grid_draws_one_panel_per_image_and_reports_failures(out, local_backend, samples_dir):
    failed = recognize_frame(pd.DataFrame({"path": [str(samples_dir / "gone.png")]}, index=[2]),
                             "path", backend=local_backend)
    frame = pd.concat([out.drop(columns="shop"), failed])
    axes = plot_grid(frame, ncols=2)
    assert len(axes) == 3
    assert [len(_polygons(ax).get_paths()) for ax in axes[:2]] == [len(out.loc[0]), len(out.loc[1])]
    assert "file not found" in axes[2].texts[0].get_text()
    assert len(axes[0].figure.axes) == 4, "three panels and one shared colorbar"


def test_side_by_side_writes_each_text_inside_its_box(receipt):
    left, right = plot_side_by_side(receipt)
    assert len(_polygons(left).get_paths()) == len(receipt)
    (texts,) = [c for c in right.collections if isinstance(c, PathCollection)]
    corners = receipt[list(CORNER_COLUMNS)].to_numpy().reshape(-1, 4, 2)
    assert len(texts.get_paths()) == len(receipt)
    for path, quad in zip(texts.get_paths(), corners):
        inside = (path.vertices >= quad.min(axis=0) - 1) & (path.vertices <= quad.max(axis=0) + 1)
        assert inside.all()
    assert right.get_xlim() == (0, receipt["img_w"].iloc[0])


def test_accessor_methods_delegate(out, receipt):
    ax = out.wxocr.plot(row=0, labels=False)
    assert len(_polygons(ax).get_paths()) == len(receipt)
    assert len(out.wxocr.plot_grid(ncols=1)) == 2
    assert len(out.wxocr.plot_side_by_side(row=1)) == 2


def test_prefixed_results_plot_the_same(local_backend, samples_dir):
    frame = recognize_frame(pd.DataFrame({"path": [str(samples_dir / "sign.png")]}), "path",
                            backend=local_backend, prefix="ocr_")
    ax = plot_overlay(frame)
    assert [t.get_text() for t in ax.texts] == frame["ocr_text"].tolist()
