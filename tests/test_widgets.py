"""The inspector, driven through its traitlets and front-end messages with no browser.

What only a browser shows (the drawn aspect ratio, clicks, keys, zoom) is checked by
tests/test_inspector_browser.py.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import io
import json

import matplotlib

matplotlib.use("Agg")  # in this process only (MPLBACKEND would reach the notebook kernels)

import anywidget  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import wxocr_pandas  # noqa: E402
from wxocr_pandas.api import recognize_frame  # noqa: E402
from wxocr_pandas.inspector_view import ReviewView  # noqa: E402
from wxocr_pandas.widgets import CORRECTION_COLUMNS, Inspector  # noqa: E402


@pytest.fixture
def frame(samples_dir):
    return pd.DataFrame({"path": [str(samples_dir / "receipt.png"), str(samples_dir / "receipt2.png"),
                                  str(samples_dir / "gone.png")]}, index=["a", "b", "c"])


class Counting:
    """The session's local backend, counting the images it is given."""

    name = "local"

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, 0

    @property
    def identity(self) -> str:
        return self.inner.identity

    def recognize(self, source):
        self.calls += 1
        return self.inner.recognize(source)


@pytest.fixture
def backend(local_backend) -> Counting:
    return Counting(local_backend)


@pytest.fixture
def inspector(frame, backend, tmp_path):
    widget = Inspector(frame, "path", backend=backend, cache_dir=tmp_path / "cache")
    yield widget
    plt.close("all")


def _message(widget: Inspector, **content) -> None:
    """What the front end sends: a correction or an accept naming its image."""
    widget.review_view.receive(content)


def _texts(widget: Inspector) -> list[str]:
    return [item["text"] for item in widget.review_view.items]


def test_opens_on_the_first_image_at_full_resolution(inspector, samples_dir):
    view = inspector.review_view
    assert (inspector.image, inspector.page) == ("a", 1)
    assert _texts(inspector)[0] == "阳光便利店" and len(view.items) == 19
    picture = Image.open(io.BytesIO(view.picture))
    original = Image.open(samples_dir / "receipt.png")
    assert picture.size == original.size == (view.img_w, view.img_h)
    assert view.picture_format == "png" and not view.busy
    first = view.items[0]
    assert first["corners"][0] == [first["x"], first["y"]] and 0.99 < first["score"] <= 1
    assert [item["text"] for item in inspector.answer["items"]] == _texts(inspector)
    assert "19 items" in inspector.status and "receipt.png" in inspector.status


def test_the_colour_scale_spans_the_image_own_scores(inspector):
    low, high = inspector.review_view.color_range
    scores = [item["score"] for item in inspector.review_view.items]
    assert low <= min(scores) < low + 0.001 and high == max(scores)
    assert high - low < 0.1, "0.949 and 1.000 fall at opposite ends, not both in the green"


def test_choosing_another_image_clears_then_recognizes_it_once(inspector):
    view = inspector.review_view
    seen = []
    view.observe(lambda change: seen.append(len(change["new"])), names="picture")
    first_id = view.image_id
    inspector.image_picker.value = "b"
    assert seen[0] == 0 and seen[-1] > 0, "the old overlay is cleared while the new image is read"
    assert _texts(inspector)[0] == "城南超市" and view.image_id != first_id
    assert "城南超市" in json.dumps(inspector.answer, ensure_ascii=False)
    kept = inspector.recognized["b"]
    inspector.select("a")
    inspector.select("b")
    assert inspector.recognized["b"] is kept, "kept per inspector, not recognized again"


def test_selection_round_trip_and_stale_selections(inspector):
    inspector.selected = ("b", 1, 3)
    assert inspector.image == "b" and inspector.selected == ("b", 1, 3)
    assert inspector.review_view.selection == [inspector.review_view.image_id, 3]
    # The front end selects by [image_id, item]: one made on the previous image is dropped.
    inspector.image_picker.value = "a"
    assert inspector.selected is None
    stale = str(int(inspector.review_view.image_id) - 1)
    inspector.review_view.selection = [stale, 5]
    assert inspector.review_view.selection is None and inspector.selected is None
    inspector.review_view.selection = [inspector.review_view.image_id, 5]
    assert inspector.selected == ("a", 1, 5)
    with pytest.raises(wxocr_pandas.UsageError, match="no item 99"):
        inspector.selected = ("a", 1, 99)
    inspector.selected = None
    assert inspector.review_view.selection is None


def test_text_filter_score_range_and_sorting(inspector):
    view = inspector.review_view
    view.score_min = 0.96
    assert 0 < len(inspector.view) < 19 and (inspector.view["score"] >= 0.96).all()
    view.score_min, view.text_filter = 0.0, "8.00"
    assert inspector.view["text"].tolist() == ["1 x 8.00", "8.00", "8.00"]
    view.text_filter = ""
    view.sort_by, view.ascending = "score", False
    scores = inspector.view["score"].tolist()
    assert scores == sorted(scores, reverse=True) and len(scores) == 19
    view.sort_by, view.ascending = "y", True
    tops = [min(y for _, y in item["corners"]) for item in sorted(
        view.items, key=lambda item: inspector.view["item"].tolist().index(item["item"]))]
    assert tops == sorted(tops)


def test_review_mode_lists_the_items_below_the_threshold_lowest_first(inspector):
    view = inspector.review_view
    result = inspector.result
    view.review, view.threshold = True, 0.97
    review = inspector.view
    expected = result[result["score"] < 0.97].sort_values("score")
    assert review["text"].tolist() == expected["text"].tolist()
    assert {"4 x 2.00", "2 x 6.50"} <= set(review["text"]), "the receipt's quantity lines"
    assert review["score"].is_monotonic_increasing
    view.sort_by = "text"  # review order wins over the table's sort
    assert inspector.view["text"].tolist() == review["text"].tolist()
    view.threshold = float(result["score"].min())
    assert inspector.view.empty


def test_corrections_are_filed_under_the_image_they_were_made_on(inspector, frame, local_backend):
    view = inspector.review_view
    on_a = view.image_id
    _message(inspector, kind="correct", image_id=on_a, item=3, text="2 x 6.60")
    assert view.items[3]["corrected"] == "2 x 6.60" and inspector.result["text"].iloc[3] == "2 x 6.60"
    # The reviewer switches to b; an edit opened on a arrives late: it still belongs to a.
    inspector.image_picker.value = "b"
    original_b = inspector.result["text"].iloc[1]
    _message(inspector, kind="correct", image_id=on_a, item=1, text="2026-11-03 14:26")
    assert inspector.result["text"].iloc[1] == original_b
    assert all(item["corrected"] is None for item in view.items)
    corrections = inspector.corrections
    assert list(corrections.columns) == list(CORRECTION_COLUMNS)
    assert corrections[["index", "page", "item", "corrected"]].values.tolist() == [
        ["a", 1, 3, "2 x 6.60"], ["a", 1, 1, "2026-11-03 14:26"]]
    assert corrections["image"].tolist() == [frame.loc["a", "path"]] * 2
    assert "a: receipt.png #1" in inspector.status

    out = recognize_frame(frame.iloc[:2], "path", backend=local_backend)
    fixed = inspector.apply_corrections(out)
    changed = fixed["text"] != out["text"]
    assert changed.sum() == 2 and set(fixed.index[changed.to_numpy()]) == {"a"}
    prefixed = recognize_frame(frame.iloc[:2].assign(text="mine"), "path", backend=local_backend,
                               prefix="ocr_")
    fixed = inspector.apply_corrections(prefixed)
    assert fixed.loc["a", "ocr_text"].iloc[3] == "2 x 6.60" and (fixed["text"] == "mine").all()


def test_a_message_for_an_unknown_image_is_refused(inspector):
    _message(inspector, kind="correct", image_id="999", item=1, text="x")
    assert inspector.corrections.empty and "unknown image" in inspector.status


def test_correct_accept_and_back_from_code(inspector):
    inspector.correct(2, "牛奶x")
    assert inspector.result["text"].iloc[2] == "牛奶x"
    inspector.correct(2, "牛奶")
    assert inspector.corrections.empty and inspector.review_view.items[2]["corrected"] is None
    _message(inspector, kind="accept", image_id=inspector.review_view.image_id, item=12)
    assert inspector.review_view.items[12]["accepted"]
    assert inspector.accepted.values.tolist() == [["a", 1, 12, "4 x 2.00"]]
    with pytest.raises(wxocr_pandas.UsageError, match="no item 99"):
        inspector.correct(99, "x")


def test_corrections_survive_switching_and_rerunning(inspector, backend):
    inspector.correct(0, "阳光便利店!")
    inspector.select("b")
    inspector.select("a")
    assert inspector.review_view.items[0]["corrected"] == "阳光便利店!"
    calls = backend.calls
    inspector.run()
    assert backend.calls == calls, "served from the cache"
    assert "read in" in inspector.status and "cache bypassed" not in inspector.status
    assert inspector.result["text"].iloc[0] == "阳光便利店!"
    inspector.run(cache=False)
    assert backend.calls == calls + 1
    assert "cache bypassed" in inspector.status and "read in" in inspector.status
    assert inspector.review_view.items[0]["corrected"] == "阳光便利店!"


def test_the_button_reruns_with_the_cache_checkbox(inspector, backend):
    calls = backend.calls
    inspector.use_cache.value = False
    inspector.recognize_button.click()
    assert "cache bypassed" in inspector.status and backend.calls == calls + 1
    inspector.use_cache.value = True
    inspector.recognize_button.click()
    assert "cache bypassed" not in inspector.status and backend.calls == calls + 1


def test_a_failed_image_shows_its_error_and_no_overlay(inspector):
    inspector.image_picker.value = "c"
    assert "file not found" in inspector.status
    assert inspector.review_view.picture == b"" and inspector.review_view.items == []
    assert not inspector.review_view.busy and inspector.selected is None


def test_upload_is_titled_by_its_file_name(inspector, samples_dir):
    data = (samples_dir / "sign.png").read_bytes()
    inspector.upload.value = ({"name": "sign.png", "type": "image/png", "size": len(data),
                                "content": memoryview(data),
                                "last_modified": dt.datetime(2026, 1, 1)},)
    assert inspector.image == ("upload", "sign.png")
    assert _texts(inspector) == ["小心地滑", "Caution Wet Floor"]
    assert inspector.image_picker.options[-1][0] == "sign.png (upload)"
    assert "sign.png (upload)" in inspector.status and "(" + "'upload'" not in \
        inspector.status
    inspector.correct(0, "小心")
    assert inspector.corrections["index"].tolist() == [None]


def test_a_backend_that_cannot_start_says_so_and_the_last_answer_stays(inspector, monkeypatch):
    for name in ("WXOCR_APPID", "WXOCR_SECRET", "WXOCR_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    before, items = inspector.result, inspector.review_view.items
    inspector.backend_picker.value = "wechat"
    inspector.recognize_button.click()
    status = inspector.status
    assert inspector.status_kind == "error" and "backend: the WeChat backend needs" in status
    assert "the last answer stays shown" in status
    pd.testing.assert_frame_equal(inspector.result, before)
    assert inspector.review_view.items == items and not inspector.review_view.busy
    inspector.image_picker.value = "b"  # never read: nothing to keep
    assert inspector.result is None and inspector.review_view.items == []
    assert "backend: the WeChat backend needs" in inspector.status


def test_plot_draws_the_view_statically(inspector):
    inspector.review_view.text_filter = "8.00"
    inspector.selected = ("a", 1, 7)
    ax = inspector.plot()
    assert len(ax.collections[0].get_paths()) == 3


def test_the_front_end_ships_with_the_package():
    static = importlib.resources.files("wxocr_pandas") / "static"
    assert (static / "inspector.js").is_file() and (static / "inspector.css").is_file()
    assert "export default" in (static / "inspector.js").read_text()
    assert ".wxocr-image-view" in (static / "inspector.css").read_text()
    assert isinstance(ReviewView(), anywidget.AnyWidget)


def test_accessor_and_top_level_name(frame):
    widget = frame.iloc[[1]].wxocr.inspect("path")
    assert isinstance(widget, wxocr_pandas.Inspector)
    assert widget.result["text"].iloc[0] == "城南超市"
    with pytest.raises(KeyError, match="no column 'nope'"):
        Inspector(frame, "nope")
    with pytest.raises(wxocr_pandas.UsageError, match="unique index"):
        Inspector(frame.iloc[[0, 0]], "path")


def test_review_from_code_selects_the_lowest_item(inspector):
    queue = inspector.review(0.97)
    assert inspector.review_view.review and inspector.review_view.threshold == 0.97
    assert inspector.selected == ("a", 1, int(queue["item"].iloc[0]))
    assert queue["score"].iloc[0] == inspector.result["score"].min()
    assert inspector.review(0.0).empty and inspector.selected is None


def test_a_document_is_reviewed_page_by_page(local_backend, samples_dir, tmp_path):
    frame = pd.DataFrame({"path": [str(samples_dir / "report.pdf"), str(samples_dir / "sign.png")]},
                         index=["report", "sign"])
    widget = Inspector(frame, "path", backend=local_backend, cache_dir=tmp_path / "cache")
    assert widget.page_picker.options == (1, 2, 3) and widget.page_picker.layout.display != "none"
    assert "p1/3" in widget.status
    first = _texts(widget)
    widget.page_picker.value = 2
    assert (widget.image, widget.page) == ("report", 2) and "p2/3" in widget.status
    assert _texts(widget) != first
    picture = Image.open(io.BytesIO(widget.review_view.picture))
    assert picture.size == (widget.review_view.img_w, widget.review_view.img_h)
    read = _texts(widget)[0]
    widget.correct(0, read + "!")
    widget.selected = ("report", 3, 0)
    assert widget.page == 3 and all(item["corrected"] is None for item in widget.review_view.items)
    assert widget.corrections[["index", "page", "item"]].values.tolist() == [["report", 2, 0]]
    out = recognize_frame(frame, "path", backend=local_backend, cache_dir=tmp_path / "cache")
    fixed = widget.apply_corrections(out)
    changed = (fixed["text"] != out["text"]).fillna(False).to_numpy()
    assert fixed[changed][["page", "item", "text"]].values.tolist() == [[2, 0, read + "!"]]
    widget.select("sign")
    assert widget.page == 1 and widget.page_picker.layout.display == "none"
