"""wxocr-pandas: WeChat printed-text OCR (``ocr.printedText``) for pandas and Jupyter.

Importing registers the ``.wxocr`` accessors on DataFrame and Series; nothing heavy is
loaded and no network is touched until first use.

Examples
--------
>>> import pandas as pd, wxocr_pandas
>>> out = pd.DataFrame({"path": ["samples/sign.png"]}).wxocr.recognize("path")
>>> out["errcode"].unique().tolist()
[0]
"""

from . import accessor as _accessor  # noqa: F401  (registers .wxocr)
from .api import recognize, recognize_frame, recognize_series
from .backends import Backend, LocalBackend
from .errors import (
    ApiError,
    BackendError,
    ColumnConflictError,
    ConfigError,
    DownloadError,
    Errcode,
    ImageNotFoundError,
    ImageTooLargeError,
    InputError,
    InvalidImageError,
    MissingInputError,
    UnsupportedInputError,
    UsageError,
    WxOcrError,
)
from .frame import RESULT_COLUMNS
from .result import ImgSize, Item, OcrResult, Point

__version__ = "0.1.0"

__all__ = [
    "ApiError", "Backend", "BackendError", "ColumnConflictError", "ConfigError", "DownloadError", "Errcode",
    "ImageNotFoundError", "ImageTooLargeError", "ImgSize", "InputError", "InvalidImageError",
    "Item", "LocalBackend", "MissingInputError", "OcrResult", "Point", "RESULT_COLUMNS",
    "UnsupportedInputError", "UsageError", "WxOcrError", "recognize", "recognize_frame", "recognize_series",
    "__version__",
]
