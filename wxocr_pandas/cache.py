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
        answer   TEXT NOT NULL,     -- the answer, MessagePack (a BLOB; see below)
        created  REAL NOT NULL      -- Unix time of storing
    )

``answer`` holds the answer as MessagePack: ``[errcode, errmsg, width, height, [texts],
corners, scores, integral]``, with ``corners`` (``n x 8``: ``left_top`` x, y, ... ``left_bottom``
x, y) and ``scores`` (NaN: none) as little-endian float64 bytes. msgspec reads a whole re-run's
answers in one call straight into columns (:class:`~wxocr_pandas.result.ItemColumns`), and the
frame is built from those columns: no Python object per item or corner is made
(``benchmarks/bench_cache.py``). Answers stored by the previous version as JSON text are still
read.

The database runs in WAL mode with a busy timeout, so several processes (a notebook and a
``wxocr`` run, Dask workers) can read and write it at once. The cache never loses data and
never stops a batch:

- **locked** by another process for longer than the busy timeout (``WXOCR_CACHE_TIMEOUT``):
  tried once more, then the batch runs without the cache, with one :class:`CacheWarning`;
  the file is left alone;
- a **corrupt entry** (not JSON, wrong types) is deleted and recognized again;
- a **corrupt file** is moved aside (``results.sqlite3.corrupt-<time>``, never deleted) with
  one warning, and a new cache is started;
- an **unusable location** (read-only, not a directory, ``WXOCR_CACHE_DIR`` naming a file):
  one warning; a readable cache is still read, and the run goes on;
- **no room to write** (a full disk): one warning; nothing more is stored, and the answers
  already cached are still read, also when the disk is too full even to open the file for
  writing.
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
from typing import Any, cast

import msgspec
import numpy as np

from .config import resolve_cache_dir, resolve_cache_timeout
from .errors import CacheError
from .gcpause import cyclic_gc_paused
from .result import ImgSize, Item, ItemColumns, OcrResult

#: Name of the database file inside the cache directory.
CACHE_FILE = "results.sqlite3"
#: Bumped when the stored answer format changes, so old entries stop matching.
CACHE_FORMAT = 2
#: Keys per look-up statement (SQLite caps the number of bound parameters).
_CHUNK = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key      TEXT PRIMARY KEY,
    backend  TEXT NOT NULL,
    image    TEXT NOT NULL,
    answer   TEXT NOT NULL,
    created  REAL NOT NULL
)
"""


def cache_key(digest: str, identity: str) -> str:
    """The cache key of an image digest under a backend identity.

    Examples
    --------
    >>> len(cache_key("0" * 64, "local:x"))
    64
    """
    payload = json.dumps([digest, identity, CACHE_FORMAT])
    return hashlib.sha256(payload.encode()).hexdigest()


class CacheWarning(RuntimeWarning):
    """The result cache could not be used as asked (locked, damaged, unwritable); the run
    went on without it, or with a fresh one. Shown once per batch.

    Examples
    --------
    >>> import warnings
    >>> from wxocr_pandas import CacheWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", CacheWarning)   # run uncached without a word
    ...     issubclass(CacheWarning, RuntimeWarning)
    True
    """


@dataclass(frozen=True)
class CacheInfo:
    """What ``wxocr cache info`` shows."""

    path: Path
    entries: int
    size_bytes: int
    backends: dict[str, int]


def _problem(exc: sqlite3.Error) -> str:
    """``"locked"``, ``"corrupt"``, ``"full"`` (no room to write: a full disk, a file size
    limit, a write the disk refused) or ``"unusable"``: what an SQLite error says about the
    file."""
    name = getattr(exc, "sqlite_errorname", "")  # Python 3.11+
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "locked"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text \
            or "not a database" in text:
        return "corrupt"
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")) or "disk is full" in text \
            or "disk i/o error" in text:
        return "full"
    return "unusable"


class ResultCache:
    """The result cache in ``cache_dir`` (argument, ``WXOCR_CACHE_DIR``, platform dir).

    Use it as a context manager; the connection belongs to the thread that opened it. A
    cache that cannot be used warns once (:class:`CacheWarning`) and then answers nothing
    and stores nothing: it never stops a batch. Only :meth:`info` and :meth:`clear`, which
    are about the cache itself, raise :class:`~wxocr_pandas.errors.CacheError`.

    Parameters
    ----------
    cache_dir
        The directory of the cache file.
    busy_timeout
        Seconds to wait for another process's lock (``WXOCR_CACHE_TIMEOUT``, default 30).

    Examples
    --------
    >>> import tempfile
    >>> from wxocr_pandas import OcrResult
    >>> with ResultCache(tempfile.mkdtemp()) as cache:
    ...     cache.put("k", OcrResult(), backend="demo", image="a.png")
    ...     cache.get_many(["k", "missing"])
    {'k': OcrResult(errcode=0, errmsg='ok', items=(), img_size=None)}
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None, *,
                 busy_timeout: float | None = None) -> None:
        self.path = resolve_cache_dir(cache_dir) / CACHE_FILE
        self.busy_timeout = resolve_cache_timeout(busy_timeout)
        #: Why the cache is off for this run (None while it works).
        self.unavailable: str | None = None
        self.read_only = False
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; the cache can be used again afterwards."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_many(self, keys: list[str]) -> dict[str, OcrResult]:
        """The stored answers among ``keys``; an entry that does not parse is deleted."""
        found: dict[str, OcrResult] = {}
        rows = self._attempt(lambda db: [row for start in range(0, len(keys), _CHUNK)
                                         for row in _select(db, keys[start:start + _CHUNK])])
        corrupt = []
        for (key, answer), result in zip(rows or (), _parse([answer for _, answer in rows or ()])):
            if result is None:
                corrupt.append((key,))
            else:
                found[key] = result
        if corrupt and not self.read_only:
            self._attempt(lambda db: _write(db, "DELETE FROM results WHERE key = ?", corrupt))
        return found

    def put(self, key: str, result: OcrResult, *, backend: str, image: str) -> None:
        """Store a successful answer; an error answer is ignored (errors are never cached)."""
        if not result.ok or self.read_only:
            return
        row = (key, backend, image, _encode(result), time.time())
        self._attempt(lambda db: _write(db, "INSERT OR REPLACE INTO results (key, backend, "
                                            "image, answer, created) VALUES (?, ?, ?, ?, ?)",
                                        [row]))

    def info(self) -> CacheInfo:
        """Location, entry count, size on disk and entries per backend."""
        backends = self._required(lambda db: dict(db.execute(
            "SELECT backend, COUNT(*) FROM results GROUP BY backend ORDER BY backend").fetchall()))
        size = sum(Path(f"{self.path}{s}").stat().st_size for s in ("", "-wal")
                   if Path(f"{self.path}{s}").exists())
        return CacheInfo(self.path, sum(backends.values()), size, backends)

    def clear(self) -> int:
        """Delete every entry; returns how many there were. A damaged file is moved aside
        (and counts as 0)."""
        removed = self._required(lambda db: _write(db, "DELETE FROM results", [()]))
        self._required(lambda db: db.execute("VACUUM"))
        return removed

    def _required(self, action):
        """``action(db)``, raising :class:`CacheError` if the cache cannot be used."""
        outcome = self._attempt(action)
        if self.unavailable is not None:
            raise CacheError(f"the result cache {self.path} {self.unavailable}")
        return outcome

    def _attempt(self, action):
        """``action(db)``, or None when the cache is unavailable. Locked: one more try after
        the busy timeout; corrupt: the file is moved aside and a new one started (never one
        only read); not writable, or no room to write (a full disk): opened read-only if the
        file is there, and an open cache that cannot store any more keeps being read."""
        for attempt in range(3):
            if self.unavailable is not None:
                return None
            try:
                return action(self._connection())
            except OSError as exc:  # not a directory, no permission, read-only file system
                self._give_up("unusable", exc)
            except sqlite3.Error as exc:
                problem = _problem(exc)
                if problem == "corrupt" and attempt < 2 and not self.read_only:
                    self._move_aside(exc)
                elif problem == "locked" and attempt == 0:
                    continue
                elif problem == "full" and self._db is not None and not self.read_only:
                    self._stop_storing(exc)
                    return None
                elif problem in ("unusable", "full") and self._db is None \
                        and self.path.is_file():
                    self._open_read_only(exc)
                else:
                    self._give_up(problem, exc)
        return None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = _connect(self.path, self.busy_timeout)
        return self._db

    def _open_read_only(self, exc: Exception) -> None:
        """Open the file only to read it. Where even that cannot create the WAL index (a
        full disk), it is read as immutable: without locks, which for a cache costs at
        worst an answer another process stores meanwhile."""
        uri = self.path.resolve().as_uri()
        for query in ("mode=ro", "mode=ro&immutable=1"):
            try:
                self._db = sqlite3.connect(f"{uri}?{query}", uri=True, timeout=self.busy_timeout)
                self._db.execute("SELECT COUNT(*) FROM results LIMIT 1")
                break
            except sqlite3.Error:
                self.close()
        else:
            self._give_up("unusable", exc)
            return
        self.read_only = True
        _warn(f"wxocr cache {self.path} is read-only ({exc}): cached answers are used, new "
              "ones are not stored")

    def _stop_storing(self, exc: Exception) -> None:
        """A write found no room (a full disk): keep reading the cache, store nothing more."""
        self.read_only = True
        _warn(f"wxocr cache {self.path} cannot store answers ({exc}): cached answers are "
              "still used, new ones are not stored")

    def _move_aside(self, exc: Exception) -> None:
        """Keep a damaged file under another name (it may still hold answers someone wants)."""
        self.close()
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                part.replace(f"{aside}{suffix}")
        _warn(f"wxocr cache {self.path} is damaged ({exc}): moved aside to {aside.name}; "
              "a new cache is started")

    def _give_up(self, problem: str, exc: Exception) -> None:
        self.close()
        reason = {"locked": f"is locked by another process for over {self.busy_timeout:g} s",
                  "corrupt": "is damaged and could not be replaced",
                  "unusable": "cannot be opened"}[problem]
        self.unavailable = f"{reason} ({exc})"
        _warn(f"wxocr cache {self.path} {self.unavailable}: this run continues without the "
              "cache; the file is left as it is")


def _select(db: sqlite3.Connection, keys: list[str]) -> list[tuple[str, str]]:
    return db.execute(f"SELECT key, answer FROM results WHERE key IN ({','.join('?' * len(keys))})",
                      keys).fetchall()


def _write(db: sqlite3.Connection, statement: str, rows: list[tuple]) -> int:
    with db:
        return db.executemany(statement, rows).rowcount


class _Stored(msgspec.Struct, array_like=True, gc=False):
    """How an answer is stored (MessagePack): its items as columns, corners and scores as
    raw float64 bytes (see :class:`~wxocr_pandas.result.ItemColumns`)."""

    errcode: int
    errmsg: str
    width: int  # -1: no img_size
    height: int
    texts: list[str]
    corners: bytes  # n x 8 float64
    scores: bytes  # n float64, NaN: no score
    integral: bytes  # which corner values are integers: b"" none, b"\x01" all, else n x 8 bytes


def _encode(result: OcrResult) -> bytes:
    columns = ItemColumns.of(result.items)
    size = result.img_size
    return _MSGPACK.encode(_Stored(
        result.errcode, result.errmsg, -1 if size is None else size.w,
        -1 if size is None else size.h, list(columns.texts), columns.corner_bytes,
        columns.score_bytes, _mask(columns.integral)))


def _mask(integral: bool | np.ndarray) -> bytes:
    if isinstance(integral, np.ndarray):
        return integral.astype(np.uint8).tobytes()
    return b"\x01" if integral else b""


def _parse(answers: list[str | bytes]) -> list[OcrResult | None]:
    """Stored answers as results, None for an entry that does not parse or has wrong types.

    Answers stored by this version are MessagePack (``bytes``), all decoded in one msgspec
    call into columns without a Python object per item or corner. Answers stored by the
    previous version (JSON text of the result model) are still read, so none is recomputed
    (a WeChat answer would spend quota again).
    """
    parsed: list[OcrResult | None] = [None] * len(answers)
    stored = [n for n, answer in enumerate(answers) if isinstance(answer, bytes)]
    text = [n for n, answer in enumerate(answers) if not isinstance(answer, bytes)]
    with cyclic_gc_paused():
        for n, result in zip(stored, _parse_stored([answers[n] for n in stored])):
            parsed[n] = result
        for n, result in zip(text, _parse_json([answers[n] for n in text])):
            parsed[n] = result
    return parsed


def _parse_stored(blobs: list[bytes]) -> list[OcrResult | None]:
    if not blobs:
        return []
    # One MessagePack array of them all (array 32 header): one decoder call.
    joined = b"\xdd" + len(blobs).to_bytes(4, "big") + b"".join(blobs)
    rows = _decode_all(_MSGPACK_MANY, _MSGPACK_ONE, joined, blobs)
    return [None if row is None else _result(row) for row in rows]


def _result(row: _Stored) -> OcrResult | None:
    count = len(row.texts)
    if (len(row.corners) != 64 * count or len(row.scores) != 8 * count
            or len(row.integral) not in (0, 1, 8 * count)):
        return None
    integral: bool | np.ndarray = row.integral == b"\x01"
    if len(row.integral) > 1:
        integral = np.frombuffer(row.integral, dtype=np.uint8).reshape(count, 8).astype(bool)
    size = None if row.width < 0 else ImgSize(row.width, row.height)
    # ItemColumns stands for the tuple of items (the field's declared type).
    items = cast("tuple[Item, ...]", ItemColumns(row.texts, row.corners, row.scores, integral))
    return OcrResult(row.errcode, row.errmsg, items, size)


def _parse_json(answers: list[str]) -> list[OcrResult | None]:
    """Answers stored as the JSON of the result model, by the previous version."""
    if not answers:
        return []
    return _decode_all(_JSON_MANY, _JSON_ONE, f"[{','.join(answers)}]", answers)


def _decode_all(many: Any, one: Any, joined: str | bytes, answers: list[Any]) -> list[Any]:
    """``answers`` decoded by ``many`` in one call on ``joined`` (their array); when one entry
    is bad, each decoded by ``one`` alone, None for the bad ones."""
    try:
        return many.decode(joined)
    except (msgspec.DecodeError, ValueError):  # one bad entry: find it
        decoded: list[Any] = []
        for answer in answers:
            try:
                decoded.append(one.decode(answer))
            except (msgspec.DecodeError, ValueError):
                decoded.append(None)
        return decoded


_MSGPACK = msgspec.msgpack.Encoder()
_MSGPACK_MANY = msgspec.msgpack.Decoder(list[_Stored])
_MSGPACK_ONE = msgspec.msgpack.Decoder(_Stored)
_JSON_MANY = msgspec.json.Decoder(list[OcrResult])
_JSON_ONE = msgspec.json.Decoder(OcrResult)


def _warn(message: str) -> None:
    warnings.warn(message, CacheWarning, stacklevel=2)


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=busy_timeout)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL is durable against application crashes; a lost entry is only a re-run.
        db.execute("PRAGMA synchronous = NORMAL")
        with db:
            db.execute(_SCHEMA)
    except sqlite3.Error:
        db.close()
        raise
    return db
