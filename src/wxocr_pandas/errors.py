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
    │   ├── InvalidImageError       not a decodable image
    │   ├── ImageTooLargeError      over the pixel guard or the download cap
    │   └── DownloadError           an http(s) image could not be fetched; a retry may help
    ├── BackendError                the backend failed on a readable image
    │   └── ApiError                the WeChat API answered with a non-zero errcode
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
    CONTENT_SIZE_OUT_OF_LIMIT = 45002
    DAILY_QUOTA = 45009
    INVALID_IMAGE_URL = 101000
    INVALID_IMAGE_DATA = 101002
    MISSING_INPUT = 900001
    FILE_NOT_FOUND = 900002
    UNSUPPORTED_INPUT = 900003
    IMAGE_TOO_LARGE = 900004
    ENGINE_FAILED = 900005


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


class ImageTooLargeError(InputError):
    """The image exceeds the decompression-bomb guard or the download size cap."""

    default_errcode = Errcode.IMAGE_TOO_LARGE


class DownloadError(InputError):
    """An http(s) image could not be downloaded (WeChat's 101000). A retry may help."""

    default_errcode = Errcode.INVALID_IMAGE_URL


class BackendError(WxOcrError):
    """The backend failed on a readable image."""

    default_errcode = Errcode.ENGINE_FAILED


class ApiError(BackendError):
    """The WeChat API answered with a non-zero errcode."""

    default_errcode = Errcode.SYSTEM_BUSY


class UsageError(WxOcrError, ValueError):
    """The call itself is wrong (an argument, a setting, a column name)."""

    def _render(self) -> str:
        return self.errmsg


class ConfigError(UsageError):
    """A setting (argument or ``WXOCR_*`` variable) is missing or wrong."""


class ColumnConflictError(UsageError):
    """The input already has a column the result would add; pass ``prefix=``."""
