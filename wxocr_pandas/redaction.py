"""Secrets out of text: the one place that masks URLs, access tokens and AppSecrets.

Everything the package shows or stores about an image or a request (error messages, image
labels, reprs, log lines, cache rows) goes through :func:`redact_url` or :func:`redact`:

- a URL loses its user:password, query string and fragment (signed URLs carry their
  signature there, WeChat requests their ``access_token``);
- in free text (WeChat's ``errmsg``, urllib3's debug lines), every URL is shortened so, and
  the value of any ``access_token=``, ``secret=`` or ``appsecret=`` left is masked.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
_SECRET_PARAMETER = re.compile(r"\b(access_token|secret|appsecret)=[^&\s\"'#]+", re.IGNORECASE)


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
