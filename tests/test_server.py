"""``wxocr serve`` speaks WeChat's protocol: every errcode of its table, tokens that expire
and overlap, the package's WeChatBackend as a client, and answers identical to the
package's own. Real uvicorn on 127.0.0.1 with the real engine."""

from __future__ import annotations

import logging
import socket
import time

import pandas as pd
import pytest
import requests

import wxocr_pandas
from tests.helpers.ocr_server import APPID, APPID2, APPS, SECRET, SECRET2, ServerClient, running_server
from wxocr_pandas import WeChatBackend
from wxocr_pandas.backends.wechat.token import clear_tokens
from wxocr_pandas.images import as_source
from wxocr_pandas.server import ServerSettings
from wxocr_pandas.server.tokens import TokenStore


@pytest.fixture(scope="module")
def server():
    with running_server(ServerSettings(APPS, workers=1, cache=False, max_bytes=200_000)) as up:
        yield up


@pytest.fixture(scope="module")
def sign(samples_dir) -> bytes:
    return (samples_dir / "sign.png").read_bytes()


def _token_answer(server, **params):
    return requests.get(f"{server.url}/cgi-bin/token", params=params, timeout=30).json()


def test_token_errcodes(server):
    good = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    assert _token_answer(server, **{**good, "grant_type": "password"})["errcode"] == 40002
    assert _token_answer(server, **{**good, "appid": "wxnobody"})["errcode"] == 40013
    assert _token_answer(server, **{**good, "secret": SECRET2})["errcode"] == 40125
    assert _token_answer(server, **{**good, "secret": ""})["errcode"] == 40125
    issued = _token_answer(server, **good)
    assert set(issued) == {"access_token", "expires_in"} and issued["expires_in"] == 7200
    assert len(issued["access_token"]) >= 32


def test_ocr_credential_errcodes(server, sign):
    assert server.ocr(None, sign)["errcode"] == 41001
    assert server.ocr("", sign)["errcode"] == 41001
    assert server.ocr("made-up-token", sign)["errcode"] == 40001


def test_ocr_answers_exactly_what_the_package_answers(server, sign, samples_dir):
    token = server.token()
    answer = server.ocr(token, sign)
    assert answer == wxocr_pandas.recognize(samples_dir / "sign.png", cache=False)
    assert answer["errcode"] == 0 and answer["items"][0]["text"] == "小心地滑"


def test_ocr_image_errcodes(server, sign):
    token = server.token(APPID2, SECRET2)
    assert server.ocr(token)["errcode"] == 41005
    assert server.ocr(token, b"this is not an image")["errcode"] == 101002
    assert server.ocr(token, sign + b"\0" * 200_000)["errcode"] == 45002
    assert server.ocr(token, img_url="ftp://127.0.0.1/a.png")["errcode"] == 101000
    malformed = requests.post(f"{server.url}/cv/ocr/comm", params={"access_token": token},
                              data=b"--B\r\nno headers end", timeout=30,
                              headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert malformed.status_code == 200 and malformed.json()["errcode"] == 47001


def test_the_type_field_some_clients_send_is_accepted(server, sign):
    answer = requests.post(f"{server.url}/cv/ocr/comm", params={"access_token": server.token()},
                           files={"img": ("a.png", sign, "image/png")}, data={"type": "photo"},
                           timeout=120).json()
    assert answer["errcode"] == 0 and answer["items"]


def test_stable_token_is_shared_and_leaves_plain_tokens_alone(server, make_png):
    def stable(**body):
        return requests.post(f"{server.url}/cgi-bin/stable_token", timeout=30, json={
            "grant_type": "client_credential", "appid": APPID2, "secret": SECRET2, **body}).json()

    plain = server.token(APPID2, SECRET2)
    first, again = stable(), stable()
    assert first["access_token"] == again["access_token"]
    assert 0 < again["expires_in"] <= 7200
    forced = stable(force_refresh=True)
    assert forced["access_token"] != first["access_token"]
    # A plain call now answers the current token, never the replaced one in its overlap.
    after = stable()
    assert after["access_token"] == forced["access_token"] and after["expires_in"] > 300
    for token in (plain, first["access_token"], forced["access_token"]):  # overlap: all work
        assert server.ocr(token, make_png(40, 20))["errcode"] == 0
    assert stable(secret="wrong")["errcode"] == 40125
    assert stable(grant_type="x")["errcode"] == 40002
    bad_json = requests.post(f"{server.url}/cgi-bin/stable_token", data=b"{not json",
                             timeout=30).json()
    assert bad_json["errcode"] == 47001


def test_healthz(server):
    health = requests.get(f"{server.url}/healthz", timeout=30).json()
    assert health["errcode"] == 0 and health["workers"] == 1 and health["capacity"] >= 1


def test_tokens_expire_and_the_client_refreshes(make_png, tmp_path):
    blank = make_png(40, 20)
    clear_tokens()
    with running_server(ServerSettings(APPS, workers=1, cache=False, token_ttl=1)) as server:
        token = server.token()
        assert server.ocr(token, blank)["errcode"] == 0
        time.sleep(1.5)
        assert server.ocr(token, blank)["errcode"] == 42001
        # wechatpy, holding the expired token, fetches a new one on 42001 and sends again.
        sdk = ServerClient(server.url, APPID, SECRET, access_token=token)
        assert sdk.wxa._post("cv/ocr/comm", files=[("img", ("a.png", blank, "image/png"))]
                             )["errcode"] == 0
        backend = WeChatBackend(APPID, SECRET, base_url=server.url, quota_dir=str(tmp_path))
        # The client's token lives 1 s: it expires between calls and is fetched again.
        results = [backend.recognize(as_source(blank)) for _ in range(2)]
        time.sleep(1.5)
        results.append(backend.recognize(as_source(blank)))
    assert [r.errcode for r in results] == [0, 0, 0]
    clear_tokens()


def test_wechat_backend_keeps_finished_rows_when_the_quota_stops_a_batch(samples_dir, tmp_path,
                                                                          make_png):
    clear_tokens()
    paths = [samples_dir / "sign.png"]
    for width in (40, 41, 42, 43):  # distinct small images: the batch sends each once
        paths.append(tmp_path / f"blank{width}.png")
        paths[-1].write_bytes(make_png(width, 20))
    frame = pd.DataFrame({"path": [str(path) for path in paths]})
    with running_server(ServerSettings(APPS, workers=1, cache=False, daily_quota=3)) as server:
        backend = WeChatBackend(APPID, SECRET, base_url=server.url, quota_dir=str(tmp_path))
        out = frame.wxocr.recognize("path", backend=backend, cache=False, progress=False)
        second_app = server.ocr(server.token(APPID2, SECRET2),
                                (samples_dir / "sign.png").read_bytes())
    per_image = out.groupby("path", sort=False)["errcode"].first()
    assert per_image.tolist() == [0, 0, 0, 45009, 45009]
    assert out.groupby("path", sort=False)["img_w"].first().tolist()[:3] == [800, 40, 41]
    sign = out[out["path"] == frame["path"][0]]["text"].tolist()
    assert sign == ["小心地滑", "Caution Wet Floor"]
    assert second_app["errcode"] == 0  # the quota is per appid
    clear_tokens()


def test_replaced_tokens_overlap_then_expire():
    now = [0.0]
    store = TokenStore(ttl=7200, overlap=300, clock=lambda: now[0])
    first, _ = store.issue("wx1")
    second, _ = store.issue("wx1")
    other, _ = store.issue("wx2")
    now[0] = 299
    assert store.check(first) == store.check(second) == "wx1"
    now[0] = 301
    assert store.check(first) == 40001  # WeChat: "access_token is invalid or not latest"
    assert store.check(second) == "wx1" and store.check(other) == "wx2"
    now[0] = 7201
    assert store.check(second) == 42001
    store.issue("wx1")  # forgets tokens dead for longer than the overlap
    now[0] = 7600
    store.issue("wx1")
    assert store.check(first) == 40001


def test_earlier_tokens_live_their_five_minutes_however_many_newer_ones_come():
    now = [0.0]
    store = TokenStore(ttl=7200, clock=lambda: now[0])
    tokens = []
    for number in range(200):  # a client fetching a token every 1.5 s
        now[0] = number * 1.5
        tokens.append(store.issue("wx1")[0])
    assert [store.check(token) for token in tokens] == ["wx1"] * 200
    now[0] = 310.0  # token n was replaced at 1.5 (n + 1) s: the first six are past 5 minutes
    assert [store.check(token) for token in tokens] == [40001] * 6 + ["wx1"] * 194


def test_a_client_fetching_tokens_in_a_loop_cannot_grow_the_store():
    store = TokenStore(ttl=7200, max_held=50)
    tokens = [store.issue("wx1")[0] for _ in range(1000)]
    assert len(store._tokens) == 50
    assert store.check(tokens[-50]) == "wx1" and store.check(tokens[-51]) == 40001


def test_request_log_names_appid_size_errcode_latency_never_a_secret(server, sign, caplog):
    with caplog.at_level(logging.INFO, logger="wxocr_pandas.server"):
        token = server.token()
        server.ocr(token, sign)
        server.ocr(token, b"junk")
        requests.post(f"{server.url}/cgi-bin/stable_token", timeout=30, json={
            "grant_type": "client_credential", "appid": APPID, "secret": SECRET})
    lines = [r.getMessage() for r in caplog.records if r.name == "wxocr_pandas.server"]
    assert any(f"appid={APPID}" in line and "errcode=0" in line and "latency_ms=" in line
               and f"bytes={len(sign)}" in line for line in lines)
    assert any("errcode=101002" in line for line in lines)
    everything = caplog.text
    assert SECRET not in everything and token not in everything


def test_a_client_trickling_its_body_is_cut_off(make_png):
    head = (b"POST /cv/ocr/comm?access_token=%s HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 5000\r\n\r\n")
    with running_server(ServerSettings(APPS, workers=1, cache=False, upload_timeout=1)) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(head % server.token().encode() + b"--B\r\n")
            answer = b""
            while b"}" not in answer:  # headers and body may come in separate packets
                answer += sock.recv(65536)
        assert server.ocr(server.token(), make_png(40, 20))["errcode"] == 0
    assert b'"errcode":47001' in answer and b"did not arrive within 1 s" in answer
