"""The streaming multipart reader: every prefix of a valid body is refused as truncated,
never half-read; mutated bodies never crash it; the image limit holds mid-stream."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wxocr_pandas.server.forms import FormError, OcrForm, read_form
from wxocr_pandas.server.quota import AppQuota

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
IMAGE = bytes(range(256)) * 4


def body(*parts: tuple[str, bytes, str | None]) -> bytes:
    out = b""
    for name, data, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += (f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n").encode()
        out += data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def read(data: bytes, chunk: int = 7, content_type: str = CONTENT_TYPE,
         max_image_bytes: int = 10_000) -> OcrForm:
    async def stream():
        for start in range(0, len(data), chunk):
            yield data[start:start + chunk]

    return asyncio.run(read_form(content_type, stream(), max_image_bytes=max_image_bytes))


def test_img_type_and_img_url_parts():
    form = read(body(("type", b"photo", None), ("img", IMAGE, "a.png"),
                     ("img_url", b" https://example.com/a.png ", None)))
    assert form.img == IMAGE and form.img_url == "https://example.com/a.png"


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=1, max_value=len(body(("img", IMAGE, "a.png"))) - 3),
       chunk=st.integers(min_value=1, max_value=300))
def test_every_truncation_is_refused(cut, chunk):
    full = body(("img", IMAGE, "a.png"))
    with pytest.raises(FormError) as refused:
        read(full[:cut], chunk)
    assert refused.value.errcode == 47001


@settings(max_examples=80, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(body(("img", IMAGE, "a.png"))) - 1),
       byte=st.integers(min_value=0, max_value=255), chunk=st.integers(1, 300))
def test_mutated_bodies_never_crash(position, byte, chunk):
    data = bytearray(body(("img", IMAGE, "a.png")))
    data[position] = byte
    try:
        form = read(bytes(data), chunk)
    except FormError as exc:
        assert exc.errcode == 47001
    else:
        assert form.img is None or len(form.img) <= len(data)


def test_the_image_limit_holds_while_streaming():
    with pytest.raises(FormError) as too_big:
        read(body(("img", IMAGE, "a.png")), max_image_bytes=len(IMAGE))
    assert too_big.value.errcode == 45002
    assert read(body(("img", IMAGE, "a.png")), max_image_bytes=len(IMAGE) + 1).img == IMAGE


def test_not_multipart_and_empty_bodies():
    assert read(b"", content_type="") == OcrForm()
    for content_type in ("application/json", "image/png", "multipart/form-data"):
        with pytest.raises(FormError):
            read(IMAGE, content_type=content_type)


def test_quota_resets_on_the_next_beijing_day():
    day = ["2026-11-26"]
    quota = AppQuota(1, day=lambda: day[0])
    assert quota.take("wx1") and not quota.take("wx1")
    day[0] = "2026-11-27"
    assert quota.take("wx1") and quota.used("wx1") == 1
