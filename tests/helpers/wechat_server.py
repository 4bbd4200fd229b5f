"""A scripted fake of WeChat's OCR API on 127.0.0.1 (pytest-httpserver), for any test.

The ``wechat_server`` fixture (imported into ``conftest.py``) gives a :class:`FakeWeChat`
that speaks the documented protocol: ``/cgi-bin/token``, ``/cgi-bin/stable_token`` and
``/cv/ocr/comm``. It checks appid and secret, issues tokens and refuses unknown (40001) or
expired (42001) ones, enforces the 2 MB limit (45002), requires the ``img`` part (41005),
refuses undecodable images (101002) and reads images with the real local engine, answering
integer corners like WeChat. Each test scripts the exceptions::

    server.script(None, 45009)        # 1st OCR call answered normally, 2nd gets 45009
    server.script(Reply(status=502), Reply(delay=1.0), EXPIRE, {"errcode": 0, ...})
    backend = server.backend(max_attempts=3)
    ...
    server.token_fetches, server.ocr_calls, server.requests, server.sleeps
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, UnidentifiedImageError
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from wxocr_pandas import OcrResult, WeChatBackend
from wxocr_pandas.backends.wechat.token import clear_tokens
from wxocr_pandas.images import as_source

APPID = "wxfake00c0ffee0001"
#: Distinctive, so a leak scan cannot miss it.
SECRET = "SECRET-c7e1b3a9-never-print-me"
#: WeChat's errmsg per errcode, with the suffix real answers carry.
ERRMSGS = {
    -1: "system error", 40001: "invalid credential, access_token is invalid or not latest",
    40013: "invalid appid", 40014: "invalid access_token", 40125: "invalid appsecret",
    40164: "invalid ip 10.0.0.1, not in whitelist", 40243: "AppSecret is frozen",
    41001: "access_token missing", 41005: "media data missing", 42001: "access_token expired",
    45002: "content size out of limit", 45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error", 48001: "api unauthorized", 61004: "access clientip is not registered",
    61007: "api is unauthorized to component", 101000: "invalid image url or image not exist",
    101001: "certificate not found", 101002: "invalid image data", 101003: "not enough market quota",
}
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Reply:
    """A scripted answer: an errcode (with WeChat's errmsg), a JSON object, an HTTP status,
    a raw body, after ``delay`` seconds."""

    errcode: int | None = None
    json: dict[str, Any] | None = None
    status: int = 200
    body: str | None = None
    delay: float = 0.0


#: Script item: expire every token issued so far, and answer 42001 (WeChat expired it early).
EXPIRE = "expire"


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    query_string: str
    json: dict[str, Any] | None
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict, repr=False)


def _answer(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status,
                    content_type="application/json; encoding=utf-8")


def _error(errcode: int) -> Response:
    return _answer({"errcode": errcode,
                    "errmsg": f"{ERRMSGS.get(errcode, 'error')} rid: 6650f00d-1a2b3c4d"})


class FakeWeChat:
    """The fake server's state and script for one test. Thread-safe (the server is threaded)."""

    def __init__(self, http: HTTPServer, recognizer: Any, quota_dir: Path) -> None:
        self.appid = APPID
        self.secret = SECRET
        self.base_url = http.url_for("/").rstrip("/")
        self.quota_dir = quota_dir
        #: ``expires_in`` of issued tokens; seconds each OCR answer takes.
        self.expires_in = 7200
        self.latency = 0.0
        #: Answer for valid calls instead of running the local engine (tokens still checked).
        self.default_answer: dict[str, Any] | None = None
        self.token_fetches = 0
        self.ocr_calls = 0
        self.requests: list[Recorded] = []
        #: Waits asked for by backends made with :meth:`backend` (nobody really sleeps).
        self.sleeps: list[float] = []
        self.issued: list[str] = []
        self._valid: set[str] = set()
        self._stable: str | None = None
        self._script: deque[Any] = deque()
        self._token_script: deque[Any] = deque()
        self._images: dict[str, bytes] = {}
        self._recognizer = recognizer
        self._lock = threading.Lock()
        self._http = http
        http.expect_request("/cgi-bin/token", method="GET").respond_with_handler(self._token)
        http.expect_request("/cgi-bin/stable_token", method="POST").respond_with_handler(
            self._stable_token)
        http.expect_request("/cv/ocr/comm", method="POST").respond_with_handler(self._ocr)

    # -- scripting -------------------------------------------------------------------------
    def script(self, *replies: Any) -> None:
        """Answers for the next OCR calls, in order: ``None`` (answer normally), an errcode,
        a JSON dict, a :class:`Reply` or :data:`EXPIRE`. Later calls are answered normally."""
        with self._lock:
            self._script.extend(replies)

    def script_token(self, *replies: Any) -> None:
        """Answers for the next token fetches (same kinds as :meth:`script`)."""
        with self._lock:
            self._token_script.extend(replies)

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (42001)."""
        with self._lock:
            self._valid.clear()
            self._stable = None

    def serve_image(self, name: str, data: bytes, query: str = "") -> str:
        """An http URL serving ``data`` (any query string); as ``img_url`` the fake "fetches"
        it too."""
        path = f"/images/{name}"
        self._http.expect_request(path).respond_with_data(data, content_type="image/png")
        url = self._http.url_for(path) + query
        self._images[url] = data
        return url

    def backend(self, **kwargs: Any) -> WeChatBackend:
        """A backend for this server: its appid and secret, a counter in ``tmp_path`` and a
        sleep that only records (override any argument)."""
        options: dict[str, Any] = {"appid": self.appid, "secret": self.secret,
                                   "base_url": self.base_url, "quota_dir": str(self.quota_dir),
                                   "sleep": self.sleeps.append}
        options.update(kwargs)
        return WeChatBackend(**options)

    @property
    def ocr_requests(self) -> list[Recorded]:
        """The recorded OCR requests, in arrival order."""
        return [r for r in self.requests if r.path == "/cv/ocr/comm"]

    # -- protocol --------------------------------------------------------------------------
    def _record(self, request: Request) -> Recorded:
        files = {name: (f.filename or "", f.mimetype, f.read()) for name, f in request.files.items()}
        recorded = Recorded(request.method, request.path, dict(request.args),
                            request.query_string.decode(), request.get_json(silent=True), files)
        with self._lock:
            self.requests.append(recorded)
        return recorded

    def _scripted(self, queue: deque[Any]) -> Any:
        with self._lock:
            return queue.popleft() if queue else None

    def _reply(self, item: Any) -> Response:
        if isinstance(item, int):
            return _error(item)
        if isinstance(item, dict):
            return _answer(item)
        time.sleep(item.delay)
        if item.errcode is not None:
            return _error(item.errcode)
        if item.json is not None:
            return _answer(item.json, item.status)
        return Response(item.body or "", item.status, content_type="text/html")

    def _issue(self) -> str:
        token = f"TOKEN-{len(self.issued) + 1}-{uuid.uuid4().hex}"
        self.issued.append(token)
        self._valid.add(token)
        return token

    def _credentials_error(self, appid: Any, secret: Any) -> Response | None:
        if appid != self.appid:
            return _error(40013)
        if secret != self.secret:
            return _error(40125)
        return None

    def _token(self, request: Request) -> Response:
        recorded = self._record(request)
        with self._lock:
            self.token_fetches += 1
        scripted = self._scripted(self._token_script)
        if scripted is not None:
            return self._reply(scripted)
        refused = self._credentials_error(recorded.query.get("appid"), recorded.query.get("secret"))
        if refused is not None:
            return refused
        with self._lock:
            return _answer({"access_token": self._issue(), "expires_in": self.expires_in})

    def _stable_token(self, request: Request) -> Response:
        recorded = self._record(request)
        body = recorded.json or {}
        with self._lock:
            self.token_fetches += 1
        scripted = self._scripted(self._token_script)
        if scripted is not None:
            return self._reply(scripted)
        refused = self._credentials_error(body.get("appid"), body.get("secret"))
        if refused is not None:
            return refused
        with self._lock:
            if self._stable is None or body.get("force_refresh"):
                self._stable = self._issue()
            return _answer({"access_token": self._stable, "expires_in": self.expires_in})

    def _ocr(self, request: Request) -> Response:
        recorded = self._record(request)
        with self._lock:
            self.ocr_calls += 1
        time.sleep(self.latency)
        scripted = self._scripted(self._script)
        if scripted == EXPIRE:
            self.expire_tokens()
            return _error(42001)
        if scripted is not None:
            return self._reply(scripted)
        token = recorded.query.get("access_token")
        if not token:
            return _error(41001)
        if token not in self._valid:
            return _error(42001 if token in self.issued else 40001)
        if "img_url" in recorded.query:
            data = self._images.get(recorded.query["img_url"])
            if data is None:
                return _error(101000)
        elif "img" in recorded.files:
            data = recorded.files["img"][2]
        else:
            return _error(41005)
        if len(data) >= MAX_BYTES:
            return _error(45002)
        try:
            Image.open(io.BytesIO(data)).load()
        except (UnidentifiedImageError, OSError):
            return _error(101002)
        if self.default_answer is not None:
            return _answer(self.default_answer)
        with self._lock:  # one engine call at a time
            result = self._recognizer.recognize(as_source(data))
        return _answer(_as_wechat(result))


def _as_wechat(result: OcrResult) -> dict[str, Any]:
    """The local answer as WeChat writes it: integer corners, no score."""
    answer = result.to_dict()
    for item in answer.get("items", []):
        item.pop("score", None)
        for corner in item["pos"].values():
            corner["x"], corner["y"] = round(corner["x"]), round(corner["y"])
    return answer


@pytest.fixture(scope="session")
def _wechat_http():
    """One threaded HTTP server on 127.0.0.1 for the session."""
    # werkzeug logs every request line, token included: that is the server's log, not ours.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def wechat_recognizer(local_backend: Any) -> Any:
    """The backend the fake server reads images with (a test module may override it)."""
    return local_backend


@pytest.fixture
def wechat_server(_wechat_http: HTTPServer, wechat_recognizer: Any, tmp_path: Path):
    """A fresh :class:`FakeWeChat` (no tokens cached in this process, counter in tmp_path)."""
    _wechat_http.clear()
    clear_tokens()
    yield FakeWeChat(_wechat_http, wechat_recognizer, tmp_path / "quota")
    clear_tokens()
    _wechat_http.check_handler_errors()
    _wechat_http.clear()
