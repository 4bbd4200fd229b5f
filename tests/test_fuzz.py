"""Seeded fuzzing: hundreds of damaged image files in six formats, through both backends.

Every input must give exactly one result, nothing may raise, and every failure must be
classified by the decoders (a named errcode and cause), never caught by the last-resort
net of :func:`~wxocr_pandas.workers.recognize_safely` ("unexpected ...").
"""

from __future__ import annotations

import io
import random
import re
import struct
import zlib
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from wxocr_pandas import LocalBackend
from wxocr_pandas.batch import recognize_results
from wxocr_pandas.errors import Errcode

SEED = 20261126
FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "BMP": ".bmp", "ICO": ".ico",
           "PPM": ".ppm"}
#: Mutations of each kind per format.
TRUNCATIONS, BIT_FLIPS, HEADER_FLIPS = 18, 18, 12
HUGE = (15000, 10000)
#: The local engine, detecting on the image at its own small size instead of upscaling it to
#: 736 pixels: seven times cheaper on these tiny images, and decoding, which is what is
#: fuzzed here, is the same.
FAST_ENGINE = {"Det.limit_type": "max", "Det.limit_side_len": 96}


@pytest.fixture(scope="module")
def fast_backend() -> LocalBackend:
    return LocalBackend(params=FAST_ENGINE)


@pytest.fixture
def wechat_recognizer(fast_backend) -> LocalBackend:
    """The fake WeChat server reads the uploads with the fast engine too."""
    return fast_backend


def _lie_about_size(data: bytes, image_format: str) -> bytes:
    """The file with its header claiming :data:`HUGE` pixels (and the pixel data unchanged)."""
    width, height = HUGE
    out = bytearray(data)
    if image_format in ("PNG", "ICO"):  # an ICO here holds a PNG: patch its IHDR, CRC fixed
        at = data.index(b"IHDR") + 4
        out[at:at + 8] = struct.pack(">II", width, height)
        out[at + 13:at + 17] = struct.pack(">I", zlib.crc32(bytes(out[at - 4:at + 13])))
    elif image_format == "BMP":
        out[18:26] = struct.pack("<ii", width, height)
    elif image_format == "JPEG":
        at = re.search(rb"\xff[\xc0\xc2]", data).start() + 5
        out[at:at + 4] = struct.pack(">HH", min(height, 65535), min(width, 65535))
    elif image_format == "WEBP":  # VP8 key frame: 14-bit width and height after the start code
        at = data.index(b"\x9d\x01\x2a") + 3
        out[at:at + 4] = struct.pack("<HH", 0x3FFF, 0x3FFF)
    else:  # PPM: a text header
        magic, _, rest = data.split(b"\n", 2)
        out = bytearray(magic + f"\n{width} {height}\n".encode() + rest)
    return bytes(out)


def _mutants(original: bytes, image_format: str, rng: random.Random) -> list[bytes]:
    mutants = [original[:rng.randrange(1, len(original))] for _ in range(TRUNCATIONS)]
    for count in range(BIT_FLIPS + HEADER_FLIPS):
        data = bytearray(original)
        span = len(data) if count < BIT_FLIPS else min(64, len(data))
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(span)] ^= 1 << rng.randrange(8)
        mutants.append(bytes(data))
    lie = _lie_about_size(original, image_format)
    mutants += [lie, lie[:len(lie) // 2]]
    return mutants


@pytest.fixture(scope="module")
def damaged_files(samples_dir, expected, tmp_path_factory) -> list[Path]:
    """The seeded mutants of one small text image, as files named after format and number."""
    folder = tmp_path_factory.mktemp("fuzz")
    x0, y0, x1, y1 = expected["receipt.png"][2]["box"]
    text = Image.open(samples_dir / "receipt.png").convert("RGB").crop(
        (x0 - 6, y0 - 6, x1 + 6, y1 + 6))
    rng = random.Random(SEED)
    paths = []
    for image_format, suffix in FORMATS.items():
        buffer = io.BytesIO()
        text.save(buffer, format=image_format)
        for number, data in enumerate(_mutants(buffer.getvalue(), image_format, rng)):
            path = folder / f"{image_format.lower()}-{number:02d}{suffix}"
            path.write_bytes(data)
            paths.append(path)
    return paths


def _check_one_result_each(paths: list[Path], results) -> Counter:
    assert len(results) == len(paths)
    for path, result in zip(paths, results):
        if not result.ok:
            assert result.errmsg.startswith(f"{path}: "), result.errmsg
            assert "unexpected" not in result.errmsg, result.errmsg
    return Counter(result.errcode for result in results)


def test_damaged_files_through_the_local_backend(damaged_files, fast_backend):
    images = [str(path) for path in damaged_files]
    errcodes = _check_one_result_each(
        damaged_files, recognize_results(images, fast_backend, cache=False, max_workers=1))
    assert len(damaged_files) >= 300
    # Both outcomes occur: the fuzzing is not all trivially broken nor all harmless.
    assert errcodes[Errcode.OK] > 20 and errcodes[Errcode.INVALID_IMAGE_DATA] > 100
    assert set(errcodes) <= {Errcode.OK, Errcode.INVALID_IMAGE_DATA, Errcode.IMAGE_TOO_LARGE}


def test_damaged_files_through_the_wechat_backend(damaged_files, wechat_server):
    images = [str(path) for path in damaged_files]
    backend = wechat_server.backend(daily_budget=10_000)
    results = recognize_results(images, backend, cache=False, max_workers=4)
    errcodes = _check_one_result_each(damaged_files, results)
    assert set(errcodes) <= {Errcode.OK, Errcode.INVALID_IMAGE_DATA, Errcode.IMAGE_TOO_LARGE}
    # Damaged files are refused before the upload: quota is spent only on readable images.
    sent = {path.read_bytes() for path, result in zip(damaged_files, results) if result.ok}
    assert wechat_server.ocr_calls == len(sent)
