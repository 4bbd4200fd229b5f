"""The backend registry: one table of names, used by every entry point."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.helpers.backends import SizeBackend

import wxocr_pandas
from wxocr_pandas import ConfigError, LocalBackend, UsageError, WeChatBackend
from wxocr_pandas.backends.registry import (
    backend_names,
    register_backend,
    resolve_backend,
    unregister_backend,
)
from wxocr_pandas.cli import main
from wxocr_pandas.backends.wechat.cluster import ClusterWeChat
from wxocr_pandas.dask import cluster_backend


def on_cluster() -> SizeBackend:
    backend = SizeBackend()
    backend.identity = "size-test:cluster"
    return backend


@pytest.fixture
def size_name():
    """``"size"`` registered for the test: :class:`SizeBackend`, another one on a cluster."""
    register_backend("size", SizeBackend, cluster_factory=on_cluster)
    yield "size"
    unregister_backend("size")


def test_the_built_in_names_come_first_and_once():
    assert backend_names() == ("local", "wechat")


def test_each_name_builds_a_fresh_backend_here_and_for_a_cluster(monkeypatch):
    monkeypatch.setenv("WXOCR_APPID", "wx-registry")
    monkeypatch.setenv("WXOCR_SECRET", "REGISTRY-SECRET-3")
    local = resolve_backend("local")
    assert isinstance(local, LocalBackend) and local.threads is None
    assert resolve_backend("local") is not local
    assert resolve_backend(" Local ", cluster=True).threads == 1
    assert isinstance(resolve_backend("wechat"), WeChatBackend)
    shipped = resolve_backend("wechat", cluster=True)
    assert isinstance(shipped, ClusterWeChat) and shipped.appid == "wx-registry"
    assert "REGISTRY-SECRET-3" not in repr(vars(shipped))


def test_a_registered_name_works_in_every_entry_point(size_name, monkeypatch, tmp_path, make_png,
                                                      capsys):
    image = tmp_path / "img.png"
    image.write_bytes(make_png(30, 12))
    frame = pd.DataFrame({"path": [str(image)]})
    assert frame.wxocr.recognize("path", backend=size_name, cache=False)["text"].tolist() == ["30x12"]
    monkeypatch.setenv("WXOCR_BACKEND", "SIZE")
    assert [i["text"] for i in wxocr_pandas.recognize(str(image), cache=False)["items"]] == ["30x12"]
    assert cluster_backend(None).identity == "size-test:cluster"
    assert main(["recognize", str(image), "-o", str(tmp_path / "out.csv"), "--no-cache",
                 "--backend", size_name]) == 0
    assert pd.read_csv(tmp_path / "out.csv")["text"].tolist() == ["30x12"]
    assert "size" in backend_names() and capsys.readouterr().err == ""


def test_an_unknown_name_lists_the_registered_ones(size_name):
    with pytest.raises(ConfigError, match="unknown backend 'tesseract'; choose one of "
                                          "local, wechat, size or pass a backend object"):
        resolve_backend("tesseract")
    unregister_backend(size_name)
    with pytest.raises(ConfigError, match="unknown backend 'size'"):
        resolve_backend(size_name)


def test_a_taken_name_is_refused_unless_registered_alike(size_name):
    register_backend(size_name, SizeBackend, cluster_factory=on_cluster)  # the same: no-op
    with pytest.raises(UsageError, match="already registered"):
        register_backend(size_name, LocalBackend)
    with pytest.raises(UsageError, match="lower-case"):
        register_backend("Size", SizeBackend)
    assert isinstance(resolve_backend(size_name), SizeBackend)


def test_a_backend_object_is_used_as_given_and_a_wechat_one_never_ships(size_backend):
    assert resolve_backend(size_backend) is size_backend
    assert cluster_backend(size_backend) is size_backend
    with pytest.raises(ConfigError, match="must not travel in a Dask graph"):
        cluster_backend(WeChatBackend(appid="wx1", secret="s"))
