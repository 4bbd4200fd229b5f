"""The result model: the WeChat ``ocr.printedText`` answer as frozen dataclasses.

Every backend returns an :class:`OcrResult`; the DataFrame code consumes it. It reads the
documented JSON (snake_case: ``errcode``, ``img_size``, ``left_top``) and the cloud-function
spelling, in which every key is camelCase (``errCode``, ``errMsg``, ``imgSize``, ``leftTop``,
``rightTop``, ``rightBottom``, ``leftBottom``), and writes either one back exactly. The only
addition is an optional per-item ``score`` (engine confidence), written only when known.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import numpy as np

from .errors import Errcode, WxOcrError

#: The four corners in the order WeChat writes them.
CORNERS: tuple[str, ...] = ("left_top", "right_top", "right_bottom", "left_bottom")

_CAMEL = {"errcode": "errCode", "errmsg": "errMsg", "img_size": "imgSize"}
_CAMEL_CORNERS = {"left_top": "leftTop", "right_top": "rightTop",
                  "right_bottom": "rightBottom", "left_bottom": "leftBottom"}

Number = int | float
Spelling = Literal["snake", "camel"]


@dataclass(frozen=True, slots=True)
class Point:
    """A corner in pixels of the original image.

    Examples
    --------
    >>> from wxocr_pandas import Point
    >>> Point(10, 20.5)
    Point(x=10, y=20.5)
    """

    x: Number
    y: Number


@dataclass(frozen=True, slots=True)
class Item:
    """One recognized text and its quadrilateral (``left_top`` ... ``left_bottom``).

    Examples
    --------
    >>> from wxocr_pandas import Item, Point
    >>> item = Item("合计", Point(0, 0), Point(40, 0), Point(40, 20), Point(0, 20), score=0.99)
    >>> item.text, item.corners[2]
    ('合计', Point(x=40, y=20))
    """

    text: str
    left_top: Point
    right_top: Point
    right_bottom: Point
    left_bottom: Point
    score: float | None = None

    @property
    def corners(self) -> tuple[Point, Point, Point, Point]:
        """The four corners in WeChat order."""
        return (self.left_top, self.right_top, self.right_bottom, self.left_bottom)


@dataclass(frozen=True, slots=True)
class ImgSize:
    """Width and height of the image the coordinates refer to.

    Examples
    --------
    >>> import wxocr_pandas
    >>> wxocr_pandas.recognize("samples/sign.png")["img_size"]
    {'w': 800, 'h': 400}
    """

    w: int
    h: int


@dataclass(frozen=True, slots=True)
class OcrResult:
    """One image's answer, shaped like WeChat's.

    Examples
    --------
    >>> from wxocr_pandas import OcrResult
    >>> r = OcrResult.from_dict({"errcode": 0, "errmsg": "ok", "items": [{"text": "腾讯",
    ...     "pos": {"left_top": {"x": 575, "y": 519}, "right_top": {"x": 744, "y": 519},
    ...             "right_bottom": {"x": 744, "y": 532}, "left_bottom": {"x": 573, "y": 532}}}],
    ...     "img_size": {"w": 1280, "h": 720}})
    >>> r.items[0].text, r.img_size.w
    ('腾讯', 1280)
    >>> r.to_dict()["items"][0]["pos"]["left_top"]
    {'x': 575, 'y': 519}
    >>> engine = OcrResult(items=(Item("hi", *[Point(160.96875, 148.5535736)] * 4),))
    >>> engine.to_dict()["items"][0]["pos"]["left_top"], engine.to_dict(exact=True)["items"][0]["pos"]["left_top"]
    ({'x': 161, 'y': 149}, {'x': 160.96875, 'y': 148.5535736})
    """

    errcode: int = 0
    errmsg: str = "ok"
    #: The recognized texts; answers read from the cache hold an :class:`ItemColumns` here,
    #: which stands for this tuple (equal to it, same hash and repr).
    items: tuple[Item, ...] = field(default=())
    img_size: ImgSize | None = None

    @property
    def ok(self) -> bool:
        """True when ``errcode`` is 0."""
        return self.errcode == 0

    @classmethod
    def from_error(cls, error: WxOcrError) -> OcrResult:
        """The result row of a failed image: its errcode and a message naming image and cause."""
        return cls(errcode=error.errcode, errmsg=str(error))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OcrResult:
        """Read a WeChat answer in either spelling (``errcode``/``errCode`` ...)."""
        def get(key: str, default: Any = None) -> Any:
            return data.get(key, data.get(_CAMEL.get(key, key), default))

        size = get("img_size")
        return cls(
            errcode=int(get("errcode", Errcode.OK)),
            errmsg=str(get("errmsg", "ok")),
            items=tuple(_item_from_dict(item) for item in get("items") or ()),
            img_size=ImgSize(int(size["w"]), int(size["h"])) if size else None,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> OcrResult:
        """Parse a JSON answer (either spelling)."""
        return cls.from_dict(json.loads(text))

    def to_dict(self, spelling: Spelling = "snake", *, exact: bool = False) -> dict[str, Any]:
        """The documented JSON shape, WeChat's answer: corners are integers, rounded to the
        nearest pixel (halves to even), as WeChat sends them.

        ``spelling="camel"`` gives the cloud function's keys (``errCode``, ``errMsg``,
        ``imgSize`` and the corners ``leftTop`` ... ``leftBottom``). ``exact=True`` writes the
        corners as held (the local engine's sub-pixel floats): the package's own records
        (JSON Lines) use it, so a frame read back is the frame written.
        """
        data: dict[str, Any] = {"errcode": self.errcode, "errmsg": self.errmsg}
        if self.ok or self.items:
            data["items"] = [_item_to_dict(item, exact) for item in self.items]
        if self.img_size is not None:
            data["img_size"] = {"w": int(self.img_size.w), "h": int(self.img_size.h)}
        if spelling == "camel":
            for item in data.get("items", ()):
                item["pos"] = {_CAMEL_CORNERS[name]: point for name, point in item["pos"].items()}
            return {_CAMEL.get(key, key): value for key, value in data.items()}
        return data

    def to_json(self, spelling: Spelling = "snake", *, exact: bool = False) -> str:
        """:meth:`to_dict` as compact UTF-8 JSON (Chinese kept as characters, not ``\\u``
        escapes): WeChat's answer, integer corners unless ``exact``."""
        return json.dumps(self.to_dict(spelling, exact=exact), ensure_ascii=False,
                          separators=(",", ":"))


def _point(data: Mapping[str, Any]) -> Point:
    return Point(data["x"], data["y"])


def _item_from_dict(data: Mapping[str, Any]) -> Item:
    pos = data["pos"]
    corners = [_point(pos.get(name, pos.get(_CAMEL_CORNERS[name]))) for name in CORNERS]
    score = data.get("score")
    return Item(str(data["text"]), *corners, score=None if score is None else float(score))


def wire_number(value: Number) -> Number:
    """A coordinate as WeChat writes it: the nearest integer (halves to even). A value that is
    not finite (never in an answer) is left as it is.

    Examples
    --------
    >>> wire_number(185.0), wire_number(160.96875), wire_number(2.5), wire_number(575)
    (185, 161, 2, 575)
    """
    if isinstance(value, int) or not math.isfinite(value):
        return value
    return int(round(value))


def _item_to_dict(item: Item, exact: bool) -> dict[str, Any]:
    pos = {name: {"x": p.x, "y": p.y} if exact else {"x": wire_number(p.x), "y": wire_number(p.y)}
           for name, p in zip(CORNERS, item.corners)}
    out: dict[str, Any] = {"text": item.text, "pos": pos}
    if item.score is not None:
        out["score"] = item.score
    return out


class ItemColumns(Sequence[Item]):
    """The items of one answer held as columns, built into :class:`Item` objects only when
    they are looked at.

    The result cache reads answers this way: a fully cached re-run of 100,000 answers of 20
    items would otherwise build ten million objects (items and their points) only for the
    frame to take them apart again; :func:`~wxocr_pandas.frame.results_frame` reads the
    columns directly. Anywhere else it behaves as the tuple of items it stands for (equal to
    it, same hash and repr).

    Parameters
    ----------
    texts
        One text per item.
    corners
        ``n x 8`` float64: ``left_top`` x, y, then ``right_top``, ``right_bottom``,
        ``left_bottom`` (or those values as little-endian float64 bytes, as the cache keeps
        them: no array is made until one is asked for).
    scores
        ``n`` float64, NaN where an item has no score (or their bytes).
    integral
        Which corner values were integers (WeChat's answers are), and come back as ``int``:
        ``True`` all, ``False`` none, or an ``n x 8`` boolean array.

    Examples
    --------
    >>> import numpy as np
    >>> columns = ItemColumns(["腾讯"], np.array([[575, 519, 744, 519, 744, 532, 573, 532]],
    ...                       dtype=float), np.array([np.nan]), integral=True)
    >>> columns[0].left_top, columns[0].score
    (Point(x=575, y=519), None)
    >>> columns == (columns[0],)
    True
    """

    __slots__ = ("texts", "corner_bytes", "score_bytes", "integral", "_items")

    def __init__(self, texts: list[str], corners: np.ndarray | bytes,
                 scores: np.ndarray | bytes, integral: bool | np.ndarray = False) -> None:
        self.texts = texts
        #: The corners as little-endian float64 bytes, ``n x 8``.
        self.corner_bytes = _float_bytes(corners)
        #: The scores as little-endian float64 bytes, NaN where none.
        self.score_bytes = _float_bytes(scores)
        self.integral = integral
        self._items: tuple[Item, ...] | None = None

    @property
    def corners(self) -> np.ndarray:
        """``n x 8`` float64 corners (read-only)."""
        return np.frombuffer(self.corner_bytes, dtype="<f8").reshape(len(self.texts), 8)

    @property
    def scores(self) -> np.ndarray:
        """``n`` float64 scores, NaN where none (read-only)."""
        return np.frombuffer(self.score_bytes, dtype="<f8")

    @classmethod
    def of(cls, items: Sequence[Item]) -> ItemColumns:
        """The columns of ``items``."""
        if isinstance(items, ItemColumns):
            return items
        corners = np.array([[value for point in item.corners for value in (point.x, point.y)]
                            for item in items], dtype=np.float64).reshape(len(items), 8)
        scores = np.array([item.score for item in items], dtype=np.float64)  # None -> NaN
        integral = np.array([[isinstance(value, int) for point in item.corners
                              for value in (point.x, point.y)] for item in items],
                            dtype=bool).reshape(len(items), 8)
        return cls([item.text for item in items], corners, scores,
                   bool(integral.all()) if integral.all() or not integral.any() else integral)

    def _built(self) -> tuple[Item, ...]:
        if self._items is None:
            if isinstance(self.integral, np.ndarray):  # some integers, some not
                rows = [[int(value) if whole else value for value, whole in zip(row, wholes)]
                        for row, wholes in zip(self.corners.tolist(), self.integral.tolist())]
            elif self.integral:
                rows = self.corners.astype(np.int64).tolist()
            else:
                rows = self.corners.tolist()
            self._items = tuple(
                Item(text, *(Point(row[i], row[i + 1]) for i in range(0, 8, 2)),
                     score=None if score != score else score)  # NaN -> None
                for text, row, score in zip(self.texts, rows, self.scores.tolist()))
        return self._items

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> Item: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Item, ...]: ...
    def __getitem__(self, index: int | slice) -> Item | tuple[Item, ...]:
        return self._built()[index]

    def __iter__(self) -> Iterator[Item]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, ItemColumns)):
            return self._built() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._built())

    def __add__(self, other: Sequence[Item]) -> tuple[Item, ...]:
        return self._built() + tuple(other)

    def __radd__(self, other: Sequence[Item]) -> tuple[Item, ...]:
        return tuple(other) + self._built()

    def __repr__(self) -> str:
        return repr(self._built())

    def __reduce__(self) -> tuple[Any, ...]:
        return (ItemColumns, (self.texts, self.corner_bytes, self.score_bytes, self.integral))


def _float_bytes(values: np.ndarray | bytes) -> bytes:
    if isinstance(values, bytes):
        return values
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


class PageRun(tuple):  # type: ignore[type-arg]
    """Consecutive pages of a document, from page ``first`` on: how a long document's answer
    comes in pieces when rows are streamed (:meth:`wxocr_pandas.batch.Recognizer.stream`).
    A tuple of :class:`OcrResult`; a plain tuple is the run of a whole document (page 1 on).

    Examples
    --------
    >>> run = PageRun([OcrResult(), OcrResult()], first=257)
    >>> run.first, len(run), run == (OcrResult(), OcrResult())
    (257, 2, True)
    """

    first: int

    def __new__(cls, pages: Sequence[OcrResult], first: int = 1) -> PageRun:
        run = super().__new__(cls, pages)
        run.first = first
        return run

    def __reduce__(self) -> tuple[Any, ...]:
        return (PageRun, (tuple(self), self.first))


def first_page(result: Sequence[OcrResult]) -> int:
    """The page number of the first of a document's page results (1 unless a
    :class:`PageRun` says otherwise).

    Examples
    --------
    >>> first_page((OcrResult(),)), first_page(PageRun([OcrResult()], first=5))
    (1, 5)
    """
    return getattr(result, "first", 1)


#: One input's answer: an image's result, or a document's page results (page 1 first, or a
#: :class:`PageRun` of them).
InputResult = OcrResult | tuple[OcrResult, ...]


def iter_page_results(results: Sequence[InputResult]
                      ) -> Iterator[tuple[int, int | None, OcrResult]]:
    """``(input position, page number or None, result)`` for each page of each input.

    An input gives one :class:`OcrResult` (a single image: page 1, or None when it failed)
    or a sequence of them (a document: pages 1, 2, ...; a page that failed keeps its number).

    Examples
    --------
    >>> failed = OcrResult(errcode=900002, errmsg="x.png: file not found (errcode 900002)")
    >>> [(position, page) for position, page, _ in iter_page_results([OcrResult(), failed,
    ...                                                             (OcrResult(), OcrResult())])]
    [(0, 1), (1, None), (2, 1), (2, 2)]
    """
    for position, result in enumerate(results):
        if isinstance(result, OcrResult):
            yield position, (1 if result.ok else None), result
        else:
            for number, page in enumerate(result, start=first_page(result)):
                yield position, number, page
