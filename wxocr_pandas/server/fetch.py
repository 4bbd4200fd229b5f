"""Fetch an ``img_url`` safely.

- http and https only, checked at every redirect hop (at most :data:`MAX_REDIRECTS`);
- every connection, redirects included, goes to an address resolved and checked here, and
  the socket connects to that very address (a name that resolves to a public address when
  checked and to 127.0.0.1 a moment later cannot slip through: it is not resolved twice);
  https still verifies the certificate against the host name;
- loopback, private, link-local (cloud metadata at 169.254.169.254), site-local, shared,
  reserved and multicast addresses are refused unless ``allow_private`` (a name resolving to
  several addresses is refused if any one of them is), and so is an IPv6 address that carries
  such an IPv4 address (NAT64, 6to4, Teredo, IPv4-mapped, -translated or -compatible); the
  refusal never says which address a name resolved to;
- an international URL (``http://例子.测试/发票.png``) is sent as browsers send it
  (:func:`iri_to_uri`); any failure of the fetch is a :class:`FetchError` (101000);
- a deadline for the whole fetch, and a size cap read as the bytes arrive;
- no proxy from the environment (it would be the proxy's address that was checked).

Built on httpcore (the transport under httpx), whose network backend is the one place a
connection is opened.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import httpcore

from ..errors import Errcode
from ..redaction import redact_request_logs

#: Redirects followed before giving up.
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: ``resolve(host, port)`` -> the addresses to check, in connection order.
Resolver = Callable[[str, int], Awaitable[list[str]]]


class FetchError(Exception):
    """``img_url`` could not be fetched: ``errcode`` is 101000, or 45002 when too large.
    The message never holds the URL's query (it may carry a signature)."""

    def __init__(self, detail: str, errcode: int = Errcode.INVALID_IMAGE_URL) -> None:
        super().__init__(detail)
        self.errcode = errcode


@dataclass(frozen=True)
class UrlPolicy:
    """Which addresses ``img_url`` may reach.

    Parameters
    ----------
    allow_private
        Also allow loopback, private and link-local addresses (``--allow-private-urls``).
    treat_as_public
        Networks taken for public ones even so. Not offered on the command line: tests use
        it to stand a local "public" host (127.0.0.2) beside a refused one (127.0.0.1).

    Examples
    --------
    >>> policy = UrlPolicy()
    >>> policy.refusal("93.184.215.14") is None
    True
    >>> policy.refusal("169.254.169.254")
    'not a public address'
    >>> policy.refusal("::ffff:127.0.0.1")
    'not a public address'
    >>> policy.refusal("64:ff9b::a00:1")  # NAT64 to 10.0.0.1
    'not a public address'
    >>> UrlPolicy(allow_private=True).refusal("10.0.0.7") is None
    True
    """

    allow_private: bool = False
    treat_as_public: tuple[IpNetwork, ...] = field(default=())

    def refusal(self, address: str) -> str | None:
        """Why ``address`` may not be fetched from, or None if it may.

        An IPv6 address that carries an IPv4 address (:func:`embedded_ipv4`) is judged by
        that IPv4 address too: a NAT64 or 6to4 gateway delivers it there.
        """
        ip: IpAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if self.allow_private:
            return None
        if isinstance(ip, ipaddress.IPv6Address):
            if ip in _LOCAL_NAT64 or ip.is_site_local:
                return "not a public address"
            carried = embedded_ipv4(ip)
            if carried:
                return next(filter(None, map(self.refusal, map(str, carried))), None)
        if ip.is_global and not ip.is_multicast:
            return None
        if any(ip in network for network in self.treat_as_public):
            return None
        return "not a public address"


#: The local-use NAT64 prefix (RFC 8215): a translator inside the operator's own network,
#: where the IPv4 address may sit at any of RFC 6052's offsets; refused whole.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
#: IPv6 prefixes whose last 32 bits are an IPv4 address: NAT64's well-known prefix
#: (RFC 6052), IPv4-mapped, SIIT's IPv4-translated (RFC 2765) and the deprecated
#: IPv4-compatible addresses.
_IPV4_IN_LAST_32_BITS = tuple(map(ipaddress.IPv6Network, (
    "64:ff9b::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "::/96")))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries: NAT64 (``64:ff9b::/96``), IPv4-mapped
    (``::ffff:0:0/96``), SIIT (``::ffff:0:0:0/96``), IPv4-compatible (``::/96``, but ``::``
    and ``::1``), 6to4 (``2002::/16``) and Teredo (``2001::/32``: its server and client).

    Examples
    --------
    >>> embedded_ipv4(ipaddress.IPv6Address("64:ff9b::a00:1"))
    (IPv4Address('10.0.0.1'),)
    >>> embedded_ipv4(ipaddress.IPv6Address("2002:a9fe:a9fe::"))
    (IPv4Address('169.254.169.254'),)
    >>> embedded_ipv4(ipaddress.IPv6Address("2606:4700::1111"))
    ()
    """
    if ip.teredo is not None:
        return ip.teredo
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if int(ip) > 1 and any(ip in network for network in _IPV4_IN_LAST_32_BITS):
        return (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF),)
    return ()


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host``, in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Opens every connection to an address it resolved and checked itself."""

    def __init__(self, policy: UrlPolicy, resolve: Resolver) -> None:
        self._policy = policy
        self._resolve = resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._resolve(host, port)
        except OSError:
            raise FetchError(f"cannot resolve host {host}") from None
        if not addresses:
            raise FetchError(f"cannot resolve host {host}")
        if any(self._policy.refusal(address) for address in addresses):
            # Never which address: that would tell any token holder where an internal
            # name resolves.
            raise FetchError("refused: private address")
        return await self._inner.connect_tcp(addresses[0], port, timeout=timeout,
                                             local_address=local_address,
                                             socket_options=socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise FetchError("refused: not a network address")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


#: Characters percent-encoded besides controls, spaces and non-ASCII, as browsers do
#: (WHATWG URL: the userinfo, path, query and fragment percent-encode sets).
_ENCODED_IN = {"userinfo": '"#<>?`{}/:;=@[\\]^|', "path": '"#<>?`{}^',
               "query": "\"#<>'", "fragment": '"<>`'}


def _percent_encoded(text: str, part: str) -> str:
    also = _ENCODED_IN[part]
    return "".join(char if "!" <= char <= "~" and char not in also else quote(char, safe="")
                   for char in text)


def iri_to_uri(url: str) -> str:
    """``url`` as a browser sends it: an international host name in IDNA (UTS 46, as
    browsers map it: full-width letters become ASCII), and any other non-ASCII character,
    space or control percent-encoded as UTF-8; ``%XX`` escapes already there are kept, and
    the fragment, which is never sent, is dropped.

    Raises
    ------
    FetchError
        A host name IDNA refuses, a bad port, a URL that does not parse.

    Examples
    --------
    >>> iri_to_uri("http://例子.测试/发票 1.png?名=值#frag")
    'http://xn--fsqu00a.xn--0zwm56d/%E5%8F%91%E7%A5%A8%201.png?%E5%90%8D=%E5%80%BC'
    >>> iri_to_uri("https://ｅｘａｍｐｌｅ.com:8443/a%20b.png")
    'https://example.com:8443/a%20b.png'
    """
    import idna

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
        if host and not host.isascii():
            host = idna.encode(host, uts46=True).decode("ascii")
        if ":" in host:  # an IPv6 literal
            host = f"[{host}]"
        userinfo, at, _ = parts.netloc.rpartition("@")
        netloc = (_percent_encoded(userinfo, "userinfo") + at + host
                  + ("" if port is None else f":{port}"))
        return urlunsplit((parts.scheme, netloc, _percent_encoded(parts.path, "path"),
                           _percent_encoded(parts.query, "query"), ""))
    except (ValueError, UnicodeError) as exc:  # idna.IDNAError is a UnicodeError
        raise FetchError(f"not a valid URL: {type(exc).__name__}") from None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


async def fetch_image(url: str, policy: UrlPolicy, *, max_bytes: int, timeout: float,
                      resolve: Resolver = system_resolve) -> bytes:
    """Download ``url`` under ``policy``; fewer than ``max_bytes`` bytes, within ``timeout``
    seconds in all.

    Raises
    ------
    FetchError
        Errcode 101000 for a refused or failed fetch, 45002 for ``max_bytes`` or more.
    """
    redact_request_logs()
    try:
        return await asyncio.wait_for(_fetch(url, policy, max_bytes, timeout, resolve), timeout)
    except FetchError:
        raise
    except (asyncio.TimeoutError, httpcore.TimeoutException):
        raise FetchError(f"timed out after {timeout:g} s") from None
    except Exception as exc:  # whatever an exchange with an arbitrary host raises: 101000
        raise FetchError(f"fetch failed: {type(exc).__name__}") from None


async def _fetch(url: str, policy: UrlPolicy, max_bytes: int, timeout: float,
                 resolve: Resolver) -> bytes:
    timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
    async with httpcore.AsyncConnectionPool(network_backend=_CheckedBackend(policy, resolve),
                                            retries=0) as pool:
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise FetchError(f"refused: {urlsplit(url).scheme or 'no'} scheme, "
                                 "only http and https")
            url = iri_to_uri(url)
            async with pool.stream("GET", url, headers={"Accept": "image/*"},
                                   extensions={"timeout": timeouts}) as response:
                if response.status in _REDIRECTS:
                    location = _location(_header(response, b"location"))
                    if not location:
                        raise FetchError(f"HTTP {response.status} without Location")
                    url = urljoin(url, location)
                    continue
                if response.status != 200:
                    raise FetchError(f"HTTP {response.status} from {_origin(url)}")
                return await _read_capped(response, max_bytes)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _location(value: bytes) -> str:
    """A ``Location`` header as text: UTF-8 as browsers read it, else byte for byte."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _header(response: httpcore.Response, name: bytes) -> bytes:
    return next((value for key, value in response.headers if key.lower() == name), b"")


async def _read_capped(response: httpcore.Response, max_bytes: int) -> bytes:
    declared = _header(response, b"content-length").strip()
    if declared.isdigit() and int(declared) >= max_bytes:
        raise FetchError(f"image is {int(declared)} bytes, the limit is under {max_bytes}",
                         Errcode.CONTENT_SIZE_OUT_OF_LIMIT)
    data = bytearray()
    async for chunk in response.aiter_stream():
        data += chunk
        if len(data) >= max_bytes:
            raise FetchError(f"image reaches the {max_bytes}-byte limit",
                             Errcode.CONTENT_SIZE_OUT_OF_LIMIT)
    return bytes(data)
