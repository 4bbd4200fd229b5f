"""``wxocr serve`` as people run it: the command in a subprocess, curl exactly as in WeChat's
API doc, garbage thrown at it, a bounded load, and a stop with requests in flight."""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
import requests

import wxocr_pandas
from tests.helpers.ocr_server import APPID, APPS, SECRET, start_cli_server, strict_answer

APPS_ENV = {"WXOCR_SERVER_APPS": ",".join(f"{a}:{s}" for a, s in APPS.items())}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``wxocr serve --workers 2`` with the apps in the environment (a daily quota the load
    test does not spend); its stderr log."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    process, running = start_cli_server("--workers", "2", "--no-cache", "--daily-quota", "1000",
                                        env=APPS_ENV, log=log)
    yield process, running, log
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)


def test_curl_exactly_as_in_the_api_doc(served, samples_dir):
    process, server, _ = served
    assert SECRET not in " ".join(psutil.Process(process.pid).cmdline())
    token = json.loads(subprocess.run(
        ["curl", "-s", f"{server.url}/cgi-bin/token?grant_type=client_credential&appid={APPID}"
                       f"&secret={SECRET}"], capture_output=True, check=True).stdout)["access_token"]
    done = subprocess.run(["curl", "-F", f"img=@{samples_dir / 'sign.png'}",
                           f"{server.url}/cv/ocr/comm?access_token={token}"],
                          capture_output=True, check=True)
    answer = strict_answer(done.stdout)  # integer corners, as a typed client reads them
    assert answer == wxocr_pandas.recognize(samples_dir / "sign.png", cache=False)


def _raw_request(server_url: str, head: bytes, body: bytes) -> None:
    """Send ``head`` + ``body`` on a raw socket and leave without reading."""
    host, port = server_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + body)


def test_garbage_is_survived(served, samples_dir, make_png):
    _, server, _ = served
    token = server.token()
    url = f"{server.url}/cv/ocr/comm?access_token={token}"
    boundary = "wxocrBoundary"
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"img\"; filename=\"a.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + make_png(40, 20)
    multipart = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    # A body that stops before its closing boundary.
    truncated = requests.post(url, data=part[:-10], headers=multipart, timeout=60).json()
    assert truncated["errcode"] == 47001
    # A client that promises more than it sends, then leaves.
    _raw_request(server.url, (f"POST /cv/ocr/comm?access_token={token} HTTP/1.1\r\n"
                              f"Host: x\r\nContent-Type: multipart/form-data; boundary={boundary}"
                              f"\r\nContent-Length: {len(part) + 5000}\r\n\r\n").encode(), part)
    # Wrong content types.
    for content_type in ("application/json", "image/png", "text/plain"):
        wrong = requests.post(url, data=make_png(40, 20), timeout=60,
                              headers={"Content-Type": content_type}).json()
        assert wrong["errcode"] == 47001
    # 30 MB, declared: refused before it is read (the client may see the answer, or the
    # connection closed while it was still sending).
    big = b"\0" * (30 * 1024 * 1024)
    try:
        answer = requests.post(url, files={"img": ("big.png", big, "image/png")}, timeout=60)
        assert answer.json()["errcode"] == 45002
    except requests.ConnectionError:
        pass
    # 30 MB, chunked (no length), in a part the server does not keep: counted as it
    # arrives, refused past the limit.
    junk = part.replace(b'name="img"', b'name="junk"')
    junk = junk[:junk.index(b"\r\n\r\n") + 4]
    step = 1 << 20
    chunks = [junk, *(big[i:i + step] for i in range(0, len(big), step))]
    try:
        answer = requests.post(url, data=iter(chunks), headers=multipart, timeout=60)
        assert answer.json()["errcode"] == 45002
    except requests.ConnectionError:
        pass
    assert requests.get(f"{server.url}/healthz", timeout=30).json()["errcode"] == 0
    assert server.ocr(token, (samples_dir / "sign.png").read_bytes())["errcode"] == 0


def test_load_within_the_queue_is_held_not_refused(served, make_png):
    """16 clients at once against a default ``wxocr serve --workers 2``, 48 requests: every
    request waits its turn in the queue and is answered; none is refused or lost (the 200
    request figure is ``benchmarks/bench_server_load.py``'s)."""
    _, server, _ = served
    token = server.token()
    images = [make_png(40 + n % 8, 20) for n in range(48)]

    def call(image: bytes) -> tuple[int, float]:
        started = time.perf_counter()
        answer = server.ocr(token, image)
        return answer["errcode"], time.perf_counter() - started

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(call, images))
    errcodes = [errcode for errcode, _ in outcomes]
    latencies = sorted(seconds for _, seconds in outcomes)
    assert len(outcomes) == 48 and errcodes == [0] * 48
    p50 = statistics.median(latencies)
    p99 = latencies[int(0.99 * len(latencies)) - 1]
    print(f"\nload: 48 requests, 16 in flight: {errcodes.count(0)} answered, "
          f"{errcodes.count(-1)} busy; p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")


def test_the_log_holds_no_secret_or_token(served):
    _, server, log = served
    token = server.token()
    server.ocr(token, b"junk")
    time.sleep(0.5)  # the log line is written after the answer is sent
    text = log.read_text()
    assert "/cv/ocr/comm appid=" in text and "errcode=101002" in text
    assert SECRET not in text and token not in text and "access_token=" not in text


@pytest.mark.parametrize("stop", ["SIGTERM to the server", "Ctrl-C in its terminal"])
def test_stop_finishes_requests_in_flight_and_leaves_no_process(stop, samples_dir, tmp_path):
    log = tmp_path / "serve.log"
    process, server = start_cli_server("--workers", "2", "--no-cache", env=APPS_ENV, log=log)
    token = server.token()
    sign = (samples_dir / "sign.png").read_bytes()
    answers: list[dict] = []
    clients = [threading.Thread(target=lambda: answers.append(server.ocr(token, sign)))
               for _ in range(4)]
    for client in clients:
        client.start()
    while requests.get(f"{server.url}/healthz", timeout=30).json()["in_flight"] == 0:
        time.sleep(0.05)
    family = psutil.Process(process.pid).children(recursive=True)
    if stop == "SIGTERM to the server":
        process.send_signal(signal.SIGTERM)
    else:  # a terminal sends SIGINT to the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
    for client in clients:
        client.join(timeout=300)
    process.wait(timeout=120)
    assert [a["errcode"] for a in answers] == [0, 0, 0, 0], answers
    assert all(a["items"][0]["text"] == "小心地滑" for a in answers)
    _, alive = psutil.wait_procs(family, timeout=30)
    assert alive == []
    assert "Application shutdown complete" in log.read_text()
