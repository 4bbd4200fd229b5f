"""The ``wxocr`` command writes CSV, Parquet and raw JSON Lines from real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from wxocr_pandas import OcrResult
from wxocr_pandas.cli import main
from wxocr_pandas.frame import RESULT_COLUMNS


@pytest.fixture(scope="module")
def images(samples_dir: Path) -> list[str]:
    return [str(samples_dir / "sign.png"), str(samples_dir / "document.png"), "missing.png"]


def test_csv_has_one_row_per_text_and_the_failure(tmp_path, images, expected, capsys):
    out = tmp_path / "results.csv"
    assert main(["recognize", *images, "-o", str(out)]) == 0
    frame = pd.read_csv(out)
    assert frame.columns.tolist() == ["image", *RESULT_COLUMNS]
    sign = frame[frame["image"] == images[0]]["text"].tolist()
    assert sign == [e["text"] for e in expected["sign.png"]]
    assert frame[frame["image"] == "missing.png"]["errcode"].tolist() == [900002]
    printed = capsys.readouterr()
    assert "3 images" in printed.out and "1 failed" in printed.out
    assert "missing.png: file not found" in printed.err


def test_parquet_keeps_the_dtypes(tmp_path, images):
    out = tmp_path / "deep" / "results.parquet"
    assert main(["recognize", *images[:1], "-o", str(out)]) == 0
    frame = pd.read_parquet(out)
    assert str(frame["errcode"].dtype) == "Int64" and str(frame["item"].dtype) == "Int64"


def test_jsonl_holds_the_raw_wechat_answers(tmp_path, images):
    out = tmp_path / "raw.jsonl"
    assert main(["recognize", *images, "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["image"] for r in records] == images
    assert OcrResult.from_dict(records[0]).items[0].text == "小心地滑"
    assert records[2]["errcode"] == 900002 and "items" not in records[2]


def test_glob_patterns_are_expanded(tmp_path, samples_dir, monkeypatch):
    monkeypatch.chdir(samples_dir.parent)
    out = tmp_path / "r.csv"
    assert main(["recognize", "samples/**/sign*.png", "-o", str(out)]) == 0
    assert pd.read_csv(out)["image"].unique().tolist() == ["samples/sign.png"]


def test_bad_output_suffix_is_refused(tmp_path, capsys):
    assert main(["recognize", "x.png", "-o", str(tmp_path / "r.xlsx")]) == 2
    assert "output must end in" in capsys.readouterr().err


def test_installed_console_script_runs(tmp_path, samples_dir):
    wxocr = Path(sys.executable).with_name("wxocr")
    out = tmp_path / "r.csv"
    done = subprocess.run([str(wxocr), "recognize", str(samples_dir / "sign.png"), "-o", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(out)["text"].tolist() == ["小心地滑", "Caution Wet Floor"]
