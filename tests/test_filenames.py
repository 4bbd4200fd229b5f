"""File names that are not UTF-8 (byte 0xff, as a GBK name unpacked from a Windows zip):
read through the API with the cache on and off, and by the CLI's glob into CSV, Parquet and
JSON Lines. The file is real, in ``tmp_path``; the name stays as given (a surrogate-escaped
``str``), and messages, the cache and the written files show it with ``\\xff``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import wxocr_pandas
from wxocr_pandas.export import read_jsonl

BAD = os.fsdecode(b"bad\xff.png")
MISSING = os.fsdecode(b"gone\xfe.png")


@pytest.fixture
def folder(tmp_path, samples_dir) -> Path:
    folder = tmp_path / "n"
    folder.mkdir()
    shutil.copy(samples_dir / "sign.png", folder / BAD)
    shutil.copy(samples_dir / "sign.png", folder / "ok.png")
    return folder


@pytest.mark.parametrize("cache", [True, False])
def test_the_api_reads_a_file_whatever_its_name(folder, tmp_path, local_backend, cache):
    paths = [str(folder / BAD), str(folder / "ok.png"), str(folder / MISSING)]
    for _ in range(2 if cache else 1):  # with the cache: stored, then read back from it
        out = pd.concat(wxocr_pandas.recognize_iter(paths, backend=local_backend, cache=cache,
                                                    cache_dir=tmp_path / "cache", progress=False))
        bad = out[out["image"] == paths[0]]
        assert bad["text"].tolist() == out[out["image"] == paths[1]]["text"].tolist() != []
        missing = out[out["image"] == paths[2]]
        assert missing["errcode"].tolist() == [900002]
        assert missing["errmsg"].iloc[0] == f"{folder}/gone\\xfe.png: file not found (errcode 900002)"
    stored = tmp_path / "cache" / "results.sqlite3"
    if cache:
        with sqlite3.connect(stored) as db:
            labels = {label for (label,) in db.execute("SELECT image FROM results")}
        assert f"{folder}/bad\\xff.png" in labels
    else:
        assert not stored.exists()


def test_an_object_column_keeps_the_name_as_given(folder, local_backend):
    frame = pd.DataFrame({"path": [str(folder / BAD)]}, dtype=object)
    out = frame.wxocr.recognize("path", backend=local_backend, cache=False)
    assert out["path"].tolist() == [str(folder / BAD)] * len(out)
    assert os.fsencode(out["path"].iloc[0]).endswith(b"bad\xff.png")
    assert out["errcode"].eq(0).all() and len(out) == 2


@pytest.fixture(scope="module")
def cli_cache(tmp_path_factory) -> Path:
    """One cache for the three CLI runs: the first recognizes, the others read it."""
    return tmp_path_factory.mktemp("cli-cache")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_the_cli_glob_writes_every_format(folder, tmp_path, cli_cache, suffix):
    output = tmp_path / f"out{suffix}"
    wxocr = Path(sys.executable).with_name("wxocr")
    done = subprocess.run([str(wxocr), "recognize", os.fsencode(folder) + b"/*", "-o",
                           str(output), "--cache-dir", str(cli_cache), "--no-progress"],
                          capture_output=True)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"2 images, 4 texts, 0 failed" in done.stdout
    read = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".jsonl": read_jsonl}[suffix]
    table = read(output)
    assert sorted(set(table["image"])) == [f"{folder}/bad\\xff.png", f"{folder}/ok.png"]
    assert table["text"].tolist().count("小心地滑") == 2
