"""Frames that know their own schema.

Every tool that reads a result gives the same answer on a frame recognized with
``prefix="ocr_"`` (whose input already had its own ``text`` column) as on an unprefixed one:
each consumer is run on both, on real recognitions of the samples, and checked against what the
samples say. Then the schema's own rules: where ``attrs`` survive, what happens where pandas
drops them, and how rows group into images (never two images merged under one label).
"""

from __future__ import annotations

import io
import json
import pickle

import matplotlib

matplotlib.use("Agg")  # in this process only

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from wxocr_pandas import (ColumnConflictError, Inspector, OcrResult, UsageError,  # noqa: E402
                          compare, evaluate, layout_text, match_items, plot_grid, plot_overlay,
                          plot_side_by_side, read_jsonl, to_jsonl)
from wxocr_pandas.api import recognize_frame  # noqa: E402
from wxocr_pandas.export import results_from_frame  # noqa: E402
from wxocr_pandas.frame import explode  # noqa: E402
from wxocr_pandas.geometry import BOX_COLUMNS  # noqa: E402
from wxocr_pandas.plotting import HIGHLIGHT_COLOR  # noqa: E402
from wxocr_pandas.schema import (CORNER_COLUMNS, RESULT_COLUMNS, Schema,  # noqa: E402
                                 group_images, rows_per_image, schema_of, with_schema)

pytestmark = pytest.mark.usefixtures("close_figures")

PREFIXES = ["", "ocr_"]
SIGN = ["小心地滑", "Caution Wet Floor"]
#: The user's own ``text`` column of the prefixed case: every tool must ignore it. Each value
#: would change an answer if it were read (a total, a date, a label, the sign's words).
USERS_TEXT = ["合计 999.99 2020-01-01", "合计 1.00 Caution", "小心地滑 合计 5.00"]


@pytest.fixture(scope="module")
def inputs(samples_dir) -> pd.DataFrame:
    return pd.DataFrame({"path": [str(samples_dir / name) for name in
                                  ("receipt.png", "sign.png", "gone.png")],
                         "shop": ["阳光便利店", "商场", "?"]}, index=["r", "s", "g"])


@pytest.fixture(scope="module")
def results(inputs, local_backend) -> dict[str, pd.DataFrame]:
    """The same three images recognized plainly, and with ``prefix="ocr_"`` beside the user's
    own ``text`` column."""
    plain = recognize_frame(inputs, "path", backend=local_backend, cache=False)
    prefixed = recognize_frame(inputs.assign(text=USERS_TEXT), "path", backend=local_backend,
                               prefix="ocr_", cache=False)
    return {"": plain, "ocr_": prefixed}


def _plain(obj, prefix: str):
    """``obj`` as the unprefixed tools give it: the user's ``text`` dropped, the prefix removed."""
    if not prefix:
        return obj
    if isinstance(obj, pd.Series):
        return obj.rename(obj.name[len(prefix):] if str(obj.name).startswith(prefix) else obj.name)
    return obj.drop(columns="text").rename(
        columns=lambda c: c[len(prefix):] if str(c).startswith(prefix) else c)


def _users_text_untouched(out: pd.DataFrame, prefix: str) -> None:
    if prefix:
        assert out["text"].isin(USERS_TEXT).all()


# -- each consumer, on both frames ------------------------------------------------------------

@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_frame_records_its_schema(results, prefix):
    assert results[prefix].attrs["wxocr"] == {"prefix": prefix, "image": "path"}
    assert schema_of(results[prefix]) == Schema(prefix=prefix, image="path")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_find_searches_the_recognized_text(results, prefix):
    found = results[prefix].wxocr.find("合计")
    assert found.index.tolist() == ["r"]  # the user's text says 合计 on every image
    assert found[prefix + "text"].tolist() == ["合计"]
    assert results[prefix].wxocr.find("caution", case=False)[prefix + "text"].tolist() == [SIGN[1]]
    _users_text_untouched(found, prefix)
    pd.testing.assert_frame_equal(_plain(found, prefix), results[""].wxocr.find("合计"))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_to_text(results, prefix):
    text = results[prefix].wxocr.to_text()
    assert text.name == prefix + "text"
    assert text.index.tolist() == ["r", "s", "g"]
    assert text["s"] == "\n".join(SIGN) and text["g"] == ""
    assert "合计 41.60" in text["r"].split("\n")
    pd.testing.assert_series_equal(_plain(text, prefix), results[""].wxocr.to_text())


@pytest.mark.parametrize("prefix", PREFIXES)
def test_lines(results, prefix):
    lines = results[prefix].wxocr.lines()
    assert lines.loc["s", prefix + "text"].tolist() == SIGN
    assert lines.loc["s", prefix + "line"].tolist() == [0, 1]
    assert set(lines.columns) >= {prefix + name for name in ("line", "text", "n_items", "score",
                                                               *CORNER_COLUMNS)}
    _users_text_untouched(lines, prefix)
    assert schema_of(lines).prefix == prefix  # lines can be searched in turn
    assert lines.wxocr.find("合计")[prefix + "text"].tolist() == ["合计 41.60"]
    pd.testing.assert_frame_equal(_plain(lines, prefix), results[""].wxocr.lines())


@pytest.mark.parametrize("prefix", PREFIXES)
def test_extract(results, prefix):
    dates = results[prefix].wxocr.extract(r"(?P<date>\d{4}-\d\d-\d\d)")
    assert dates["date"].tolist() == ["2026-11-03", pd.NA, pd.NA]  # the user's says 2020-01-01
    pd.testing.assert_frame_equal(dates, results[""].wxocr.extract(r"(?P<date>\d{4}-\d\d-\d\d)"))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_value_near(results, prefix):
    total = results[prefix].wxocr.value_near("合计")
    assert total.tolist() == ["41.60", pd.NA, pd.NA]  # the user's would say 999.99
    assert results[prefix].wxocr.value_near("小心地滑", direction="below")["s"] == SIGN[1]
    pd.testing.assert_series_equal(total, results[""].wxocr.value_near("合计"))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_boxes_adds_prefixed_columns_and_never_overwrites(results, prefix):
    out = results[prefix].wxocr.boxes()
    added = [prefix + name for name in BOX_COLUMNS]
    assert out.columns.tolist() == [*results[prefix].columns, *added]
    sign = out.loc["s"]
    assert (sign[prefix + "x_max"] > sign[prefix + "x_min"]).all()
    assert sign[prefix + "height"].iloc[0] > sign[prefix + "height"].iloc[1]  # 小心地滑 is big
    _users_text_untouched(out, prefix)
    pd.testing.assert_frame_equal(_plain(out, prefix), results[""].wxocr.boxes())
    mine = results[prefix].assign(**{prefix + "angle": "the user's"})
    with pytest.raises(ColumnConflictError, match=f"'{prefix}angle'.*never overwrites"):
        mine.wxocr.boxes()
    with pytest.raises(ColumnConflictError):
        out.wxocr.boxes()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_evaluate_with_text_and_boxes(results, prefix, expected):
    truth = pd.DataFrame([{"text": run["text"], **dict(zip(["x_min", "y_min", "x_max", "y_max"],
                                                              run["box"]))}
                          for run in expected["sign.png"]], index=["s", "s"])
    scores = evaluate(results[prefix], truth)
    assert scores.loc["s", ["cer", "wer", "char_f1"]].tolist() == [0.0, 0.0, 1.0]
    assert scores.loc["s", "det_hmean"] == 1.0
    pd.testing.assert_frame_equal(scores, evaluate(results[""], truth))
    # Another result frame can be the truth: the prediction against itself is perfect.
    self_scores = evaluate(results[prefix], results[prefix].loc[["r", "s"]])
    assert self_scores["cer"].tolist() == [0.0, 0.0]
    assert self_scores["det_hmean"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_compare(inputs, local_backend, prefix):
    sign = inputs.loc[["s"]].assign(text=USERS_TEXT[1]) if prefix else inputs.loc[["s"]]
    truth = pd.Series(["小心地滑 Caution Wet Floor"], index=["s"])
    table = compare(sign, "path", backends=[local_backend], truth=truth, prefix=prefix)
    assert table[["backend", "text", "cer"]].values.tolist() == [["local", "\n".join(SIGN), 0.0]]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_results_and_jsonl(results, prefix, tmp_path):
    rebuilt = results_from_frame(results[prefix])
    assert rebuilt == results_from_frame(results[""])
    assert [item.text for item in rebuilt[1].items] == SIGN
    assert rebuilt[2].errcode == 900002 and rebuilt[2].items == ()
    path = tmp_path / "raw.jsonl"
    to_jsonl(results[prefix], path)
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert [line["image"] for line in lines] == results[prefix]["path"].unique().tolist()
    assert [item["text"] for item in lines[1]["items"]] == SIGN
    back = read_jsonl(path, prefix=prefix)
    assert back[prefix + "text"].tolist() == results[prefix][prefix + "text"].tolist()


def _polygons(ax) -> PolyCollection:
    (collection,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    return collection


@pytest.mark.parametrize("prefix", PREFIXES)
def test_plot_overlay(results, prefix):
    out = results[prefix]
    ax = plot_overlay(out, row="s", highlight="text.str.contains('Caution')", color_by="score")
    assert [t.get_text() for t in ax.texts] == SIGN
    edges = _polygons(ax).get_edgecolors()
    assert [tuple(edge) == to_rgba(HIGHLIGHT_COLOR) for edge in edges] == [False, True]
    np.testing.assert_allclose(_polygons(ax).get_paths()[0].vertices[:4],
                               out.loc["s", [prefix + c for c in CORNER_COLUMNS]]
                               .to_numpy().reshape(-1, 4, 2)[0])
    assert ax.get_title() == "[s] 2 items"
    by_image = plot_overlay(out, image=out.loc["s", "path"].iloc[0], labels=False)
    assert len(_polygons(by_image).get_paths()) == 2
    plain = plot_overlay(results[""], row="s", highlight="text.str.contains('Caution')")
    np.testing.assert_array_equal(_polygons(ax).get_facecolors(), _polygons(plain).get_facecolors())


@pytest.mark.parametrize("prefix", PREFIXES)
def test_plot_grid_and_side_by_side(results, prefix):
    axes = plot_grid(results[prefix], ncols=3)
    assert [len(_polygons(ax).get_paths()) for ax in axes[:2]] == [
        len(results[prefix].loc["r"]), 2]
    assert "file not found" in axes[2].texts[0].get_text()
    left, right = plot_side_by_side(results[prefix], row="s")
    assert len(_polygons(left).get_paths()) == 2
    (glyphs,) = [c for c in right.collections if isinstance(c, PathCollection)]
    assert len(glyphs.get_paths()) == 2
    page = layout_text(results[prefix].loc[["s"]])
    assert page.get_xlim() == (0, results[prefix].loc["s", prefix + "img_w"].iloc[0])


@pytest.mark.parametrize("prefix", PREFIXES)
def test_inspector_corrections_go_into_the_recognized_text(inputs, results, local_backend, prefix):
    inspector = Inspector(inputs.loc[["s"]], "path", backend=local_backend)
    inspector.correct(1, "Caution: Wet Floor")
    fixed = inspector.apply_corrections(results[prefix])
    assert fixed.loc["s", prefix + "text"].tolist() == [SIGN[0], "Caution: Wet Floor"]
    assert fixed.loc["r", prefix + "text"].tolist() == results[prefix].loc["r", prefix + "text"].tolist()
    _users_text_untouched(fixed, prefix)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_match_items_reads_each_side_through_its_own_schema(results, prefix):
    table = match_items(results[prefix], results[""], names=("mine", "plain"))
    assert (table["status"] == "same").all()
    assert table.loc["s", "text_mine"].tolist() == SIGN  # never the user's text
    assert len(table) == results[""]["text"].notna().sum()


# -- where pandas keeps attrs, and where it drops them ------------------------------------------

OPERATIONS = {
    "boolean filter": lambda f: f[f["ocr_errcode"] == 0],
    "copy": lambda f: f.copy(),
    "tail": lambda f: f.tail(3),
    "loc": lambda f: f.loc[["s"]],
    "sort_values": lambda f: f.sort_values("ocr_score"),
    "assign": lambda f: f.assign(checked=True),
    "concat of two results": lambda f: pd.concat([f.loc[["r"]], f.loc[["s"]]]),
    "pickle": lambda f: pickle.loads(pickle.dumps(f)),
    "parquet": lambda f: pd.read_parquet(io.BytesIO(f.to_parquet())),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_the_schema_survives_everyday_operations(results, operation):
    out = OPERATIONS[operation](results["ocr_"])
    assert schema_of(out) == Schema(prefix="ocr_", image="path")
    assert out.wxocr.find("Caution")["ocr_text"].tolist() == [SIGN[1]]


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.attrs = {}
    return out


@pytest.mark.parametrize("operation", ["merge", "join", "concat with another frame", "csv"])
def test_where_pandas_drops_attrs_the_prefix_is_found_from_the_columns(results, operation):
    out = results["ocr_"]
    shops = pd.DataFrame({"shop": ["商场"], "city": ["深圳"]})
    lost = {
        "merge": lambda: out.reset_index().merge(shops, on="shop").set_index("index"),
        "join": lambda: out.join(shops.set_index("shop"), on="shop"),
        "concat with another frame": lambda: pd.concat([out.loc[["s"]], _without_attrs(out.loc[["r"]])]),
        "csv": lambda: pd.read_csv(io.StringIO(out.to_csv()), index_col=0),
    }[operation]()
    assert lost.attrs.get("wxocr") is None
    assert schema_of(lost) == Schema(prefix="ocr_", image=None)
    assert lost.wxocr.find("Caution")["ocr_text"].tolist() == [SIGN[1]]
    with pytest.raises(UsageError, match="image_column="):
        plot_overlay(lost.loc[lost.index == "s"])
    back = with_schema(lost, prefix="ocr_", image="path")
    assert len(_polygons(plot_overlay(back.loc[back.index == "s"].iloc[:2])).get_paths()) == 2


def test_two_sets_of_result_columns_without_attrs_are_refused_not_guessed(results, local_backend):
    twice = recognize_frame(results[""].loc[["s"]].reset_index(), "path", backend=local_backend,
                            prefix="again_")
    assert schema_of(twice).prefix == "again_"  # attrs say which: the last recognition
    lost = _without_attrs(twice)
    with pytest.raises(UsageError, match=r"several sets of result columns \(prefixes \['', "
                                         r"'again_'\].*with_schema"):
        lost.wxocr.to_text()
    assert with_schema(lost, prefix="again_").wxocr.to_text().tolist() == ["\n".join(SIGN)] * 2


def test_repeated_result_column_names_are_refused(results):
    doubled = pd.concat([results[""], results[""][["text"]]], axis=1)
    with pytest.raises(UsageError, match=r"several columns named \['text'\]"):
        doubled.wxocr.find("x")


def test_a_frame_without_result_columns_reads_unprefixed():
    truth = pd.DataFrame({"text": ["a", "b"]}, index=[0, 0])
    assert schema_of(truth) == Schema()
    assert evaluate(explode(pd.DataFrame({"p": [1]}), [OcrResult()]), truth)["cer"].tolist() == [1.0]


# -- images: one label (and page) each, never two merged ----------------------------------------

def test_rows_per_image_in_order_of_first_appearance(results):
    keys = [key for key, _ in rows_per_image(results["ocr_"])]
    assert keys == [("r", None), ("s", None), ("g", None)]
    sizes = [len(rows) for _, rows in rows_per_image(results["ocr_"])]
    assert sizes == [len(results["ocr_"].loc["r"]), 2, 1]
    shuffled = results[""].iloc[np.r_[len(results[""]) - 1, 0: len(results[""]) - 1]]
    assert [key for key, _ in rows_per_image(shuffled)] == [("g", None), ("r", None), ("s", None)]
    assert group_images(results[""].iloc[:0]).positions == []


def test_missing_labels_and_a_multi_index_group_too():
    frame = pd.DataFrame({"text": list("abcd")},
                         index=pd.MultiIndex.from_tuples([("x", 1), (None, 2), ("x", 1), (None, 2)]))
    groups = group_images(frame)
    assert groups.labels.tolist() == [("x", 1), (np.nan, 2)]
    assert [rows.tolist() for rows in groups.positions] == [[0, 2], [1, 3]]


def test_results_concatenated_under_the_same_labels_are_refused_not_merged(results):
    twice = pd.concat([results[""], results[""]])
    with pytest.raises(UsageError, match=r"'r', 's', 'g' hold rows of several images.*keys="):
        twice.wxocr.to_text()
    with pytest.raises(UsageError, match="several images"):
        results_from_frame(twice)
    keyed = pd.concat([results[""], results[""]], keys=["monday", "tuesday"])
    text = keyed.wxocr.to_text()
    assert len(text) == 6 and text[("tuesday", "s")] == "\n".join(SIGN)


def test_an_empty_image_row_beside_another_images_items_is_refused(results):
    merged = pd.concat([results[""].loc[["s"]], results[""].loc[["g"]].set_axis(["s"])])
    with pytest.raises(UsageError, match="'s' hold rows of several images"):
        merged.wxocr.lines()


def test_filtered_and_reordered_frames_are_still_one_image_per_label(results):
    picked = results[""][results[""]["score"] > 0].sort_values("score")
    assert set(picked.wxocr.to_text().index) == {"r", "s"}


def test_the_input_is_checked_before_anything_is_recognized(inputs, size_backend):
    with pytest.raises(UsageError, match=r"index repeats the label\(s\) \['s'\]"):
        recognize_frame(inputs.set_axis(["r", "s", "s"]), "path", backend=size_backend)
    with pytest.raises(UsageError, match=r"several columns named \['shop'\]"):
        recognize_frame(inputs.assign(extra=1).set_axis(["path", "shop", "shop"], axis=1), "path",
                        backend=size_backend)
    assert size_backend.calls == 0


def test_result_columns_are_the_documented_ones():
    assert Schema(prefix="ocr_").result_columns == tuple("ocr_" + c for c in RESULT_COLUMNS)
    assert Schema().page is None
