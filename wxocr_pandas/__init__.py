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
from .api import compare, recognize, recognize_frame, recognize_series
from .backends import Backend, LocalBackend, WeChatBackend
from .backends.wechat.quota import QuotaWarning
from .cache import CacheWarning, ResultCache
from .errors import (
    AccessTokenError,
    AccountConfigError,
    ApiError,
    BackendError,
    CacheError,
    ColumnConflictError,
    ConfigError,
    DownloadError,
    Errcode,
    ImageNotFoundError,
    ImageRejectedError,
    ImageTooLargeError,
    InputError,
    InvalidImageError,
    MissingInputError,
    PageLimitError,
    ProtectedDocumentError,
    QuotaExceededError,
    RetryableApiError,
    TransportError,
    UnsupportedInputError,
    UsageError,
    WorkerDiedError,
    WxOcrError,
)
from .evaluate import evaluate, plot_comparison
from .export import read_jsonl, read_results, to_jsonl, write_results
from .alto import to_alto
from .hocr import read_hocr, to_hocr
from .matching import match_items, plot_matches
from .outputs import ExportWarning
from .searchable import to_pdf
from .plotting import layout_text, plot_grid, plot_overlay, plot_side_by_side
from .result import ImgSize, Item, OcrResult, Point
from .schema import RESULT_COLUMNS, Schema, rows_per_image, schema_of, with_schema
from .stream import recognize_iter, recognize_to_parquet
from .workers import shutdown_workers

__version__ = "0.1.0"
"""The package's version.

Examples
--------
>>> import wxocr_pandas
>>> wxocr_pandas.__version__
'0.1.0'
"""

# Grouped as the documentation is.
__all__ = [
    # Recognizing
    "recognize", "recognize_frame", "recognize_series", "recognize_iter",
    "recognize_to_parquet",
    # The answer and the frame
    "OcrResult", "Item", "Point", "ImgSize", "RESULT_COLUMNS", "Schema", "schema_of",
    "with_schema", "rows_per_image",
    # Reading and writing results
    "read_jsonl", "read_results", "to_jsonl", "write_results", "to_pdf", "to_hocr",
    "to_alto", "read_hocr",
    # Evaluation and comparison
    "evaluate", "compare", "plot_comparison", "match_items", "plot_matches",
    # Visual QA
    "plot_overlay", "plot_grid", "plot_side_by_side", "layout_text", "Inspector",
    # Backends, cache and workers
    "Backend", "LocalBackend", "WeChatBackend", "ResultCache", "shutdown_workers",
    # Errors and warnings
    "WxOcrError", "Errcode", "UsageError", "ColumnConflictError", "ConfigError",
    "InputError", "MissingInputError", "UnsupportedInputError", "ImageNotFoundError",
    "InvalidImageError", "ImageTooLargeError", "ProtectedDocumentError", "PageLimitError",
    "DownloadError",
    "BackendError", "WorkerDiedError", "TransportError", "ApiError", "RetryableApiError",
    "AccessTokenError", "AccountConfigError", "ImageRejectedError", "QuotaExceededError",
    "CacheError", "CacheWarning", "QuotaWarning", "ExportWarning",
    "__version__",
]


def __getattr__(name: str):
    # ipywidgets is heavy: the Inspector is imported on first use, not with the package.
    if name == "Inspector":
        from .widgets import Inspector

        return Inspector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
