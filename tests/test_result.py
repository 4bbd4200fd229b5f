"""The result model reads both spellings and writes back the exact documented JSON."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from wxocr_pandas import ImgSize, Item, OcrResult, Point
from wxocr_pandas.result import CORNERS

DOC_ANSWER = (
    '{"errcode":0,"errmsg":"ok","items":[{"text":"腾讯","pos":{"left_top":{"x":575,"y":519},'
    '"right_top":{"x":744,"y":519},"right_bottom":{"x":744,"y":532},'
    '"left_bottom":{"x":573,"y":532}}}],"img_size":{"w":1280,"h":720}}'
)

coords = st.integers(min_value=0, max_value=20_000)
points = st.fixed_dictionaries({"x": coords, "y": coords})
items = st.fixed_dictionaries({
    "text": st.text(min_size=1, max_size=30),
    "pos": st.fixed_dictionaries({name: points for name in CORNERS}),
})
ok_answers = st.fixed_dictionaries({
    "errcode": st.just(0),
    "errmsg": st.just("ok"),
    "items": st.lists(items, max_size=8),
    "img_size": st.fixed_dictionaries({"w": st.integers(1, 20_000), "h": st.integers(1, 20_000)}),
})
error_answers = st.fixed_dictionaries({
    "errcode": st.integers(min_value=-1, max_value=999_999).filter(bool),
    "errmsg": st.text(max_size=60),
})


def test_documented_answer_round_trips_byte_for_byte():
    assert OcrResult.from_json(DOC_ANSWER).to_json() == DOC_ANSWER


def test_documented_answer_is_read_into_the_model():
    result = OcrResult.from_json(DOC_ANSWER)
    assert result.ok and result.img_size.w == 1280 and result.img_size.h == 720
    (item,) = result.items
    assert item.text == "腾讯" and item.score is None
    assert (item.left_top.x, item.left_top.y, item.left_bottom.x) == (575, 519, 573)


@given(st.one_of(ok_answers, error_answers))
def test_any_documented_answer_round_trips(answer):
    assert OcrResult.from_dict(answer).to_dict() == answer
    assert json.loads(OcrResult.from_dict(answer).to_json()) == answer


#: The documented answer as the cloud function ``cloud.openapi.ocr.printedText`` returns it:
#: every key camelCase, the corners included, and its own ``errMsg``.
CLOUD_ANSWER = {
    "errCode": 0, "errMsg": "openapi.ocr.printedText:ok",
    "items": [{"text": "腾讯", "pos": {
        "leftTop": {"x": 575, "y": 519}, "rightTop": {"x": 744, "y": 519},
        "rightBottom": {"x": 744, "y": 532}, "leftBottom": {"x": 573, "y": 532}}}],
    "imgSize": {"w": 1280, "h": 720},
}
_CAMEL_CORNERS = {"left_top": "leftTop", "right_top": "rightTop", "right_bottom": "rightBottom",
                  "left_bottom": "leftBottom"}


def _cloud_spelling(answer: dict) -> dict:
    """The cloud function's spelling of a documented answer, written out key by key."""
    out = {"errCode": answer["errcode"], "errMsg": answer["errmsg"]}
    if "items" in answer:
        out["items"] = [{"text": item["text"],
                         "pos": {_CAMEL_CORNERS[name]: point for name, point in item["pos"].items()}}
                        for item in answer["items"]]
    if "img_size" in answer:
        out["imgSize"] = answer["img_size"]
    return out


def test_cloud_function_answer_is_read_into_the_model():
    result = OcrResult.from_dict(CLOUD_ANSWER)
    assert result.ok and result.errmsg == "openapi.ocr.printedText:ok"
    assert (result.img_size.w, result.img_size.h) == (1280, 720)
    (item,) = result.items
    assert item.text == "腾讯"
    assert [(p.x, p.y) for p in item.corners] == [(575, 519), (744, 519), (744, 532), (573, 532)]
    assert result == OcrResult.from_json(DOC_ANSWER.replace('"ok"', '"openapi.ocr.printedText:ok"'))


def test_cloud_function_answer_is_written_back_exactly():
    assert OcrResult.from_dict(CLOUD_ANSWER).to_dict("camel") == CLOUD_ANSWER
    assert json.loads(OcrResult.from_dict(CLOUD_ANSWER).to_json("camel")) == CLOUD_ANSWER


@given(st.one_of(ok_answers, error_answers))
def test_cloud_function_spelling_reads_and_writes_the_same(answer):
    cloud = _cloud_spelling(answer)
    assert OcrResult.from_dict(cloud) == OcrResult.from_dict(answer)
    assert OcrResult.from_dict(answer).to_dict("camel") == cloud


def test_cloud_call_answer_with_ignored_type_field():
    camel = {"errCode": 0, "errMsg": "ok", "type": "photo", "items": [],
             "imgSize": {"w": 10, "h": 20}}
    result = OcrResult.from_dict(camel)
    assert result.ok and result.items == () and result.img_size.h == 20


def test_scores_are_kept_as_an_extension_and_only_when_known():
    answer = json.loads(DOC_ANSWER)
    answer["items"][0]["score"] = 0.93
    assert OcrResult.from_dict(answer).items[0].score == 0.93
    assert OcrResult.from_dict(answer).to_dict() == answer
    assert "score" not in OcrResult.from_json(DOC_ANSWER).to_dict()["items"][0]


def test_error_answer_has_no_items():
    result = OcrResult.from_dict({"errcode": 45009, "errmsg": "reach max api daily quota limit"})
    assert not result.ok
    assert result.to_dict() == {"errcode": 45009, "errmsg": "reach max api daily quota limit"}


float_coords = st.floats(min_value=-50, max_value=20_000, allow_nan=False)


@given(st.lists(st.tuples(*[float_coords] * 8), max_size=6))
def test_the_written_answer_has_integer_corners_within_half_a_pixel(quads):
    """WeChat's answer is integers (typed clients refuse ``185.0``); the model keeps the
    engine's floats, and ``exact=True`` writes them as held."""
    result = OcrResult(items=tuple(
        Item("t", *(Point(q[i], q[i + 1]) for i in range(0, 8, 2))) for q in quads),
        img_size=ImgSize(20_000, 20_000))
    for spelling in ("snake", "camel"):
        written = json.loads(result.to_json(spelling))
        for item, quad in zip(written["items"], quads):
            values = [v for point in item["pos"].values() for v in (point["x"], point["y"])]
            assert all(type(v) is int for v in values)
            assert all(abs(v - exact) <= 0.5 for v, exact in zip(values, quad))
        size = written["img_size" if spelling == "snake" else "imgSize"]
        assert type(size["w"]) is int and type(size["h"]) is int
    exact = result.to_dict(exact=True)
    assert [[v for p in item["pos"].values() for v in (p["x"], p["y"])]
            for item in exact["items"]] == [list(q) for q in quads]
