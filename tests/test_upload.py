"""The file sent to WeChat: as-is when possible, else re-encoded under 2 MB and mapped back."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from wxocr_pandas import ImgSize, InvalidImageError, Item, OcrResult, Point
from wxocr_pandas.images import as_source
from wxocr_pandas.backends.wechat.upload import Upload, prepare_upload


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


sizes = st.builds(ImgSize, st.integers(1, 5000), st.integers(1, 5000))


@given(original=sizes, sent=sizes, x=st.floats(0, 1), y=st.floats(0, 1))
def test_corners_map_back_proportionally(original, sent, x, y):
    upload = Upload(b"", "a.jpg", "image/jpeg", original, sent, reencoded=True)
    point = Point(x * sent.w, y * sent.h)
    answer = OcrResult(items=(Item("t", point, point, point, point),), img_size=sent)
    mapped = upload.map_back(answer)
    assert mapped.img_size == original
    assert mapped.items[0].left_top.x == pytest.approx(x * original.w)
    assert mapped.items[0].right_bottom.y == pytest.approx(y * original.h)


def test_jpeg_png_and_bmp_under_the_limit_go_byte_for_byte():
    image = Image.new("RGB", (40, 20), "white")
    for image_format, content_type in (("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                       ("BMP", "image/bmp")):
        data = encoded(image, image_format)
        upload = prepare_upload(as_source(data))
        assert (upload.data, upload.content_type, upload.reencoded) == (data, content_type, False)


def test_other_formats_and_in_memory_images_become_png():
    image = Image.new("RGB", (40, 20), "white")
    webp = prepare_upload(as_source(encoded(image, "WEBP")))
    array = prepare_upload(as_source(np.zeros((20, 40, 4), dtype=np.uint8)))
    for upload in (webp, array):
        assert upload.content_type == "image/png" and upload.filename == "image.png"
        assert Image.open(io.BytesIO(upload.data)).size == (40, 20)


def test_an_exif_rotated_photo_is_sent_upright():
    image = Image.new("RGB", (60, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    upload = prepare_upload(as_source(encoded(image, "JPEG", exif=exif)))
    assert upload.reencoded and upload.original_size == upload.sent_size == ImgSize(20, 60)
    assert Image.open(io.BytesIO(upload.data)).size == (20, 60)


def test_a_large_image_is_shrunk_step_by_step_below_the_limit():
    noise = np.random.default_rng(1).integers(0, 256, size=(600, 800, 3), dtype=np.uint8)
    data = encoded(Image.fromarray(noise), "PNG")
    upload = prepare_upload(as_source(data), max_bytes=100_000)
    assert len(upload.data) < 100_000 < len(data)
    assert upload.original_size == ImgSize(800, 600) and upload.sent_size.w < 800
    assert upload.sent_size.w / upload.sent_size.h == pytest.approx(800 / 600, rel=0.01)


def test_bytes_that_are_no_image_are_refused_here():
    with pytest.raises(InvalidImageError, match="a PDF document"):
        prepare_upload(as_source(b"%PDF-1.4 not an image"))
    with pytest.raises(InvalidImageError, match="not an image"):
        prepare_upload(as_source(b"GIF? no, not an image"))
