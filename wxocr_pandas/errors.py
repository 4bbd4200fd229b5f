"""One error hierarchy for the whole package, and the errcodes it speaks.

Every error carries ``errcode`` (the WeChat code, or a client-side code from
:class:`Errcode`), ``errmsg`` and ``image`` (a short label of the image it was about).
None of them ever holds an access token or a secret.

::

    WxOcrError                      root; catch this to catch everything
    ├── InputError (ValueError)     the image could not be read; retrying will not help
    │   ├── MissingInputError       NA / None in the column
    │   ├── ImageNotFoundError      (FileNotFoundError) no such file
    │   ├── UnsupportedInputError   (TypeError) not a path, URL, bytes, PIL image or array
    │   ├── InvalidImageError       not a decodable image (or a broken PDF)
    │   ├── ProtectedDocumentError  a PDF that needs a password
    │   ├── ImageTooLargeError      over the pixel guard or the download cap
    │   └── DownloadError           an http(s) image could not be fetched; a retry may help
    ├── BackendError                the backend failed on a readable image
    │   ├── WorkerDiedError         the worker process died reading this image, twice
    │   ├── TransportError          WeChat unreachable: timeout, connection, HTTP error; retry safe
    │   └── ApiError                the WeChat API answered with a non-zero errcode
    │       ├── RetryableApiError   -1 busy, 45011 minute quota: retried with backoff; retry safe
    │       ├── ImageRejectedError  45002 47001 41005 101000 101001 101002: this image only
    │       ├── QuotaExceededError  45009 101003, or the local daily budget: stops the batch
    │       └── AccountConfigError  (ConfigError) 40013 40125 40243 40164 61004 48001 61007
    │           │                   41001: fix the setting the message names; stops the batch
    │           └── AccessTokenError  40001 40014 42001 still failing after one token refresh
    ├── CacheError (OSError)        ``wxocr cache info/clear``: the cache file cannot be used
    └── UsageError (ValueError)     the call itself is wrong; fix the code, not the data
        ├── ConfigError             a setting (argument or WXOCR_* variable) is missing or wrong
        └── ColumnConflictError     the input already has a column the result would add
"""

from __future__ import annotations

from enum import IntEnum


class Errcode(IntEnum):
    """Errcodes found in results.

    Codes below 900000 are WeChat's own; :attr:`MISSING_INPUT` and the codes after it are
    client-side conditions that never reach a server (WeChat does not use that range).

    Examples
    --------
    >>> from wxocr_pandas.errors import Errcode
    >>> int(Errcode.INVALID_IMAGE_DATA)
    101002
    """

    OK = 0
    SYSTEM_BUSY = -1
    INVALID_CREDENTIAL = 40001
    INVALID_APPID = 40013
    INVALID_ACCESS_TOKEN = 40014
    INVALID_APPSECRET = 40125
    IP_NOT_WHITELISTED = 40164
    APPSECRET_FROZEN = 40243
    ACCESS_TOKEN_MISSING = 41001
    MEDIA_DATA_MISSING = 41005
    ACCESS_TOKEN_EXPIRED = 42001
    CONTENT_SIZE_OUT_OF_LIMIT = 45002
    DAILY_QUOTA = 45009
    MINUTE_QUOTA = 45011
    DATA_FORMAT_ERROR = 47001
    API_UNAUTHORIZED = 48001
    COMPONENT_IP_NOT_WHITELISTED = 61004
    API_UNAUTHORIZED_TO_COMPONENT = 61007
    INVALID_IMAGE_URL = 101000
    NO_CERTIFICATE_FOUND = 101001
    INVALID_IMAGE_DATA = 101002
    MARKET_QUOTA = 101003
    MISSING_INPUT = 900001
    FILE_NOT_FOUND = 900002
    UNSUPPORTED_INPUT = 900003
    IMAGE_TOO_LARGE = 900004
    ENGINE_FAILED = 900005
    NETWORK_FAILED = 900006
    LOCAL_BUDGET_SPENT = 900007
    WORKER_DIED = 900008
    PROTECTED_DOCUMENT = 900009


class WxOcrError(Exception):
    """Root of every error raised by wxocr_pandas.

    Parameters
    ----------
    errmsg
        What went wrong, for a person.
    errcode
        The WeChat errcode or a client-side :class:`Errcode`.
    image
        A short label of the image concerned (a path, a redacted URL, ``<bytes: 12 B>``).
    """

    default_errcode: int = Errcode.ENGINE_FAILED
    #: True for errors after which no further image of a batch may be sent (quota spent).
    stops_batch: bool = False

    def __init__(self, errmsg: str, *, errcode: int | None = None, image: str | None = None):
        self.errmsg = errmsg
        self.errcode = int(self.default_errcode if errcode is None else errcode)
        self.image = image
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"{self.image}: " if self.image else ""
        return f"{where}{self.errmsg} (errcode {self.errcode})"

    def with_image(self, image: str) -> WxOcrError:
        """Return this error labelled with ``image`` if it has no label yet."""
        if self.image is None:
            self.image = image
            self.args = (self._render(),)
        return self

    def __reduce__(self):  # keep errcode/image when pickled to worker processes
        return (_rebuild, (type(self), self.errmsg, self.errcode, self.image))


def _rebuild(cls: type[WxOcrError], errmsg: str, errcode: int, image: str | None) -> WxOcrError:
    return cls(errmsg, errcode=errcode, image=image)


class InputError(WxOcrError, ValueError):
    """The input could not be turned into an image. Retrying the same input will not help."""

    default_errcode = Errcode.INVALID_IMAGE_DATA


class MissingInputError(InputError):
    """The value is NA/None: there is no image to read."""

    default_errcode = Errcode.MISSING_INPUT


class ImageNotFoundError(InputError, FileNotFoundError):
    """The path does not exist or is not a file."""

    default_errcode = Errcode.FILE_NOT_FOUND


class UnsupportedInputError(InputError, TypeError):
    """The value is of a type that is not an image source."""

    default_errcode = Errcode.UNSUPPORTED_INPUT


class InvalidImageError(InputError):
    """The bytes are not a decodable image (WeChat's 101002)."""

    default_errcode = Errcode.INVALID_IMAGE_DATA


class ProtectedDocumentError(InputError):
    """The PDF is encrypted with a password (or an unsupported security handler). Decrypt
    it first; retrying the same file will not help.
    """

    default_errcode = Errcode.PROTECTED_DOCUMENT


class ImageTooLargeError(InputError):
    """The image exceeds the decompression-bomb guard or the download size cap."""

    default_errcode = Errcode.IMAGE_TOO_LARGE


class DownloadError(InputError):
    """An http(s) image could not be downloaded (WeChat's 101000). A retry may help."""

    default_errcode = Errcode.INVALID_IMAGE_URL


class BackendError(WxOcrError):
    """The backend failed on a readable image."""

    default_errcode = Errcode.ENGINE_FAILED


class WorkerDiedError(BackendError):
    """The worker process died while reading this image (killed, out of memory, a crash in
    the engine), and died again when the image was retried alone. Other images of the batch
    are unaffected; retrying the same image will likely kill a worker again.
    """

    default_errcode = Errcode.WORKER_DIED

    def __init__(self, errmsg: str = "the worker process died while reading this image", *,
                 errcode: int | None = None, image: str | None = None):
        super().__init__(errmsg, errcode=errcode, image=image)


class ApiError(BackendError):
    """The WeChat API answered with a non-zero errcode."""

    default_errcode = Errcode.SYSTEM_BUSY


class CacheError(WxOcrError, OSError):
    """The result cache cannot be used (locked by another process, unwritable location).
    Raised only by commands about the cache itself; batches warn and run without it."""

    def _render(self) -> str:
        return self.errmsg


class UsageError(WxOcrError, ValueError):
    """The call itself is wrong (an argument, a setting, a column name)."""

    def _render(self) -> str:
        return self.errmsg


class ConfigError(UsageError):
    """A setting (argument or ``WXOCR_*`` variable) is missing or wrong."""


class ColumnConflictError(UsageError):
    """The input already has a column the result would add; pass ``prefix=``."""


class TransportError(BackendError):
    """The WeChat server could not be reached or answered an HTTP error (timeout, connection
    refused, 5xx, a non-JSON page). The message names the host, never the token. Retry safe.
    """

    default_errcode = Errcode.NETWORK_FAILED


class RetryableApiError(ApiError):
    """WeChat is busy (-1) or the per-minute quota is reached (45011). The backend already
    retried with backoff; retrying later is safe.
    """


class ImageRejectedError(ApiError):
    """WeChat refused this image (too large, malformed upload, URL not fetchable, not
    decodable). Other images are unaffected; retrying the same image will not help.
    """

    default_errcode = Errcode.INVALID_IMAGE_DATA


class QuotaExceededError(ApiError):
    """The daily quota is spent (45009), the bought quota is spent (101003), or the local
    daily budget is reached. No further image of the batch is sent; finished rows are kept.
    """

    default_errcode = Errcode.DAILY_QUOTA
    stops_batch = True


class AccountConfigError(ApiError, ConfigError):
    """The account's settings are wrong (appid, AppSecret, IP whitelist, API permission). The
    message says what to fix; every further call would fail alike, so the batch stops.
    """

    default_errcode = Errcode.INVALID_APPID
    stops_batch = True
    _render = WxOcrError._render  # rows of a batch still name the image


class AccessTokenError(AccountConfigError):
    """The access token was refused (40001/40014/42001) and refreshing it did not help, or a
    fixed ``access_token`` was refused (it cannot be refreshed without appid and secret).
    """

    default_errcode = Errcode.INVALID_CREDENTIAL


_TOKEN_REFUSED = ("access token refused; pass appid and secret (WXOCR_APPID, WXOCR_SECRET) so "
                  "a fresh one can be fetched")
_IP_WHITELIST = "this machine's IP address is not in the {} IP whitelist: add it ({})"

#: errcode -> (exception class, what it means and what to do). Match on errcode, never errmsg.
API_ERRORS: dict[int, tuple[type[ApiError], str]] = {
    Errcode.SYSTEM_BUSY: (RetryableApiError, "WeChat system busy"),
    Errcode.MINUTE_QUOTA: (RetryableApiError, "per-minute API quota reached"),
    Errcode.INVALID_CREDENTIAL: (AccessTokenError, f"invalid credential: {_TOKEN_REFUSED}"),
    Errcode.INVALID_ACCESS_TOKEN: (AccessTokenError, f"invalid access_token: {_TOKEN_REFUSED}"),
    Errcode.ACCESS_TOKEN_EXPIRED: (AccessTokenError, f"access_token expired: {_TOKEN_REFUSED}"),
    Errcode.ACCESS_TOKEN_MISSING: (AccountConfigError, (
        "access token missing: pass appid and secret (WXOCR_APPID, WXOCR_SECRET) or "
        "access_token (WXOCR_ACCESS_TOKEN)")),
    Errcode.INVALID_APPID: (AccountConfigError, (
        "invalid appid: check appid= / WXOCR_APPID (mp.weixin.qq.com > Settings and "
        "Development > Basic configuration)")),
    Errcode.INVALID_APPSECRET: (AccountConfigError, (
        "invalid AppSecret: check secret= / WXOCR_SECRET against the account's current "
        "AppSecret (reset it under Basic configuration if unsure)")),
    Errcode.APPSECRET_FROZEN: (AccountConfigError, (
        "the AppSecret is frozen: unfreeze or reset it on mp.weixin.qq.com, then update "
        "secret= / WXOCR_SECRET")),
    Errcode.IP_NOT_WHITELISTED: (AccountConfigError, _IP_WHITELIST.format(
        "account's", "mp.weixin.qq.com > Basic configuration > IP whitelist")),
    Errcode.COMPONENT_IP_NOT_WHITELISTED: (AccountConfigError, _IP_WHITELIST.format(
        "third-party platform's", "open.weixin.qq.com > the platform's development settings")),
    Errcode.API_UNAUTHORIZED: (AccountConfigError, (
        "this account may not call ocr.printedText: enable the OCR service for it (a verified "
        "account is required)")),
    Errcode.API_UNAUTHORIZED_TO_COMPONENT: (AccountConfigError, (
        "the account has not authorized this third-party platform for the OCR API: grant "
        "the permission in the authorization settings")),
    Errcode.CONTENT_SIZE_OUT_OF_LIMIT: (ImageRejectedError, "image over WeChat's 2 MB limit"),
    Errcode.DATA_FORMAT_ERROR: (ImageRejectedError, "WeChat could not parse the upload (data format error)"),
    Errcode.MEDIA_DATA_MISSING: (ImageRejectedError, "WeChat received no image data (media data missing)"),
    Errcode.INVALID_IMAGE_URL: (ImageRejectedError, "WeChat could not fetch the image URL"),
    Errcode.NO_CERTIFICATE_FOUND: (ImageRejectedError, "no certificate found in the image"),
    Errcode.INVALID_IMAGE_DATA: (ImageRejectedError, "WeChat could not decode the image"),
    Errcode.DAILY_QUOTA: (QuotaExceededError, (
        "the daily API quota is spent; no further image is sent today (it resets at "
        "midnight Beijing time, or buy more quota)")),
    Errcode.MARKET_QUOTA: (QuotaExceededError, (
        "the bought OCR quota is spent; no further image is sent until more is bought")),
}


def api_error(errcode: int, errmsg: str = "", *, image: str | None = None) -> ApiError:
    """The exception for a non-zero WeChat ``errcode``, with a message saying what to do.

    ``errmsg`` is WeChat's own text, kept after the explanation for support requests.

    Examples
    --------
    >>> error = api_error(40125, "invalid appsecret rid: 65a1")
    >>> type(error).__name__, error.errcode, error.stops_batch
    ('AccountConfigError', 40125, True)
    >>> str(api_error(45002, image="big.png"))
    "big.png: image over WeChat's 2 MB limit (errcode 45002)"
    """
    cls, meaning = API_ERRORS.get(errcode, (ApiError, "WeChat API error"))
    detail = f" [WeChat: {errmsg}]" if errmsg else ""
    return cls(f"{meaning}{detail}", errcode=errcode, image=image)
