"""The WeChat backend against a real HTTP server on 127.0.0.1 that speaks the protocol."""

from __future__ import annotations

import io
import logging
import pickle
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageDraw, ImageFont
from tests.helpers.wechat_server import EXPIRE, Reply

import wxocr_pandas
from wxocr_pandas import (
    AccessTokenError,
    AccountConfigError,
    ApiError,
    BackendError,
    ConfigError,
    ImageRejectedError,
    InvalidImageError,
    QuotaExceededError,
    QuotaWarning,
    RetryableApiError,
    TransportError,
    WeChatBackend,
)
from wxocr_pandas.backends.wechat.token import clear_tokens
from wxocr_pandas.export import write_results
from wxocr_pandas.images import as_source
from wxocr_pandas.result import OcrResult


def answer_with(text: str, width: int = 100, height: int = 40) -> dict:
    """A WeChat answer with one item covering the image."""
    corners = {"left_top": {"x": 0, "y": 0}, "right_top": {"x": width, "y": 0},
               "right_bottom": {"x": width, "y": height}, "left_bottom": {"x": 0, "y": height}}
    return {"errcode": 0, "errmsg": "ok", "items": [{"text": text, "pos": corners}],
            "img_size": {"w": width, "h": height}}


@pytest.fixture
def sign(samples_dir: Path) -> str:
    return str(samples_dir / "sign.png")


@pytest.fixture
def signs(sign: str, tmp_path: Path):
    """``signs(n)``: n different files of the sign (one pixel differs), so a batch neither
    dedupes them nor finds them in the result cache."""
    def make(count: int) -> list[str]:
        paths = []
        for number in range(count):
            image = Image.open(sign).convert("RGB")
            image.putpixel((0, 0), (number, 255, 255))
            paths.append(str(tmp_path / f"sign{number}.png"))
            image.save(paths[-1])
        return paths

    return make


def test_a_frame_is_read_through_the_documented_protocol(wechat_server, samples_dir, expected):
    names = ["sign.png", "receipt.png"]
    df = pd.DataFrame({"path": [str(samples_dir / n) for n in names]})
    out = df.wxocr.recognize("path", backend=wechat_server.backend())

    receipt = out[out["path"].str.endswith("receipt.png")]
    assert sorted(receipt["text"]) == sorted(e["text"] for e in expected["receipt.png"])
    assert out["score"].isna().all()  # WeChat gives no confidence
    assert wechat_server.token_fetches == 1 and wechat_server.ocr_calls == 2
    token_request, first, second = wechat_server.requests
    assert token_request.query == {"grant_type": "client_credential", "appid": wechat_server.appid,
                                   "secret": wechat_server.secret}
    assert first.query == {"access_token": wechat_server.issued[0]} == second.query
    assert first.files["img"] == ("sign.png", "image/png", (samples_dir / "sign.png").read_bytes())


def test_url_inputs_go_as_img_url_percent_encoded(wechat_server, sign):
    url = wechat_server.serve_image("scan-1.png", Path(sign).read_bytes(), "?sig=a+b&x=1")
    result = wechat_server.backend().recognize(as_source(url))

    assert result.ok and result.items
    request = wechat_server.ocr_requests[0]
    assert request.query["img_url"] == url and request.files == {}
    assert "img_url=http%3A%2F%2F127.0.0.1" in request.query_string
    assert "scan-1.png%3Fsig%3Da%2Bb%26x%3D1" in request.query_string


def test_url_inputs_are_uploaded_on_request(wechat_server, sign):
    url = wechat_server.serve_image("sign.png", Path(sign).read_bytes())
    result = wechat_server.backend(upload_urls=True).recognize(as_source(url))
    request = wechat_server.ocr_requests[0]
    assert result.ok and "img_url" not in request.query
    assert request.files["img"] == ("sign.png", "image/png", Path(sign).read_bytes())


def test_an_unreachable_url_is_retried_once_then_reported(wechat_server):
    with pytest.raises(ImageRejectedError) as caught:
        wechat_server.backend().recognize(as_source("https://img.example.com/a.png?sig=hush"))
    assert caught.value.errcode == 101000 and wechat_server.ocr_calls == 2
    assert str(caught.value).startswith("https://img.example.com/a.png: WeChat could not fetch")


def test_a_token_expiring_mid_batch_is_refreshed_once(wechat_server, signs):
    wechat_server.script(None, EXPIRE)
    out = pd.DataFrame({"path": signs(3)}).wxocr.recognize("path", backend=wechat_server.backend(),
                                                           cache=False)

    assert (out["errcode"] == 0).all() and out.index.unique().tolist() == [0, 1, 2]
    assert wechat_server.token_fetches == 2
    used = [r.query["access_token"] for r in wechat_server.ocr_requests]
    first, second = wechat_server.issued
    assert used == [first, first, second, second]


def test_a_token_refused_again_after_refresh_stops_without_looping(wechat_server, sign):
    wechat_server.script(40001, 40001, 40001)
    with pytest.raises(AccessTokenError, match="freshly fetched access token was refused"):
        wechat_server.backend().recognize(as_source(sign))
    assert wechat_server.ocr_calls == 2 and wechat_server.token_fetches == 2


def test_a_fixed_access_token_is_used_as_given_and_never_refreshed(wechat_server, sign):
    backend = wechat_server.backend(secret=None, access_token="FIXED-TOKEN-4711")
    wechat_server.script(answer_with("ok"), 42001)
    assert backend.recognize(as_source(sign)).items[0].text == "ok"
    with pytest.raises(AccessTokenError, match="pass appid and secret"):
        backend.recognize(as_source(sign))
    assert wechat_server.token_fetches == 0
    assert [r.query["access_token"] for r in wechat_server.ocr_requests] == ["FIXED-TOKEN-4711"] * 2


def test_stable_token_is_fetched_by_post_and_force_refreshed_after_a_refusal(wechat_server, sign):
    backend = wechat_server.backend(stable_token=True)
    wechat_server.script(None, EXPIRE)
    backend.recognize(as_source(sign))
    backend.recognize(as_source(sign))
    fetches = [r.json for r in wechat_server.requests if r.path == "/cgi-bin/stable_token"]
    assert [f["force_refresh"] for f in fetches] == [False, True]
    assert fetches[0]["appid"] == wechat_server.appid and fetches[0]["grant_type"] == "client_credential"


@pytest.mark.parametrize(("secret", "appid", "errcode", "hint"), [
    ("wrong", None, 40125, "WXOCR_SECRET"), (None, "wxnobody", 40013, "WXOCR_APPID")])
def test_wrong_credentials_say_what_to_fix_and_send_no_image(wechat_server, sign, secret, appid,
                                                             errcode, hint):
    backend = wechat_server.backend(**{k: v for k, v in {"secret": secret, "appid": appid}.items() if v})
    with pytest.raises(AccountConfigError, match=hint) as caught:
        backend.recognize(as_source(sign))
    assert caught.value.errcode == errcode and caught.value.stops_batch
    assert isinstance(caught.value, ConfigError) and wechat_server.ocr_calls == 0


def test_busy_answers_back_off_exponentially_then_succeed(wechat_server, sign):
    wechat_server.script(-1, -1)
    result = wechat_server.backend().recognize(as_source(sign))
    assert result.ok and wechat_server.ocr_calls == 3
    first, second = wechat_server.sleeps
    assert 1 <= first <= 2 and 2 <= second <= 3  # 1 s x 2^n plus up to 1 s of jitter


def test_the_minute_quota_waits_for_the_next_minute(wechat_server, sign):
    wechat_server.script(45011)
    assert wechat_server.backend().recognize(as_source(sign)).ok
    assert 61 <= wechat_server.sleeps[0] <= 62


def test_gave_up_errors_say_how_often_they_tried(wechat_server, sign):
    wechat_server.script(-1, -1, -1)
    with pytest.raises(RetryableApiError, match="gave up after 3 attempts"):
        wechat_server.backend(max_attempts=3).recognize(as_source(sign))


@pytest.mark.parametrize("failure", [Reply(status=502, body="Bad Gateway"), Reply(delay=1.0),
                                     Reply(status=429, body="slow down")])
def test_http_errors_and_timeouts_are_retried(wechat_server, sign, failure):
    wechat_server.default_answer = answer_with("fine")
    wechat_server.script(failure)
    assert wechat_server.backend(timeout=0.3).recognize(as_source(sign)).ok
    assert wechat_server.ocr_calls == 2 and len(wechat_server.sleeps) == 1


@pytest.mark.parametrize(("failure", "match"), [
    (Reply(status=404, body="no such page"), "HTTP 404; check base_url"),
    (Reply(body="<html>proxy login</html>"), "not a JSON object")])
def test_answers_that_cannot_heal_are_not_retried(wechat_server, sign, failure, match):
    wechat_server.script(failure)
    with pytest.raises(BackendError, match=match) as caught:
        wechat_server.backend().recognize(as_source(sign))
    assert not isinstance(caught.value, TransportError) and wechat_server.ocr_calls == 1


def test_an_unreachable_server_names_the_host_not_the_token(wechat_server, sign, unused_port):
    backend = wechat_server.backend(base_url=f"http://127.0.0.1:{unused_port}",
                                    secret=None, access_token="FIXED-TOKEN-4711", max_attempts=2)
    with pytest.raises(TransportError) as caught:
        backend.recognize(as_source(sign))
    error = caught.value
    assert f"POST http://127.0.0.1:{unused_port}/cv/ocr/comm: could not connect" in str(error)
    assert "FIXED-TOKEN" not in str(error) and error.__context__ is None
    assert error.__cause__ is None and len(wechat_server.sleeps) == 1


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_undecodable_files_are_refused_before_spending_a_call(wechat_server, tmp_path):
    notes = tmp_path / "notes.png"
    notes.write_text("not an image")
    with pytest.raises(InvalidImageError):
        wechat_server.backend().recognize(as_source(str(notes)))
    assert wechat_server.ocr_calls == 0


def test_the_daily_quota_stops_the_batch_and_keeps_finished_rows(wechat_server, sign, signs):
    wechat_server.script(answer_with("first"), answer_with("second"), 45009)
    paths = signs(5)
    df = pd.DataFrame({"path": paths, "n": range(5)})
    out = df.wxocr.recognize("path", backend=wechat_server.backend(), cache=False)

    assert out["text"].tolist()[:2] == ["first", "second"] and out["text"][2:].isna().all()
    assert out["errcode"].tolist() == [0, 0, 45009, 45009, 45009]
    assert out["errmsg"].iloc[2].startswith(f"{paths[2]}: the daily API quota is spent")
    assert "not sent" in out["errmsg"].iloc[3] and wechat_server.ocr_calls == 3
    # Every process of the machine now knows: a new backend refuses without calling.
    with pytest.raises(QuotaExceededError) as caught:
        wechat_server.backend().recognize(as_source(sign))
    assert caught.value.errcode == 900007 and wechat_server.ocr_calls == 3


def test_the_local_budget_warns_near_the_limit_and_refuses_past_it(wechat_server, sign, signs):
    wechat_server.script(*[answer_with("x")] * 5)
    df = pd.DataFrame({"path": signs(6)})
    with pytest.warns(QuotaWarning, match="4 of the 5 daily WeChat calls"):
        out = df.wxocr.recognize("path", backend=wechat_server.backend(daily_budget=5), cache=False)
    assert out["errcode"].tolist() == [0] * 5 + [900007]
    assert "raise daily_budget / WXOCR_DAILY_BUDGET" in out["errmsg"].iloc[5]
    assert wechat_server.ocr_calls == 5

    wechat_server.script(answer_with("x"))
    with pytest.warns(QuotaWarning, match="over the daily budget"):
        wechat_server.backend(daily_budget=5, allow_over_budget=True).recognize(as_source(sign))
    assert wechat_server.ocr_calls == 6


@pytest.fixture(scope="module")
def big_noisy_page(tmp_path_factory) -> tuple[Path, tuple[int, int, int, int]]:
    """A 2600x1800 PNG of colour noise (13 MB) with one line of text on a white band."""
    rng = np.random.default_rng(7)
    image = Image.fromarray(rng.integers(0, 256, size=(1800, 2600, 3), dtype=np.uint8))
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 700, 1300, 950), fill="white")
    font = ImageFont.load_default(size=120)
    draw.text((400, 760), "INVOICE 2048", fill="black", font=font)
    path = tmp_path_factory.mktemp("big") / "page.png"
    image.save(path)
    return path, draw.textbbox((400, 760), "INVOICE 2048", font=font)


def test_an_image_over_2_mb_is_shrunk_and_its_corners_land_on_the_original_text(
        wechat_server, big_noisy_page):
    path, (x0, y0, x1, y1) = big_noisy_page
    assert path.stat().st_size > 2 * 1024 * 1024
    result = wechat_server.backend().recognize(as_source(str(path)))

    filename, content_type, sent = wechat_server.ocr_requests[0].files["img"]
    received = Image.open(io.BytesIO(sent))
    assert len(sent) < 2 * 1024 * 1024 and content_type == "image/jpeg" and filename == "page.jpg"
    assert received.width < 2600  # downscaled, so the corners had to be mapped back
    assert (result.img_size.w, result.img_size.h) == (2600, 1800)
    [item] = [i for i in result.items if "2048" in i.text]
    xs = [p.x for p in item.corners]
    ys = [p.y for p in item.corners]
    tolerance = 25
    assert abs(min(xs) - x0) < tolerance and abs(max(xs) - x1) < tolerance
    assert y0 - 2 * tolerance < min(ys) < y0 + tolerance and y1 - tolerance < max(ys) < y1 + 2 * tolerance


def test_concurrent_callers_share_one_token_and_one_refresh(wechat_server, sign):
    wechat_server.latency = 0.02
    wechat_server.default_answer = answer_with("x")
    backends = [wechat_server.backend() for _ in range(8)]  # separate objects, same account
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(backend: WeChatBackend) -> None:
        start.wait()
        try:
            backend.recognize(as_source(sign))
        except BaseException as exc:  # collected: a failure in a thread must fail the test
            errors.append(exc)

    def run_all() -> None:
        threads = [threading.Thread(target=work, args=(b,)) for b in backends]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    run_all()
    assert errors == [] and wechat_server.token_fetches == 1
    assert {r.query["access_token"] for r in wechat_server.ocr_requests} == {wechat_server.issued[0]}
    wechat_server.expire_tokens()  # all eight are refused at once: still one refresh
    run_all()
    assert errors == [] and wechat_server.token_fetches == 2


def test_camel_case_answers_from_a_proxy_are_read(wechat_server, sign):
    wechat_server.script(OcrResult.from_dict(answer_with("腾讯")).to_dict("camel"))
    result = wechat_server.backend().recognize(as_source(sign))
    assert result.items[0].text == "腾讯" and result.img_size.w == 800  # mapped to the original


def test_the_environment_configures_backend_wechat(wechat_server, signs, monkeypatch):
    [sign] = signs(1)
    monkeypatch.setenv("WXOCR_APPID", wechat_server.appid)
    monkeypatch.setenv("WXOCR_SECRET", wechat_server.secret)
    monkeypatch.setenv("WXOCR_BASE_URL", wechat_server.base_url)
    monkeypatch.setenv("WXOCR_QUOTA_DIR", str(wechat_server.quota_dir))
    monkeypatch.setenv("WXOCR_DAILY_BUDGET", "7")
    wechat_server.script(answer_with("env"))
    assert wxocr_pandas.recognize(sign, backend="wechat")["items"][0]["text"] == "env"
    assert WeChatBackend().quota.budget == 7
    monkeypatch.setenv("WXOCR_DAILY_BUDGET", "lots")
    with pytest.raises(ConfigError, match="WXOCR_DAILY_BUDGET"):
        WeChatBackend()


def test_without_credentials_the_backend_says_which_variables_to_set(monkeypatch):
    for name in ("WXOCR_APPID", "WXOCR_SECRET", "WXOCR_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="WXOCR_APPID.*WXOCR_ACCESS_TOKEN"):
        wxocr_pandas.recognize("samples/sign.png", backend="wechat")


def test_a_pickled_backend_works_in_its_new_home(wechat_server, sign):
    backend = pickle.loads(pickle.dumps(wechat_server.backend(sleep=print)))
    wechat_server.script(answer_with("again"))
    assert backend.recognize(as_source(sign)).items[0].text == "again"


def test_no_output_ever_holds_the_secret_or_a_token(wechat_server, sign, signs, tmp_path,
                                                     caplog, unused_port):
    caplog.set_level(logging.DEBUG)
    backend = wechat_server.backend(max_attempts=2)
    wechat_server.script(answer_with("a"), EXPIRE, answer_with("b"), -1, -1, 45002, 47001, 101002, 40001, 40001)
    df = pd.DataFrame({"path": signs(8)})
    out = df.wxocr.recognize("path", backend=backend, cache=False)
    assert out["errcode"].tolist() == [0, 0, -1, 45002, 47001, 101002, 40001, 40001]

    texts = [out.to_csv(), repr(backend), backend.identity, repr(backend.quota)]
    fixed = wechat_server.backend(secret=None, access_token=wechat_server.issued[-1],
                                  base_url=f"http://127.0.0.1:{unused_port}", max_attempts=1)
    texts += [repr(fixed), str(pytest.raises(TransportError, fixed.recognize, as_source(sign)).value)]
    clear_tokens()
    wrong = wechat_server.backend(secret=wechat_server.secret + "-old")
    texts.append(str(pytest.raises(AccountConfigError, wrong.recognize, as_source(sign)).value))
    for errcode in (40125, 41001, 61004, 45009):  # 45009 last: it spends the local budget
        wechat_server.script(errcode)
        texts.append(repr(pytest.raises(ApiError, backend.recognize, as_source(sign)).value))
    out.to_csv(tmp_path / "out.csv")
    write_results(tmp_path / "raw.jsonl", list(out["path"]),
                [OcrResult(errcode=int(c), errmsg=str(m)) for c, m in zip(out["errcode"], out["errmsg"])])
    texts += [(tmp_path / "out.csv").read_text(), (tmp_path / "raw.jsonl").read_text(), caplog.text]

    # urllib3 was heard, its request lines' queries masked
    assert '"POST /cv/ocr/comm?*** HTTP/1.1"' in caplog.text
    assert '"GET /cgi-bin/token?*** HTTP/1.1"' in caplog.text
    secrets = [wechat_server.secret, *wechat_server.issued]
    assert len(wechat_server.issued) >= 2
    for text in texts:
        for secret in secrets:
            assert secret not in text
