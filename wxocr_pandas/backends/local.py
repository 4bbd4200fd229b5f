"""The embedded default backend: RapidOCR (PP-OCR ONNX models bundled in its wheel).

The engine loads lazily, once per process and parameter set, and is shared read-only:
options are fixed at construction (RapidOCR keeps per-call options on the engine, so a
per-call option would leak into the next call). Nothing is downloaded.

Around the engine, :mod:`.reading` reads turned pages upright, tight crops and very long
images (see there for what each repair does and costs). Every call reaches the engine through
:class:`~.engine_input.BoundedEngine` (:meth:`LocalBackend.engine_for`), which keeps what its
models are handed bounded however thin or long the image (a 1000 x 1 strip is no 225 M-pixel
detector input).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import numpy as np

from ..config import setting
from ..errors import BackendError, ConfigError
from ..images import ImageSource, decode_reduced
from ..result import ImgSize, Item, OcrResult, Point
from .base import Parallelism
from .engine_input import BoundedEngine
from .reading import ENGINE_MAX_SIDE, READING_VERSION, TILE_MIN_ASPECT, read

_engine_lock = threading.Lock()
#: The parameter sets whose engine this process has built.
_loaded: set[tuple[tuple[str, Any], ...]] = set()


def _freeze(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(params.items()))


#: OpenVINO CPU properties that rapidocr's configuration cannot pass. The CPU plugin keeps
#: compiled kernels for every input shape it has seen, up to 5000 by default, so a worker
#: grew with every distinct image size; 300 keeps it flat at the same speed (measured: see
#: docs/performance.md#observations).
OPENVINO_CPU_PROPERTIES = {"CPU_RUNTIME_CACHE_CAPACITY": "300"}


@contextlib.contextmanager
def _openvino_properties() -> Iterator[None]:
    """While an engine is built, add :data:`OPENVINO_CPU_PROPERTIES` to the CPU properties
    rapidocr sets from its own configuration (it has no key for them)."""
    from rapidocr.inference_engine.openvino.device_config import CPUConfig

    own = CPUConfig.get_config

    def get_config(self: Any) -> dict[str, Any]:
        return {**own(self), **OPENVINO_CPU_PROPERTIES}

    CPUConfig.get_config = get_config  # type: ignore[method-assign]
    try:
        yield
    finally:
        CPUConfig.get_config = own  # type: ignore[method-assign]


class SharedEngine:
    """A RapidOCR engine that the threads of one process may share: they take turns.

    An engine keeps state per call (OpenVINO's infer requests answer "Infer Request is
    busy" to a second thread, and a page read by two threads at once got the other page's
    text), so each call holds the engine's lock. Threads of one process (a notebook's, a
    Dask worker's, a server's) therefore read one image at a time per engine; batches read
    in parallel in worker processes, each with its own engine.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        #: The engine's configuration (what :mod:`.engine_input` reads its limits from).
        self.cfg = engine.cfg
        self._lock = threading.Lock()

    def __call__(self, image: Any) -> Any:
        with self._lock:
            return self.engine(image)


#: The models an engine uses, by the flag that turns each on and the RapidOCR method that
#: builds it.
_MODELS = (("use_det", "_load_det_model"), ("use_cls", "_load_cls_model"),
           ("use_rec", "_load_rec_model"))


def _build_models(engine: Any) -> None:
    """Build the engine's models now, while :func:`_openvino_properties` is in force.

    rapidocr 3.10 builds each model on its first use, after ``RapidOCR()`` has returned: the
    properties would never reach OpenVINO, and the first image would pay for compiling the
    models. Versions that build them in ``RapidOCR()`` have no such methods (nothing to do).
    """
    for flag, method in _MODELS:
        if getattr(engine, flag, False) and hasattr(engine, method):
            getattr(engine, method)()


@functools.lru_cache(maxsize=8)
def _load(frozen: tuple[tuple[str, Any], ...]) -> SharedEngine:
    from rapidocr import EngineType, RapidOCR

    # Backends keep plain values (picklable, free of rapidocr objects); RapidOCR wants enums.
    params = {key: EngineType(value) if key.endswith(".engine_type") else value
              for key, value in frozen}
    uses_openvino = EngineType.OPENVINO in params.values()
    # RapidOCR sets its own logger's level from "Global.log_level" (the backend's "error":
    # no INFO lines on creation, no WARNING per image without text in a notebook).
    with _openvino_properties() if uses_openvino else contextlib.nullcontext():
        engine = RapidOCR(params=params)
        _build_models(engine)
    _loaded.add(frozen)
    return SharedEngine(engine)


def load_engine(params: Mapping[str, Any]) -> SharedEngine:
    """The process-wide RapidOCR engine for ``params``, built on first use (threads may
    share it: see :class:`SharedEngine`).

    Examples
    --------
    >>> from wxocr_pandas.backends.local import load_engine
    >>> load_engine({"Global.log_level": "error"}) is load_engine({"Global.log_level": "error"})
    True
    """
    with _engine_lock:
        return _load(_freeze(params))


@functools.lru_cache(maxsize=8)
def _bounded(frozen: tuple[tuple[str, Any], ...]) -> BoundedEngine:
    return BoundedEngine(_load(frozen))


def engine_cache_info() -> Any:
    """How many engines this process has built (``misses``) and holds (``currsize``): one
    per parameter set in use (the page-orientation check adds one), at most ``maxsize``.

    Examples
    --------
    >>> info = engine_cache_info()
    >>> info.maxsize, info.misses >= info.currsize
    (8, True)
    """
    return _load.cache_info()


#: Inference runtimes for the bundled ONNX models, fastest first. OpenVINO reads the same
#: files as onnxruntime and runs them faster on CPU (measured: see
#: docs/performance.md#bench_speed).
RUNTIMES: tuple[str, ...] = ("openvino", "onnxruntime")
Runtime = Literal["auto", "openvino", "onnxruntime"]


@functools.lru_cache(maxsize=1)
def default_runtime() -> str:
    """The fastest installed runtime: OpenVINO where its wheel is installed, else onnxruntime.

    Examples
    --------
    >>> default_runtime() in RUNTIMES
    True
    """
    from importlib.util import find_spec

    return next((name for name in RUNTIMES if find_spec(name) is not None), "onnxruntime")


def runtime_params(runtime: str, threads: int | None) -> dict[str, Any]:
    """RapidOCR parameters that run detection, classification and recognition on ``runtime``
    with ``threads`` inference threads (None: the runtime's default, all cores).

    OpenVINO's CPU pinning stays off: with it on, every worker process pins its threads to
    the same cores, and two workers ran at half the speed of one (engine notes).

    Examples
    --------
    >>> runtime_params("openvino", 1)["EngineConfig.openvino.inference_num_threads"]
    1
    """
    params: dict[str, Any] = {f"{model}.engine_type": runtime for model in ("Det", "Cls", "Rec")}
    if runtime == "openvino":
        params["EngineConfig.openvino.enable_cpu_pinning"] = False
        if threads is not None:
            params["EngineConfig.openvino.inference_num_threads"] = int(threads)
    elif threads is not None:
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = int(threads)
        params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
    return params


def engine_version(runtime: str = "onnxruntime") -> str:
    """The installed rapidocr and runtime versions, for cache keys and reports.

    Examples
    --------
    >>> engine_version("onnxruntime").startswith("rapidocr-")
    True
    """
    from importlib.metadata import version

    return f"rapidocr-{version('rapidocr')}+{runtime}-{version(runtime)}"


class LocalBackend:
    """Recognize with the bundled PP-OCR models through RapidOCR.

    A :class:`~wxocr_pandas.backends.base.ProcessBackend`: batches run it in worker
    processes, each with one inference thread (:meth:`for_worker`).

    Parameters
    ----------
    threads
        Inference threads per engine (``None``: the runtime's default, all cores). Use 1 in
        worker processes.
    runtime
        ``"openvino"``, ``"onnxruntime"`` or ``"auto"`` (default; env ``WXOCR_RUNTIME``): the
        fastest installed one, see :func:`default_runtime`. Both read the same bundled models;
        their answers can differ in the last pixel of a box.
    text_score
        Recognitions with a lower confidence are dropped, after the repairs of :mod:`.reading`
        (which re-read a low-scored line that is upside down).
    params
        Further RapidOCR parameters (``{"Det.box_thresh": 0.6}``), fixed for this backend.
        ``{"Global.use_cls": True}`` brings back the engine's per-line direction classifier,
        which is off by default (it misreads long lines; see :mod:`.reading`).
    line_fallback
        Read a short image (a tight crop of a word or line) also padded with its border colour
        and as one line, and keep the most confident reading (:func:`.reading.read_tight`).
    orientation
        Read a page turned 90, 180 or 270 degrees upright (:func:`.reading.page_turns`).
    tile
        Read a very long image (a strip, a tall receipt) in overlapping tiles
        (:func:`.reading.read_tiled`).

    Examples
    --------
    >>> from wxocr_pandas import LocalBackend
    >>> from wxocr_pandas.images import as_source
    >>> result = LocalBackend().recognize(as_source("samples/sign.png"))
    >>> result.errcode, result.img_size is not None
    (0, True)
    """

    name = "local"
    parallelism: Parallelism = "process"

    def __init__(self, *, threads: int | None = None, text_score: float = 0.5,
                 params: Mapping[str, Any] | None = None, line_fallback: bool = True,
                 orientation: bool = True, tile: bool = True,
                 runtime: Runtime | None = None) -> None:
        chosen = str(setting("runtime", runtime, "auto")).strip().lower()
        if chosen not in ("auto", *RUNTIMES):
            raise ConfigError(f"runtime (WXOCR_RUNTIME) must be auto, {', '.join(RUNTIMES)}; "
                              f"not {chosen!r}")
        self.runtime = default_runtime() if chosen == "auto" else chosen
        self.threads = threads
        self.text_score = text_score
        self.line_fallback = line_fallback
        self.orientation = orientation
        self.tile = tile
        # The engine's per-line direction classifier is off: it turns long upright lines
        # upside down; the page-orientation check replaces it. And the engine keeps every
        # line it reads: text_score applies after the repairs (see .reading).
        self.params: dict[str, Any] = {"Global.log_level": "error", "Global.use_cls": False,
                                       "Global.text_score": 0.0,
                                       **runtime_params(self.runtime, threads)}
        self.params.update(params or {})

    def with_threads(self, threads: int) -> LocalBackend:
        """A copy with every option kept but ``threads`` inference threads (for workers).

        Examples
        --------
        >>> from wxocr_pandas import LocalBackend
        >>> copy = LocalBackend(text_score=0.8, line_fallback=False).with_threads(1)
        >>> copy.identity == LocalBackend(text_score=0.8, line_fallback=False).identity
        True
        """
        clone = copy.copy(self)
        clone.threads = threads
        clone.params = {**self.params, **runtime_params(self.runtime, threads)}
        return clone

    def __repr__(self) -> str:
        return (f"LocalBackend(threads={self.threads!r}, text_score={self.text_score!r}, "
                f"runtime={self.runtime!r}, line_fallback={self.line_fallback!r}, "
                f"orientation={self.orientation!r}, tile={self.tile!r})")

    @property
    def identity(self) -> str:
        """Engine version and every parameter that can change the answers."""
        answer_params = {k: v for k, v in self.params.items()
                         if k != "Global.log_level" and not k.startswith("EngineConfig.")}
        return (f"local:{engine_version(self.runtime)}:{sorted(answer_params.items())}"
                f":reading-{READING_VERSION}:text_score={self.text_score}"
                f":line_fallback={self.line_fallback}"
                f":orientation={self.orientation}:tile={self.tile}")

    def for_worker(self) -> LocalBackend:
        """The copy a worker process runs: one inference thread, as the workers share the
        cores (measured against one process with all threads: see
        docs/performance.md#observations).

        Examples
        --------
        >>> LocalBackend().for_worker().threads
        1
        """
        return self.with_threads(1)

    def loaded(self) -> bool:
        """True when this process has already built this backend's plain engine.

        Examples
        --------
        >>> LocalBackend(params={"Det.box_thresh": 0.61}).loaded()
        False
        """
        with _engine_lock:
            return _freeze(self.params) in _loaded

    def engine_for(self, extra: Mapping[str, Any]) -> BoundedEngine:
        """The shared engine for this backend's parameters updated with ``extra``, behind
        the guard that bounds what its models are handed (:mod:`.engine_input`)."""
        with _engine_lock:
            return _bounded(_freeze({**self.params, **extra}))

    def recognize(self, source: ImageSource) -> OcrResult:
        """Recognize one image; corners are in pixels of the (EXIF-upright) original.

        A JPEG of twice :data:`~.reading.ENGINE_MAX_SIDE` or more (a phone photo, a scan at
        300 dpi) is decoded reduced, to no less than that: the engine shrinks it to that
        size anyway, so the answer is the same and the full-size pixels are never decoded
        (not for strips, which are read in tiles at full size).
        """
        decoded = decode_reduced(source, reduce_to=ENGINE_MAX_SIDE,
                                 longest_aspect=TILE_MIN_ASPECT if self.tile else math.inf)
        image = decoded.image
        bgr = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
        try:
            output = read(bgr, self.engine_for, orientation=self.orientation,
                          line_fallback=self.line_fallback, tile=self.tile,
                          text_score=self.text_score)
        except Exception as exc:  # the engine's own errors carry no errcode: wrap, keep cause
            # Some put a whole traceback in their message: its last line says what happened.
            reason = (str(exc).strip().splitlines() or [""])[-1]
            raise BackendError(f"local engine failed: {type(exc).__name__}: {reason}",
                               image=source.label) from exc
        width, height = decoded.full_size
        if (width, height) != image.size:
            output = output.scaled(width / image.width, height / image.height)
        return to_result(output, width, height)


def to_result(output: Any, width: int, height: int) -> OcrResult:
    """Convert a ``RapidOCROutput`` to the WeChat-shaped result."""
    size = ImgSize(width, height)
    if output.boxes is None or output.txts is None:
        return OcrResult(img_size=size)
    boxes = np.asarray(output.boxes, dtype=float).tolist()
    scores = output.scores if output.scores is not None else [None] * len(output.txts)
    items = tuple(
        Item(text, *(Point(x, y) for x, y in box), score=None if score is None else float(score))
        for box, text, score in zip(boxes, output.txts, scores)
    )
    return OcrResult(items=items, img_size=size)
