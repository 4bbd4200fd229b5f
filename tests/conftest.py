"""Shared fixtures: the samples, their expected text, and one engine per test session."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

from wxocr_pandas import ImgSize, Item, LocalBackend, OcrResult, Point
from wxocr_pandas.images import ImageSource, decode
from wechat_server import _wechat_http, wechat_recognizer, wechat_server  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def load_tool(name: str) -> ModuleType:
    """Import ``tools/<name>.py`` (the sample and page renderers) as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def expected() -> dict[str, list[dict]]:
    """``samples/expected.json``: file name -> [{"text", "box": [x0, y0, x1, y1]}, ...]."""
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def local_backend() -> LocalBackend:
    """The local backend; its engine is loaded once for the whole session."""
    return LocalBackend()


class SizeBackend:
    """A cheap real backend for batch tests: it decodes the image and answers one item whose
    text is the image size. It counts the images sent to it and remembers their labels."""

    name = "size"
    identity = "size-test:1"

    def __init__(self) -> None:
        self.calls = 0
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def recognize(self, source: ImageSource) -> OcrResult:
        with self._lock:
            self.calls += 1
            self.sent.append(source.label)
        width, height = decode(source).size
        corners = (Point(0, 0), Point(width, 0), Point(width, height), Point(0, height))
        return OcrResult(items=(Item(f"{width}x{height}", *corners),), img_size=ImgSize(width, height))


@pytest.fixture
def size_backend() -> SizeBackend:
    """A fresh :class:`SizeBackend` (call counts start at zero)."""
    return SizeBackend()


@pytest.fixture(scope="session")
def make_png() -> Callable[[int, int], bytes]:
    """``make_png(width, height)``: PNG bytes of a small gray image of that size."""
    def make(width: int, height: int) -> bytes:
        buffer = io.BytesIO()
        Image.new("L", (width, height), 200).save(buffer, format="PNG")
        return buffer.getvalue()

    return make


@pytest.fixture(scope="session")
def text_crops(expected, tmp_path_factory) -> list[Path]:
    """Sixteen small distinct images of text: runs of the samples cut out with a 10 px margin
    (cheap to recognize, so batches of real worker processes stay fast)."""
    folder = tmp_path_factory.mktemp("crops")
    paths = []
    for name in ("receipt.png", "screenshot.png", "document.png"):
        image = Image.open(SAMPLES / name).convert("RGB")
        for number, run in enumerate(expected[name]):
            x0, y0, x1, y1 = run["box"]
            path = folder / f"{Path(name).stem}-{number}.png"
            image.crop((x0 - 10, y0 - 10, x1 + 10, y1 + 10)).save(path)
            paths.append(path)
    return paths[:16]
