"""``img_url`` is fetched safely: from a local file server only with --allow-private-urls;
never to loopback otherwise, not even through a redirect from an allowed host; the address
checked is the address connected to; time and size are capped.

No public host is reachable here, so an "allowed" host is made honestly: a second loopback
address, 127.0.0.2, which the tests' :class:`UrlPolicy` takes for public
(``treat_as_public``, a constructor argument the command line does not offer). 127.0.0.1
stays refused as loopback, exactly as in production.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import wxocr_pandas
from tests.helpers.ocr_server import APPS, running_server
from wxocr_pandas.server import ServerSettings
from wxocr_pandas.server.fetch import FetchError, UrlPolicy, fetch_image

ALLOWED = "127.0.0.2"
POLICY = UrlPolicy(treat_as_public=(ipaddress.ip_network(f"{ALLOWED}/32"),))


@pytest.fixture(scope="module")
def loopback_files(samples_dir):
    """A file server on 127.0.0.1 (a private target)."""
    http = HTTPServer(host="127.0.0.1")
    http.start()
    http.expect_request("/sign.png").respond_with_data(
        (samples_dir / "sign.png").read_bytes(), content_type="image/png")
    yield http
    http.stop()


@pytest.fixture(scope="module")
def allowed_host():
    """A server on 127.0.0.2, taken for a public host by :data:`POLICY`."""
    http = HTTPServer(host=ALLOWED)
    http.start()
    yield http
    http.stop()


@pytest.fixture(scope="module")
def strict():
    """The server without --allow-private-urls (the tests' policy: 127.0.0.2 is public)."""
    with running_server(ServerSettings(APPS, workers=1, cache=False), POLICY) as up:
        yield up


def test_with_allow_private_urls_a_local_file_server_is_fetched(loopback_files, samples_dir):
    settings = ServerSettings(APPS, workers=1, cache=False, allow_private_urls=True)
    with running_server(settings) as server:
        answer = server.ocr(server.token(), img_url=loopback_files.url_for("/sign.png"))
    assert answer == wxocr_pandas.recognize(samples_dir / "sign.png", cache=False)


def test_without_it_loopback_is_refused_by_address_and_by_name(strict, loopback_files):
    loopback_files.clear_log()
    token = strict.token()
    direct = strict.ocr(token, img_url=loopback_files.url_for("/sign.png"))
    by_name = strict.ocr(token, img_url=loopback_files.url_for("/sign.png").replace(
        "127.0.0.1", "localhost"))
    for answer in (direct, by_name):
        assert answer["errcode"] == 101000 and "refused: private address" in answer["errmsg"]
        assert "127.0.0.1" not in answer["errmsg"]  # never where a name resolves
    assert loopback_files.log == []  # nothing ever connected


def test_a_redirect_from_an_allowed_host_to_loopback_is_refused(strict, allowed_host,
                                                                loopback_files, samples_dir):
    allowed_host.expect_request("/direct.png").respond_with_data(
        (samples_dir / "sign.png").read_bytes(), content_type="image/png")
    allowed_host.expect_request("/hop.png").respond_with_response(
        Response(status=302, headers={"Location": "/redirect.png"}))
    allowed_host.expect_request("/redirect.png").respond_with_response(
        Response(status=302, headers={"Location": loopback_files.url_for("/sign.png")}))
    loopback_files.clear_log()
    token = strict.token()
    assert strict.ocr(token, img_url=allowed_host.url_for("/direct.png"))["errcode"] == 0
    refused = strict.ocr(token, img_url=allowed_host.url_for("/hop.png"))
    assert refused["errcode"] == 101000 and "private address" in refused["errmsg"]
    assert [r.path for r, _ in allowed_host.log][-2:] == ["/hop.png", "/redirect.png"]
    assert loopback_files.log == []


def test_other_schemes_are_refused(strict):
    token = strict.token()
    for url in ("file:///etc/passwd", "ftp://127.0.0.2/a.png", "gopher://127.0.0.2/"):
        answer = strict.ocr(token, img_url=url)
        assert answer["errcode"] == 101000 and "scheme" in answer["errmsg"]


def test_the_connection_goes_to_the_checked_address(allowed_host, make_png):
    """A resolver override stands for DNS: ``rebind.test`` resolves to the allowed address
    once. The fetch connects to that very address (the system resolver does not know the
    name at all); and a name with any refused address is refused whole."""
    allowed_host.expect_request("/pinned.png").respond_with_data(make_png(8, 8))
    port = allowed_host.port

    async def resolve_allowed(host, _port):
        return [ALLOWED]

    async def resolve_mixed(host, _port):
        return [ALLOWED, "127.0.0.1"]

    url = f"http://rebind.test:{port}/pinned.png"
    data = asyncio.run(fetch_image(url, POLICY, max_bytes=10_000, timeout=10,
                                   resolve=resolve_allowed))
    assert data == make_png(8, 8)
    with pytest.raises(FetchError, match="^refused: private address$"):
        asyncio.run(fetch_image(url, POLICY, max_bytes=10_000, timeout=10,
                                resolve=resolve_mixed))


#: IPv6 addresses that carry an IPv4 address, judged by it; and site-local ones.
EMBEDDED = [
    ("64:ff9b::a00:1", True),  # NAT64 to 10.0.0.1
    ("64:ff9b::a9fe:a9fe", True),  # NAT64 to the cloud metadata address
    ("64:ff9b::808:808", False),  # NAT64 to 8.8.8.8: public
    ("64:ff9b:1::808:808", True),  # local-use NAT64 (RFC 8215): refused whole
    ("2002:a9fe:a9fe::", True),  # 6to4 of 169.254.169.254
    ("2002:7f00:1::1", True),  # 6to4 of 127.0.0.1
    ("2002:808:808::1", False),  # 6to4 of 8.8.8.8
    ("::7f00:1", True),  # IPv4-compatible 127.0.0.1
    ("::a00:1", True),  # IPv4-compatible 10.0.0.1
    ("::ffff:0:a9fe:a9fe", True),  # SIIT (IPv4-translated) 169.254.169.254
    ("::ffff:0:c0a8:1", True),  # SIIT 192.168.0.1
    ("::ffff:7f00:1", True),  # IPv4-mapped 127.0.0.1
    ("::ffff:808:808", False),  # IPv4-mapped 8.8.8.8
    ("2001:0:a00:1::f5ff:fffe", True),  # Teredo, server 10.0.0.1
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", True),  # Teredo, client 127.0.0.1
    ("fec0::1", True),  # site-local
    ("fed0::1:2", True),  # site-local
    ("2606:4700::1111", False),  # a plain public IPv6 address
]


@pytest.mark.parametrize(("address", "refused"), EMBEDDED)
def test_ipv6_addresses_are_judged_by_the_ipv4_address_they_carry(address, refused):
    """The policy alone decides: no test ever sends traffic to these addresses."""
    assert (UrlPolicy().refusal(address) is not None) is refused
    assert UrlPolicy(allow_private=True).refusal(address) is None


def test_a_name_resolving_to_a_nat64_address_is_refused_before_connecting():
    async def resolve_nat64(host, _port):
        return ["64:ff9b::a9fe:a9fe"]

    with pytest.raises(FetchError, match="^refused: private address$"):
        asyncio.run(fetch_image("http://metadata.test/latest", UrlPolicy(), max_bytes=100,
                                timeout=10, resolve=resolve_nat64))


def test_size_cap_time_cap_and_redirect_loops(allowed_host, make_png):
    allowed_host.expect_request("/big.png").respond_with_data(make_png(400, 400))
    allowed_host.expect_request("/slow.png").respond_with_handler(
        lambda request: (time.sleep(3), Response(make_png(8, 8)))[1])
    allowed_host.expect_request("/loop.png").respond_with_response(
        Response(status=302, headers={"Location": "/loop.png"}))

    def fetch(path, **limits):
        options = {"max_bytes": 100, "timeout": 10.0, **limits}
        return asyncio.run(fetch_image(allowed_host.url_for(path), POLICY, **options))

    with pytest.raises(FetchError) as too_big:
        fetch("/big.png")
    assert too_big.value.errcode == 45002
    with pytest.raises(FetchError, match="timed out") as slow:
        fetch("/slow.png", timeout=0.5, max_bytes=10_000)
    assert slow.value.errcode == 101000
    with pytest.raises(FetchError, match="redirects"):
        fetch("/loop.png")
