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
        assert answer["errcode"] == 101000 and "not a public address" in answer["errmsg"]
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
    assert refused["errcode"] == 101000 and "127.0.0.1" in refused["errmsg"]
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
    with pytest.raises(FetchError, match="resolves to 127.0.0.1"):
        asyncio.run(fetch_image(url, POLICY, max_bytes=10_000, timeout=10,
                                resolve=resolve_mixed))


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
