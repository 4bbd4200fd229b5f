"""``wxocr serve`` for third-party WeChat SDKs: wechatpy (PyPI) and node-easywechat (npm),
each pointed at the server by its own settings; integer corners under a typed decoder, an
image over 2000 px included, and under Go's and Java's own decoders (the types of Go's WeChat
SDKs and WxJava); every request form the API doc and the SDKs use; JSON with an
integer errcode on every path and method; the bounded queue and its deadline.

Real uvicorn on 127.0.0.1, the real engine, a real file server for ``img_url``, and node in
a subprocess."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from PIL import Image
from pytest_httpserver import HTTPServer
from wechatpy.exceptions import WeChatClientException

import wxocr_pandas
from tests.helpers.ocr_server import (APPID, APPID2, APPS, SECRET, SECRET2, ServerClient, running_server,
                        strict_answer)
from wxocr_pandas.images import as_source
from wxocr_pandas.server import ServerSettings

NODE_DIR = Path(__file__).parent / "node"
#: Go and Java clients decoding into the integer types of Go's WeChat SDKs and of WxJava, and
#: the message each decoder gives for a float corner.
TYPED_CLIENTS = {
    "go": (("go", "run", str(Path(__file__).parent / "go" / "ocr_comm.go")),
           r"cannot unmarshal number \d+\.\d+ into Go struct field"),
    "java": (("java", "-cp", "/usr/share/java/gson.jar",
              str(Path(__file__).parent / "java" / "OcrComm.java")),
             r"Expected an int but was \d+\.\d+"),
}


@pytest.fixture(scope="module")
def big_jpeg(samples_dir) -> bytes:
    """The sign sample enlarged to 2480 x 1240: the engine reads it reduced, so its corners
    come back fractional (``160.96875``) before they are written."""
    image = Image.open(samples_dir / "sign.png").convert("RGB")
    buffer = io.BytesIO()
    image.resize((2480, 1240), Image.Resampling.BICUBIC).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def files(samples_dir, big_jpeg):
    """A file server on 127.0.0.1 for ``img_url``."""
    http = HTTPServer(host="127.0.0.1")
    http.start()
    http.expect_request("/sign.png").respond_with_data(
        (samples_dir / "sign.png").read_bytes(), content_type="image/png")
    http.expect_request("/big.jpg").respond_with_data(big_jpeg, content_type="image/jpeg")
    yield http
    http.stop()


@pytest.fixture(scope="module")
def server():
    settings = ServerSettings(APPS, workers=1, cache=False, allow_private_urls=True)
    with running_server(settings) as up:
        yield up


@pytest.fixture(scope="module")
def sign_answer(samples_dir) -> dict:
    return wxocr_pandas.recognize(samples_dir / "sign.png", cache=False)


def _installed(present: bool, what: str) -> None:
    """Skip a test whose program is missing, except in CI, where it must be there."""
    if not present and not os.environ.get("CI"):
        pytest.skip(f"{what} is not installed (scripts/setup.sh installs it with apt-get)")
    assert present, f"CI must have {what}: scripts/setup.sh installs it"


def test_wechatpy_uploads_fetches_urls_and_refreshes_a_stale_token(server, files, samples_dir,
                                                                   sign_answer):
    sign = (samples_dir / "sign.png").read_bytes()
    client = ServerClient(server.url, APPID, SECRET, access_token="stale-or-forged-token")
    # 40001 for the stale token: wechatpy fetches a token from the server and sends again.
    uploaded = client.wxa._post("cv/ocr/comm", files=[("img", ("sign.png", sign, "image/png"))])
    assert client.access_token != "stale-or-forged-token"
    fetched = client.wxa._post("cv/ocr/comm", params={"img_url": files.url_for("/sign.png")})
    got = client.wxa._get("cv/ocr/comm", params={"img_url": files.url_for("/sign.png")})
    assert uploaded == fetched == got == sign_answer
    assert [item["text"] for item in uploaded["items"]] == ["小心地滑", "Caution Wet Floor"]


def test_wechatpy_raises_errors_with_their_errcode(server):
    client = ServerClient(server.url, APPID2, SECRET2)
    with pytest.raises(WeChatClientException) as not_an_image:
        client.wxa._post("cv/ocr/comm", files=[("img", ("a.png", b"junk", "image/png"))])
    with pytest.raises(WeChatClientException) as other_api:
        client.wxa._post("cv/ocr/idcard", params={"img_url": "https://example.com/id.jpg"})
    assert not_an_image.value.errcode == 101002
    assert other_api.value.errcode == 40066  # WeChat's "invalid url" for a path it lacks


def test_an_image_over_2000_px_answers_integer_corners(server, files, big_jpeg, local_backend):
    token = server.token()
    uploaded = server.ocr(token, big_jpeg)  # decoded strictly: every corner an int
    fetched = server.ocr(token, img_url=files.url_for("/big.jpg"))
    assert uploaded == fetched == wxocr_pandas.recognize(big_jpeg, cache=False)
    assert uploaded["img_size"] == {"w": 2480, "h": 1240}
    assert "小心地滑" in [item["text"] for item in uploaded["items"]]
    # The model keeps the engine's sub-pixel corners (the frame's float64 columns): the
    # written answer is the nearest integer of each.
    exact = local_backend.recognize(as_source(big_jpeg)).to_dict(exact=True)
    assert any(value != int(value) for value in _corner_values(exact))
    assert _corner_values(exact) == pytest.approx(_corner_values(uploaded), abs=0.5)


def _corner_values(answer: dict) -> list[float]:
    return [value for item in answer["items"] for point in item["pos"].values()
            for value in (point["x"], point["y"])]


def test_every_request_form_of_the_doc_and_the_sdks(server, files, sign_answer):
    token = server.token()
    url = f"{server.url}/cv/ocr/comm"
    image_url = files.url_for("/sign.png")
    answers = {
        "GET, img_url in the query (the API doc's example 1, TNWX)": requests.get(
            url, params={"access_token": token, "img_url": image_url}, timeout=120),
        "POST, img_url in an urlencoded body (EasyWeChat 4.x)": requests.post(
            url, params={"access_token": token}, data={"img_url": image_url}, timeout=120),
        "POST, img_url in a JSON body": requests.post(
            url, params={"access_token": token}, json={"img_url": image_url}, timeout=120),
        "POST, img_url as a multipart field": requests.post(
            url, params={"access_token": token}, files={"img_url": (None, image_url)},
            timeout=120),
    }
    for form, response in answers.items():
        assert strict_answer(response.content) == sign_answer, form
    empty_get = requests.get(url, params={"access_token": token}, timeout=30).json()
    bad_json = requests.post(url, params={"access_token": token}, timeout=30,
                             data=b'{"img_url": 7}', headers={"Content-Type": "application/json"})
    assert empty_get["errcode"] == 41005 and bad_json.json()["errcode"] == 47001


def test_a_media_part_is_not_taken_for_the_image(server, samples_dir):
    """WeChat documents ``img`` for this endpoint; ``media`` is its media-upload endpoints'
    part (TNWX sends it here): 41005, saying which parts came."""
    answer = requests.post(f"{server.url}/cv/ocr/comm", params={"access_token": server.token()},
                           files={"media": ("sign.png", (samples_dir / "sign.png").read_bytes(),
                                            "image/png")}, timeout=60).json()
    assert answer["errcode"] == 41005 and "media" in answer["errmsg"]


@pytest.mark.parametrize(("method", "path", "errcode"), [
    ("GET", "/", 40066), ("POST", "/cv/ocr/idcard", 40066), ("GET", "/cv/ocr/comm/", 40066),
    ("POST", "/cgi-bin/tokens", 40066), ("GET", "/%ff%fe", 40066), ("DELETE", "/x/y/z", 40066),
    ("POST", "/cgi-bin/token", 43001), ("GET", "/cgi-bin/stable_token", 43002),
    ("PUT", "/cv/ocr/comm", 43002), ("DELETE", "/cv/ocr/comm", 43002),
    ("PATCH", "/cgi-bin/stable_token", 43002), ("POST", "/healthz", 43001),
    ("OPTIONS", "/cv/ocr/comm", 43002)])
def test_every_path_and_method_answers_json_with_an_integer_errcode(server, method, path,
                                                                     errcode):
    response = requests.request(method, server.url + path, timeout=30, data=b"x")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["errcode"] == errcode and type(answer["errcode"]) is int
    assert answer["errmsg"].startswith(("invalid url", "require GET method",
                                        "require POST method"))


def test_stable_token_answers_odd_bodies_with_errcodes(server):
    url = f"{server.url}/cgi-bin/stable_token"
    good = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    nested = b"[" * 100_000 + b"]" * 100_000
    assert requests.post(url, data=nested[:60_000], timeout=30).json()["errcode"] == 47001
    surrogate = json.dumps({**good, "secret": "\ud800"}).encode()
    assert requests.post(url, data=surrogate, timeout=30).json()["errcode"] == 40125
    assert requests.post(url, json={**good, "appid": {"a": [1]}}, timeout=30).json()[
        "errcode"] == 40013
    assert requests.post(url, json=good, timeout=30).json()["expires_in"] > 0


def test_node_easywechat_against_the_server(server, files, samples_dir, tmp_path, sign_answer):
    node = shutil.which("node")
    _installed(node is not None, "node")
    assert (NODE_DIR / "node_modules" / "node-easywechat").is_dir(), \
        "run scripts/setup.sh: it installs tests/node's packages (npm ci)"
    done = subprocess.run(
        [node, str(NODE_DIR / "easywechat_ocr.js"), server.url, APPID2, SECRET2,
         str(samples_dir / "sign.png"), files.url_for("/sign.png"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=NODE_DIR)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for kind in ("plain", "stable"):  # /cgi-bin/token, then /cgi-bin/stable_token
        for form in ("upload", "url_post", "url_get"):
            assert out[f"{kind}_{form}"] == sign_answer, (kind, form)
    assert out["not_an_image"]["errcode"] == 101002
    assert out["unknown_api"]["errcode"] == 40066
    assert out["wrong_method"]["errcode"] == 43002


@pytest.mark.parametrize("language", sorted(TYPED_CLIENTS))
def test_go_and_java_decode_every_answer_into_integers(language, server, files, big_jpeg,
                                                       local_backend, tmp_path):
    """The failure of issue 21 reproduced in the languages it hit: the engine's sub-pixel
    corners (``160.96875``) fail Go's and Gson's decoders; every answer of the server, an image
    over 2000 px uploaded and fetched, decodes."""
    command, refusal = TYPED_CLIENTS[language]
    _installed(shutil.which(command[0]) is not None
               and (language != "java" or Path(command[2]).exists()), language)
    image = tmp_path / "big.jpg"
    image.write_bytes(big_jpeg)
    done = subprocess.run([*command, server.url, APPID, SECRET, str(image),
                           files.url_for("/big.jpg")],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    answer = wxocr_pandas.recognize(big_jpeg, cache=False)
    # The documented fields, as the typed clients keep them (they drop the extra ``score``).
    expected = {**answer, "items": [{"text": item["text"], "pos": item["pos"]}
                                    for item in answer["items"]]}
    assert json.loads(done.stdout) == {"upload": expected, "url_post": expected,
                                       "url_get": expected}
    exact = local_backend.recognize(as_source(big_jpeg)).to_dict(exact=True)
    refused = subprocess.run([*command, "-decode"], input=json.dumps(exact),
                             capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert refused.returncode == 1 and re.search(refusal, refused.stderr), refused.stderr


def test_the_queue_refuses_at_once_past_its_places_and_past_its_deadline(samples_dir):
    """One worker, two waiting places, a 50 ms deadline: of 12 requests at once, one runs,
    two wait (past the deadline: -1), the rest find no place (-1 at once); none is lost, and
    ``/healthz`` answers throughout."""
    sign = (samples_dir / "sign.png").read_bytes()
    settings = ServerSettings(APPS, workers=1, cache=False, queue=2, queue_timeout=0.05)
    with running_server(settings) as server:
        token = server.token()
        start = threading.Barrier(12)

        def call(_: int) -> dict:
            start.wait()
            return server.ocr(token, sign)

        with ThreadPoolExecutor(12) as pool:
            pending = list(map(lambda n: pool.submit(call, n), range(12)))
            health = [requests.get(f"{server.url}/healthz", timeout=30).json()
                      for _ in range(3)]
            answers = [future.result() for future in pending]
        after = server.ocr(token, sign)
    errcodes = [answer["errcode"] for answer in answers]
    assert len(answers) == 12 and set(errcodes) <= {0, -1} and 0 in errcodes
    refused = [answer["errmsg"] for answer in answers if answer["errcode"] == -1]
    assert any("queue is full" in errmsg for errmsg in refused)
    assert any("waited 0.05 s for a worker" in errmsg for errmsg in refused)
    assert all(h["errcode"] == 0 and h["capacity"] == 3 and h["queue"] == 2 for h in health)
    assert after["errcode"] == 0 and after["items"]
