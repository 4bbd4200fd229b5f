"""Every input kind decodes to upright RGB; every bad input names itself and its cause."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import zlib
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
from wxocr_pandas.batch import recognize_results
from wxocr_pandas.images import as_source, decode, download, to_rgb


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


@pytest.fixture(scope="module")
def gray_sign(samples_dir: Path) -> np.ndarray:
    """The sign sample as an 8-bit gray array (the reference every dtype must decode to)."""
    return np.asarray(Image.open(samples_dir / "sign.png").convert("L"))


INTEGER_DTYPES = [np.uint8, np.uint16, np.uint32, np.uint64, np.int16, np.int32, np.int64]
FLOAT_DTYPES = [np.float16, np.float32, np.float64]


@pytest.mark.parametrize("dtype", INTEGER_DTYPES + FLOAT_DTYPES, ids=lambda d: d.__name__)
def test_arrays_of_every_numeric_dtype_decode_to_their_pixels(gray_sign, dtype):
    if np.dtype(dtype).kind == "f":
        scaled = [gray_sign.astype(dtype) / 255, gray_sign.astype(dtype)]  # 0..1 and 0..255
    else:
        scaled = [gray_sign.astype(dtype)]
        if np.iinfo(dtype).max >= 65535:  # 16-bit pixels in a wide integer
            scaled.append(gray_sign.astype(dtype) * 257)
    for array in scaled:
        decoded = np.asarray(decode(as_source(array)).convert("L"), dtype=int)
        assert np.abs(decoded - gray_sign).max() <= 1, (dtype, array.max())


def test_int8_and_bool_arrays_keep_their_contrast(gray_sign):
    halved = decode(as_source((gray_sign // 2).astype(np.int8))).convert("L")
    assert np.array_equal(np.asarray(halved), gray_sign // 2)
    ink = gray_sign < 128
    decoded = np.asarray(decode(as_source(~ink)).convert("L"))
    assert set(np.unique(decoded)) == {0, 255}
    assert np.array_equal(decoded == 0, ink)


@pytest.mark.parametrize(("array", "error", "cause"), [
    (np.zeros((0, 0), np.uint8), InvalidImageError, "0x0 pixels"),
    (np.zeros((0, 7, 3), np.uint8), InvalidImageError, "7x0 pixels"),
    (np.zeros(12, np.uint8), InvalidImageError, "shape"),
    (np.full((4, 4), np.nan), InvalidImageError, "NaN"),
    (np.array([[0.5, np.inf]]), InvalidImageError, "infinite"),
    (np.array([[-3, 100]]), InvalidImageError, "negative"),
    (np.array([[0.0, 300.0]]), InvalidImageError, "expected 0..1 or 0..255"),
    (np.array([[0, 70_000]]), InvalidImageError, "16-bit"),
    (np.ones((4, 4), complex), UnsupportedInputError, "complex"),
    (np.full((4, 4), "x"), UnsupportedInputError, "dtype <U1"),
], ids=["0x0", "0-high", "1-d", "nan", "inf", "negative", "float-range", "int-range",
        "complex", "strings"])
def test_arrays_that_cannot_be_pixels_are_refused_with_a_reason(array, error, cause):
    with pytest.raises(error, match=re.escape(cause)) as caught:
        decode(as_source(array))
    assert caught.value.errcode in (101002, 900003)
    assert caught.value.image.startswith("<ndarray")


def test_no_dtype_reads_as_a_blank_page(gray_sign, local_backend):
    one_nan = gray_sign / 255.0
    one_nan[0, 0] = np.nan
    cells = [gray_sign.astype(np.int64), gray_sign.astype(np.uint16) * 257, gray_sign > 128,
             gray_sign / 255.0, one_nan]
    results = recognize_results(cells, local_backend, cache=False, max_workers=1)
    texts = [[item.text for item in result.items] for result in results]
    assert texts[0] == texts[1] == texts[2] == texts[3] != []
    assert results[4].errcode == 101002 and "NaN" in results[4].errmsg


def test_a_tiny_file_claiming_huge_pixels_is_refused_before_decoding():
    data = bytearray(_png(Image.new("L", (64, 64), 255)))
    data[16:24] = struct.pack(">II", 15000, 10000)  # the IHDR's width and height
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    with pytest.raises(InvalidImageError, match="claims 15000x10000 pixels") as caught:
        decode(as_source(bytes(data)))
    assert caught.value.errcode == 101002
    # A real image that large but blank is not refused by that rule, only by the guard.
    blank = _png(Image.new("1", (4000, 4000), 1))
    assert decode(as_source(blank)).size == (4000, 4000)


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


class RawServer:
    """A real HTTP server on 127.0.0.1 that answers every request with ``respond(conn)``:
    raw bytes, so it can lie in its headers or trickle its body."""

    def __init__(self, respond) -> None:
        self.respond = respond
        self.requested = threading.Event()
        self.stop = threading.Event()
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/image.png"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                self.requested.set()
                try:
                    self.respond(conn, self.stop)
                except OSError:  # the client went away
                    pass

    def close(self) -> None:
        self.stop.set()
        self.socket.close()


def _trickle(conn, stop) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(0.1):
        conn.sendall(b"x")


@pytest.fixture
def trickling_server():
    server = RawServer(_trickle)
    yield server
    server.close()


def test_a_trickling_server_is_cut_off_at_the_deadline(trickling_server, monkeypatch):
    monkeypatch.setenv("WXOCR_TIMEOUT", "1.5")
    with pytest.raises(DownloadError, match=r"longer than 1.5 s \(WXOCR_TIMEOUT\)") as caught:
        decode(as_source(trickling_server.url))
    assert caught.value.errcode == 101000


def test_a_malformed_content_length_is_a_download_error_row(samples_dir):
    data = (samples_dir / "sign.png").read_bytes()
    server = RawServer(lambda conn, stop: conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\nConnection: close\r\n\r\n" + data))
    try:
        result, = recognize_results([server.url + "?token=SECRET"], cache=False)
    finally:
        server.close()
    assert result.errcode == 101000
    assert result.errmsg == f"{server.url}: malformed Content-Length header 'abc' (errcode 101000)"


def test_ctrl_c_stops_a_download_at_once(trickling_server, tmp_path):
    code = f"import wxocr_pandas; wxocr_pandas.recognize_frame(" \
           f"__import__('pandas').DataFrame({{'url': [{trickling_server.url!r}]}}), 'url')"
    process = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "WXOCR_TIMEOUT": "120",
                                    "WXOCR_CACHE_DIR": str(tmp_path)})
    assert trickling_server.requested.wait(120)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)  # far below the 120 s deadline
    assert "KeyboardInterrupt" in stderr
