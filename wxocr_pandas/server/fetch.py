"""Fetch an ``img_url`` safely.

- http and https only, checked at every redirect hop (at most :data:`MAX_REDIRECTS`);
- every connection, redirects included, goes to an address resolved and checked here, and
  the socket connects to that very address (a name that resolves to a public address when
  checked and to 127.0.0.1 a moment later cannot slip through: it is not resolved twice);
  https still verifies the certificate against the host name;
- loopback, private, link-local (cloud metadata at 169.254.169.254), shared, reserved and
  multicast addresses are refused unless ``allow_private`` (a name resolving to several
  addresses is refused if any one of them is);
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
from urllib.parse import urljoin, urlsplit

import httpcore

from ..errors import Errcode

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
    >>> UrlPolicy(allow_private=True).refusal("10.0.0.7") is None
    True
    """

    allow_private: bool = False
    treat_as_public: tuple[IpNetwork, ...] = field(default=())

    def refusal(self, address: str) -> str | None:
        """Why ``address`` may not be fetched from, or None if it may."""
        ip: IpAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if self.allow_private or ip.is_global and not ip.is_multicast:
            return None
        if any(ip in network for network in self.treat_as_public):
            return None
        return "not a public address"


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
        for address in addresses:
            reason = self._policy.refusal(address)
            if reason is not None:
                raise FetchError(f"refused: {host} resolves to {address}, {reason}")
        return await self._inner.connect_tcp(addresses[0], port, timeout=timeout,
                                             local_address=local_address,
                                             socket_options=socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise FetchError("refused: not a network address")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


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
    try:
        return await asyncio.wait_for(_fetch(url, policy, max_bytes, timeout, resolve), timeout)
    except asyncio.TimeoutError:
        raise FetchError(f"timed out after {timeout:g} s") from None
    except httpcore.TimeoutException:
        raise FetchError(f"timed out after {timeout:g} s") from None
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol,
            httpcore.LocalProtocolError, ValueError) as exc:
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
            async with pool.stream("GET", url, headers={"Accept": "image/*"},
                                   extensions={"timeout": timeouts}) as response:
                if response.status in _REDIRECTS:
                    location = _header(response, b"location").decode("latin-1")
                    if not location:
                        raise FetchError(f"HTTP {response.status} without Location")
                    url = urljoin(url, location)
                    continue
                if response.status != 200:
                    raise FetchError(f"HTTP {response.status} from {_origin(url)}")
                return await _read_capped(response, max_bytes)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


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
