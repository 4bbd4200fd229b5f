"""The server's side of the WeChat protocol: errcodes, their errmsgs, and JSON answers.

Every answer is HTTP 200 JSON with ``errcode`` and ``errmsg``, as WeChat answers. Clients
match on ``errcode``; the errmsgs are WeChat's own words, so logs read alike.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from starlette.responses import JSONResponse

from ..backends.wechat.errcodes import ERRCODES
from ..errors import Errcode

_log = logging.getLogger("wxocr_pandas.server")

#: The one errcode WeChat's table has for a bad ``grant_type`` (a client never meets it).
INVALID_GRANT_TYPE = 40002
#: A path that is no API: WeChat's common errcode table says "invalid url: check that the
#: API's URL is the documented one", and api.weixin.qq.com answers it for a path it does not
#: serve.
INVALID_URL = 40066
#: A known API called with the wrong method (WeChat's global errcode table).
REQUIRE_GET, REQUIRE_POST = 43001, 43002
#: errcode -> WeChat's errmsg: the client's errcode table, plus "ok" and the errcodes only a
#: server answers (grant_type, URL, method).
ERRMSGS: Mapping[int, str] = MappingProxyType({
    Errcode.OK: "ok", INVALID_GRANT_TYPE: "invalid grant_type", INVALID_URL: "invalid url",
    REQUIRE_GET: "require GET method", REQUIRE_POST: "require POST method",
    **{errcode: rule.errmsg for errcode, rule in ERRCODES.items()}})


def answer(errcode: int, detail: str | None = None, **fields: Any) -> JSONResponse:
    """An HTTP 200 JSON answer: ``errcode``, WeChat's ``errmsg`` (with ``hint: detail``
    appended, as WeChat appends hints) and any further fields.

    Examples
    --------
    >>> answer(41001).body
    b'{"errcode":41001,"errmsg":"access_token missing"}'
    >>> answer(101002, "not an image").body
    b'{"errcode":101002,"errmsg":"invalid image data hint: [not an image]"}'
    """
    errmsg = ERRMSGS[errcode] + (f" hint: [{detail}]" if detail else "")
    return JSONResponse({"errcode": int(errcode), "errmsg": errmsg, **fields})


def error_of(errcode: int) -> int:
    """The WeChat errcode to answer for a package error's errcode.

    The package's client-side codes (900000 and up) never reach a client: a pixel bomb is
    "content size out of limit", any other unreadable input "invalid image data", anything
    else (an engine failure) a system error.

    Examples
    --------
    >>> error_of(900004), error_of(101002), error_of(900005)
    (45002, 101002, -1)
    """
    if errcode == Errcode.IMAGE_TOO_LARGE:
        return int(Errcode.CONTENT_SIZE_OUT_OF_LIMIT)
    if errcode in ERRMSGS:
        return int(errcode)
    if errcode in (Errcode.MISSING_INPUT, Errcode.FILE_NOT_FOUND, Errcode.UNSUPPORTED_INPUT):
        return int(Errcode.INVALID_IMAGE_DATA)
    return int(Errcode.SYSTEM_BUSY)


def log_request(endpoint: str, appid: str | None, size: int, errcode: int, started: float
                ) -> None:
    """One log line per request: endpoint, appid, body size, errcode, latency. Never a
    token, a secret or a URL."""
    _log.info("%s appid=%s bytes=%d errcode=%d latency_ms=%.1f", endpoint, appid or "-", size,
              errcode, (time.perf_counter() - started) * 1000)
