"""The WeChat backend: ``ocr.printedText`` (``POST /cv/ocr/comm``), hardened for batches.

One call, as WeChat documents it: the access token in the query, the image as multipart
field ``img`` (or, for a URL input, as the ``img_url`` query parameter). Around it:

- tokens are cached per account and shared by all threads (:mod:`.token`); a token WeChat
  refuses (40001/40014/42001) is refreshed once and the call repeated, never more;
- busy (-1), the minute quota (45011), HTTP 5xx, timeouts and connection errors are retried
  with exponential backoff and jitter (tenacity); errors that cannot heal are not;
- images of 2 MB or more are re-encoded and the answer mapped back (:mod:`..upload`);
- a local daily budget per appid is counted before each call (:mod:`..quota`), and 45009
  marks the day spent for every process of the machine;
- the secret and the token never reach a message, a repr, a log line or a cache key:
  requests' own exceptions (whose text holds the URL with the token) are replaced by
  messages naming only the host, and urllib3's debug log lines are redacted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from tenacity import RetryCallState, Retrying, stop_after_attempt, wait_exponential_jitter
from tenacity.wait import wait_base

from ...config import flag_setting, number_setting, resolve_timeout, setting
from ...errors import AccessTokenError, BackendError, ConfigError, Errcode, TransportError, WxOcrError
from ...images import ImageSource
from .quota import DailyQuota
from ...redaction import redact, redact_request_logs, redact_url
from ...result import OcrResult
from .upload import Upload, prepare_upload
from .token import TokenStore, get_token, invalidate_token, process_token_store
from .errcodes import QUOTA_SPENT, RETRY_ONCE, RETRY_SAFE, TOKEN_REFUSED, api_error

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
OCR_PATH = "/cv/ocr/comm"
TOKEN_PATH = "/cgi-bin/token"
STABLE_TOKEN_PATH = "/cgi-bin/stable_token"

_log = logging.getLogger(__name__)


class _wait_for_next_minute(wait_base):  # noqa: N801 (named like tenacity's wait objects)
    """Extra wait after 45011: WeChat's per-minute quota frees up at the next minute."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        return self.seconds if getattr(error, "errcode", None) == Errcode.MINUTE_QUOTA else 0.0


def _can_heal(retry_state: RetryCallState) -> bool:
    error = retry_state.outcome.exception() if retry_state.outcome else None
    if isinstance(error, TransportError):
        return True
    errcode = getattr(error, "errcode", None)
    return errcode in RETRY_SAFE or (errcode in RETRY_ONCE and retry_state.attempt_number == 1)


def _give_up(retry_state: RetryCallState) -> Any:
    error = retry_state.outcome.exception()
    attempts = retry_state.attempt_number
    raise type(error)(f"{error.errmsg}; gave up after {attempts} attempt{'s' * (attempts > 1)}",
                      errcode=error.errcode, image=error.image)


def _log_retry(retry_state: RetryCallState) -> None:
    _log.info("WeChat call failed (%s); retry %d in %.1f s", retry_state.outcome.exception(),
              retry_state.attempt_number, retry_state.upcoming_sleep)


class WeChatBackend:
    """Recognize with WeChat's ``ocr.printedText`` API.

    Every argument falls back to its ``WXOCR_*`` variable (see :mod:`wxocr_pandas.config`),
    so ``WeChatBackend()`` is configured from the environment.

    Parameters
    ----------
    appid, secret
        The account's credentials; tokens are fetched and refreshed from them.
    access_token
        A token to use as given instead (it cannot be refreshed; pass ``appid`` too to keep
        the local call count per account).
    base_url
        API root, ``https://api.weixin.qq.com`` by default; a compatible server or proxy.
    stable_token
        Fetch tokens from ``/cgi-bin/stable_token``, which does not invalidate tokens held by
        other clients of the same account.
    timeout
        Seconds to connect and between bytes, per HTTP request.
    daily_budget, allow_over_budget
        Local cap on OCR calls per appid and day (Beijing time) on this machine; warned at
        80 %, refused past it (:class:`~wxocr_pandas.QuotaExceededError`) unless allowed.
    upload_urls
        Download URL inputs here and upload them, instead of letting WeChat fetch ``img_url``
        (for URLs WeChat cannot reach).
    quota_dir
        Directory of the call counter (``WXOCR_QUOTA_DIR``, else the user data directory).
    max_attempts, backoff, max_backoff, minute_quota_wait
        Retry policy for errors that can heal: attempts in all, first wait and cap of the
        exponential backoff (seconds, with jitter), and the extra wait after 45011.
    sleep
        The function that waits between attempts (tests pass a recorder).
    token_store
        Where the access token lives (:class:`~wxocr_pandas.backends.wechat.token.TokenStore`); by
        default the store this process shares for the API root and appid. The Dask cluster
        plugs in one store for all its workers (:class:`~wxocr_pandas.backends.wechat.cluster.SharedTokenStore`).

    Examples
    --------
    >>> from wxocr_pandas import WeChatBackend
    >>> backend = WeChatBackend(appid="wx0123456789abcdef", secret="s3cr3t")
    >>> backend
    WeChatBackend(appid='wx0123456789abcdef', secret='***', base_url='https://api.weixin.qq.com')
    >>> backend.identity
    'wechat:https://api.weixin.qq.com:wx0123456789abcdef'
    """

    name = "wechat"

    def __init__(self, appid: str | None = None, secret: str | None = None,
                 access_token: str | None = None, base_url: str | None = None, *,
                 stable_token: bool | None = None, timeout: float | None = None,
                 daily_budget: int | None = None, allow_over_budget: bool | None = None,
                 upload_urls: bool = False, quota_dir: str | None = None,
                 max_attempts: int = 5, backoff: float = 1.0, max_backoff: float = 60.0,
                 minute_quota_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep,
                 token_store: TokenStore | None = None) -> None:
        self.appid: str | None = setting("appid", appid)
        self._secret: str | None = setting("secret", secret)
        self._access_token: str | None = setting("access_token", access_token)
        if not self._access_token and not (self.appid and self._secret):
            raise ConfigError("the WeChat backend needs appid and secret (WXOCR_APPID, "
                              "WXOCR_SECRET) or an access_token (WXOCR_ACCESS_TOKEN)")
        self.base_url: str = str(setting("base_url", base_url, DEFAULT_BASE_URL)).rstrip("/")
        self.stable_token = flag_setting("stable_token", stable_token)
        self.timeout: float = resolve_timeout(timeout)
        self.upload_urls = upload_urls
        self.token_store = token_store
        self.quota = DailyQuota(
            self.appid, number_setting("daily_budget", daily_budget, 100, kind=int),
            allow_over_budget=flag_setting("allow_over_budget", allow_over_budget),
            directory=quota_dir)
        self._retry_policy = (max_attempts, backoff, max_backoff, minute_quota_wait, sleep)
        self._retrying = self._make_retrying()
        self._local = threading.local()
        redact_request_logs()

    def _make_retrying(self) -> Retrying:
        max_attempts, backoff, max_backoff, minute_quota_wait, sleep = self._retry_policy
        return Retrying(
            stop=stop_after_attempt(max_attempts),
            wait=wait_exponential_jitter(initial=backoff, max=max_backoff, jitter=backoff)
            + _wait_for_next_minute(minute_quota_wait),
            retry=_can_heal, retry_error_callback=_give_up, before_sleep=_log_retry,
            sleep=sleep)

    def __repr__(self) -> str:
        credential = "access_token='***'" if self._access_token else "secret='***'"
        return (f"WeChatBackend(appid={self.appid!r}, {credential}, "
                f"base_url='{redact_url(self.base_url)}')")

    def __getstate__(self) -> dict[str, Any]:
        # Sessions and the retry controller hold thread-locals: rebuilt where unpickled.
        return {k: v for k, v in self.__dict__.items() if k not in ("_local", "_retrying")}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__dict__.update(state)
        self._retrying = self._make_retrying()
        self._local = threading.local()

    @property
    def identity(self) -> str:
        """API root and appid: what decides the answers (never the secret or a token)."""
        return f"wechat:{redact_url(self.base_url)}:{self.appid or ''}"

    def recognize(self, source: ImageSource) -> OcrResult:
        """Recognize one image; corners are in pixels of the (EXIF-upright) original.

        Raises
        ------
        WxOcrError
            A subclass per failure, see :data:`.errcodes.ERRCODES`; each names
            the image and never holds the token or secret.
        """
        upload: Upload | None = None
        try:
            if source.kind == "url" and not self.upload_urls:
                query, files = {"img_url": source.value}, None
            else:
                upload = prepare_upload(source, timeout=self.timeout)
                query, files = {}, {"img": (upload.filename, upload.data, upload.content_type)}
            result = self._retrying.copy()(self._call, query, files)
        except WxOcrError as exc:
            raise exc.with_image(source.label)
        return upload.map_back(result) if upload is not None else result

    def _call(self, query: dict[str, str], files: dict[str, Any] | None) -> OcrResult:
        """One OCR call, with one token refresh if WeChat refuses the token."""
        token = self._token()
        result = self._post_ocr(token, query, files)
        if result.errcode in TOKEN_REFUSED and not self._access_token:
            invalidate_token(self._token_store(), token)
            result = self._post_ocr(self._token(), query, files)
            if result.errcode in TOKEN_REFUSED:
                raise AccessTokenError("a freshly fetched access token was refused too; check "
                                       "that appid and secret belong to the same account "
                                       f"[WeChat: {redact(result.errmsg)}]",
                                       errcode=result.errcode)
        if result.errcode in QUOTA_SPENT:
            self.quota.mark_spent()
        if not result.ok:
            raise api_error(result.errcode, redact(result.errmsg))
        return result

    def _post_ocr(self, token: str, query: dict[str, str], files: dict[str, Any] | None
                  ) -> OcrResult:
        self.quota.reserve()
        answer = self._request("POST", OCR_PATH, params={"access_token": token, **query},
                               files=files)
        return OcrResult.from_dict(answer)

    def _token_store(self) -> TokenStore:
        # The process's store is looked up on each use, not kept, so the backend stays picklable.
        if self.token_store is not None:
            return self.token_store
        return process_token_store(self.base_url, self.appid or "")

    def _token(self) -> str:
        if self._access_token:
            return self._access_token
        return get_token(self._token_store(), self._fetch_token)

    def _fetch_token(self, force_refresh: bool) -> tuple[str, float]:
        if self.stable_token:
            answer = self._request("POST", STABLE_TOKEN_PATH, json={
                "grant_type": "client_credential", "appid": self.appid, "secret": self._secret,
                "force_refresh": force_refresh})
        else:
            answer = self._request("GET", TOKEN_PATH, params={
                "grant_type": "client_credential", "appid": self.appid, "secret": self._secret})
        errcode = int(answer.get("errcode") or 0)
        if errcode:
            raise api_error(errcode, redact(str(answer.get("errmsg", ""))))
        token, expires_in = answer.get("access_token"), answer.get("expires_in", 7200)
        if not isinstance(token, str) or not token:
            raise BackendError("the token endpoint answered without an access_token",
                               errcode=Errcode.NETWORK_FAILED)
        _log.info("fetched a WeChat access token for appid %s (valid %s s)", self.appid,
                  expires_in)
        return token, float(expires_in)

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = self._local.session = requests.Session()
        return session

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Send one request; every failure becomes an error that names the host only."""
        import requests

        where = f"{method} {redact_url(self.base_url)}{path}"
        failure = None
        try:
            response = self._session().request(method, self.base_url + path,
                                                timeout=self.timeout, **kwargs)
        except requests.Timeout:
            failure = f"timed out after {self.timeout:g} s"
        except requests.ConnectionError:
            failure = "could not connect"
        except requests.RequestException as exc:
            failure = type(exc).__name__
        # Raised here, outside the except blocks, so no exception holding the URL (and so
        # the token or secret) is chained to ours as __context__.
        if failure is not None:
            raise TransportError(f"{where}: {failure}")
        if response.status_code >= 500 or response.status_code == 429:
            raise TransportError(f"{where}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise BackendError(f"{where}: HTTP {response.status_code}; check base_url / "
                               "WXOCR_BASE_URL", errcode=Errcode.NETWORK_FAILED)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise BackendError(f"{where}: the answer is not a JSON object "
                               f"({response.headers.get('Content-Type', 'no content type')})",
                               errcode=Errcode.NETWORK_FAILED)
        return answer
