"""Every input kind decodes to upright RGB; every bad input names itself and its cause."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from wxocr_pandas import (
    DownloadError,
    ImageNotFoundError,
    ImageTooLargeError,
    InvalidImageError,
    MissingInputError,
    UnsupportedInputError,
)
from wxocr_pandas.images import as_source, decode, download, redact_url, to_rgb


def _png(image: Image.Image, **save_args) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=save_args.pop("format", "PNG"), **save_args)
    return buffer.getvalue()


def test_path_str_pathlib_bytes_pil_and_array_decode_alike(samples_dir: Path):
    path = samples_dir / "sign.png"
    reference = np.asarray(decode(as_source(str(path))))
    pil = Image.open(path)
    for value in (path, path.read_bytes(), pil, np.asarray(pil.convert("RGB"))):
        assert np.array_equal(np.asarray(decode(as_source(value))), reference)


@pytest.mark.parametrize("mode", ["L", "LA", "P", "PA", "RGBA", "CMYK", "I;16", "I", "F", "1"])
def test_every_mode_becomes_rgb(mode: str):
    image = Image.new("RGB", (8, 6), (200, 30, 30)).convert(mode)
    decoded = to_rgb(image)
    assert decoded.mode == "RGB" and decoded.size == (8, 6)


def _image(mode: str, pixels: list, palette: list[int] | None = None, **info) -> Image.Image:
    image = Image.new(mode, (len(pixels), 1))
    image.putdata(pixels)
    if palette:
        image.putpalette(palette)
    image.info.update(info)
    return image


# Each input written pixel by pixel, and the RGB it must become, worked out by hand.
COLOURS = {
    "gray L": (_image("L", [0, 77, 255]), [(0, 0, 0), (77, 77, 77), (255, 255, 255)]),
    "gray+alpha LA": (_image("LA", [(0, 0), (0, 255), (200, 255)]),
                      [(255, 255, 255), (0, 0, 0), (200, 200, 200)]),
    "RGBA": (_image("RGBA", [(200, 30, 30, 255), (10, 20, 30, 0)]),
             [(200, 30, 30), (255, 255, 255)]),
    "palette P": (_image("P", [0, 1], palette=[200, 30, 30, 0, 0, 255]),
                  [(200, 30, 30), (0, 0, 255)]),
    "palette with a transparent index": (
        _image("P", [0, 1], palette=[200, 30, 30, 0, 0, 255], transparency=1),
        [(200, 30, 30), (255, 255, 255)]),
    "CMYK": (_image("CMYK", [(0, 0, 0, 0), (0, 255, 255, 0), (255, 0, 255, 0), (0, 0, 0, 255)]),
             [(255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 0, 0)]),
    # 16-bit: 65535 is white and 257 * 100 is grey 100 (65535 = 255 * 257).
    "16-bit I;16": (Image.fromarray(np.array([[0, 25700, 65535]], dtype=np.uint16)),
                    [(0, 0, 0), (100, 100, 100), (255, 255, 255)]),
    "32-bit I, 8-bit range": (Image.fromarray(np.array([[0, 200]], dtype=np.int32)),
                              [(0, 0, 0), (200, 200, 200)]),
    "32-bit I, 16-bit range": (Image.fromarray(np.array([[0, 65535]], dtype=np.int32)),
                               [(0, 0, 0), (255, 255, 255)]),
    "float F": (Image.fromarray(np.array([[-5.0, 100.0, 300.0]], dtype=np.float32)),
                [(0, 0, 0), (100, 100, 100), (255, 255, 255)]),
    "bilevel 1": (_image("1", [0, 255]), [(0, 0, 0), (255, 255, 255)]),
}


@pytest.mark.parametrize("name", list(COLOURS))
def test_every_mode_keeps_its_colours(name: str):
    image, expected = COLOURS[name]
    decoded = to_rgb(image)
    assert decoded.mode == "RGB"
    assert [decoded.getpixel((x, 0)) for x in range(decoded.width)] == expected


@pytest.mark.parametrize("name", ["palette P", "CMYK", "gray+alpha LA", "RGBA"])
def test_colours_survive_a_real_file(name: str, tmp_path: Path):
    image, expected = COLOURS[name]
    path = tmp_path / ("image.jpg" if image.mode == "CMYK" else "image.png")
    image.save(path, **({"quality": 100} if image.mode == "CMYK" else {}))
    decoded = decode(as_source(str(path)))
    tolerance = 2 if path.suffix == ".jpg" else 0  # JPEG is lossy, even at quality 100
    assert np.abs(np.asarray(decoded, dtype=int)[0] - np.array(expected)).max() <= tolerance


def test_alpha_is_flattened_on_white():
    image = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    assert decode(as_source(_png(image))).getpixel((0, 0)) == (255, 255, 255)


def test_sixteen_bit_keeps_its_contrast():
    array = np.zeros((4, 4), dtype=np.uint16)
    array[:2] = 65535
    decoded = np.asarray(decode(as_source(array)))
    assert decoded[0, 0].tolist() == [255, 255, 255] and decoded[3, 3].tolist() == [0, 0, 0]


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (40, 20), "white")
    image.putpixel((0, 0), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    data = _png(image, format="JPEG", exif=exif, quality=100)
    decoded = decode(as_source(data))
    assert decoded.size == (20, 40)


@pytest.mark.parametrize(("value", "error", "errcode"), [
    (None, MissingInputError, 900001),
    (float("nan"), MissingInputError, 900001),
    ("", MissingInputError, 900001),
    (42, UnsupportedInputError, 900003),
])
def test_cells_that_are_not_sources(value, error, errcode):
    with pytest.raises(error) as caught:
        as_source(value)
    assert caught.value.errcode == errcode


def test_missing_file_names_the_path(tmp_path: Path):
    with pytest.raises(ImageNotFoundError, match="nothing.png: file not found"):
        decode(as_source(str(tmp_path / "nothing.png")))
    with pytest.raises(ImageNotFoundError, match="directory"):
        decode(as_source(tmp_path))


def test_text_file_and_truncated_image_are_invalid(tmp_path: Path, samples_dir: Path):
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(InvalidImageError, match="notes.png: not an image") as caught:
        decode(as_source(text))
    assert caught.value.errcode == 101002
    truncated = (samples_dir / "sign.png").read_bytes()[:400]
    with pytest.raises(InvalidImageError, match="corrupt"):
        decode(as_source(truncated))


def test_decompression_bomb_guard():
    data = _png(Image.new("L", (3000, 3000)))
    with pytest.raises(ImageTooLargeError, match="pixel guard") as caught:
        decode(as_source(data), max_pixels=1_000_000)
    assert caught.value.errcode == 900004
    with pytest.raises(ImageTooLargeError):
        decode(as_source(np.zeros((2000, 2000), np.uint8)), max_pixels=1_000_000)


def test_bad_arrays_are_invalid():
    with pytest.raises(InvalidImageError, match="shape"):
        decode(as_source(np.zeros((4, 4, 5), np.uint8)))


def test_url_is_downloaded_from_a_real_server(httpserver, samples_dir: Path):
    data = (samples_dir / "sign.png").read_bytes()
    httpserver.expect_request("/sign.png").respond_with_data(data, content_type="image/png")
    decoded = decode(as_source(httpserver.url_for("/sign.png")))
    assert decoded.size == Image.open(samples_dir / "sign.png").size


def test_download_failures_name_the_redacted_url(httpserver):
    httpserver.expect_request("/gone.png").respond_with_data("no", status=404)
    url = httpserver.url_for("/gone.png") + "?sig=TOPSECRET"
    with pytest.raises(DownloadError) as caught:
        decode(as_source(url))
    assert caught.value.errcode == 101000 and "HTTP 404" in str(caught.value)
    assert "TOPSECRET" not in str(caught.value) and "/gone.png" in str(caught.value)


def test_download_cap(httpserver):
    httpserver.expect_request("/big.png").respond_with_data(b"x" * 5000)
    with pytest.raises(ImageTooLargeError, match="cap"):
        download(httpserver.url_for("/big.png"), max_bytes=1000)


def test_connection_refused_is_a_download_error():
    with pytest.raises(DownloadError, match="ConnectionError"):
        download("http://127.0.0.1:9/x.png?token=SECRET", timeout=2)


def test_redact_url_drops_credentials_query_and_fragment():
    assert redact_url("http://u:p@h:81/a/b.jpg?x=1#f") == "http://h:81/a/b.jpg"
