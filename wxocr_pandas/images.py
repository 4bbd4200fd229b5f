"""Image inputs: what a cell may hold, and how it becomes pixels.

A cell may hold a path (``str`` or :class:`os.PathLike`), an http(s) URL, ``bytes``, a
:class:`PIL.Image.Image` or a numpy array (H×W gray, H×W×3 RGB, H×W×4 RGBA). :func:`as_source`
checks the cell and names it; :func:`decode` turns it into an RGB Pillow image with EXIF
orientation applied, whatever the mode (CMYK, palette, 16-bit, alpha, grayscale).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .config import resolve_timeout
from .errors import (
    DownloadError,
    ImageNotFoundError,
    ImageTooLargeError,
    InvalidImageError,
    MissingInputError,
    UnsupportedInputError,
    WxOcrError,
)
from .filenames import display_name
from .redaction import redact_request_logs, redact_url

#: Pixel guard against decompression bombs (Pillow's own error threshold).
DEFAULT_MAX_PIXELS = 2 * 89_478_485
#: Cap on a downloaded image for the local engine.
DEFAULT_MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024
#: A ``scheme://`` URL other than http(s), read through fsspec (``file://``, ``s3://`` ...).
_FSSPEC_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://")


@dataclass(frozen=True)
class ImageSource:
    """A checked cell: what kind of image source it is, and a label for messages.

    ``kind`` is one of ``"path"``, ``"url"`` (http/https, read with requests), ``"fsspec"``
    (any other ``scheme://`` URL: ``file://``, ``s3://``, ``gcs://``, ``memory://`` ...),
    ``"bytes"``, ``"pil"``, ``"array"``, or ``"page"`` (one page of a document, its value a
    :class:`wxocr_pandas.documents.PageRef`).
    """

    kind: str
    value: Any
    label: str

    def read_bytes(self, *, timeout: float | None = None,
                   max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES) -> bytes:
        """The encoded image bytes of a path, URL or bytes source."""
        if self.kind == "bytes":
            return bytes(self.value)
        if self.kind == "path":
            try:
                return Path(self.value).read_bytes()
            except FileNotFoundError:
                raise ImageNotFoundError("file not found", image=self.label) from None
            except IsADirectoryError:
                raise ImageNotFoundError("is a directory, not an image file",
                                         image=self.label) from None
            except OSError as exc:
                raise ImageNotFoundError(f"cannot read file: {exc.strerror}",
                                         image=self.label) from None
        if self.kind == "url":
            return download(self.value, timeout=timeout, max_bytes=max_bytes, label=self.label)
        if self.kind == "fsspec":
            return read_fsspec(self.value, max_bytes=max_bytes, label=self.label)
        raise UnsupportedInputError(f"a {self.kind} source has no encoded bytes", image=self.label)


def _is_na(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))
    except ImportError:  # pragma: no cover - pandas is a dependency
        return isinstance(value, float) and math.isnan(value)


def as_source(value: Any) -> ImageSource:
    """Check one cell and name it.

    Raises
    ------
    MissingInputError
        For None/NA.
    UnsupportedInputError
        For anything that is not an image source.

    Examples
    --------
    >>> as_source("samples/receipt.png").kind
    'path'
    >>> as_source("https://example.com/a.png?token=x").label
    'https://example.com/a.png'
    """
    if isinstance(value, ImageSource):
        return value
    if _is_na(value):
        raise MissingInputError("missing value (NA): no image to read", image="<NA>")
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            return ImageSource("url", value, display_name(redact_url(value)))
        if _FSSPEC_URL.match(value):
            return ImageSource("fsspec", value, display_name(redact_url(value)))
        if not value.strip():
            raise MissingInputError("empty string: no image to read", image="''")
        return ImageSource("path", value, display_name(value))
    if isinstance(value, os.PathLike):
        path = _fspath(value)
        return ImageSource("path", path, display_name(path))
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return ImageSource("bytes", data, f"<bytes: {len(data)} B>")
    if isinstance(value, Image.Image):
        return ImageSource("pil", value, f"<PIL.Image {value.mode} {value.width}x{value.height}>")
    if isinstance(value, np.ndarray):
        return ImageSource("array", value, f"<ndarray {value.dtype} {'x'.join(map(str, value.shape))}>")
    raise UnsupportedInputError(
        f"cannot read an image from a {type(value).__name__}; expected a path, http(s) URL, "
        "bytes, PIL image or numpy array",
        image=_short_repr(value),
    )


def _fspath(value: os.PathLike) -> str:
    """The path of a path-like cell as ``str`` (bytes decoded as the file system does, with
    surrogate escapes); a cell whose ``__fspath__`` fails is an input error naming it."""
    try:
        return os.fsdecode(os.fspath(value))
    except Exception as exc:
        raise UnsupportedInputError(f"its __fspath__ failed: {type(exc).__name__}: {exc}",
                                    image=f"<{type(value).__name__}>") from exc


def _short_repr(value: Any) -> str:
    """A short label of a cell that is no image source: its repr, or its type when that fails."""
    try:
        return display_name(repr(value)[:80])
    except Exception:
        return f"<{type(value).__name__}>"


def image_digest(source: ImageSource) -> str:
    """sha256 hex of what the image *is*, without decoding it.

    Paths and bytes hash their encoded bytes (so a copy under another name is the same
    image), PIL images and arrays their pixels with mode and shape, and URLs their full
    address: hashing a URL's content would mean downloading it just to look it up, and the
    WeChat backend does not download it at all.

    Raises
    ------
    ImageNotFoundError
        For a path that cannot be read; such an error is reported per image, never cached.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp(), "copy.png")
    >>> _ = path.write_bytes(b"abc")
    >>> image_digest(as_source(b"abc")) == image_digest(as_source(path))
    True
    """
    # A file and its bytes are the same image: both hash as "encoded".
    kind = "encoded" if source.kind in ("path", "bytes") else source.kind
    digest = hashlib.sha256(kind.encode() + b"\0")
    if kind == "encoded":
        digest.update(source.read_bytes())
    elif source.kind in ("url", "fsspec"):  # fsspec: s3://, file:// ... hashed like URLs
        digest.update(source.value.encode())
    elif source.kind == "pil":
        image = source.value
        # Orientation is applied at decode, so it is part of what the image shows.
        orientation = image.getexif().get(0x0112, 1)
        digest.update(f"{image.mode}:{image.size}:{orientation}\0".encode())
        digest.update(image.tobytes())
    else:
        array = np.ascontiguousarray(source.value)
        digest.update(f"{array.dtype.str}:{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def read_fsspec(url: str, *, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
                label: str | None = None) -> bytes:
    """Read an image from any fsspec URL (``file://``, ``s3://``, ``gcs://``, ``memory://``),
    so images in object storage are read in place by whichever machine recognizes them.

    Raises
    ------
    ImageNotFoundError
        When the object does not exist.
    DownloadError
        When the storage cannot be reached, or its fsspec driver (``s3fs``, ``gcsfs``) is
        not installed.
    ImageTooLargeError
        When the object exceeds ``max_bytes``.

    Examples
    --------
    >>> import fsspec
    >>> with fsspec.open("memory://doc/a.png", "wb") as f:
    ...     _ = f.write(b"PNG?")
    >>> read_fsspec("memory://doc/a.png")
    b'PNG?'
    """
    label = label or redact_url(url)
    redact_request_logs()
    try:
        import fsspec

        with fsspec.open(url, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise ImageNotFoundError("file not found", image=label) from None
    except IsADirectoryError:
        raise ImageNotFoundError("is a directory, not an image file", image=label) from None
    except ImportError:
        raise DownloadError("reading scheme:// URLs needs fsspec and the scheme's driver "
                            "(pip install fsspec s3fs / gcsfs ...)", image=label) from None
    except (ValueError, OSError) as exc:
        # Drivers' messages may repeat credentials from the URL: name the class only.
        raise DownloadError(f"cannot read through fsspec: {type(exc).__name__}",
                            image=label) from None
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"object exceeds the {max_bytes}-byte cap", image=label)
    return data


def download(url: str, *, timeout: float | None = None,
             max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES, label: str | None = None) -> bytes:
    """Download an image within ``timeout`` seconds in all (``WXOCR_TIMEOUT``, default 30),
    with a size cap; errors name the redacted URL, and so do the HTTP libraries' debug lines
    (:func:`~wxocr_pandas.redaction.redact_request_logs`).

    The deadline covers the whole download, so a server that trickles bytes is cut off too;
    each read also times out after ``timeout`` seconds of silence.

    Raises
    ------
    DownloadError
        On HTTP errors, timeouts, a missed deadline, malformed headers and connection
        failures.
    ImageTooLargeError
        When the body exceeds ``max_bytes``.
    """
    import requests

    redact_request_logs()  # urllib3's debug lines would show a signed URL's query
    label = label or redact_url(url)
    timeout = resolve_timeout(timeout)
    deadline = time.monotonic() + timeout
    failure = None
    try:
        with requests.get(url, stream=True, timeout=timeout) as response:
            if response.status_code >= 400:
                raise DownloadError(f"download failed: HTTP {response.status_code}", image=label)
            declared = response.headers.get("Content-Length") or "0"
            if not declared.strip().isdigit():
                raise DownloadError(f"malformed Content-Length header {declared[:40]!r}",
                                    image=label)
            if int(declared) > max_bytes:
                raise ImageTooLargeError(
                    f"download is {declared} bytes, over the {max_bytes}-byte cap", image=label)
            buffer = bytearray()
            # read1: whatever arrived, so the deadline is checked however slowly bytes come.
            while chunk := response.raw.read1(1 << 16, decode_content=True):
                buffer += chunk
                if len(buffer) > max_bytes:
                    raise ImageTooLargeError(
                        f"download exceeds the {max_bytes}-byte cap", image=label)
                if time.monotonic() > deadline:
                    raise DownloadError(f"download took longer than {timeout:g} s "
                                        "(WXOCR_TIMEOUT)", image=label)
            return bytes(buffer)
    except WxOcrError:
        raise
    except (requests.RequestException, OSError, ValueError) as exc:
        # requests' messages repeat the full URL (with any token in its query): name the class only.
        failure = type(exc).__name__
    raise DownloadError(f"download failed: {failure}", image=label)


#: The most pixels one encoded byte can hold, for formats whose codecs have a known bound:
#: deflate packs at most ~1032 bytes into one, and a PNG byte holds up to 8 one-bit pixels;
#: GIF's LZW strings stay under 4096 pixels per 12-bit code; BMP's RLE repeats 255 pixels per
#: 2 bytes; raw PPM/PGM/PBM hold at most 8 pixels a byte; a Huffman-coded JPEG spends at least
#: one bit per 8x8 block (512 gray pixels a byte; the bound leaves 8x room). A header that
#: claims more pixels than its file can hold is truncated or forged: it is refused before any
#: pixel memory is taken. (WebP and TIFF can encode a blank page far more densely: only the
#: pixel guard applies to them.)
DENSEST_PIXELS_PER_BYTE = {"PNG": 8_300, "ICO": 8_300, "GIF": 3_000, "BMP": 130, "DIB": 130,
                           "PPM": 9, "JPEG": 4_096, "MPO": 4_096}
#: Below this many pixels, an image is not checked against :data:`DENSEST_PIXELS_PER_BYTE`.
_DENSITY_CHECK_PIXELS = 1_000_000


def open_image(data: bytes, label: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open and fully decode encoded image bytes, as Pillow gives them (any mode).

    Raises
    ------
    InvalidImageError
        When the bytes are not an image, or a damaged, truncated or lying one.
    ImageTooLargeError
        Over the pixel guard (checked on the header, before any pixel memory is taken).

    Examples
    --------
    >>> open_image(open("samples/sign.png", "rb").read(), "sign.png").size
    (800, 400)
    >>> open_image(open("samples/sign.png", "rb").read()[:200], "cut.png")
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.InvalidImageError: cut.png: corrupt image data: OSError: image file is truncated (errcode 101002)
    """
    return _open(data, label, max_pixels)[0]


def _open(data: bytes, label: str, max_pixels: int, reduce_to: int | None = None,
          longest_aspect: float = math.inf) -> tuple[Image.Image, tuple[int, int]]:
    """:func:`open_image`, and the size the image has at full resolution.

    With ``reduce_to``, a JPEG at least twice that long on its long side is decoded reduced
    by JPEG's own 1/2, 1/4 or 1/8 scaling (Pillow's ``draft``), to no less than ``reduce_to``:
    it never takes its full-size pixel memory. An image whose long side is ``longest_aspect``
    times its short side or more is not reduced (a strip is read in tiles at full size).
    """
    try:
        with warnings.catch_warnings():  # the pixel guard below decides, not Pillow's warning
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        if b"%PDF-" in data[:1024]:  # documents are opened page by page before decoding
            raise InvalidImageError("a PDF document: give it as a path, bytes or a URL ending "
                                    "in .pdf to read its pages", image=label) from None
        raise InvalidImageError("not an image (unrecognized format)", image=label) from None
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(str(exc), image=label) from None
    except Exception as exc:  # a damaged header: Pillow's plugins raise many kinds
        raise InvalidImageError(f"corrupt image header: {type(exc).__name__}: {exc}",
                                image=label) from exc
    _check_pixels(image.width, image.height, label, max_pixels)
    full = image.size
    pixels = image.width * image.height
    densest = DENSEST_PIXELS_PER_BYTE.get(image.format or "")
    if densest is not None and pixels > _DENSITY_CHECK_PIXELS and pixels > densest * len(data):
        raise InvalidImageError(
            f"the {image.format} header claims {image.width}x{image.height} pixels, more than "
            f"{len(data)} bytes can hold: the file is truncated or its header is wrong",
            image=label)
    if reduce_to is not None and image.format in ("JPEG", "MPO") and (
            max(image.size) >= 2 * reduce_to) and (
            max(image.size) < longest_aspect * min(image.size)):
        scale = reduce_to / max(image.size)
        image.draft(image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    try:
        image.load()
    except MemoryError:
        raise ImageTooLargeError(f"not enough memory to decode {image.width}x{image.height} "
                                 "pixels", image=label) from None
    except Exception as exc:
        raise InvalidImageError(f"corrupt image data: {type(exc).__name__}: {exc}",
                                image=label) from exc
    return image, full


def _check_pixels(width: int, height: int, label: str, max_pixels: int) -> None:
    if width < 1 or height < 1:
        raise InvalidImageError(f"an image of {width}x{height} pixels has nothing to read",
                                image=label)
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"{width}x{height} pixels is over the {max_pixels}-pixel guard", image=label)


def _from_array(array: np.ndarray, label: str, max_pixels: int) -> Image.Image:
    """An 8-bit image from an array of any integer, bool or float dtype.

    bool is black and white; integers from 0 to 255 are taken as 8-bit and up to 65535 as
    16-bit; floats from 0 to 1 are scaled to 255 and up to 255 taken as they are. Anything
    else (negative values, NaN, infinity, wider ranges, other dtypes) is refused: a guess
    would read as a blank image.
    """
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise InvalidImageError(f"array of shape {array.shape} is not an image "
                                "(expected HxW, HxWx3 or HxWx4)", image=label)
    _check_pixels(array.shape[1], array.shape[0], label, max_pixels)
    kind = array.dtype.kind
    if kind == "b":
        array = array.astype(np.uint8) * 255
    elif kind in "iuf":
        if kind == "f" and not np.isfinite(array).all():
            raise InvalidImageError("the array holds NaN or infinite values", image=label)
        low, high = array.min(), array.max()
        if low < 0:
            raise InvalidImageError(f"the array holds negative values (down to {low}); "
                                    "expected pixel values from 0", image=label)
        if kind == "f":
            if high > 255:
                raise InvalidImageError(f"float values up to {high}: expected 0..1 or 0..255",
                                        image=label)
            array = np.rint(array * 255.0 if high <= 1.0 else array)
        elif high > 65535:
            raise InvalidImageError(f"integer values up to {high}: expected 8-bit (0..255) or "
                                    "16-bit (0..65535) pixels", image=label)
        elif high > 255:
            array = np.rint(array / 257.0)
        array = array.astype(np.uint8)
    else:
        raise UnsupportedInputError(f"an array of dtype {array.dtype} is not an image; "
                                    "expected integer, bool or float pixels", image=label)
    return Image.fromarray(np.ascontiguousarray(array))


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode to 8-bit RGB; transparency is flattened onto white.

    Examples
    --------
    >>> from PIL import Image
    >>> to_rgb(Image.new("I;16", (4, 4), 65535)).getpixel((0, 0))
    (255, 255, 255)
    """
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        array = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if image.mode.startswith("I;16") or array.max(initial=0) > 255 else 255.0
        image = Image.fromarray((array * (255.0 / peak)).clip(0, 255).astype(np.uint8), "L")
    elif image.mode == "F":
        image = Image.fromarray(np.asarray(image).clip(0, 255).astype(np.uint8), "L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def decode(source: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS,
           timeout: float | None = None,
           max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES) -> Image.Image:
    """Decode a source to an RGB image, upright per its EXIF orientation.

    Examples
    --------
    >>> image = decode(as_source("samples/receipt.png"))
    >>> image.mode
    'RGB'
    """
    return _decode(source, max_pixels, timeout, max_download_bytes, None).image


@dataclass(frozen=True)
class Decoded:
    """An image decoded for reading, perhaps reduced, and its size at full resolution (both
    upright per EXIF): coordinates read on ``image`` scale to the full image by
    ``full_size / image.size``."""

    image: Image.Image
    full_size: tuple[int, int]


def decode_reduced(source: ImageSource, *, reduce_to: int, longest_aspect: float = math.inf,
                   max_pixels: int = DEFAULT_MAX_PIXELS, timeout: float | None = None,
                   max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES) -> Decoded:
    """Like :func:`decode`, but a large JPEG comes reduced to no less than ``reduce_to``
    pixels on its long side, unless it is ``longest_aspect`` times longer than wide or more
    (by JPEG's own 1/2, 1/4 or 1/8 scaling, Pillow's ``draft``: the full-size pixels are
    never decoded), with its full size.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (8000, 6000), "white").save(buffer, "JPEG")
    >>> decoded = decode_reduced(as_source(buffer.getvalue()), reduce_to=2000)
    >>> decoded.image.size, decoded.full_size
    ((2000, 1500), (8000, 6000))
    """
    return _decode(source, max_pixels, timeout, max_download_bytes, reduce_to, longest_aspect)


def _decode(source: ImageSource, max_pixels: int, timeout: float | None,
            max_download_bytes: int, reduce_to: int | None,
            longest_aspect: float = math.inf) -> Decoded:
    if source.kind == "page":  # a PageRef draws itself: this module needs no import of pages
        image = source.value.render(source.label, max_pixels=max_pixels)
        return Decoded(image, image.size)
    if source.kind == "pil":
        image = source.value
        _check_pixels(image.width, image.height, source.label, max_pixels)
        full = image.size
    elif source.kind == "array":
        image = _from_array(source.value, source.label, max_pixels)
        full = image.size
    else:
        data = source.read_bytes(timeout=timeout, max_bytes=max_download_bytes)
        image, full = _open(data, source.label, max_pixels, reduce_to, longest_aspect)
    try:
        upright = to_rgb(ImageOps.exif_transpose(image))
    except MemoryError:
        raise ImageTooLargeError(f"not enough memory to convert {image.width}x{image.height} "
                                 "pixels", image=source.label) from None
    except Exception as exc:  # a broken EXIF block, a lazily loaded PIL image cut short
        raise InvalidImageError(f"corrupt image data: {type(exc).__name__}: {exc}",
                                image=source.label) from exc
    if upright.size != image.size:  # turned a quarter by its EXIF orientation
        full = (full[1], full[0])
    return Decoded(upright, full)
