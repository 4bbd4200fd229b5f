"""The ``wxocr`` command writes CSV, Parquet and raw JSON Lines from real files."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest

from wxocr_pandas import OcrResult
from wxocr_pandas.cache import CACHE_FILE
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


def test_an_unwritable_output_is_refused_before_any_recognition(httpserver, tmp_path, capsys):
    httpserver.expect_request("/a.png").respond_with_data(b"never fetched")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for output in (blocker / "out.csv", Path("/sys/wxocr-out.parquet")):
        code = main(["recognize", httpserver.url_for("/a.png"), "-o", str(output), "--no-cache"])
        assert code == 2
        assert f"cannot write {output}" in capsys.readouterr().err
    assert httpserver.log == []  # nothing was downloaded, so nothing was recognized


def test_a_glob_that_matches_nothing_is_an_error(tmp_path, capsys):
    assert main(["recognize", str(tmp_path / "*.png"), "-o", str(tmp_path / "out.csv")]) == 2
    assert "no file matches" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(("variable", "value"), [("WXOCR_WORKERS", "abc"),
                                                 ("WXOCR_WORKERS", "0"),
                                                 ("WXOCR_TIMEOUT", "0"),
                                                 ("WXOCR_TIMEOUT", "nan"),
                                                 ("WXOCR_TIMEOUT", "inf"),
                                                 ("WXOCR_CACHE_TIMEOUT", "-1")])
def test_a_bad_setting_is_refused_naming_the_variable(variable, value, images, tmp_path,
                                                      monkeypatch, capsys):
    monkeypatch.setenv(variable, value)
    code = main(["recognize", "https://example.invalid/a.png", "-o", str(tmp_path / "o.csv")])
    assert code == 2
    assert variable in capsys.readouterr().err


def test_a_killed_run_keeps_the_chunks_it_finished(tmp_path, make_png):
    folder = tmp_path / "images"
    folder.mkdir()
    for number in range(200):
        (folder / f"{number:03d}.png").write_bytes(make_png(20 + number, 12))
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "wxocr_pandas.cli", "recognize", str(folder / "*.png"), "-o",
         str(out), "--workers", "1", "--no-cache", "--no-progress"], stderr=subprocess.PIPE)
    while not out.exists() or out.read_text().count("\n") < 32:
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.05)
    process.kill()
    process.wait()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert 32 <= len(lines) < 200  # killed mid-run, with at least its first chunk
    kept = [json.loads(line) for line in lines if line.endswith("}")]  # a line may be cut
    assert [row["image"] for row in kept] == [str(folder / f"{n:03d}.png")
                                              for n in range(len(kept))]
    assert all(row["errcode"] == 0 and row["img_size"]["w"] == 20 + n
               for n, row in enumerate(kept))


def test_an_interrupted_parquet_run_leaves_a_readable_file_of_its_finished_chunks(tmp_path,
                                                                                  make_png):
    folder = tmp_path / "images"
    folder.mkdir()
    # Blank and taller than a text line: one cheap engine pass each (no tight-crop reading).
    for number in range(96):
        (folder / f"{number:03d}.png").write_bytes(make_png(20 + number, 170))
    out = tmp_path / "out.parquet"
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "wxocr_pandas.cli", "recognize", str(folder / "*.png"),
               "-o", str(out), "--workers", "1", "--no-progress", "--cache-dir", str(cache)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    # Each finished chunk of 32 images is a row group in the file, and in the result cache.
    while not cache.exists() or _cached(cache) < 40:
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)  # Ctrl-C
    process.wait(timeout=60)
    frame = pd.read_parquet(out)
    assert 32 <= len(frame) < 96 and len(frame) % 32 == 0  # whole chunks, at least one
    assert frame["image"].tolist() == [str(folder / f"{n:03d}.png") for n in range(len(frame))]
    assert (frame["errcode"] == 0).all() and frame["img_w"].tolist() == list(
        range(20, 20 + len(frame)))
    # The re-run finds the finished images in the cache and completes the file.
    subprocess.run(command, check=True, capture_output=True)
    assert len(pd.read_parquet(out)) == 96


def _cached(cache: Path) -> int:
    with closing(sqlite3.connect(cache / CACHE_FILE)) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        except sqlite3.OperationalError:  # not created yet
            return 0
