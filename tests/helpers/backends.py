"""Small real backends for batch tests: they decode the image, so a broken input fails as it
would with an engine, but answer in microseconds."""

from __future__ import annotations

import random
import threading
import time

from wxocr_pandas import ImgSize, Item, OcrResult, Point
from wxocr_pandas.errors import ApiError, Errcode
from wxocr_pandas.images import ImageSource, decode


class QuotaSpent(ApiError):
    """WeChat's daily-quota error (45009), which stops a batch."""

    stops_batch = True


class SizeBackend:
    """Answers one item whose text is the image size. It counts the images sent to it and
    remembers their labels.

    With ``delay``, each answer comes after a random wait of up to that many seconds, so
    threads finish out of order; with ``quota=k``, the k-th image sent (counting from 1) and
    every later one get the daily-quota error.
    """

    name = "size"
    identity = "size-test:1"

    def __init__(self, *, delay: float = 0.0, quota: int | None = None) -> None:
        self.delay = delay
        self.quota = quota
        self.calls = 0
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def recognize(self, source: ImageSource) -> OcrResult:
        with self._lock:
            self.calls += 1
            self.sent.append(source.label)
            spent = self.quota is not None and len(self.sent) >= self.quota
        if self.delay:
            time.sleep(random.uniform(0.001, self.delay))
        if spent:
            raise QuotaSpent("reach max api daily quota limit", errcode=Errcode.DAILY_QUOTA)
        width, height = decode(source).size
        corners = (Point(0, 0), Point(width, 0), Point(width, height), Point(0, height))
        return OcrResult(items=(Item(f"{width}x{height}", *corners),),
                         img_size=ImgSize(width, height))
