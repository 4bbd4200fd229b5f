"""Secrets out of text: the one place that masks URLs, access tokens and AppSecrets.

Everything the package shows or stores about an image or a request (error messages, image
labels, reprs, log lines, cache rows) goes through :func:`redact_url` or :func:`redact`:

- a URL loses its user:password, query string and fragment (signed URLs carry their
  signature there, WeChat requests their ``access_token``);
- in free text (WeChat's ``errmsg``), every URL is shortened so, and the value of any
  ``access_token=``, ``secret=`` or ``appsecret=`` left is masked;
- in the log lines of the HTTP libraries the package's requests go through (urllib3's
  ``GET /x.png?X-Amz-Signature=... HTTP/1.1``, httpx's, fsspec's), the query of every request
  target is masked as well, whatever the backend: :func:`redact_request_logs` installs
  :class:`RedactingFilter` on them before the package sends a request.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import urlsplit, urlunsplit

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
_SECRET_PARAMETER = re.compile(r"\b(access_token|secret|appsecret)=[^&\s\"'#]+", re.IGNORECASE)
#: A path with a query, as request lines and retry messages show it (``/x.png?sig=...``).
_PATH_QUERY = re.compile(r"(/[^\s?\"'<>]*)\?[^\s\"'<>]*")
#: The loggers that may log a URL of a request the package sends: downloads and WeChat calls
#: (requests, urllib3), ``img_url`` fetches (httpcore), fsspec reads (fsspec, aiohttp), and
#: httpx's. A filter applies to its own logger's records only, so each one is listed.
REQUEST_LOGGERS = (
    "urllib3", "urllib3.connection", "urllib3.connectionpool", "urllib3.poolmanager",
    "urllib3.response", "urllib3.util.retry", "urllib3.http2.connection", "requests",
    "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy",
    "httpcore.socks", "httpx", "fsspec", "fsspec.http", "aiohttp.client")
_installed = threading.Lock()


def redact_url(url: str) -> str:
    """``url`` without user:password, query string or fragment: safe to show or store.

    Examples
    --------
    >>> redact_url("https://u:p@example.com/a.png?sig=SECRET#x")
    'https://example.com/a.png'
    >>> redact_url("s3://bucket/scans/a.png?versionId=7")
    's3://bucket/scans/a.png'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def redact(text: str) -> str:
    """``text`` with every URL passed through :func:`redact_url` and the value of every
    ``access_token=``, ``secret=`` or ``appsecret=`` masked.

    Examples
    --------
    >>> redact('"POST /cv/ocr/comm?access_token=abc123&img_url=x HTTP/1.1" 200')
    '"POST /cv/ocr/comm?access_token=***&img_url=x HTTP/1.1" 200'
    >>> redact("invalid url https://u:pw@img.example.com/a.png?token=T1 rid: 65a1")
    'invalid url https://img.example.com/a.png rid: 65a1'
    """
    shortened = _URL.sub(lambda match: redact_url(match.group()), text)
    return _SECRET_PARAMETER.sub(r"\1=***", shortened)


def redact_log_line(text: str) -> str:
    """:func:`redact`, and the query of every path masked too (a request line names its
    target without scheme or host, so :func:`redact_url` cannot see it).

    Examples
    --------
    >>> redact_log_line('http://h:80 "GET /a.png?X-Amz-Signature=abc HTTP/1.1" 200 12')
    'http://h:80 "GET /a.png?*** HTTP/1.1" 200 12'
    """
    return _PATH_QUERY.sub(r"\1?***", redact(text))


class RedactingFilter(logging.Filter):
    """Passes every record, its message put through :func:`redact_log_line`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact_log_line(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def redact_request_logs() -> None:
    """Install :class:`RedactingFilter` on every logger of :data:`REQUEST_LOGGERS` (once per
    process; their lines are masked from then on, the package's requests' and any other).

    Examples
    --------
    >>> import logging
    >>> redact_request_logs()
    >>> any(isinstance(f, RedactingFilter) for f in logging.getLogger("urllib3.connectionpool").filters)
    True
    """
    with _installed:
        for name in REQUEST_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(existing, RedactingFilter) for existing in logger.filters):
                logger.addFilter(RedactingFilter())
