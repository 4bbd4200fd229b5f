"""Dask: the pandas call on a real two-process LocalCluster, configuration-only graphs,
one engine per worker, a worker killed mid-job, the WeChat quota stop, progress, the CLI."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import cloudpickle
import dask
import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import wxocr_pandas.dask  # noqa: F401  (registers .wxocr on Dask collections)
from wxocr_pandas import ImgSize, Item, LocalBackend, OcrResult, Point, recognize_frame
from wxocr_pandas.cli import main
from wxocr_pandas.backends.wechat.token import get_token
from wxocr_pandas.backends.wechat.cluster import ClusterWeChat, SharedTokenStore, clear_stop, scope_name
from wxocr_pandas.errors import ColumnConflictError, ConfigError
from wxocr_pandas.images import ImageSource, decode


@pytest.fixture(scope="module")
def client():
    """One real cluster for the module: two worker processes of one thread each. A worker
    that dies mid-task makes that task suspicious; two deaths are allowed before it fails."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 2}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def images(samples_dir, tmp_path_factory) -> pd.DataFrame:
    """The six samples (one as a file:// URL) and bad cells of every kind, with a payload column."""
    folder = tmp_path_factory.mktemp("dask-inputs")
    (folder / "broken.png").write_bytes(b"\x89PNG broken")
    paths = [str(p) for p in sorted(samples_dir.glob("*.png"))]
    paths[0] = Path(paths[0]).as_uri()
    bad = [None, str(folder / "missing.png"), str(folder / "broken.png"), "",
           (folder / "missing.png").as_uri()]
    cells = paths[:3] + bad[:2] + paths[3:] + bad[2:]
    return pd.DataFrame({"path": cells, "batch": range(len(cells))},
                        index=pd.RangeIndex(100, 100 + len(cells)))


def test_result_equals_the_pandas_result_row_for_row(client, images, local_backend):
    ddf = dd.from_pandas(images, npartitions=4)
    lazy = ddf.wxocr.recognize("path", cache=False)
    out = lazy.compute()
    expected = recognize_frame(ddf.compute(), "path", backend=local_backend, cache=False, max_workers=1)
    pd.testing.assert_frame_equal(out, expected)
    assert out.dtypes.equals(lazy.dtypes)
    assert set(out.loc[out["errcode"] != 0, "errcode"]) == {900001, 900002, 101002}
    assert out.index.unique().tolist() == images.index.tolist()


def test_the_engine_loads_once_per_worker_process(client, samples_dir):
    # Three partitions pinned to each worker: every worker runs several recognizing tasks,
    # whichever tests ran before (the test stands alone: pytest -k engine_loads_once).
    frame = pd.DataFrame({"path": [str(samples_dir / "sign.png")] * 3})
    for worker in client.nthreads():
        lazy = dd.from_pandas(frame, npartitions=3).wxocr.recognize("path", cache=False)
        out = client.compute(lazy, workers=[worker]).result()
        assert out["text"].tolist() == ["小心地滑", "Caution Wet Floor"] * 3
    # Each engine a worker needs (and the direction classifier of the orientation check) was
    # built only once.
    local = wxocr_pandas.backends.local
    loads = client.run(lambda: local.engine_cache_info())
    assert [info.misses for info in loads.values()] == [info.currsize for info in loads.values()]
    assert all(info.misses >= 1 for info in loads.values()) and len(loads) == 2


def test_meta_is_exact_before_anything_runs(images):
    ddf = dd.from_pandas(images, npartitions=2)
    lazy = ddf.wxocr.recognize("path", prefix="ocr_", backend=LocalBackend(threads=1))
    with dask.config.set(scheduler="synchronous"):
        sample = recognize_frame(ddf.partitions[0].compute().iloc[:0], "path", prefix="ocr_")
    assert lazy.dtypes.equals(sample.dtypes)
    assert lazy.columns.tolist()[:4] == ["path", "batch", "ocr_page", "ocr_item"]
    assert lazy.columns.tolist()[-2:] == ["ocr_errcode", "ocr_errmsg"]


def test_wrong_column_and_clashing_names_fail_before_anything_runs(images):
    ddf = dd.from_pandas(images.assign(text="x"), npartitions=2)
    with pytest.raises(KeyError, match="no column 'nope'"):
        ddf.wxocr.recognize("nope")
    with pytest.raises(ColumnConflictError):
        ddf.wxocr.recognize("path")


def test_a_series_recognizes_like_a_frame(client, samples_dir):
    series = dd.from_pandas(pd.Series([str(samples_dir / "sign.png")] * 2, name="scan"),
                            npartitions=2)
    out = series.wxocr.recognize(cache=False).compute()
    assert out.columns[:3].tolist() == ["scan", "page", "item"]
    assert out.groupby(level=0)["text"].apply(list).map(len).tolist() == [2, 2]


def test_only_configuration_travels_in_the_graph(images):
    backend = LocalBackend(threads=1)
    backend.recognize(ImageSource("path", "samples/sign.png", "sign"))  # engine now loaded here
    graph = cloudpickle.dumps(dict(dd.from_pandas(images, npartitions=2)
                                   .wxocr.recognize("path", backend=backend).__dask_graph__()))
    assert b"rapidocr" not in graph and b"InferenceSession" not in graph  # no engine object
    assert len(graph) < 50_000
    shipped = pickle.loads(pickle.dumps(backend))
    assert vars(shipped) == vars(backend) and shipped.identity == backend.identity


def test_progress_shows_dasks_bar_and_keeps_a_collection(client, samples_dir, capsys):
    ddf = dd.from_pandas(pd.DataFrame({"path": [str(samples_dir / "sign.png")] * 2}),
                         npartitions=2)
    out = ddf.wxocr.recognize("path", cache=False, progress=True)
    assert isinstance(out, dd.DataFrame)
    assert "100% Completed" in capsys.readouterr().out
    assert out.compute()["text"].notna().all()


def test_cli_writes_partitioned_parquet_on_a_scheduler(client, samples_dir, tmp_path, capsys):
    for name in ("sign.png", "receipt.png", "screenshot.png"):
        shutil.copy(samples_dir / name, tmp_path / name)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    status = main(["recognize", str(tmp_path / "*.png"), "-o", str(tmp_path / "out") + os.sep,
                   "--scheduler", client.scheduler_info()["address"], "--no-cache", "--partitions", "2"])
    assert status == 0
    parts = sorted((tmp_path / "out").glob("*.parquet"))
    assert len(parts) == 2
    table = pd.read_parquet(tmp_path / "out")
    assert sorted(table["image"].unique()) == sorted(str(p) for p in tmp_path.glob("*.png"))
    assert table.loc[table["image"].str.endswith("broken.png"), "errcode"].tolist() == [101002]
    assert "4 images" in capsys.readouterr().out


class ExitOnceBackend:
    """Answers the image size, but kills its whole worker process the first time it sees
    ``victim`` (a marker file makes it die only once across process restarts)."""

    name = "exit-once"
    identity = "exit-once-test:1"

    def __init__(self, victim: str, marker: str) -> None:
        self.victim = victim
        self.marker = marker

    def recognize(self, source: ImageSource) -> OcrResult:
        if source.label == self.victim and not os.path.exists(self.marker):
            Path(self.marker).touch()
            os._exit(1)
        width, height = decode(source).size
        corners = (Point(0, 0), Point(width, 0), Point(width, height), Point(0, height))
        return OcrResult(items=(Item(f"{width}x{height}", *corners),), img_size=ImgSize(width, height))


def test_a_worker_killed_mid_job_loses_and_doubles_no_row(client, make_png, tmp_path):
    paths = []
    for width in range(20, 32):
        path = tmp_path / f"{width}.png"
        path.write_bytes(make_png(width, 10))
        paths.append(str(path))
    frame = pd.DataFrame({"path": paths})
    backend = ExitOnceBackend(victim=paths[7], marker=str(tmp_path / "died"))
    out = dd.from_pandas(frame, npartitions=6).wxocr.recognize("path", backend=backend,
                                                               cache=False)
    result = out.compute()
    assert (tmp_path / "died").exists()  # a worker really died ...
    assert result.index.tolist() == list(range(12))  # ... and every row is there once
    assert result["text"].tolist() == [f"{w}x10" for w in range(20, 32)]
    client.wait_for_workers(2, timeout=60)  # the nanny replaced the dead worker


def _set_env(name: str, value: str | None) -> None:
    """Run on the workers: their own environment is where the WeChat secret comes from."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _no_fetch(force_refresh: bool) -> tuple[str, float]:
    raise AssertionError("the shared token should have been there")


def _shared_token(scope: str) -> str:
    return get_token(SharedTokenStore(scope), _no_fetch)


@pytest.fixture
def worker_secret(client, wechat_server):
    client.run(_set_env, "WXOCR_SECRET", wechat_server.secret)
    yield
    client.run(_set_env, "WXOCR_SECRET", None)
    clear_stop(wechat_server.appid, wechat_server.base_url)


def test_wechat_on_the_cluster_shares_token_cap_and_quota_stop(client, wechat_server,
                                                               worker_secret, make_png, tmp_path):
    paths = []
    for width in range(200, 210):
        path = tmp_path / f"{width}.png"
        path.write_bytes(make_png(width, 200))
        paths.append(str(path))
    wechat_server.script(None, None, 45009)  # two answers, then the daily quota is spent
    backend = ClusterWeChat(wechat_server.appid, wechat_server.base_url, max_concurrent=1,
                            quota_dir=str(wechat_server.quota_dir))
    lazy = dd.from_pandas(pd.DataFrame({"path": paths}), npartitions=5).wxocr.recognize(
        "path", backend=backend, cache=False)
    graph = cloudpickle.dumps(dict(lazy.__dask_graph__()))
    assert wechat_server.secret.encode() not in graph and b"TOKEN-" not in graph

    out = lazy.compute()
    assert sorted(out.index) == list(range(10))  # every row once, answered or not
    assert (out["errcode"] == 0).sum() == 2  # the answers received before the stop are kept
    assert (out["errcode"] == 45009).sum() == 8  # every other row, on both workers
    # One call at a time on the whole cluster: nothing was in flight when the quota ran out,
    # and after the 45009 no worker sent anything.
    assert wechat_server.ocr_calls == 3
    assert wechat_server.token_fetches == 1  # one token for the whole cluster ...
    assert len({r.query["access_token"] for r in wechat_server.ocr_requests}) == 1
    scope = scope_name(wechat_server.base_url, wechat_server.appid)
    seen = [client.submit(_shared_token, scope, workers=[worker], pure=False).result()
            for worker in client.nthreads()]  # ... which every worker gets without a fetch
    assert set(seen) == set(wechat_server.issued)


def test_a_wechat_backend_object_is_refused_with_its_secret(wechat_server, images):
    with pytest.raises(ConfigError, match="WXOCR_SECRET"):
        dd.from_pandas(images, npartitions=1).wxocr.recognize("path",
                                                              backend=wechat_server.backend())
