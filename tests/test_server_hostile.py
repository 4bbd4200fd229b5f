"""``wxocr serve`` (the command, in a subprocess) against hostile clients: international and
broken ``img_url``\\ s, odd ``stable_token`` bodies, requests that must not spend the quota,
secret guessing, and a request line that never ends."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from tests.helpers.ocr_server import APPID, APPID2, SECRET, SECRET2, start_cli_server
from wxocr_pandas.server.throttle import SecretThrottle

APPS_ENV = {"WXOCR_SERVER_APPS": f"{APPID}:{SECRET},{APPID2}:{SECRET2}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    process, running = start_cli_server(
        "--workers", "1", "--no-cache", "--daily-quota", "3", "--allow-private-urls",
        "--header-timeout", "1", env=APPS_ENV, log=log)
    yield running
    process.terminate()
    process.wait(timeout=120)
    assert "Traceback" not in log.read_text(), log.read_text()


def test_an_international_img_url_is_fetched_as_a_browser_sends_it(served, httpserver,
                                                                    samples_dir):
    """Full-width host letters map to ``localhost`` (IDNA UTS 46); the Chinese path and the
    space are percent-encoded as UTF-8 (the file server decodes them back)."""
    httpserver.expect_request("/发票 副本.png").respond_with_data(
        (samples_dir / "sign.png").read_bytes(), content_type="image/png")
    url = f"http://ｌｏｃａｌｈｏｓｔ:{httpserver.port}/发票 副本.png"
    answer = served.ocr(served.token(), img_url=url)
    assert answer["errcode"] == 0 and answer["items"][0]["text"] == "小心地滑"
    assert httpserver.log[-1][0].path == "/发票 副本.png"


@pytest.mark.parametrize("url", [
    "http://[::1/a.png",  # an IPv6 literal left open
    "http://127.0.0.1:99999/a.png",  # no such port number
    "http://-例子.com/a.png",  # a host name IDNA refuses
    "http://例子.com\u0080/a.png",  # a control character in the host
    "http://127.0.0.1:9/图片.png",  # nothing listens there
])
def test_any_fetch_failure_is_answered_json_101000(served, url):
    response = requests.post(f"{served.url}/cv/ocr/comm", timeout=60,
                             params={"access_token": served.token(), "img_url": url})
    assert response.status_code == 200
    assert response.json()["errcode"] == 101000


def test_stable_token_answers_any_body_with_an_errcode(served):
    url = f"{served.url}/cgi-bin/stable_token"
    good = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    deep = b'{"appid": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    bodies = {
        b"[" * 60_000: 47001,  # deeper than Python's recursion limit, never closed
        deep: 47001,  # closed, inside an object
        b"\xff\xfe{not utf-8": 47001,
        json.dumps({**good, "secret": "\ud800"}).encode(): 40125,
        json.dumps({**good, "appid": "wx\udcff"}).encode(): 40013,
        json.dumps({**good, "grant_type": "\udfff"}).encode(): 40002,
    }
    for body, errcode in bodies.items():
        response = requests.post(url, data=body, timeout=30)
        assert response.status_code == 200 and response.json()["errcode"] == errcode, body[:40]
    odd_query = requests.get(f"{served.url}/cgi-bin/token?grant_type=client_credential&appid="
                             f"{APPID}&secret=%ED%A0%80%FF", timeout=30)
    assert odd_query.json()["errcode"] == 40125
    assert requests.post(url, json=good, timeout=30).json()["expires_in"] > 0


def test_only_requests_that_reach_recognition_count_against_the_quota(served, samples_dir):
    """Three requests refused before recognition (47001, 41005, 101000), then the quota of
    three is all there: three answers, and the fourth is 45009."""
    token = served.token(APPID2, SECRET2)
    url = f"{served.url}/cv/ocr/comm?access_token={token}"
    refused = [
        requests.post(url, data=b"--B\r\nbroken", timeout=30,
                      headers={"Content-Type": "multipart/form-data; boundary=B"}),
        requests.post(url, files={"media": ("a.png", b"x")}, timeout=30),
        requests.post(url, params={"img_url": "http://127.0.0.1:9/a.png"}, timeout=30),
    ]
    assert [response.json()["errcode"] for response in refused] == [47001, 41005, 101000]
    sign = (samples_dir / "sign.png").read_bytes()
    assert [served.ocr(token, sign)["errcode"] for _ in range(4)] == [0, 0, 0, 45009]


def test_a_request_line_that_never_ends_is_closed(served):
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /cv/oc")
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server: --header-timeout 1
        assert time.monotonic() - started < 20
    with socket.create_connection((host, int(port)), timeout=30) as sock:  # kept alive, then
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # a second request stalls
        answer = b""
        while not answer.endswith(b"}"):
            answer += sock.recv(4096)
        assert b'"errcode":0' in answer
        sock.sendall(b"GET /heal")
        assert sock.recv(1024) == b""
    assert requests.get(f"{served.url}/healthz", timeout=30).json()["errcode"] == 0


def test_wrong_secrets_are_throttled_then_the_right_one_passes(served):
    """Last in the module: it throttles this client (127.0.0.1) until the right secret
    clears it."""
    params = {"grant_type": "client_credential", "appid": APPID2}

    def token(secret):
        return requests.get(f"{served.url}/cgi-bin/token", params={**params, "secret": secret},
                            timeout=30).json()

    assert [token(f"guess-{n}")["errcode"] for n in range(6)] == [40125] * 6
    refused = [token(f"guess-{n}") for n in range(6, 30)] + [token(SECRET2)]
    assert {answer["errcode"] for answer in refused} == {45011}  # not even compared
    assert "retry in 1 s" in refused[0]["errmsg"]
    time.sleep(1.1)
    assert "access_token" in token(SECRET2)
    assert token("guess-again")["errcode"] == 40125  # the right secret cleared the count


def test_the_throttle_backs_off_per_appid_and_per_client_and_forgets():
    now = [0.0]
    throttle = SecretThrottle(clock=lambda: now[0])
    for number in range(8):  # eight wrong secrets for wx1, from eight addresses
        throttle.failed("wx1", f"10.0.0.{number}")
    assert throttle.wait("wx1", "10.9.9.9") == 4.0  # the appid: 1 s, doubled twice
    assert throttle.wait("wx2", "10.9.9.9") == 0.0
    for _ in range(12):  # one address guessing at two appids
        throttle.failed("wx2" if _ % 2 else "wx3", "10.7.7.7")
    assert throttle.wait("wx4", "10.7.7.7") == 64.0  # the client's wait, doubling
    assert throttle.wait("wx1", "10.1.1.1") == 4.0
    now[0] = 3600.0
    assert throttle.wait("wx1", "10.9.9.9") == throttle.wait("wx4", "10.7.7.7") == 0.0
