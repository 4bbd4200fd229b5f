"""The ASGI application: WeChat's token, stable_token and OCR endpoints, and ``/healthz``.

Every answer, on any path and for any method, is HTTP 200 JSON with an integer ``errcode``,
as WeChat answers: a path that is no API gets 40066 ("invalid url"), a known API called
with the wrong method 43001 or 43002 ("require GET/POST method"), and a request the server
fails on (a bug) -1 ("system error"), never a plain-text page.

The OCR endpoint takes ``GET`` with ``img_url`` in the query (the API doc's example 1) and
``POST`` with ``img_url`` in the query, or in the body (multipart, urlencoded or JSON), or a
multipart ``img``. It checks, in order: the token (41001, 40001, 42001), the appid's daily
quota (45009), a place in the recognition queue (-1 at once when there is none), then the
image (47001, 41005, 45002, 101000); only then is the call counted against the quota (a
request refused before recognition costs none), and it answers the package's own result
(``OcrResult.to_dict()``: integer corners, as WeChat's) or its error (101002 for data that is
not an image; -1 for an image that waited past the queue's deadline).
"""

from __future__ import annotations

import asyncio
import hmac
import io
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from PIL import Image
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ..errors import Errcode, WxOcrError
from .fetch import FetchError, UrlPolicy, fetch_image
from .forms import FormError, OcrForm, parse_json, read_form
from .limits import MULTIPART_MARGIN, BodyLimit, BodyTooLarge
from .protocol import (INVALID_GRANT_TYPE, INVALID_URL, REQUIRE_GET, REQUIRE_POST, answer,
                       error_of, log_request)
from .quota import AppQuota
from .recognition import Busy, RecognitionPool
from .settings import FETCH_TIMEOUT, ServerSettings
from .throttle import SecretThrottle
from .tokens import TokenStore

OCR_PATH = "/cv/ocr/comm"
#: The errcode of a known path called with another method: WeChat says which one it needs.
WRONG_METHOD = {"/cgi-bin/token": REQUIRE_GET, "/cgi-bin/stable_token": REQUIRE_POST,
                OCR_PATH: REQUIRE_POST, "/healthz": REQUIRE_GET}


@dataclass
class ServerState:
    """Everything the endpoints share; one per application."""

    settings: ServerSettings
    tokens: TokenStore
    quota: AppQuota
    policy: UrlPolicy
    throttle: SecretThrottle
    pool: RecognitionPool | None = None


def create_app(settings: ServerSettings, *, policy: UrlPolicy | None = None) -> ASGIApp:
    """The server as an ASGI application (run it with uvicorn, or :func:`~.run.serve`).

    Worker processes start when the application starts (ASGI lifespan) and stop, after the
    requests in flight, when it shuts down.

    Parameters
    ----------
    settings
        Apps, quota and limits.
    policy
        Which addresses ``img_url`` may reach; by default public ones only, or any with
        ``settings.allow_private_urls``.

    Examples
    --------
    >>> app = create_app(ServerSettings({"wx1": "s3cr3t"}))
    >>> app.limit_of("/cv/ocr/comm")
    2162688
    """
    state = ServerState(settings, TokenStore(settings.token_ttl), AppQuota(settings.daily_quota),
                        policy or UrlPolicy(allow_private=settings.allow_private_urls),
                        SecretThrottle())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.pool = RecognitionPool(settings)
        try:
            await state.pool.warm_up(_blank_png())
            yield
        finally:
            state.pool.close()

    app = Starlette(routes=[
        Route("/cgi-bin/token", token, methods=["GET"]),
        Route("/cgi-bin/stable_token", stable_token, methods=["POST"]),
        Route(OCR_PATH, ocr, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ], lifespan=lifespan, exception_handlers={HTTPException: not_an_api, Exception: failed})
    app.router.redirect_slashes = False  # "/cv/ocr/comm/" is no API, not a redirect
    app.state.server = state
    return BodyLimit(app, {OCR_PATH: settings.max_bytes + MULTIPART_MARGIN})


async def not_an_api(request: Request, exc: Exception) -> Response:
    """Starlette's 404 and 405, answered as WeChat: 40066 for a path that is no API, 43001
    or 43002 for a known one called with the wrong method."""
    started = time.perf_counter()
    path = request.url.path
    if isinstance(exc, HTTPException) and exc.status_code == 405 and path in WRONG_METHOD:
        errcode = WRONG_METHOD[path]
        log_request(path, None, 0, errcode, started)
        return answer(errcode, f"{request.method} is not accepted here")
    log_request("(no such API)", None, 0, INVALID_URL, started)  # never echo the path
    return answer(INVALID_URL, "no such API; this server has /cgi-bin/token, "
                               "/cgi-bin/stable_token and /cv/ocr/comm")


async def failed(request: Request, exc: Exception) -> Response:
    """Any exception an endpoint did not expect (a bug): WeChat's -1 "system error", as JSON.
    Starlette then raises it on, so the server's log shows the traceback."""
    log_request(request.url.path if request.url.path in WRONG_METHOD else "(no such API)",
                None, 0, Errcode.SYSTEM_BUSY, time.perf_counter())
    return answer(Errcode.SYSTEM_BUSY, "the server failed on this request")


def _state(request: Request) -> ServerState:
    return request.app.state.server


def _credentials_errcode(request: Request, state: ServerState, grant_type: Any, appid: Any,
                         secret: Any) -> tuple[int, str | None]:
    """The errcode (and a detail) of a token request's credentials. Wrong secrets are
    throttled per appid and client address (:mod:`.throttle`): while one must wait, 45011
    is answered and the secret is not compared."""
    if grant_type != "client_credential":
        return INVALID_GRANT_TYPE, None
    expected = state.settings.apps.get(appid) if isinstance(appid, str) else None
    if expected is None:
        return Errcode.INVALID_APPID, None
    client = request.client.host if request.client is not None else ""
    wait = state.throttle.wait(appid, client)
    if wait > 0:
        return Errcode.MINUTE_QUOTA, f"too many wrong secrets: retry in {math.ceil(wait)} s"
    # surrogatepass: a JSON "\ud800" is a lone surrogate, which plain UTF-8 cannot encode.
    given = secret.encode("utf-8", "surrogatepass") if isinstance(secret, str) else b""
    if not hmac.compare_digest(given, expected.encode()):
        state.throttle.failed(appid, client)
        return Errcode.INVALID_APPSECRET, None
    state.throttle.succeeded(appid, client)
    return Errcode.OK, None


def _known(appid: Any, errcode: int) -> str | None:
    """The appid for the log, when it is one of ours (never echo arbitrary input)."""
    return appid if errcode != Errcode.INVALID_APPID and isinstance(appid, str) else None


async def token(request: Request) -> Response:
    """``GET /cgi-bin/token?grant_type=client_credential&appid=&secret=``."""
    started = time.perf_counter()
    state = _state(request)
    query = request.query_params
    appid = query.get("appid")
    errcode, detail = _credentials_errcode(request, state, query.get("grant_type"), appid,
                                           query.get("secret"))
    log_request("/cgi-bin/token", _known(appid, errcode), 0, errcode, started)
    if errcode:
        return answer(errcode, detail)
    access_token, expires_in = state.tokens.issue(appid)
    return JSONResponse({"access_token": access_token, "expires_in": expires_in})


async def stable_token(request: Request) -> Response:
    """``POST /cgi-bin/stable_token`` with JSON ``grant_type``, ``appid``, ``secret`` and
    ``force_refresh``."""
    started = time.perf_counter()
    state = _state(request)
    try:
        body = await request.body()
    except BodyTooLarge:
        log_request("/cgi-bin/stable_token", None, 0, Errcode.CONTENT_SIZE_OUT_OF_LIMIT,
                    started)
        return answer(Errcode.CONTENT_SIZE_OUT_OF_LIMIT)
    try:
        fields = parse_json(body)
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        log_request("/cgi-bin/stable_token", None, len(body), Errcode.DATA_FORMAT_ERROR, started)
        return answer(Errcode.DATA_FORMAT_ERROR, "expected a JSON object")
    appid = fields.get("appid")
    errcode, detail = _credentials_errcode(request, state, fields.get("grant_type"), appid,
                                           fields.get("secret"))
    log_request("/cgi-bin/stable_token", _known(appid, errcode), len(body), errcode, started)
    if errcode:
        return answer(errcode, detail)
    refresh = fields.get("force_refresh") is True
    access_token, expires_in = state.tokens.issue(appid, stable=True, force_refresh=refresh)
    return JSONResponse({"access_token": access_token, "expires_in": expires_in})


async def healthz(request: Request) -> Response:
    """``GET /healthz``: up, with the recognition queue's figures."""
    pool = _state(request).pool
    return JSONResponse({"errcode": 0, "errmsg": "ok", **(pool.stats() if pool else {})})


@dataclass
class _Seen:
    """What the request log says about one OCR request."""

    appid: str | None = None
    size: int = 0


async def ocr(request: Request) -> Response:
    """``GET /cv/ocr/comm?access_token=...&img_url=...``, or ``POST`` with ``img_url`` in
    the query or the body, or a multipart ``img``."""
    started = time.perf_counter()
    seen = _Seen()
    errcode, response = await _ocr(request, seen)
    log_request(OCR_PATH, seen.appid, seen.size, errcode, started)
    return response


async def _ocr(request: Request, seen: _Seen) -> tuple[int, Response]:
    state = _state(request)
    assert state.pool is not None, "the application was not started"
    query = request.query_params
    access_token = query.get("access_token")
    if not access_token:
        return _error(Errcode.ACCESS_TOKEN_MISSING)
    owner = state.tokens.check(access_token)
    if not isinstance(owner, str):
        return _error(owner)
    seen.appid = owner
    if state.quota.spent(owner):  # before the upload is read; counted only once recognized
        return _error(Errcode.DAILY_QUOTA)
    try:
        with state.pool.place():  # taken before the upload is read, or -1 at once
            return await _recognized(request, state, seen)
    except Busy as exc:
        return _error(Errcode.SYSTEM_BUSY, str(exc))


async def _recognized(request: Request, state: ServerState, seen: _Seen
                      ) -> tuple[int, Response]:
    """The answer for the request's image (it holds a place in the queue). Only a request
    whose image reaches recognition counts against the appid's quota; one that waited past
    the queue's deadline (-1) is given back, the client will send it again."""
    assert state.pool is not None and seen.appid is not None
    try:
        data = await _image(request, state, seen)
    except (FormError, FetchError) as exc:
        return _error(exc.errcode, str(exc))
    except BodyTooLarge as exc:
        return _error(Errcode.CONTENT_SIZE_OUT_OF_LIMIT, str(exc))
    except ClientDisconnect:  # nobody reads this answer; the log line still says what happened
        return _error(Errcode.DATA_FORMAT_ERROR, "the client left before the body ended")
    seen.size = len(data)
    if len(data) >= state.settings.max_bytes:
        return _error(Errcode.CONTENT_SIZE_OUT_OF_LIMIT,
                      f"image is {len(data)} bytes, the limit is under {state.settings.max_bytes}")
    if not state.quota.take(seen.appid):  # spent meanwhile by the appid's other requests
        return _error(Errcode.DAILY_QUOTA)
    try:
        outcome = await state.pool.recognize(data)
    except Busy:
        state.quota.give_back(seen.appid)
        raise
    if isinstance(outcome, WxOcrError):
        return _error(error_of(outcome.errcode), outcome.errmsg)
    return Errcode.OK, JSONResponse(outcome.to_dict())


async def _image(request: Request, state: ServerState, seen: _Seen) -> bytes:
    """The image bytes of the request: fetched from ``img_url`` (query, else body field),
    else the multipart ``img``. A ``GET`` has its ``img_url`` in the query, and no body.

    Raises
    ------
    FormError
        41005 when there is no image, 47001 for a body that cannot be read.
    """
    url = request.query_params.get("img_url")
    form = OcrForm()
    if not url and request.method == "POST":
        seen.size = int(request.headers.get("content-length") or 0)
        reading = read_form(request.headers.get("content-type"), request.stream(),
                            max_image_bytes=state.settings.max_bytes)
        try:
            form = await asyncio.wait_for(reading, state.settings.upload_timeout)
        except asyncio.TimeoutError:
            raise FormError(f"the body did not arrive within {state.settings.upload_timeout:g} s"
                            ) from None
        url = form.img_url
    if form.img is not None:
        return form.img
    if url:
        return await fetch_image(url, state.policy, max_bytes=state.settings.max_bytes,
                                 timeout=FETCH_TIMEOUT)
    if form.parts:
        raise FormError(f"no part named img (the form has: {', '.join(form.parts)}); WeChat "
                        "reads the image from the part img", Errcode.MEDIA_DATA_MISSING)
    raise FormError("send a multipart img part or img_url", Errcode.MEDIA_DATA_MISSING)


def _error(errcode: int, detail: str | None = None) -> tuple[int, Response]:
    return errcode, answer(errcode, detail)


def _blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), "white").save(buffer, format="PNG")
    return buffer.getvalue()
