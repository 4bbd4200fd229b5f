"""End to end through the accessors: samples in, exploded frame out, nothing lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import wxocr_pandas
from wxocr_pandas import ConfigError, ImageNotFoundError, LocalBackend, WxOcrError


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory, samples_dir: Path) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("bad")
    (folder / "notes.png").write_text("not an image")
    (folder / "empty.png").write_bytes(b"")
    (folder / "truncated.png").write_bytes((samples_dir / "sign.png").read_bytes()[:300])
    return {
        "missing": str(folder / "missing.png"),
        "not_image": str(folder / "notes.png"),
        "empty_file": str(folder / "empty.png"),
        "truncated": str(folder / "truncated.png"),
        "none": None,
        "nan": np.nan,
        "int": 7,
        "folder": str(folder),
    }


EXPECTED_ERRCODES = {"missing": 900002, "not_image": 101002, "empty_file": 101002,
                     "truncated": 101002, "none": 900001, "nan": 900001, "int": 900003,
                     "folder": 900002}


@pytest.fixture(scope="module")
def batch(local_backend, samples_dir, bad_inputs):
    names = ["receipt.png", "sign.png"]
    df = pd.DataFrame({
        "path": [str(samples_dir / n) for n in names] + list(bad_inputs.values()),
        "label": names + list(bad_inputs),
    }, index=range(100, 100 + len(names) + len(bad_inputs)))
    return df, df.wxocr.recognize("path", backend=local_backend)


def test_sample_rows_carry_the_expected_text(batch, expected):
    _, out = batch
    receipt = out[out["label"] == "receipt.png"]
    assert Counter(receipt["text"]) == Counter(e["text"] for e in expected["receipt.png"])
    assert receipt["item"].tolist() == list(range(len(receipt)))
    assert (receipt["errcode"] == 0).all() and (receipt["errmsg"] == "ok").all()
    assert receipt["img_w"].unique().tolist() == [560]


def test_every_bad_input_gives_one_row_with_its_errcode(batch, bad_inputs):
    df, out = batch
    for label, errcode in EXPECTED_ERRCODES.items():
        rows = out[out["label"] == label]
        assert len(rows) == 1, label
        assert rows["errcode"].item() == errcode, (label, rows["errmsg"].item())
        assert rows["text"].isna().all() and rows["item"].isna().all()
    missing = out[out["label"] == "missing"]["errmsg"].item()
    assert missing == f"{bad_inputs['missing']}: file not found (errcode 900002)"


def test_input_order_and_index_survive(batch):
    df, out = batch
    assert out.index.unique().tolist() == df.index.tolist()
    assert out.groupby(level=0, sort=False)["label"].first().tolist() == df["label"].tolist()


def test_series_accessor_matches_the_frame_accessor(batch, local_backend):
    df, out = batch
    from_series = df["path"].wxocr.recognize(backend=local_backend)
    pd.testing.assert_frame_equal(from_series, out.drop(columns="label"))


def test_errors_raise_stops_at_the_first_failure(local_backend, samples_dir):
    df = pd.DataFrame({"path": [str(samples_dir / "sign.png"), "nowhere.png"]})
    with pytest.raises(ImageNotFoundError, match="nowhere.png: file not found"):
        df.wxocr.recognize("path", backend=local_backend, errors="raise")


def test_prefix_and_conflicts_through_the_accessor(local_backend, samples_dir):
    df = pd.DataFrame({"path": [str(samples_dir / "sign.png")], "text": ["note"]})
    with pytest.raises(wxocr_pandas.ColumnConflictError):
        df.wxocr.recognize("path", backend=local_backend)
    out = df.wxocr.recognize("path", backend=local_backend, prefix="ocr_")
    assert out["ocr_text"].tolist() == ["小心地滑", "Caution Wet Floor"]


def test_unknown_column_names_the_choices():
    with pytest.raises(KeyError, match="no column 'img'"):
        pd.DataFrame({"path": []}).wxocr.recognize("img")


def test_mixed_input_kinds_in_one_column(local_backend, samples_dir, httpserver):
    path = samples_dir / "sign.png"
    httpserver.expect_request("/sign.png").respond_with_data(path.read_bytes(),
                                                             content_type="image/png")
    pil = Image.open(path)
    values = [path, path.read_bytes(), pil, np.asarray(pil.convert("RGB")),
              httpserver.url_for("/sign.png")]
    out = pd.Series(values, name="image").wxocr.recognize(backend=local_backend)
    texts = out.groupby(level=0)["text"].apply(list)
    assert texts.tolist() == [["小心地滑", "Caution Wet Floor"]] * len(values)


def test_single_image_returns_the_wechat_shaped_dict(local_backend, samples_dir):
    answer = wxocr_pandas.recognize(samples_dir / "sign.png", backend=local_backend)
    assert set(answer) == {"errcode", "errmsg", "items", "img_size"}
    assert [i["text"] for i in answer["items"]] == ["小心地滑", "Caution Wet Floor"]
    assert set(answer["items"][0]["pos"]) == {"left_top", "right_top", "right_bottom", "left_bottom"}
    assert wxocr_pandas.recognize("gone.png", errors="coerce")["errcode"] == 900002
    with pytest.raises(WxOcrError):
        wxocr_pandas.recognize("gone.png")


def test_backend_selection_argument_then_env_then_local(monkeypatch):
    from wxocr_pandas.backends.registry import resolve_backend

    monkeypatch.delenv("WXOCR_BACKEND", raising=False)
    assert isinstance(resolve_backend(None), LocalBackend)
    own = LocalBackend(text_score=0.7)
    assert resolve_backend(own) is own
    monkeypatch.setenv("WXOCR_BACKEND", "nonsense")
    with pytest.raises(ConfigError, match="unknown backend 'nonsense'"):
        resolve_backend(None)
    assert isinstance(resolve_backend("local"), LocalBackend)


def test_import_loads_no_engine_and_no_heavy_module():
    import subprocess
    import sys

    code = ("import sys, wxocr_pandas, pandas as pd; pd.DataFrame().wxocr; "
            "print(sorted(m for m in ('rapidocr', 'onnxruntime', 'matplotlib', 'ipywidgets', "
            "'dask', 'requests') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
