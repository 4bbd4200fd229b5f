"""The persistent result cache: one SQLite file, safe for concurrent processes.

A re-run of the same notebook must not call the backend again (WeChat allows 100 calls a
day), so every successful answer is stored under a key made of the image's content hash,
the backend's ``identity`` (engine and model version, or API base URL and appid) and the
cache format. Keys and rows never hold a token or secret: identities are secret-free by
contract, image labels are redacted, and URLs enter the key only through a one-way hash.

Only answers with ``errcode`` 0 are stored. Errors are not: a missing file may appear, a
busy server may recover, a spent quota comes back tomorrow.

The schema is meant to be read with any SQLite tool::

    CREATE TABLE results (
        key      TEXT PRIMARY KEY,  -- sha256 hex of (image digest, backend identity, format)
        backend  TEXT NOT NULL,     -- the backend identity
        image    TEXT NOT NULL,     -- label of the image first stored (a path, <bytes: 12 B>)
        answer   TEXT NOT NULL,     -- the WeChat-shaped JSON answer
        created  REAL NOT NULL      -- Unix time of storing
    )

The database runs in WAL mode with a busy timeout, so several processes (a notebook and a
``wxocr`` run, Dask workers) can read and write it at once. An entry that no longer parses
is deleted and recognized again; a file that is not a database is replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from .config import resolve_cache_dir
from .images import ImageSource
from .result import OcrResult

#: Name of the database file inside the cache directory.
CACHE_FILE = "results.sqlite3"
#: Bumped when the stored answer format changes, so old entries stop matching.
CACHE_FORMAT = 1
#: Seconds a writer waits for another process's lock before giving up.
BUSY_TIMEOUT = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key      TEXT PRIMARY KEY,
    backend  TEXT NOT NULL,
    image    TEXT NOT NULL,
    answer   TEXT NOT NULL,
    created  REAL NOT NULL
)
"""


def image_digest(source: ImageSource) -> str:
    """sha256 hex of what the image *is*, without decoding it.

    Paths and bytes hash their encoded bytes (so a copy under another name is the same
    image), PIL images and arrays their pixels with mode and shape, and URLs their full
    address: hashing a URL's content would mean downloading it just to look it up, and the
    WeChat backend does not download it at all.

    Raises
    ------
    ImageNotFoundError
        For a path that cannot be read; such an error is reported per image, never cached.

    Examples
    --------
    >>> from wxocr_pandas.images import as_source
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp(), "copy.png")
    >>> _ = path.write_bytes(b"abc")
    >>> image_digest(as_source(b"abc")) == image_digest(as_source(path))
    True
    """
    # A file and its bytes are the same image: both hash as "encoded".
    kind = "encoded" if source.kind in ("path", "bytes") else source.kind
    digest = hashlib.sha256(kind.encode() + b"\0")
    if kind == "encoded":
        digest.update(source.read_bytes())
    elif source.kind in ("url", "fsspec"):  # fsspec: s3://, file:// ... hashed like URLs
        digest.update(source.value.encode())
    elif source.kind == "pil":
        image = source.value
        # Orientation is applied at decode, so it is part of what the image shows.
        orientation = image.getexif().get(0x0112, 1)
        digest.update(f"{image.mode}:{image.size}:{orientation}\0".encode())
        digest.update(image.tobytes())
    else:
        array = np.ascontiguousarray(source.value)
        digest.update(f"{array.dtype.str}:{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def cache_key(digest: str, identity: str) -> str:
    """The cache key of an image digest under a backend identity.

    Examples
    --------
    >>> len(cache_key("0" * 64, "local:x"))
    64
    """
    payload = json.dumps([digest, identity, CACHE_FORMAT])
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    """What ``wxocr cache info`` shows."""

    path: Path
    entries: int
    size_bytes: int
    backends: dict[str, int]


class ResultCache:
    """The result cache in ``cache_dir`` (argument, ``WXOCR_CACHE_DIR``, platform dir).

    Use it as a context manager; the connection belongs to the thread that opened it.

    Examples
    --------
    >>> import tempfile
    >>> from wxocr_pandas import OcrResult
    >>> with ResultCache(tempfile.mkdtemp()) as cache:
    ...     cache.put("k", OcrResult(), backend="demo", image="a.png")
    ...     cache.get_many(["k", "missing"])
    {'k': OcrResult(errcode=0, errmsg='ok', items=(), img_size=None)}
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.path = resolve_cache_dir(cache_dir) / CACHE_FILE
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection (opened, and the file repaired, on first use)."""
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = _connect(self.path)
            except sqlite3.DatabaseError as exc:
                warnings.warn(f"wxocr cache {self.path} is unreadable ({exc}); starting a new one",
                              RuntimeWarning, stacklevel=2)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                self._db = _connect(self.path)
        return self._db

    def close(self) -> None:
        """Close the connection; the cache can be used again afterwards."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_many(self, keys: list[str]) -> dict[str, OcrResult]:
        """The stored answers among ``keys``; an entry that does not parse is deleted."""
        found: dict[str, OcrResult] = {}
        corrupt: list[str] = []
        try:
            # SQLite caps the number of bound parameters per statement.
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                rows = self.db.execute(
                    f"SELECT key, answer FROM results WHERE key IN ({','.join('?' * len(chunk))})",
                    chunk).fetchall()
                for key, answer in rows:
                    try:
                        found[key] = OcrResult.from_json(answer)
                    except (ValueError, KeyError, TypeError, AttributeError):
                        corrupt.append(key)
            if corrupt:
                with self.db:
                    self.db.executemany("DELETE FROM results WHERE key = ?",
                                        [(k,) for k in corrupt])
        except sqlite3.OperationalError as exc:  # locked past the timeout: recognize instead
            _warn_unavailable(self.path, exc)
        return found

    def put(self, key: str, result: OcrResult, *, backend: str, image: str) -> None:
        """Store a successful answer; an error answer is ignored (errors are never cached)."""
        if not result.ok:
            return
        try:
            with self.db:
                self.db.execute(
                    "INSERT OR REPLACE INTO results (key, backend, image, answer, created) "
                    "VALUES (?, ?, ?, ?, ?)", (key, backend, image, result.to_json(), time.time()))
        except sqlite3.OperationalError as exc:  # locked past the timeout: the answer still stands
            _warn_unavailable(self.path, exc)

    def info(self) -> CacheInfo:
        """Location, entry count, size on disk and entries per backend."""
        backends = dict(self.db.execute(
            "SELECT backend, COUNT(*) FROM results GROUP BY backend ORDER BY backend").fetchall())
        size = sum(Path(f"{self.path}{s}").stat().st_size for s in ("", "-wal")
                   if Path(f"{self.path}{s}").exists())
        return CacheInfo(self.path, sum(backends.values()), size, backends)

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        with self.db:
            removed = self.db.execute("DELETE FROM results").rowcount
        self.db.execute("VACUUM")
        return removed


def _warn_unavailable(path: Path, exc: Exception) -> None:
    warnings.warn(f"wxocr cache {path} unavailable ({exc}); continuing without it",
                  RuntimeWarning, stacklevel=3)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        db.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL is durable against application crashes; a lost entry is only a re-run.
        db.execute("PRAGMA synchronous = NORMAL")
        with db:
            db.execute(_SCHEMA)
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db
