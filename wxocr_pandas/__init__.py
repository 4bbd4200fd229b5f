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
from .backends import Backend, LocalBackend, WeChatBackend
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
    ProtectedDocumentError,
    QuotaExceededError,
    RetryableApiError,
    TransportError,
    UnsupportedInputError,
    UsageError,
    WorkerDiedError,
    WxOcrError,
)
from .schema import RESULT_COLUMNS, Schema, rows_per_image, schema_of, with_schema
from .evaluate import compare, evaluate, plot_comparison
from .matching import match_items, plot_matches
from .export import read_jsonl, read_results, to_jsonl, write_results
from .outputs import ExportWarning
from .hocr import read_hocr, to_hocr
from .alto import to_alto
from .searchable import to_pdf
from .plotting import layout_text, plot_grid, plot_overlay, plot_side_by_side
from .quota import QuotaWarning
from .result import ImgSize, Item, OcrResult, Point
from .cache import CacheWarning, ResultCache
from .stream import recognize_iter, recognize_to_parquet
from .workers import shutdown_workers

__version__ = "0.1.0"

__all__ = [
    "ApiError", "Backend", "BackendError", "ColumnConflictError", "ConfigError", "DownloadError", "Errcode",
    "ImageNotFoundError", "ImageTooLargeError", "ImgSize", "InputError", "InvalidImageError",
    "Item", "LocalBackend", "MissingInputError", "OcrResult", "ProtectedDocumentError", "Point", "RESULT_COLUMNS",
    "UnsupportedInputError", "UsageError", "WxOcrError", "recognize", "recognize_frame", "recognize_series",
    "__version__",
    "compare", "evaluate", "plot_comparison", "read_jsonl", "read_results", "to_jsonl",
    "write_results", "Schema", "rows_per_image", "schema_of", "with_schema",
    "ResultCache", "recognize_iter", "recognize_to_parquet",
    "AccessTokenError", "AccountConfigError", "ImageRejectedError", "QuotaExceededError",
    "QuotaWarning", "RetryableApiError", "TransportError", "WeChatBackend",
    "Inspector", "layout_text", "match_items", "plot_matches", "plot_grid", "plot_overlay", "plot_side_by_side",
    "WorkerDiedError", "shutdown_workers", "CacheError", "CacheWarning",
    "ExportWarning", "read_hocr", "to_alto", "to_hocr", "to_pdf",
]


def __getattr__(name: str):
    # ipywidgets is heavy: the Inspector is imported on first use, not with the package.
    if name == "Inspector":
        from .widgets import Inspector

        return Inspector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
