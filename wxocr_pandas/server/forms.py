"""Read the OCR request's body as it streams in.

- ``multipart/form-data`` (WeChat's documented form): the ``img`` part (kept in memory,
  refused as soon as it reaches the image limit) and an ``img_url`` field. Other parts (such
  as the ``type`` some clients send) are skipped without being kept; their names are noted,
  so an answer can say what came instead of ``img``. ``img`` is the only name WeChat
  documents for the image of this endpoint, for every OCR endpoint of its family, and every
  mature SDK sends it; ``media`` is the part of WeChat's *media upload* endpoints, not of this
  one, so a ``media`` part is not taken for the image (41005, saying so).
- ``application/x-www-form-urlencoded`` (EasyWeChat 4.x sends ``img_url`` so) and
  ``application/json`` (``{"img_url": ...}``): a small body read for its ``img_url``.

A multipart body that ends before the closing boundary is malformed (47001):
python-multipart's parser does not check that itself, so the end of the message is tracked
here.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qsl

from python_multipart.multipart import MultipartParser, parse_options_header

from ..errors import Errcode

#: Longest ``img_url`` field accepted, in bytes.
MAX_URL_BYTES = 8192
#: Longest urlencoded or JSON body read for its ``img_url``, in bytes.
MAX_FIELDS_BYTES = 16 * 1024
#: Part names noted for the answer's hint (the first few, each cut short).
NOTED_PARTS, NOTED_NAME_CHARS = 4, 40
#: Deepest nesting of a JSON body that is parsed. The parser recurses once a level: a body of
#: 30,000 ``[`` takes it to the interpreter's recursion limit, where a garbage collection that
#: runs some object's finalizer fails too, so deeper bodies are refused before parsing.
MAX_JSON_DEPTH = 16
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


class FormError(Exception):
    """The body is not a usable OCR form; ``errcode`` says how (47001 or 45002)."""

    def __init__(self, detail: str, errcode: int = Errcode.DATA_FORMAT_ERROR) -> None:
        super().__init__(detail)
        self.errcode = errcode


@dataclass(frozen=True)
class OcrForm:
    """What the OCR request body carried."""

    img: bytes | None = None
    img_url: str | None = None
    #: Names of the first multipart parts, to say what came instead of ``img``.
    parts: tuple[str, ...] = ()


class _Collector:
    """python-multipart callbacks that keep the ``img`` and ``img_url`` parts."""

    def __init__(self, max_image_bytes: int) -> None:
        self.max_image_bytes = max_image_bytes
        self.parts: dict[bytes, bytearray] = {}
        self.names: list[str] = []
        self.ended = False
        self._keeping: bytearray | None = None
        self._name: bytes = b""
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._disposition = b""

    def callbacks(self) -> dict:
        return {"on_part_begin": self.on_part_begin, "on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished,
                "on_part_data": self.on_part_data, "on_end": self.on_end}

    def on_part_begin(self) -> None:
        self._keeping, self._disposition = None, b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if bytes(self._header_field).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise FormError("a multipart part has no name")
        self._name = options[b"name"]
        if len(self.names) < NOTED_PARTS:
            self.names.append(self._name.decode("utf-8", "replace")[:NOTED_NAME_CHARS])
        if self._name in (b"img", b"img_url") and self._name not in self.parts:
            self._keeping = self.parts[self._name] = bytearray()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._keeping is None:
            return
        self._keeping += data[start:end]
        if self._name == b"img" and len(self._keeping) >= self.max_image_bytes:
            raise FormError(f"img reaches the {self.max_image_bytes}-byte limit",
                            Errcode.CONTENT_SIZE_OUT_OF_LIMIT)
        if self._name == b"img_url" and len(self._keeping) > MAX_URL_BYTES:
            raise FormError(f"img_url is longer than {MAX_URL_BYTES} bytes")

    def on_end(self) -> None:
        self.ended = True


async def read_form(content_type: str | None, body: AsyncIterator[bytes], *,
                    max_image_bytes: int) -> OcrForm:
    """Parse the OCR request body.

    An empty body gives an empty form (the caller answers 41005); a body of another content
    type is a data format error.

    Raises
    ------
    FormError
        47001 for a malformed or truncated body, or one of another content type, 45002 for
        an ``img`` of ``max_image_bytes`` or more.

    Examples
    --------
    >>> import asyncio
    >>> async def body(*chunks):
    ...     for chunk in chunks:
    ...         yield chunk
    >>> asyncio.run(read_form("application/x-www-form-urlencoded",
    ...     body(b"img_url=https%3A%2F%2Fexample.com%2Fa.png"), max_image_bytes=100)).img_url
    'https://example.com/a.png'
    >>> asyncio.run(read_form("application/json", body(b'{"img_url": "https://example.com/a.png"}'),
    ...     max_image_bytes=100)).img_url
    'https://example.com/a.png'
    """
    kind, options = parse_options_header(content_type)
    if kind in _FIELD_READERS:
        data = bytearray()
        async for chunk in body:
            data += chunk
            if len(data) > MAX_FIELDS_BYTES:
                raise FormError(f"a {kind.decode()} body over {MAX_FIELDS_BYTES} bytes")
        url = _FIELD_READERS[kind](bytes(data)) if data.strip() else None
        return OcrForm(img_url=_checked_url(url))
    if kind != b"multipart/form-data":
        async for chunk in body:
            if chunk:
                raise FormError(f"expected multipart/form-data, not "
                                f"{kind.decode('latin-1') or 'no content type'}")
        return OcrForm()
    if not options.get(b"boundary"):
        raise FormError("multipart/form-data without a boundary")
    collector = _Collector(max_image_bytes)
    try:
        parser = MultipartParser(options[b"boundary"], collector.callbacks())
        async for chunk in body:
            if chunk:
                parser.write(chunk)
    except ValueError:  # python-multipart's FormParserError: bad boundary, bad part
        raise FormError("malformed multipart body") from None
    if not collector.ended:
        raise FormError("truncated multipart body: no closing boundary")
    img = collector.parts.get(b"img")
    url = collector.parts.get(b"img_url")
    return OcrForm(img=None if img is None else bytes(img),
                   img_url=None if url is None else url.decode("utf-8", "replace").strip(),
                   parts=tuple(collector.names))


def _urlencoded_url(data: bytes) -> str | None:
    try:
        fields = parse_qsl(data.decode("utf-8", "replace"), keep_blank_values=True,
                           max_num_fields=64)
    except ValueError:  # more fields than that
        raise FormError("an urlencoded body with too many fields") from None
    return next((value for name, value in fields if name == "img_url"), None)


def parse_json(data: bytes) -> object:
    """``json.loads`` of a request body whose nesting is at most :data:`MAX_JSON_DEPTH`.

    Raises
    ------
    ValueError
        When ``data`` is not JSON or is nested deeper.

    Examples
    --------
    >>> parse_json(b'{"img_url": "https://example.com/a[1].png"}')
    {'img_url': 'https://example.com/a[1].png'}
    >>> parse_json(b"[" * 30_000)
    Traceback (most recent call last):
    ValueError: JSON nested deeper than 16 levels
    """
    depth = 0
    for bracket in _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return json.loads(data)


def _json_url(data: bytes) -> str | None:
    try:
        fields = parse_json(data)
    except ValueError:
        raise FormError("the JSON body does not parse") from None
    if not isinstance(fields, dict):
        raise FormError("the JSON body is not an object")
    url = fields.get("img_url")
    if url is not None and not isinstance(url, str):
        raise FormError("img_url is not a string")
    return url


_FIELD_READERS = {b"application/x-www-form-urlencoded": _urlencoded_url,
                  b"application/json": _json_url}


def _checked_url(url: str | None) -> str | None:
    if url is None:
        return None
    if len(url.encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
        raise FormError(f"img_url is longer than {MAX_URL_BYTES} bytes")
    return url.strip()
