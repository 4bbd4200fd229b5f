"""Shared fixtures: the samples, their expected text, and one engine per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
