"""The image file sent to WeChat, and the way back to the original image's pixels.

WeChat takes files under 2 MB and documents no formats beyond everyday ones. A JPEG, PNG or
BMP under the limit and already upright is sent byte for byte. Anything else is decoded
(EXIF orientation applied, as every backend does) and re-encoded: PNG when that fits, else
JPEG at falling quality, then downscaled step by step until it fits. :meth:`Upload.map_back`
scales the answer's corners and ``img_size`` back to the original, so the user never sees
the difference.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from pathlib import PurePath

from PIL import ExifTags, Image

from ...errors import InvalidImageError
from ...images import ImageSource, decode, open_image
from ...result import ImgSize, Item, OcrResult, Point

#: WeChat's limit: files must be smaller than 2 MB.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: Formats sent as they are, with their content type.
SENT_AS_IS = {"JPEG": "image/jpeg", "PNG": "image/png", "BMP": "image/bmp"}
#: JPEG qualities tried at full size before downscaling; text stays crisp down to ~70.
JPEG_QUALITIES = (90, 80, 70)
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "BMP": ".bmp"}


@dataclass(frozen=True)
class Upload:
    """One image as it will be posted (multipart field ``img``)."""

    data: bytes
    filename: str
    content_type: str
    original_size: ImgSize
    sent_size: ImgSize
    #: True when the bytes sent are not the caller's own.
    reencoded: bool = False

    def map_back(self, result: OcrResult) -> OcrResult:
        """The answer in pixels of the original image (corners and ``img_size``).

        The scale is taken from the size WeChat says it saw (``img_size``), else the size sent.

        Examples
        --------
        >>> upload = Upload(b"", "a.jpg", "image/jpeg", ImgSize(2000, 1000), ImgSize(1000, 500))
        >>> answer = OcrResult(items=(Item("hi", *[Point(10, 5)] * 4),), img_size=ImgSize(1000, 500))
        >>> mapped = upload.map_back(answer)
        >>> mapped.items[0].left_top, mapped.img_size
        (Point(x=20.0, y=10.0), ImgSize(w=2000, h=1000))
        """
        seen = result.img_size or self.sent_size
        if seen == self.original_size:
            return replace(result, img_size=self.original_size)
        scale_x = self.original_size.w / seen.w
        scale_y = self.original_size.h / seen.h

        def scaled(point: Point) -> Point:
            return Point(point.x * scale_x, point.y * scale_y)

        items = tuple(Item(item.text, *map(scaled, item.corners), score=item.score)
                      for item in result.items)
        return replace(result, items=items, img_size=self.original_size)


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _filename(source: ImageSource, image_format: str) -> str:
    stem = PurePath(source.label).stem if source.kind in ("path", "url") else "image"
    return f"{stem or 'image'}{_EXTENSIONS[image_format]}"


def _reencode(source: ImageSource, image: Image.Image, original_fits: bool,
              max_bytes: int) -> Upload:
    """PNG if the original was small enough, then JPEG qualities, then smaller JPEGs."""
    size = ImgSize(image.width, image.height)

    def upload(data: bytes, image_format: str, sent: Image.Image = image) -> Upload:
        return Upload(data, _filename(source, image_format), SENT_AS_IS[image_format], size,
                      ImgSize(sent.width, sent.height), reencoded=True)

    if original_fits:
        data = _encode(image, "PNG")
        if len(data) < max_bytes:
            return upload(data, "PNG")
    for quality in JPEG_QUALITIES:
        data = _encode(image, "JPEG", quality=quality)
        if len(data) < max_bytes:
            return upload(data, "JPEG")
    smaller = image
    while len(data) >= max_bytes:
        # Bytes scale roughly with pixel count: shrink by the square root, a little more to
        # converge in one or two steps, never more than half at once to keep text legible.
        factor = min(0.9, max(0.5, 0.95 * math.sqrt(max_bytes / len(data))))
        smaller = image.resize((max(1, round(smaller.width * factor)),
                                max(1, round(smaller.height * factor))), Image.Resampling.LANCZOS)
        data = _encode(smaller, "JPEG", quality=JPEG_QUALITIES[-1])
    return upload(data, "JPEG", smaller)


def prepare_upload(source: ImageSource, *, max_bytes: int = MAX_UPLOAD_BYTES,
                   timeout: float | None = None) -> Upload:
    """The file to post for ``source``: its own bytes when WeChat can take them, else a
    re-encoded (and if need be downscaled) copy under ``max_bytes``.

    Raises
    ------
    InvalidImageError
        When the bytes are not an image (checked here, so no quota is spent on them).

    Examples
    --------
    >>> from wxocr_pandas.images import as_source
    >>> upload = prepare_upload(as_source("samples/sign.png"))
    >>> upload.filename, upload.content_type, upload.reencoded
    ('sign.png', 'image/png', False)
    >>> small = prepare_upload(as_source("samples/receipt.png"), max_bytes=20_000)
    >>> small.content_type, len(small.data) < 20_000, small.sent_size.w < small.original_size.w
    ('image/jpeg', True, True)
    """
    if source.kind in ("pil", "array", "page"):
        return _reencode(source, decode(source), True, max_bytes)
    data = source.read_bytes(timeout=timeout)
    # Decoded in full here, so no quota is spent on a damaged file.
    image = open_image(data, source.label)
    try:
        upright = image.getexif().get(ExifTags.Base.Orientation, 1) in (0, 1)
    except Exception as exc:  # a damaged EXIF block
        raise InvalidImageError(f"corrupt EXIF data: {type(exc).__name__}: {exc}",
                                image=source.label) from exc
    fits = len(data) < max_bytes
    if image.format in SENT_AS_IS and upright and fits:
        size = ImgSize(image.width, image.height)
        return Upload(data, _filename(source, image.format), SENT_AS_IS[image.format], size, size)
    return _reencode(source, decode(ImageSource("bytes", data, source.label)), fits, max_bytes)
