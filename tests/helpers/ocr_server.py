"""Run the package's own WeChat-protocol server (``wxocr serve``) for tests: real uvicorn on
127.0.0.1, in a thread of the test process (:func:`running_server`) or as the ``wxocr serve``
command in a subprocess (:func:`start_cli_server`).

Every OCR answer the tests read through :meth:`Running.ocr` is decoded as a typed client
decodes it (:func:`strict_answer`: Go's ``X int64``, Gson's ``int``): a corner or an
``img_size`` that is not an integer in the JSON text, ``185.0`` included, fails the test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import requests
from wechatpy import WeChatClient

from wxocr_pandas.server import ServerSettings, create_app
from wxocr_pandas.server.fetch import UrlPolicy

APPID = "wxserve00c0ffee0001"
#: Distinctive, so a scan of the server's log cannot miss it.
SECRET = "SERVE-SECRET-5b1d-never-log-me"
APPID2 = "wxserve00c0ffee0002"
SECRET2 = "SERVE-SECRET-77aa-never-log-me"
APPS = {APPID: SECRET, APPID2: SECRET2}


class _Point(msgspec.Struct):
    x: int
    y: int


class _Pos(msgspec.Struct):
    left_top: _Point
    right_top: _Point
    right_bottom: _Point
    left_bottom: _Point


class _Item(msgspec.Struct):
    text: str
    pos: _Pos
    score: float | None = None


class _Size(msgspec.Struct):
    w: int
    h: int


class WeChatAnswer(msgspec.Struct):
    """WeChat's OCR answer with integer types, as typed clients declare it."""

    errcode: int
    errmsg: str
    items: list[_Item] | None = None
    img_size: _Size | None = None


def strict_answer(body: bytes) -> dict[str, Any]:
    """The JSON answer ``body`` as a dict, after a strict typed decoding (msgspec refuses a
    float such as ``185.0`` for an ``int``, as Go and Gson do)."""
    msgspec.json.decode(body, type=WeChatAnswer)
    return json.loads(body)


@dataclass
class Running:
    """A running server: its base URL and helpers to talk to it."""

    url: str

    def token(self, appid: str = APPID, secret: str = SECRET) -> str:
        answer = requests.get(f"{self.url}/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": appid, "secret": secret}, timeout=30).json()
        return answer["access_token"]

    def ocr(self, token: str | None, image: bytes | None = None, **query: str) -> dict[str, Any]:
        params = dict(query)
        if token is not None:
            params["access_token"] = token
        files = {"img": ("image.png", image, "image/png")} if image is not None else None
        return strict_answer(requests.post(f"{self.url}/cv/ocr/comm", params=params,
                                           files=files, timeout=120).content)


def free_socket(host: str = "127.0.0.1") -> socket.socket:
    """A listening socket on a free port of ``host``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@contextmanager
def running_server(settings: ServerSettings, policy: UrlPolicy | None = None
                   ) -> Iterator[Running]:
    """uvicorn serving :func:`create_app` in a thread; stopped (lifespan shutdown included)
    on exit."""
    import uvicorn

    sock = free_socket()
    config = uvicorn.Config(create_app(settings, policy=policy), access_log=False,
                            log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    host, port = sock.getsockname()
    try:
        yield Running(f"http://{host}:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=120)
        sock.close()


def start_cli_server(*args: str, env: dict[str, str] | None = None, log: Path,
                     preexec_fn: Callable[[], None] | None = None
                     ) -> tuple[subprocess.Popen, Running]:
    """``wxocr serve`` in a subprocess (its own session, as a terminal would start it), on a
    free port, stderr to ``log``; returns once ``/healthz`` answers. ``preexec_fn`` runs in
    the child before it starts (a memory cap)."""
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    wxocr = Path(sys.executable).with_name("wxocr")
    process = subprocess.Popen([str(wxocr), "serve", "--port", str(port), *args],
                               stdout=subprocess.DEVNULL, stderr=log.open("wb"),
                               env={**os.environ, **(env or {})}, start_new_session=True,
                               preexec_fn=preexec_fn)
    running = Running(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"wxocr serve exited: {log.read_text()}")
        try:
            requests.get(f"{running.url}/healthz", timeout=5)
            return process, running
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("wxocr serve did not come up")


class ServerClient(WeChatClient):
    """wechatpy (a third-party SDK, from PyPI) pointed at ``wxocr serve`` as its users would:
    its API roots, and its token URL, which ``fetch_access_token`` hard-codes."""

    def __init__(self, base: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = base
        self.API_BASE_URL = f"{base}/cgi-bin/"
        self.wxa.API_BASE_URL = f"{base}/"

    def fetch_access_token(self) -> dict[str, Any]:
        return self._fetch_access_token(url=f"{self.base}/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
