"""Shared fixtures: the samples, their expected text, one engine per test session, and
figures closed after the plotting tests. The fake WeChat API's fixtures come from
:mod:`tests.helpers.wechat_server` (registered in the root ``conftest.py``)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.backends import SizeBackend
from wxocr_pandas import LocalBackend

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


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


@pytest.fixture
def close_figures():
    """Close every matplotlib figure a test drew (``pytestmark = usefixtures(...)``)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
