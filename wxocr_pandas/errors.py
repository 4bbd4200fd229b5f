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
    │   ├── PageLimitError          a document's pages past ``max_pages``, not read
    │   └── DownloadError           an http(s) image could not be fetched; a retry may help
    ├── BackendError                the backend failed on a readable image
    │   ├── WorkerDiedError         the worker process died reading this image, twice
    │   ├── TransportError          WeChat unreachable: timeout, connection, HTTP error; retry safe
    │   └── ApiError                the WeChat API answered with a non-zero errcode
    │       ├── RetryableApiError   busy, minute quota: retried with backoff; retry safe
    │       ├── ImageRejectedError  too large, bad upload, URL not fetchable: this image only
    │       ├── QuotaExceededError  quota spent, or the local daily budget: stops the batch
    │       └── AccountConfigError  (ConfigError) appid, AppSecret, IP whitelist, permission:
    │           │                   fix the setting the message names; stops the batch
    │           └── AccessTokenError  the token still refused after one refresh
    └── UsageError (ValueError)     the call itself is wrong; fix the code, not the data
        ├── ConfigError             a setting (argument or WXOCR_* variable) is missing or wrong
        └── ColumnConflictError     the input already has a column the result would add

Which WeChat errcode raises which :class:`ApiError` is WeChat protocol knowledge: it lives in
one table next to the WeChat backend, :data:`wxocr_pandas.backends.wechat.errcodes.ERRCODES`.
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
    PAGE_LIMIT = 900010


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

    Examples
    --------
    >>> import wxocr_pandas
    >>> try:
    ...     wxocr_pandas.recognize("no/such.png")
    ... except wxocr_pandas.WxOcrError as error:
    ...     print(error.errcode, error.image, type(error).__name__)
    900002 no/such.png ImageNotFoundError
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
    """The input could not be turned into an image. Retrying the same input will not help.

    Examples
    --------
    >>> from wxocr_pandas import InputError, InvalidImageError
    >>> issubclass(InvalidImageError, InputError), issubclass(InputError, ValueError)
    (True, True)
    """

    default_errcode = Errcode.INVALID_IMAGE_DATA


class MissingInputError(InputError):
    """The value is NA/None: there is no image to read.

    Examples
    --------
    >>> import wxocr_pandas
    >>> wxocr_pandas.recognize(None)
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.MissingInputError: <NA>: missing value (NA): no image to read (errcode 900001)
    """

    default_errcode = Errcode.MISSING_INPUT


class ImageNotFoundError(InputError, FileNotFoundError):
    """The path does not exist or is not a file.

    Examples
    --------
    >>> import wxocr_pandas
    >>> wxocr_pandas.recognize("no/such.png")
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.ImageNotFoundError: no/such.png: file not found (errcode 900002)
    """

    default_errcode = Errcode.FILE_NOT_FOUND


class UnsupportedInputError(InputError, TypeError):
    """The value is of a type that is not an image source.

    Examples
    --------
    >>> import wxocr_pandas
    >>> try:
    ...     wxocr_pandas.recognize(3)
    ... except wxocr_pandas.UnsupportedInputError as error:
    ...     print(error.errcode, isinstance(error, TypeError))
    900003 True
    """

    default_errcode = Errcode.UNSUPPORTED_INPUT


class InvalidImageError(InputError):
    """The bytes are not a decodable image (WeChat's 101002).

    Examples
    --------
    >>> import wxocr_pandas
    >>> wxocr_pandas.recognize(b"not an image")
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.InvalidImageError: <bytes: 12 B>: not an image (unrecognized format) (errcode 101002)
    """

    default_errcode = Errcode.INVALID_IMAGE_DATA


class ProtectedDocumentError(InputError):
    """The PDF is encrypted with a password (or an unsupported security handler). Decrypt
    it first; retrying the same file will not help.

    Examples
    --------
    >>> from wxocr_pandas import ProtectedDocumentError
    >>> error = ProtectedDocumentError("the PDF is password-protected; decrypt it first",
    ...                                image="locked.pdf")
    >>> error.errcode, str(error)
    (900009, 'locked.pdf: the PDF is password-protected; decrypt it first (errcode 900009)')
    """

    default_errcode = Errcode.PROTECTED_DOCUMENT


class ImageTooLargeError(InputError):
    """The image exceeds the decompression-bomb guard or the download size cap.

    Examples
    --------
    >>> from wxocr_pandas import ImageTooLargeError
    >>> ImageTooLargeError("over the pixel guard", image="huge.png").errcode
    900004
    """

    default_errcode = Errcode.IMAGE_TOO_LARGE


class PageLimitError(InputError):
    """A document has more pages than ``max_pages`` (``WXOCR_MAX_PAGES``): the pages past the
    limit were not read. They are one error row, numbered with the first of them.

    Examples
    --------
    >>> import wxocr_pandas
    >>> wxocr_pandas.recognize("samples/report.pdf", max_pages=1)
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.PageLimitError: samples/report.pdf: pages 2-3 not read: the document has 3 pages, more than max_pages=1 (WXOCR_MAX_PAGES) (errcode 900010)
    """

    default_errcode = Errcode.PAGE_LIMIT


class DownloadError(InputError):
    """An http(s) image could not be downloaded (WeChat's 101000). A retry may help.

    Examples
    --------
    >>> from wxocr_pandas import DownloadError
    >>> DownloadError("connection refused", image="http://127.0.0.1:9/a.png").errcode
    101000
    """

    default_errcode = Errcode.INVALID_IMAGE_URL


class BackendError(WxOcrError):
    """The backend failed on a readable image.

    Examples
    --------
    >>> from wxocr_pandas import BackendError
    >>> BackendError("the engine failed: RuntimeError", image="a.png").errcode
    900005
    """

    default_errcode = Errcode.ENGINE_FAILED


class WorkerDiedError(BackendError):
    """The worker process died while reading this image (killed, out of memory, a crash in
    the engine), and died again when the image was retried alone. Other images of the batch
    are unaffected; retrying the same image will likely kill a worker again.

    Examples
    --------
    >>> from wxocr_pandas import WorkerDiedError
    >>> str(WorkerDiedError(image="a.png"))
    'a.png: the worker process died while reading this image (errcode 900008)'
    """

    default_errcode = Errcode.WORKER_DIED

    def __init__(self, errmsg: str = "the worker process died while reading this image", *,
                 errcode: int | None = None, image: str | None = None):
        super().__init__(errmsg, errcode=errcode, image=image)


class ApiError(BackendError):
    """The WeChat API answered with a non-zero errcode.

    Examples
    --------
    >>> from wxocr_pandas.backends.wechat.errcodes import api_error
    >>> error = api_error(99999, "an errmsg WeChat has not documented")
    >>> type(error).__name__, error.errcode
    ('ApiError', 99999)
    """

    default_errcode = Errcode.SYSTEM_BUSY


class CacheError(WxOcrError, OSError):
    """The result cache cannot be used (locked by another process, unwritable location).
    Raised only by commands about the cache itself; batches warn and run without it.

    Examples
    --------
    >>> from wxocr_pandas import CacheError
    >>> isinstance(CacheError("the cache file is locked"), OSError)
    True
    """

    def _render(self) -> str:
        return self.errmsg


class UsageError(WxOcrError, ValueError):
    """The call itself is wrong (an argument, a setting, a column name).

    Examples
    --------
    >>> from wxocr_pandas import ConfigError, UsageError
    >>> issubclass(ConfigError, UsageError), issubclass(UsageError, ValueError)
    (True, True)
    """

    def _render(self) -> str:
        return self.errmsg


class ConfigError(UsageError):
    """A setting (argument or ``WXOCR_*`` variable) is missing or wrong.

    Examples
    --------
    >>> import wxocr_pandas
    >>> wxocr_pandas.recognize("samples/sign.png", backend="nope")
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.ConfigError: unknown backend 'nope'; choose one of local, wechat or pass a backend object
    """


class ColumnConflictError(UsageError):
    """The input already has a column the result would add; pass ``prefix=``.

    Examples
    --------
    >>> import pandas as pd, wxocr_pandas
    >>> df = pd.DataFrame({"path": ["samples/sign.png"], "text": ["my own column"]})
    >>> df.wxocr.recognize("path")
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.ColumnConflictError: the input already has column(s) ['text']; pass prefix='ocr_' (or another prefix) to name the result columns apart
    """


class TransportError(BackendError):
    """The WeChat server could not be reached or answered an HTTP error (timeout, connection
    refused, 5xx, a non-JSON page). The message names the host, never the token. Retry safe.

    Examples
    --------
    >>> from wxocr_pandas import TransportError
    >>> TransportError("api.weixin.qq.com did not answer in 30 s").errcode
    900006
    """

    default_errcode = Errcode.NETWORK_FAILED


class RetryableApiError(ApiError):
    """WeChat is busy (-1) or the per-minute quota is reached (45011). The backend already
    retried with backoff; retrying later is safe.

    Examples
    --------
    >>> from wxocr_pandas.backends.wechat.errcodes import api_error
    >>> error = api_error(45011)
    >>> type(error).__name__, error.stops_batch
    ('RetryableApiError', False)
    """


class ImageRejectedError(ApiError):
    """WeChat refused this image (too large, malformed upload, URL not fetchable, not
    decodable). Other images are unaffected; retrying the same image will not help.

    Examples
    --------
    >>> from wxocr_pandas.backends.wechat.errcodes import api_error
    >>> str(api_error(45002, image="big.png"))
    "big.png: image over WeChat's 2 MB limit (errcode 45002)"
    """

    default_errcode = Errcode.INVALID_IMAGE_DATA


class QuotaExceededError(ApiError):
    """The daily quota is spent (45009), the bought quota is spent (101003), or the local
    daily budget is reached. No further image of the batch is sent; finished rows are kept.

    Examples
    --------
    >>> from wxocr_pandas.backends.wechat.errcodes import api_error
    >>> error = api_error(45009)
    >>> type(error).__name__, error.stops_batch
    ('QuotaExceededError', True)
    """

    default_errcode = Errcode.DAILY_QUOTA
    stops_batch = True


class AccountConfigError(ApiError, ConfigError):
    """The account's settings are wrong (appid, AppSecret, IP whitelist, API permission). The
    message says what to fix; every further call would fail alike, so the batch stops.

    Examples
    --------
    >>> from wxocr_pandas import ConfigError
    >>> from wxocr_pandas.backends.wechat.errcodes import api_error
    >>> error = api_error(40125)
    >>> type(error).__name__, error.stops_batch, isinstance(error, ConfigError)
    ('AccountConfigError', True, True)
    """

    default_errcode = Errcode.INVALID_APPID
    stops_batch = True
    _render = WxOcrError._render  # rows of a batch still name the image


class AccessTokenError(AccountConfigError):
    """The access token was refused (40001/40014/42001) and refreshing it did not help, or a
    fixed ``access_token`` was refused (it cannot be refreshed without appid and secret).

    Examples
    --------
    >>> from wxocr_pandas.backends.wechat.errcodes import api_error
    >>> type(api_error(42001)).__name__
    'AccessTokenError'
    """

    default_errcode = Errcode.INVALID_CREDENTIAL
