"""The persistent result cache: re-runs, corruption, concurrency, secrets, the CLI."""

from __future__ import annotations

import pickle
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import msgspec
import pandas as pd
import pytest

from tests.helpers.backends import SizeBackend
from wxocr_pandas import CacheWarning, ImgSize, OcrResult, ResultCache
from wxocr_pandas.batch import recognize_results
from wxocr_pandas.cache import CACHE_FILE
from wxocr_pandas.cli import main
from wxocr_pandas.errors import BackendError
from wxocr_pandas.frame import results_frame
from wxocr_pandas.images import ImageSource, decode


@pytest.fixture
def images(tmp_path, make_png) -> list[str]:
    """Three distinct small images on disk."""
    paths = []
    for width in (20, 21, 22):
        path = tmp_path / f"img{width}.png"
        path.write_bytes(make_png(width, 10))
        paths.append(str(path))
    return paths


def test_rerun_is_served_from_the_cache(images, size_backend, tmp_path):
    first = recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    again = recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    assert size_backend.calls == 3
    assert again == first
    assert [r.items[0].text for r in again] == ["20x10", "21x10", "22x10"]


def test_cache_false_recognizes_again_and_stores_nothing(images, size_backend, tmp_path):
    recognize_results(images, size_backend, cache=False, cache_dir=tmp_path / "c")
    recognize_results(images, size_backend, cache=False, cache_dir=tmp_path / "c")
    assert size_backend.calls == 6
    with ResultCache(tmp_path / "c") as cache:
        assert cache.info().entries == 0


def test_the_env_variable_places_the_cache(images, size_backend, tmp_path, monkeypatch):
    monkeypatch.setenv("WXOCR_CACHE_DIR", str(tmp_path / "from-env"))
    recognize_results(images, size_backend)
    assert (tmp_path / "from-env" / CACHE_FILE).is_file()


class FailsOnceBackend:
    """Fails the first time it sees each image, then answers."""

    name = "fails-once"
    identity = "fails-once:1"

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def recognize(self, source: ImageSource) -> OcrResult:
        if source.label not in self.seen:
            self.seen.add(source.label)
            raise BackendError("engine hiccup")
        return OcrResult(img_size=ImgSize(*decode(source).size))


def test_errors_are_not_cached(images, tmp_path, make_png):
    backend = FailsOnceBackend()
    late = tmp_path / "late.png"
    first = recognize_results([images[0], str(late)], backend, cache_dir=tmp_path / "c")
    assert [r.errcode for r in first] == [900005, 900002]
    late.write_bytes(make_png(5, 5))
    second = recognize_results([images[0], str(late)], backend, cache_dir=tmp_path / "c")
    assert [r.errcode for r in second] == [0, 900005]
    assert second[0].img_size == ImgSize(20, 10)


def test_a_corrupt_entry_is_dropped_and_recognized_again(images, size_backend, tmp_path):
    recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    with sqlite3.connect(tmp_path / "c" / CACHE_FILE) as db:
        db.execute("UPDATE results SET answer = '{\"items\": [{\"text\": 1}' WHERE image = ?",
                   (images[1],))
    again = recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    assert size_backend.calls == 4 and size_backend.sent[-1] == images[1]
    assert again[1].items[0].text == "21x10"
    recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    assert size_backend.calls == 4


def test_a_file_that_is_not_a_database_is_moved_aside(images, size_backend, tmp_path):
    (tmp_path / "c").mkdir()
    damaged = b"this is not sqlite" * 100
    (tmp_path / "c" / CACHE_FILE).write_bytes(damaged)
    with pytest.warns(CacheWarning, match="damaged .* moved aside") as caught:
        results = recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    assert len(caught) == 1
    assert [r.errcode for r in results] == [0, 0, 0]
    aside, = (tmp_path / "c").glob(f"{CACHE_FILE}.corrupt-*")
    assert aside.read_bytes() == damaged  # kept, never deleted
    recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    assert size_backend.calls == 3


def test_an_entry_with_wrong_types_is_dropped_and_recognized_again(images, size_backend,
                                                                    tmp_path):
    recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    with closing(sqlite3.connect(tmp_path / "c" / CACHE_FILE)) as db, db:
        db.execute("""UPDATE results SET answer = '{"errcode": "zero", "items": "abc"}'
                      WHERE image = ?""", (images[2],))
    again = recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    assert size_backend.calls == 4 and size_backend.sent[-1] == images[2]
    assert again[2].items[0].text == "22x10"


def _many_images(folder, make_png, count=200) -> list[str]:
    paths = []
    for number in range(count):
        path = folder / f"many{number}.png"
        path.write_bytes(make_png(10 + number, 4))
        paths.append(str(path))
    return paths


def test_a_corrupt_page_moves_the_file_aside_and_the_batch_finishes(make_png, size_backend,
                                                                    tmp_path):
    images = _many_images(tmp_path, make_png)
    recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    path = tmp_path / "c" / CACHE_FILE
    with closing(sqlite3.connect(path)) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        index_root = db.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index'"
                                ).fetchone()[0]
    with path.open("r+b") as file:  # garbage over the key index's root page
        file.seek((index_root - 1) * page_size + 8)
        file.write(bytes(range(256)) * 4)
    damaged = path.read_bytes()
    with pytest.warns(CacheWarning, match="damaged") as caught:
        results = recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    assert len(caught) == 1
    assert [r.items[0].text for r in results] == [f"{10 + n}x4" for n in range(200)]
    aside, = path.parent.glob(f"{CACHE_FILE}.corrupt-*")
    assert aside.read_bytes() == damaged
    recognize_results(images, size_backend, cache_dir=tmp_path / "c")  # the new cache works
    assert size_backend.calls == 400


LOCKER = textwrap.dedent("""
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("PRAGMA locking_mode = EXCLUSIVE")
    db.execute("BEGIN EXCLUSIVE")
    db.execute("DELETE FROM results WHERE 0")
    print("locked", flush=True)
    time.sleep(120)
""")


def test_a_cache_locked_by_another_process_is_waited_for_then_left_alone(
        images, size_backend, tmp_path, monkeypatch):
    recognize_results(images[:2], size_backend, cache_dir=tmp_path / "c")
    path = tmp_path / "c" / CACHE_FILE
    monkeypatch.setenv("WXOCR_CACHE_TIMEOUT", "0.5")
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert locker.stdout.readline() == "locked\n"
        with pytest.warns(CacheWarning, match="locked by another process") as caught:
            results = recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    finally:
        locker.kill()
        locker.wait()
    assert len(caught) == 1
    assert [r.items[0].text for r in results] == ["20x10", "21x10", "22x10"]
    assert size_backend.calls == 5  # the batch ran uncached
    assert list(path.parent.glob("*corrupt*")) == []
    with ResultCache(tmp_path / "c") as cache:  # the file kept its entries
        assert cache.info().entries == 2


@pytest.mark.parametrize("where", ["a file", "read-only"])
def test_an_unusable_location_warns_once_and_the_run_goes_on(where, images, size_backend,
                                                             tmp_path, monkeypatch):
    if where == "a file":
        location = tmp_path / "not-a-directory"
        location.write_text("x")
    else:  # sysfs: read-only even for root
        location = Path("/sys/wxocr-pandas-cache")
    monkeypatch.setenv("WXOCR_CACHE_DIR", str(location))
    with pytest.warns(CacheWarning, match="cannot be opened") as caught:
        results = recognize_results(images, size_backend)
    assert len(caught) == 1
    assert [r.items[0].text for r in results] == ["20x10", "21x10", "22x10"]


def test_cli_cache_clear_works_on_a_damaged_file(tmp_path, capsys):
    (tmp_path / CACHE_FILE).write_bytes(b"\0garbage" * 500)
    with pytest.warns(CacheWarning, match="moved aside"):
        assert main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 0
    assert "removed 0 cached answers" in capsys.readouterr().out
    assert len(list(tmp_path.glob(f"{CACHE_FILE}.corrupt-*"))) == 1
    with ResultCache(tmp_path) as cache:
        assert cache.info().entries == 0


WRITER = textwrap.dedent("""
    import io, sys, warnings
    from PIL import Image
    from wxocr_pandas import ImgSize, OcrResult
    from wxocr_pandas.batch import recognize_results
    from wxocr_pandas.images import decode

    class Backend:
        name, identity = "size", "size-test:1"
        def recognize(self, source):
            return OcrResult(img_size=ImgSize(*decode(source).size))

    def png(width):
        buffer = io.BytesIO()
        Image.new("L", (width, 4)).save(buffer, format="PNG")
        return buffer.getvalue()

    warnings.simplefilter("error")  # a lock timeout would warn: make it fail the run
    offset = int(sys.argv[2])
    widths = [1 + (offset + i) % 60 for i in range(60)]  # the same 60 images, rotated
    for _ in range(3):
        results = recognize_results([png(w) for w in widths], Backend(), cache_dir=sys.argv[1])
        assert [r.img_size.w for r in results] == widths
""")


def test_concurrent_processes_share_one_cache(tmp_path):
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(offset)],
                                stderr=subprocess.PIPE, text=True)
               for offset in (0, 15, 30, 45)]
    failures = [w.stderr.read() for w in writers if w.wait(timeout=120) != 0]
    assert failures == []
    with ResultCache(tmp_path) as cache:
        info = cache.info()
    assert info.entries == 60
    assert info.backends == {"size-test:1": 60}


def test_no_secret_reaches_the_cache_file(httpserver, make_png, tmp_path):
    """A real WeChat backend whose secrets all travel with its requests: the AppSecret, the
    access token, a proxy password in its base_url and a signature in an image URL. The
    cache must hold the identity (API root and appid) and none of them."""
    from wxocr_pandas.backends.wechat import WeChatBackend

    secrets = {"secret": "APP-SECRET-7", "token": "TOKEN-SECRET-9",
               "proxy": "PROXY-PASSWORD-5", "signature": "URL-SIGNATURE-42"}
    httpserver.expect_request("/cgi-bin/token").respond_with_json(
        {"access_token": secrets["token"], "expires_in": 7200})
    httpserver.expect_request("/cv/ocr/comm").respond_with_json(
        {"errcode": 0, "errmsg": "ok", "items": [], "img_size": {"w": 8, "h": 8}})
    base_url = httpserver.url_for("/").replace("://", f"://proxyuser:{secrets['proxy']}@")
    backend = WeChatBackend(appid="wxappid42", secret=secrets["secret"], base_url=base_url,
                            quota_dir=str(tmp_path / "quota"))
    images = [make_png(8, 8), f"{httpserver.url_for('/scan.png')}?signature={secrets['signature']}"]
    first = recognize_results(images, backend, cache_dir=tmp_path / "c")
    again = recognize_results(images, backend, cache_dir=tmp_path / "c")
    assert first == again and all(result.ok for result in first)

    calls = [request for request, _ in httpserver.log if request.path == "/cv/ocr/comm"]
    assert len(calls) == 2  # the second run was served from the cache
    # Every secret really went through the backend, so a cache that kept what it saw would hold it.
    sent = " ".join(f"{request.url} {request.headers.get('Authorization')}"
                    for request, _ in httpserver.log)
    assert secrets["secret"] in sent and secrets["token"] in sent
    assert secrets["signature"] in sent and "Basic " in sent  # the proxy credentials
    stored = b"".join(path.read_bytes() for path in (tmp_path / "c").iterdir())
    assert b"wxappid42" in stored and b"/scan.png" in stored
    for secret in secrets.values():
        assert secret.encode() not in stored


def test_cli_cache_info_and_clear(images, size_backend, tmp_path, capsys):
    recognize_results(images, size_backend, cache_dir=tmp_path)
    assert main(["cache", "info", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "3 answers" in out and "size-test:1" in out
    assert main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 0
    assert "removed 3" in capsys.readouterr().out
    recognize_results(images, size_backend, cache_dir=tmp_path)
    assert size_backend.calls == 6


def test_cli_recognize_honours_no_cache(tmp_path, make_png, capsys):
    image = tmp_path / "blank.png"
    image.write_bytes(make_png(40, 20))
    common = [str(image), "-o", str(tmp_path / "out.csv"), "--cache-dir", str(tmp_path / "c"),
              "--workers", "1"]
    assert main(["recognize", *common, "--no-cache"]) == 0
    with ResultCache(tmp_path / "c") as cache:
        assert cache.info().entries == 0
    assert main(["recognize", *common]) == 0
    with ResultCache(tmp_path / "c") as cache:
        assert cache.info().entries == 1


def _stored(tmp_path, image: str) -> bytes:
    with closing(sqlite3.connect(tmp_path / "c" / CACHE_FILE)) as db:
        return db.execute("SELECT answer FROM results WHERE image = ?", (image,)).fetchone()[0]


@pytest.mark.parametrize("damage", ["truncated", "wrong types", "corners cut short"])
def test_a_damaged_stored_answer_is_dropped_and_recognized_again(damage, images, size_backend,
                                                                 tmp_path):
    recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    stored = _stored(tmp_path, images[0])
    assert isinstance(stored, bytes)  # MessagePack
    fields = msgspec.msgpack.decode(stored)
    damaged = {"truncated": stored[:-7],
               "wrong types": msgspec.msgpack.encode(["zero", *fields[1:]]),
               "corners cut short": msgspec.msgpack.encode([*fields[:5], fields[5][:-8],
                                                            *fields[6:]])}[damage]
    with closing(sqlite3.connect(tmp_path / "c" / CACHE_FILE)) as db, db:
        db.execute("UPDATE results SET answer = ? WHERE image = ?", (damaged, images[0]))
    again = recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    assert size_backend.calls == 4 and size_backend.sent[-1] == images[0]
    assert again[0].items[0].text == "20x10"
    assert _stored(tmp_path, images[0]) == stored  # stored again, whole


def test_answers_stored_as_json_by_the_previous_version_are_still_read(images, size_backend,
                                                                       tmp_path):
    first = recognize_results(images, size_backend, cache_dir=tmp_path / "c")
    # The previous version stored msgspec's JSON of the result model.
    legacy = msgspec.json.encode(first[1]).decode()
    assert legacy.startswith('{"errcode":0,"errmsg":"ok","items":[{"text":"21x10","left_top"')
    with closing(sqlite3.connect(tmp_path / "c" / CACHE_FILE)) as db, db:
        db.execute("UPDATE results SET answer = ? WHERE image = ?", (legacy, images[1]))
    assert recognize_results(images, size_backend, cache_dir=tmp_path / "c") == first
    assert size_backend.calls == 3  # nothing recognized again (a WeChat answer costs quota)


def test_a_cached_answer_is_the_answer_exactly(tmp_path):
    wechat = OcrResult.from_json(
        '{"errcode":0,"errmsg":"ok","items":[{"text":"腾讯","pos":{"left_top":{"x":575,"y":519},'
        '"right_top":{"x":744,"y":519},"right_bottom":{"x":744,"y":532},"left_bottom":'
        '{"x":573,"y":532}}},{"text":"ok","pos":{"left_top":{"x":1.5,"y":2},"right_top":'
        '{"x":3,"y":2},"right_bottom":{"x":3,"y":4},"left_bottom":{"x":1,"y":4}},"score":0.25}],'
        '"img_size":{"w":1280,"h":720}}')
    integral = OcrResult(items=wechat.items[:1], img_size=wechat.img_size)
    with ResultCache(tmp_path) as cache:
        for key, answer in (("mixed", wechat), ("ints", integral)):
            cache.put(key, answer, backend="test", image="x.png")
        found = cache.get_many(["mixed", "ints"])
    for key, answer in (("mixed", wechat), ("ints", integral)):
        cached = found[key]
        assert cached == answer and hash(cached) == hash(answer) and repr(cached) == repr(answer)
        # WeChat's integer corners stay integers: the raw answer written back is identical.
        assert cached.to_json() == answer.to_json()
        assert pickle.loads(pickle.dumps(cached)) == answer
        pd.testing.assert_frame_equal(results_frame([cached, answer]).iloc[:len(answer.items)],
                                      results_frame([answer]))
    assert '"x":575,' in found["ints"].to_json()


#: A run on a disk with no room left: every write that grows a file fails (RLIMIT_FSIZE 0,
#: the kernel's EFBIG, as a full disk's ENOSPC), as SQLite finds when it stores an answer or
#: sizes its WAL index. The first image is new, the second is cached.
FULL_DISK_RUN = textwrap.dedent("""
    import resource, signal, sys, warnings
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    warnings.simplefilter("always")
    import wxocr_pandas
    from tests.helpers.backends import SizeBackend
    backend = SizeBackend()
    chunks = list(wxocr_pandas.recognize_iter(sys.argv[2:], backend=backend, chunksize=1,
                                              cache_dir=sys.argv[1], progress=False))
    print(backend.calls, *[int(chunk["errcode"].iloc[0]) for chunk in chunks])
""")


def test_a_full_disk_does_not_hide_a_readable_cache(tmp_path, make_png):
    new, cached = tmp_path / "new.png", tmp_path / "cached.png"
    new.write_bytes(make_png(30, 20))
    cached.write_bytes(make_png(40, 20))
    recognize_results([str(cached)], SizeBackend(), cache_dir=tmp_path, progress=False)
    run = [sys.executable, "-c", FULL_DISK_RUN, str(tmp_path), str(new), str(cached)]
    root = str(Path(__file__).resolve().parents[1])
    # Too full even to open the cache for writing (its WAL index cannot be made): read it.
    alone = subprocess.run(run, capture_output=True, text=True, cwd=root, timeout=120)
    assert alone.stdout.split() == ["1", "0", "0"], alone.stderr[-2000:]
    assert "is read-only (disk I/O error)" in alone.stderr
    # Opened while another process holds it (its WAL index exists): storing the new answer
    # fails, and the cached one is still read in the next chunk.
    with closing(sqlite3.connect(tmp_path / CACHE_FILE)) as holder:
        holder.execute("SELECT COUNT(*) FROM results").fetchall()
        shared = subprocess.run(run, capture_output=True, text=True, cwd=root, timeout=120)
    assert shared.stdout.split() == ["1", "0", "0"], shared.stderr[-2000:]
    assert "cannot store answers" in shared.stderr
    with ResultCache(tmp_path) as cache:
        assert cache.info().entries == 1  # nothing half-written
