"""The inspector, driven through its traitlets with no browser."""

from __future__ import annotations

import datetime as dt
import io
import json

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # in this process only (MPLBACKEND would reach the notebook kernels)

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from PIL import Image  # noqa: E402

import wxocr_pandas  # noqa: E402
from wxocr_pandas.api import recognize_frame  # noqa: E402
from wxocr_pandas.plotting import HIGHLIGHT_COLOR  # noqa: E402
from wxocr_pandas.widgets import CORRECTION_COLUMNS, Inspector  # noqa: E402


@pytest.fixture
def frame(samples_dir):
    return pd.DataFrame({"path": [str(samples_dir / "receipt.png"), str(samples_dir / "receipt2.png"),
                                  str(samples_dir / "gone.png")]}, index=["a", "b", "c"])


@pytest.fixture
def inspector(frame, local_backend):
    widget = Inspector(frame, "path", backend=local_backend)
    yield widget
    plt.close("all")


def _png(widget: Inspector) -> Image.Image:
    return Image.open(io.BytesIO(widget._overlay.value))


def _polygon_count(widget: Inspector) -> int:
    return len(widget.plot().collections[0].get_paths())


def test_opens_on_the_first_image_with_overlay_table_and_raw_answer(inspector):
    assert inspector.image == "a"
    texts = inspector.result["text"].tolist()
    assert texts[0] == "阳光便利店" and len(texts) == 19
    assert _png(inspector).format == "PNG"
    assert [label for label, _ in inspector._item.options][0] == "0: 阳光便利店"
    assert "阳光便利店" in inspector._table.value
    assert [item["text"] for item in json.loads(inspector._raw.value)["items"]] == texts
    assert inspector._progress.bar_style == "success"


def test_choosing_another_image_recognizes_it_once(inspector):
    inspector._image.value = "b"
    assert inspector.result["text"].iloc[0] == "城南超市"
    assert "城南超市" in inspector._raw.value
    first = inspector._results["b"]
    inspector._image.value = "a"
    inspector._image.value = "b"
    assert inspector._results["b"] is first, "kept per inspector, not recognized again"


def test_min_score_and_text_filter_narrow_table_items_and_overlay(inspector):
    inspector._min_score.value = 0.96
    view = inspector.view
    assert 0 < len(view) < len(inspector.result)
    assert (view["score"] >= 0.96).all()
    assert len(inspector._item.options) == len(view) == _polygon_count(inspector)
    inspector._text_filter.value = "合计"
    assert inspector.view["text"].tolist() == ["合计"]
    assert "合计" in inspector._table.value and "牛奶" not in inspector._table.value
    inspector._text_filter.value = "no such text"
    assert inspector._table.value == "<i>no items</i>" and _polygon_count(inspector) == 0


def test_selecting_an_item_highlights_it_and_offers_its_text(inspector):
    before = inspector._overlay.value
    inspector._item.value = 2
    assert inspector._correction.value == "牛奶"
    edges = inspector.plot().collections[0].get_edgecolors()
    marked = [i for i, edge in enumerate(edges) if tuple(edge) == to_rgba(HIGHLIGHT_COLOR)]
    assert marked == [2]
    assert inspector._overlay.value != before


def test_labels_toggle(inspector):
    assert len(inspector.plot().texts) == len(inspector.result)
    before = inspector._overlay.value
    inspector._labels.value = False
    assert len(inspector.plot().texts) == 0
    assert inspector._overlay.value != before


def test_correcting_a_text_in_place(inspector, frame, local_backend):
    inspector._item.value = 1
    inspector._correction.value = "2026-11-03 14:26"
    inspector._apply.click()
    assert inspector.result["text"].iloc[1] == "2026-11-03 14:26"
    assert "14:26" in inspector._table.value
    corrections = inspector.corrections
    assert list(corrections.columns) == list(CORRECTION_COLUMNS)
    assert corrections.to_dict("records") == [{
        "index": "a", "image": frame.loc["a", "path"], "item": 1,
        "text": "2026-11-03 14:25", "corrected": "2026-11-03 14:26"}]
    out = recognize_frame(frame.iloc[:2], "path", backend=local_backend)
    fixed = inspector.apply_corrections(out)
    assert (fixed["text"] != out["text"]).sum() == 1
    assert fixed.loc["a", "text"].iloc[1] == "2026-11-03 14:26"


def test_apply_without_a_selected_item_says_so(inspector):
    inspector._apply.click()
    assert "Select an item" in inspector._status.value
    assert inspector.corrections.empty


def test_correct_from_code_and_back(inspector):
    inspector.correct(2, "牛奶x")
    assert inspector.result["text"].iloc[2] == "牛奶x"
    inspector.correct(2, "牛奶")
    assert inspector.corrections.empty and inspector.result["text"].iloc[2] == "牛奶"
    with pytest.raises(wxocr_pandas.UsageError, match="no item 99"):
        inspector.correct(99, "x")


def test_a_failed_image_shows_its_error(inspector):
    inspector._image.value = "c"
    assert "file not found" in inspector._status.value
    assert inspector._progress.bar_style == "danger"
    assert inspector._overlay.value == b""


def test_upload_adds_and_recognizes_the_file(inspector, samples_dir):
    data = (samples_dir / "sign.png").read_bytes()
    inspector._upload.value = ({"name": "sign.png", "type": "image/png", "size": len(data),
                                "content": memoryview(data),
                                "last_modified": dt.datetime(2026, 1, 1)},)
    assert inspector.image == ("upload", "sign.png")
    assert inspector.result["text"].tolist() == ["小心地滑", "Caution Wet Floor"]
    assert inspector._image.options[-1][0] == "upload: sign.png"


def test_rerun_with_another_backend_reports_a_backend_failure(inspector, monkeypatch):
    for name in ("WXOCR_APPID", "WXOCR_SECRET", "WXOCR_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    before = inspector.result
    inspector._backend.value = "wechat"
    inspector._run.click()
    assert inspector._progress.bar_style == "danger"
    assert inspector._progress.description == "failed"
    status = inspector._status.value
    assert status.startswith("<b>backend:</b> the WeChat backend needs appid and secret")
    assert "WXOCR_APPID" in status and "WXOCR_ACCESS_TOKEN" in status
    pd.testing.assert_frame_equal(inspector.result, before)  # the last good answer stays


def test_accessor_and_top_level_name(frame):
    widget = frame.iloc[[1]].wxocr.inspect("path")
    assert isinstance(widget, wxocr_pandas.Inspector)
    assert widget.result["text"].iloc[0] == "城南超市"
    with pytest.raises(KeyError, match="no column 'nope'"):
        Inspector(frame, "nope")
