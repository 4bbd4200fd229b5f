"""Turned pages, upside-down lines, tight crops and very long images, read by the local backend
on rendered images whose text and ink boxes are known."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from tests.helpers.rendered_text import (Text, document_line_crops, page, rotate_page, strip, word_crops)
from wxocr_pandas import LocalBackend
from wxocr_pandas.backends import reading
from wxocr_pandas.images import as_source

#: The detector's box exceeds the ink by its "unclip" margin, in proportion to the text
#: height (as in test_local.py).
MARGIN_PER_HEIGHT = 0.35
MARGIN_PX = 8

PAGE_LINES = ["Quarterly report 2026", "本季度各地区均保持增长", "Total amount 1,280.00"]


def quad_of(item) -> np.ndarray:
    return np.array([(p.x, p.y) for p in item.corners])


def assert_on_ink(item, truth: np.ndarray) -> None:
    """The item's corners lie on the drawn ink, corner by corner (so the first corner is the
    text's own top-left however the image is turned)."""
    height = np.linalg.norm(truth[3] - truth[0])
    allowed = MARGIN_PER_HEIGHT * height + MARGIN_PX
    assert np.abs(quad_of(item) - truth).max() <= allowed, (item.text, quad_of(item), truth)


@pytest.fixture(scope="module")
def upright_page() -> tuple[Image.Image, list[Text]]:
    return page(PAGE_LINES, size=22, width=360)


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_turned_page_reads_like_the_upright_one(local_backend, upright_page, degrees):
    image, texts = upright_page
    turned, quads = rotate_page(image, texts, degrees)
    result = local_backend.recognize(as_source(turned))
    assert (result.img_size.w, result.img_size.h) == turned.size
    assert sorted(item.text for item in result.items) == sorted(PAGE_LINES)
    for item in result.items:
        (truth,) = [quad for text, quad in quads if text == item.text]
        assert_on_ink(item, truth)


def test_upside_down_tight_line_reads_and_points_at_its_own_top_left(local_backend):
    text, crop = document_line_crops(1, seed=3)[0]
    upside_down = crop.rotate(180)
    (item,) = local_backend.recognize(as_source(upside_down)).items
    assert item.text == text
    right, bottom = crop.width - 1, crop.height - 1
    assert_on_ink(item, np.array([(right, bottom), (0, bottom), (0, 0), (right, 0)], dtype=float))
    plain = LocalBackend(orientation=False, line_fallback=False).recognize(as_source(upside_down))
    assert [i.text for i in plain.items] != [text]


def test_tight_word_crops_read_better_than_by_the_plain_engine(local_backend):
    crops = word_crops(9, seed=11)
    plain = LocalBackend(line_fallback=False)
    read = [[i.text for i in local_backend.recognize(as_source(crop)).items] for _, crop in crops]
    by_plain = [[i.text for i in plain.recognize(as_source(crop)).items] for _, crop in crops]
    truth = [[text] for text, _ in crops]
    exact = sum(r == t for r, t in zip(read, truth))
    assert exact >= len(crops) - 1 and exact > sum(r == t for r, t in zip(by_plain, truth)) + 2
    for (_, crop), items in zip(crops, read):
        for item in local_backend.recognize(as_source(crop)).items:
            quad = quad_of(item)
            assert quad.min() >= 0 and (quad[:, 0].max() <= crop.width - 1
                                        and quad[:, 1].max() <= crop.height - 1)


def test_tight_document_lines_read_exactly(local_backend):
    crops = document_line_crops(4, seed=5)
    for text, crop in crops:
        assert [i.text for i in local_backend.recognize(as_source(crop)).items] == [text]


def test_blank_and_noise_stay_empty(local_backend):
    for size in [(300, 40), (60, 30), (120, 120)]:
        assert local_backend.recognize(as_source(Image.new("RGB", size, "white"))).items == ()
    noise = np.random.default_rng(0).integers(0, 255, (40, 300, 3), dtype=np.uint8)
    assert local_backend.recognize(as_source(noise)).items == ()


WORDS = ["发票编号", "Invoice", "2026-11-26", "合计金额", "Total", "¥1,280.00", "备注",
         "Shanghai", "邮编200000", "Phone", "13800138000", "谢谢惠顾"]


@pytest.fixture(scope="module")
def long_strip() -> tuple[Image.Image, list[Text]]:
    return strip(WORDS * 3, size=24, spacing=60)


def test_long_strip_is_read_whole_once_each_with_its_corners(local_backend, long_strip):
    image, texts = long_strip
    assert image.width > 2 * reading.TILE_LENGTH and image.width > 100 * image.height
    result = local_backend.recognize(as_source(image))
    items = sorted(result.items, key=lambda item: quad_of(item)[:, 0].min())
    assert [item.text for item in items] == [text.text for text in texts]
    for item, text in zip(items, texts):
        x0, y0, x1, y1 = text.box
        assert_on_ink(item, np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float))
    # Untiled, the engine would shrink the strip until its height rounds to 0 and fail; the
    # engine guard (backends/engine_input.py) shrinks and pads it itself: an answer, not an error.
    assert LocalBackend(tile=False).recognize(as_source(image)).errcode == 0


def test_tall_receipt_is_read_line_by_line_once_each(local_backend):
    lines = [f"{number:03d} 商品{number} Item {number} ¥{number}.50" for number in range(60)]
    image, texts = page(lines, size=22, width=420, gap=1.7)
    assert image.height > reading.TILE_LENGTH and image.height > 3 * image.width
    items = sorted(local_backend.recognize(as_source(image)).items,
                   key=lambda item: quad_of(item)[:, 1].mean())
    assert [item.text for item in items] == lines
    for item, text in zip(items, texts):
        x0, y0, x1, y1 = text.box
        assert_on_ink(item, np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float))


def test_a_line_cut_by_every_tile_edge_is_read_once_whole(local_backend):
    sentence = "长条图像中的一行文字被切成好几段但仍然只读一次" * 6
    image, (text,) = strip([sentence], size=32, spacing=30)
    assert image.width > 2 * reading.TILE_LENGTH
    (item,) = local_backend.recognize(as_source(image)).items
    assert item.text == sentence


@given(width=st.integers(1, 30), height=st.integers(1, 30), turns=st.integers(0, 3),
       data=st.data())
def test_unturn_maps_pixels_of_the_turned_image_back(width, height, turns, data):
    x, y = data.draw(st.integers(0, width - 1)), data.draw(st.integers(0, height - 1))
    image = np.zeros((height, width), dtype=int)
    image[y, x] = 1
    turned_y, turned_x = np.argwhere(np.rot90(image, turns))[0]
    box = [[(turned_x, turned_y)] * 4]
    back = reading.unturn(reading.Reading.of(box, ["a"], [1.0]), turns, width, height)
    assert back.boxes[0, 0].tolist() == [x, y]


def test_tile_starts_cover_the_image_with_the_overlap():
    for length in [2001, 5000, 20000, 6789]:
        starts = reading.tile_starts(length, 2000, 400)
        assert starts[0] == 0 and starts[-1] + 2000 == length
        assert all(b - a <= 1600 for a, b in zip(starts, starts[1:]))


def test_options_travel_with_the_pickled_backend_and_key_the_cache():
    backend = LocalBackend(orientation=False, tile=False, line_fallback=False)
    copy = pickle.loads(pickle.dumps(backend))
    assert (copy.orientation, copy.tile, copy.line_fallback) == (False, False, False)
    assert copy.identity == backend.identity
    identities = {LocalBackend(**{name: False}).identity
                  for name in ("orientation", "tile", "line_fallback")}
    assert len(identities | {LocalBackend().identity}) == 4


#: Lowercase English words: turned half round they still look like letters (d/p, n/u).
LONG_LINES = [
    "paid number number figure payment analysis revenue account amount reference payment",
    "discussion method accuracy figure rate data accuracy growth amount total figure",
    "sample report section discussion error payment page received quarterly statement total",
    "received report received delivery accuracy accuracy figure accuracy page received data",
    "result error figure reference table figure data payment method sample error",
    "quarterly training growth training accuracy accuracy table sample sample table chapter"]


def test_long_upright_lines_read_exactly_without_the_engines_line_classifier(local_backend):
    # The engine's own direction classifier sees each line squeezed to 192 x 48 pixels: long
    # upright lines come out turned and misread. The backend reads with it off.
    image, _ = page(LONG_LINES, size=24, width=1240)
    read = sorted(i.text.replace(" ", "") for i in local_backend.recognize(as_source(image)).items)
    assert read == sorted(line.replace(" ", "") for line in LONG_LINES)
    with_classifier = LocalBackend(params={"Global.use_cls": True}, orientation=False)
    misread = [i.text for i in with_classifier.recognize(as_source(image)).items
               if i.text.replace(" ", "") not in read]
    assert misread  # the regression this guards against is real on this very page


def test_upside_down_lines_on_an_upright_page_are_read_turned_round(local_backend):
    lines = ["Quarterly report 2026 for the board", "会员积分可以在下一次购物时抵扣",
             "Total amount 1,280.00 paid in full", "Payment received on account statement",
             "Customer service answered calls"]
    image, texts = page(lines, size=26, width=700)
    pixels = np.asarray(image).copy()
    flipped = (texts[1], texts[3])
    for text in flipped:  # turned half round where they stand
        x0, y0, x1, y1 = text.box
        x0, y0, x1, y1 = x0 - 4, y0 - 4, x1 + 5, y1 + 5
        pixels[y0:y1, x0:x1] = pixels[y0:y1, x0:x1][::-1, ::-1]
        # The text's own top-left is now at the bottom-right of its ink box.
    result = local_backend.recognize(as_source(Image.fromarray(pixels)))
    assert sorted(item.text for item in result.items) == sorted(lines)
    for text in flipped:
        (item,) = [item for item in result.items if item.text == text.text]
        x0, y0, x1, y1 = text.box
        turned = np.array([(x1, y1), (x0, y1), (x0, y0), (x1, y0)], dtype=float)
        assert_on_ink(item, turned)
    # The page as a whole is upright: the upright lines keep their own corners.
    (upright,) = [item for item in result.items if item.text == lines[0]]
    x0, y0, x1, y1 = texts[0].box
    assert_on_ink(upright, np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float))
