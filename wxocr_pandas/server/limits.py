"""Request body limits, enforced before any parsing.

:class:`BodyLimit` is ASGI middleware: a request whose ``Content-Length`` is over its
path's limit is answered 45002 at once, without reading the body; a body sent without a
length (chunked) is counted as it arrives, and reading past the limit raises
:class:`BodyTooLarge` in the endpoint. A 30 MB upload is therefore never held in memory.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import Errcode
from .protocol import answer, log_request

#: Bytes a multipart envelope may add to the image (boundaries, part headers, fields).
MULTIPART_MARGIN = 64 * 1024
#: Body limit of the endpoints that take a small JSON body or none.
SMALL_BODY = 64 * 1024


class BodyTooLarge(Exception):
    """The request body grew past its limit while being read."""


class BodyLimit:
    """Cap request bodies per path (``limits``), else at ``default`` bytes.

    Examples
    --------
    >>> from starlette.applications import Starlette
    >>> app = BodyLimit(Starlette(), {"/cv/ocr/comm": 2_162_688})
    >>> app.limit_of("/cv/ocr/comm"), app.limit_of("/cgi-bin/token")
    (2162688, 65536)
    """

    def __init__(self, app: ASGIApp, limits: Mapping[str, int], default: int = SMALL_BODY
                 ) -> None:
        self.app = app
        self.limits = dict(limits)
        self.default = default

    def limit_of(self, path: str) -> int:
        """The body limit of ``path`` in bytes."""
        return self.limits.get(path, self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"").strip()
        if declared.isdigit() and int(declared) > limit:
            log_request(scope["path"], None, int(declared), Errcode.CONTENT_SIZE_OUT_OF_LIMIT,
                        time.perf_counter())
            response = answer(Errcode.CONTENT_SIZE_OUT_OF_LIMIT,
                              f"request body of {int(declared)} bytes, the limit is {limit}")
            await response(scope, receive, send)
            return
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(f"request body over the {limit}-byte limit")
            return message

        await self.app(scope, capped_receive, send)
