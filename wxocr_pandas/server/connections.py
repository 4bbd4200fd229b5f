"""Connections that cannot be held open by a client that never finishes its request line.

uvicorn's h11 protocol has a keep-alive timer for an idle connection, but no deadline for
the request line and headers: its timer stops at the first byte, so a client that sends
``GET /cv/oc`` and nothing more holds a connection, and a socket, for as long as it likes
(minutes in the report; any number of them). :class:`HeaderDeadlineProtocol` gives every
request a deadline from the moment the server waits for it (a new
connection, or the end of the previous answer on a kept-alive one) to the end of its
headers (``--header-timeout``, :data:`~.settings.HEADER_TIMEOUT` by default); past it the
connection is closed. The body has its own deadline
(``upload_timeout``, in :mod:`.app`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .settings import HEADER_TIMEOUT


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, with a deadline of ``header_timeout`` seconds for each
    request's line and headers (pass it, or a :func:`functools.partial` of it with another
    ``header_timeout``, as ``uvicorn.Config(http=...)``)."""

    def __init__(self, *args: Any, header_timeout: float = HEADER_TIMEOUT, **kwargs: Any
                 ) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
            self._stop_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        self._stop_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_late)

    def _stop_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_late(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self.logger.info("closed a connection whose request headers took over %g s",
                             self.header_timeout)
            self.transport.close()
