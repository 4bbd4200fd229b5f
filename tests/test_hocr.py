"""hOCR out and in: round trips, Tesseract's and docTR's files, and hOCR tools reading ours."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from wxocr_pandas import ExportWarning, UsageError, read_hocr, to_hocr
from wxocr_pandas.evaluate import text_scores
from wxocr_pandas.schema import CORNER_COLUMNS

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def recognized(samples_dir, local_backend, tmp_path_factory) -> pd.DataFrame:
    """Chinese and English images, a turned image and a three-page PDF."""
    turned = tmp_path_factory.mktemp("hocr") / "turned.png"
    Image.open(samples_dir / "sign.png").rotate(90, expand=True).save(turned)
    paths = [samples_dir / "receipt.png", samples_dir / "report.pdf", turned,
             samples_dir / "document.png"]
    return pd.DataFrame({"path": [str(p) for p in paths]}).wxocr.recognize(
        "path", backend=local_backend, max_workers=1)


def test_read_hocr_of_to_hocr_gives_the_frame_back(recognized, tmp_path):
    path = tmp_path / "out.hocr"
    recognized.wxocr.to_hocr(path)
    back = read_hocr(path)
    columns = ["page", "item", "text", "img_w", "img_h", "errcode"]
    pd.testing.assert_frame_equal(back[columns], recognized[columns])
    assert back["image"].tolist() == recognized["path"].tolist()
    corners = recognized[list(CORNER_COLUMNS)].to_numpy()
    # hOCR coordinates are whole pixels
    assert np.array_equal(back[list(CORNER_COLUMNS)].to_numpy(), np.round(corners))
    assert np.allclose(back["score"], recognized["score"], atol=0.005, equal_nan=True)
    turned = back[back["image"].str.endswith("turned.png")]
    assert turned["text"].tolist() == ["小心地滑", "Caution Wet Floor"]
    # a sideways line keeps its corners: it starts at the bottom, reading upwards
    first = turned.iloc[0]
    assert first["left_top_y"] > first["right_top_y"]


def test_failed_inputs_are_left_out_with_a_warning(samples_dir, local_backend, tmp_path):
    out = pd.DataFrame({"path": [str(samples_dir / "sign.png"), "nowhere.png"]}).wxocr.recognize(
        "path", backend=local_backend, max_workers=1)
    with pytest.warns(ExportWarning, match="nowhere.png: left out of the hOCR file"):
        to_hocr(out, tmp_path / "out.hocr")
    assert read_hocr(tmp_path / "out.hocr")["image"].unique().tolist() == [
        str(samples_dir / "sign.png")]


def test_hocr_spec_validates_our_files(recognized, tmp_path):
    path = tmp_path / "out.hocr"
    to_hocr(recognized, path)
    checker = Path(sys.executable).with_name("hocr-spec")
    done = subprocess.run([str(checker), "--format", "bool", str(path)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ocrmypdfs_hocr_parser_reads_our_words(recognized, tmp_path):
    from ocrmypdf.hocrtransform import HocrParser

    path = tmp_path / "one.hocr"
    to_hocr(recognized.loc[[0]], path)
    page = HocrParser(path).parse()
    words = [word.text for word in page.iter_by_class("ocrx_word")]
    assert "".join(words) == "".join(recognized.loc[0, "text"].str.replace(" ", ""))
    assert (page.bbox.right, page.bbox.bottom) == (560, 722)


def test_tesseract_hocr_becomes_a_frame_with_document_pages(expected):
    frame = read_hocr(DATA / "tesseract-pages.hocr")
    assert frame["image"].unique().tolist() == ["pages.tif"]
    assert frame["page"].unique().tolist() == [1, 2]
    assert frame[["img_w", "img_h"]].drop_duplicates().values.tolist() == [[560, 722], [700, 500]]
    english = "\n".join(frame.loc[frame["page"] == 2, "text"])
    truth = "\n".join(run["text"] for run in expected["document.png"])
    assert text_scores(english, truth)["char_f1"] > 0.95
    chinese = frame.loc[frame["page"] == 1, "text"].tolist()
    assert "阳光便利店" in chinese and "谢谢惠顾" in chinese  # a word per character, joined
    assert frame["score"].between(0, 1).all()


def test_doctr_hocr_is_read_although_its_lines_sit_after_the_page(tmp_path):
    frame = read_hocr(DATA / "doctr-page.hocr")
    assert frame["text"].tolist() == ["Reading Text from Images", "文字识别 OCR"]
    assert frame[["left_top_x", "left_top_y", "right_bottom_x", "right_bottom_y"]].values.tolist() \
        == [[60, 40, 412, 72], [60, 96, 230, 120]]
    assert frame["score"].round(3).tolist() == [0.975, 0.85]
    assert (frame["img_w"] == 700).all() and (frame["page"] == 1).all()


def test_a_file_that_is_not_xhtml_is_refused(tmp_path):
    path = tmp_path / "broken.hocr"
    path.write_text("<html><body><div class='ocr_page'>", encoding="utf-8")
    with pytest.raises(UsageError, match="broken.hocr is not XHTML hOCR"):
        read_hocr(path)


def test_the_cli_writes_hocr(samples_dir, tmp_path):
    from wxocr_pandas.cli import main

    out = tmp_path / "sign.hocr"
    assert main(["recognize", str(samples_dir / "sign.png"), "-o", str(out), "--no-progress"]) == 0
    assert read_hocr(out)["text"].tolist() == ["小心地滑", "Caution Wet Floor"]


def test_tools_without_poly_get_turned_lines_from_textangle(recognized, tmp_path):
    path = tmp_path / "turned.hocr"
    to_hocr(recognized.loc[[2]], path)  # the sign turned a quarter counter-clockwise
    text = path.read_text(encoding="utf-8")
    assert "textangle 90" in text
    stripped = tmp_path / "no-poly.hocr"
    stripped.write_text(re.sub(r"; poly [\d ]+", "", text), encoding="utf-8")
    back = read_hocr(stripped)
    assert back["text"].tolist() == ["小心地滑", "Caution Wet Floor"]
    # bbox and textangle alone give the corners, the text's start first, within the few
    # pixels by which the engine's quads differ from rectangles
    original = np.round(recognized.loc[[2], list(CORNER_COLUMNS)].to_numpy())
    assert np.abs(back[list(CORNER_COLUMNS)].to_numpy() - original).max() <= 3
