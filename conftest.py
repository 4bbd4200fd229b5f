"""Run every test and doctest from the repository root: examples refer to ``samples/...``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _run_from_repo_root():
    previous = os.getcwd()
    os.chdir(Path(__file__).resolve().parent)
    yield
    os.chdir(previous)
