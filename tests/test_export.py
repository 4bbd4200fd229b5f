"""JSON Lines of raw answers: frame -> jsonl -> frame without re-recognizing, both spellings."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from wxocr_pandas import (ImgSize, Item, OcrResult, Point, read_jsonl, read_results, to_jsonl,
                          write_results)
from wxocr_pandas.export import results_from_frame
from wxocr_pandas.frame import explode
from wxocr_pandas.images import as_source

RESULTS = [
    OcrResult(items=(Item("合计", Point(33, 462), Point(107, 462), Point(107, 512), Point(33, 512),
                          score=0.99),
                     Item("41.60", Point(438.5, 467), Point(525, 467.25), Point(525, 508),
                          Point(438, 508))),
              img_size=ImgSize(560, 700)),
    OcrResult(img_size=ImgSize(10, 10)),
    OcrResult(errcode=900002, errmsg="gone.png: file not found (errcode 900002)"),
]
IMAGES = ["receipt.png", "blank.png", "gone.png"]


@pytest.fixture()
def frame() -> pd.DataFrame:
    return explode(pd.DataFrame({"image": IMAGES}), RESULTS, image="image")


@pytest.mark.parametrize("spelling", ["snake", "camel"])
def test_frame_round_trips_in_both_spellings(frame, tmp_path, spelling):
    path = tmp_path / "raw.jsonl"
    to_jsonl(frame, path, spelling=spelling)
    pd.testing.assert_frame_equal(read_jsonl(path), frame)
    assert read_results(path) == (IMAGES, RESULTS)


def test_lines_are_the_documented_answer(frame, tmp_path):
    path = tmp_path / "raw.jsonl"
    to_jsonl(frame, path)
    first, empty, failed = (json.loads(line) for line in path.read_text("utf-8").splitlines())
    assert first["image"] == "receipt.png" and first["img_size"] == {"w": 560, "h": 700}
    assert first["items"][0] == {"text": "合计", "score": 0.99, "pos": {
        "left_top": {"x": 33, "y": 462}, "right_top": {"x": 107, "y": 462},
        "right_bottom": {"x": 107, "y": 512}, "left_bottom": {"x": 33, "y": 512}}}
    assert type(first["items"][0]["pos"]["left_top"]["x"]) is int
    assert first["items"][1]["pos"]["right_top"] == {"x": 525, "y": 467.25}
    assert empty["items"] == [] and "score" not in first["items"][1]
    assert failed == {"image": "gone.png", "errcode": 900002,
                      "errmsg": "gone.png: file not found (errcode 900002)"}


def test_cloud_call_lines_written_by_hand_load(tmp_path):
    answer = {"errCode": 0, "errMsg": "ok", "imgSize": {"w": 20, "h": 10}, "items": [
        {"text": "腾讯", "pos": {"leftTop": {"x": 1, "y": 2}, "rightTop": {"x": 9, "y": 2},
                                "rightBottom": {"x": 9, "y": 8}, "leftBottom": {"x": 1, "y": 8}}}]}
    path = tmp_path / "cloud.jsonl"
    path.write_text(json.dumps(answer, ensure_ascii=False) + "\n\n", encoding="utf-8")
    loaded = read_jsonl(path, prefix="ocr_")
    assert loaded["image"].isna().all() and loaded["ocr_text"].tolist() == ["腾讯"]
    assert loaded[["ocr_right_bottom_x", "ocr_img_w"]].values.tolist() == [[9, 20]]


def test_index_labels_name_the_images_when_no_image_column_is_known(tmp_path):
    frame = explode(pd.DataFrame({"shop": ["A", "B", "C"]}, index=["r", "b", "g"]), RESULTS)
    path = tmp_path / "raw.jsonl"
    to_jsonl(frame, path)
    assert read_jsonl(path)["image"].unique().tolist() == ["r", "b", "g"]


def test_another_image_column_can_be_named(frame, tmp_path):
    path = tmp_path / "raw.jsonl"
    to_jsonl(frame.assign(name=["x", "x", "y", "z"]), path, image_column="name")
    assert read_jsonl(path)["image"].unique().tolist() == ["x", "y", "z"]


def test_write_results_and_read_results_pair_up(tmp_path):
    path = tmp_path / "cli.jsonl"
    write_results(path, IMAGES, RESULTS)
    assert read_results(path) == (IMAGES, RESULTS)
    assert results_from_frame(read_jsonl(path)) == RESULTS


def test_the_camel_spelling_is_the_cloud_functions(frame, tmp_path):
    path = tmp_path / "cloud.jsonl"
    to_jsonl(frame, path, spelling="camel")
    first, empty, failed = (json.loads(line) for line in path.read_text("utf-8").splitlines())
    assert first == {"image": "receipt.png", "errCode": 0, "errMsg": "ok",
                     "imgSize": {"w": 560, "h": 700}, "items": [
        {"text": "合计", "score": 0.99, "pos": {
            "leftTop": {"x": 33, "y": 462}, "rightTop": {"x": 107, "y": 462},
            "rightBottom": {"x": 107, "y": 512}, "leftBottom": {"x": 33, "y": 512}}},
        {"text": "41.60", "pos": {
            "leftTop": {"x": 438.5, "y": 467}, "rightTop": {"x": 525, "y": 467.25},
            "rightBottom": {"x": 525, "y": 508}, "leftBottom": {"x": 438, "y": 508}}}]}
    assert empty == {"image": "blank.png", "errCode": 0, "errMsg": "ok", "items": [],
                     "imgSize": {"w": 10, "h": 10}}
    assert failed == {"image": "gone.png", "errCode": 900002,
                      "errMsg": "gone.png: file not found (errcode 900002)"}


def test_a_recognized_frame_round_trips(local_backend, samples_dir, tmp_path):
    image = str(samples_dir / "receipt.png")
    frame = explode(pd.DataFrame({"image": [image]}), [local_backend.recognize(as_source(image))],
                    image="image")
    path = tmp_path / "receipt.jsonl"
    to_jsonl(frame, path)
    pd.testing.assert_frame_equal(read_jsonl(path), frame)
