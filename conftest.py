"""Run every test and doctest from the repository root: examples refer to ``samples/...``."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

#: The fake WeChat API's fixtures (``wechat_server`` ...), for every test module.
pytest_plugins = ["tests.helpers.wechat_server"]

# The OCRmyPDF plugin imports OCRmyPDF, which needs Python 3.11 (the test extra has it there).
collect_ignore = [] if importlib.util.find_spec("ocrmypdf") else ["wxocr_pandas/ocrmypdf.py"]


@pytest.fixture(autouse=True, scope="session")
def _run_from_repo_root():
    previous = os.getcwd()
    os.chdir(Path(__file__).resolve().parent)
    yield
    os.chdir(previous)


@pytest.fixture(autouse=True, scope="session")
def _private_result_cache(tmp_path_factory):
    """Tests and doctests never read or write the user's real result cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WXOCR_CACHE_DIR", str(tmp_path_factory.mktemp("wxocr-cache")))
        yield
