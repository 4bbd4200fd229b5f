"""The persistent worker processes: any way Python is run, warm, and a dead worker costs at
most one image. Every test here runs real loky worker processes."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import closing
from pathlib import Path

import psutil
import pytest
from PIL import Image, ImageOps

from wxocr_pandas import ImgSize, LocalBackend, OcrResult
from wxocr_pandas.backends.base import ProcessBackend
from wxocr_pandas.batch import recognize_results
from wxocr_pandas.errors import Errcode, WorkerDiedError
from wxocr_pandas.images import ImageSource, as_source, decode
from wxocr_pandas.workers import (
    get_executor,
    recognize_in_worker,
    recognize_many,
    shutdown_workers,
)

ROOT = Path(__file__).resolve().parents[1]


def worker_pids() -> set[int]:
    """The loky worker processes of this process."""
    return {child.pid for child in psutil.Process().children(recursive=True)
            if is_worker(child)}


def is_worker(process: psutil.Process) -> bool:
    try:
        return "popen_loky" in " ".join(process.cmdline())
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def reference(text_crops, local_backend) -> list[OcrResult]:
    """The in-process answers for the text crops."""
    return [local_backend.recognize(as_source(path)) for path in text_crops]


def test_workers_answer_like_the_engine_in_process_with_any_options(text_crops, expected,
                                                                    samples_dir, tmp_path):
    # A tight crop (no margin) is read only by the line fallback, which is off here.
    tight = tmp_path / "tight.png"
    Image.open(samples_dir / "receipt.png").crop(expected["receipt.png"][3]["box"]).save(tight)
    images = [str(tight), *map(str, text_crops[:5])]
    backend = LocalBackend(text_score=0.8, line_fallback=False, params={"Det.box_thresh": 0.7})
    in_process = recognize_results(images, backend, cache=False, max_workers=1)
    in_workers = recognize_results(images, backend, cache=False, max_workers=2)
    assert in_workers == in_process
    assert in_process[0].ok and in_process[0].items == ()
    # The options reached the workers: with the defaults the tight crop is read.
    assert recognize_results(images[:2], cache=False, max_workers=2)[0].items != ()


def test_workers_stay_warm_between_batches(text_crops, reference):
    images = [str(path) for path in text_crops[:6]]
    first = recognize_results(images, cache=False, max_workers=2)
    warm = worker_pids()
    second = recognize_results(images, cache=False, max_workers=2)
    assert first == second == reference[:6]
    assert len(warm) == 2 and worker_pids() == warm


def test_a_single_image_in_a_worker_gives_its_answer_or_its_error(text_crops, reference):
    futures = [recognize_in_worker(LocalBackend(), as_source(str(text_crops[0]))),
               recognize_in_worker(LocalBackend(), as_source(b"not an image"))]
    answer, error = (future.result() for future in futures)
    assert answer == reference[0]
    assert error.errcode == Errcode.INVALID_IMAGE_DATA and "<bytes: 12 B>" in str(error)


class SuicideBackend(LocalBackend):
    """A local backend whose worker process kills itself (SIGKILL, as the OOM killer does)
    when it meets an image of exactly ``deadly`` bytes: a real worker death, every time."""

    def __init__(self, deadly: int) -> None:
        super().__init__()
        self.deadly = deadly

    def recognize(self, source: ImageSource) -> OcrResult:
        if source.kind == "bytes" and len(source.value) == self.deadly:
            time.sleep(0.2)  # let the other worker take an image too
            os.kill(os.getpid(), signal.SIGKILL)
        return super().recognize(source)


def test_an_image_that_kills_its_worker_costs_only_itself(text_crops, reference):
    deadly = b"\x89PNG" + bytes(60)
    sources = [as_source(str(path)) for path in text_crops[:8]]
    sources.insert(3, as_source(deadly))
    outcomes = dict(recognize_many(SuicideBackend(len(deadly)), sources, 2))
    assert sorted(outcomes) == list(range(len(sources)))
    assert isinstance(outcomes.pop(3), WorkerDiedError)
    assert [outcomes[i] for i in sorted(outcomes)] == reference[:8]
    # The dead pool was replaced; the next batch runs normally.
    assert recognize_in_worker(LocalBackend(), sources[0]).result() == reference[0]


def test_a_worker_killed_mid_batch_costs_at_most_one_image(text_crops, reference, tmp_path):
    images = [str(path) for path in text_crops]
    get_executor(2)
    results: list[OcrResult] = []
    batch = threading.Thread(target=lambda: results.extend(
        recognize_results(images, cache_dir=tmp_path, max_workers=2)))
    batch.start()
    while stored_answers(tmp_path) < 2:  # answers are stored as they come: two are done
        time.sleep(0.05)
    victim = min(worker_pids())
    os.kill(victim, signal.SIGKILL)
    stored_at_kill = stored_answers(tmp_path)
    batch.join()
    assert stored_at_kill < len(images)  # the kill really came mid-batch
    assert victim not in worker_pids()
    assert len(results) == len(images)
    died = [i for i, result in enumerate(results) if result.errcode == Errcode.WORKER_DIED]
    assert len(died) <= 1
    assert [r for i, r in enumerate(results) if i not in died] == \
        [r for i, r in enumerate(reference) if i not in died]


def stored_answers(cache_dir: Path) -> int:
    """How many answers the batch has stored in its cache so far."""
    try:
        with closing(sqlite3.connect(f"file:{cache_dir / 'results.sqlite3'}?mode=ro",
                                     uri=True)) as db:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


RUNS = {
    "script": lambda script, tmp: ([sys.executable, str(script)], None),
    "stdin": lambda script, tmp: ([sys.executable, "-"], script.read_text()),
    "-c": lambda script, tmp: ([sys.executable, "-c", script.read_text()], None),
}


@pytest.mark.parametrize("how", RUNS)
def test_a_script_without_a_main_guard_runs_a_worker_batch(how, text_crops, reference,
                                                           tmp_path):
    images = [str(path) for path in text_crops[:10]]
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f"""\
        import wxocr_pandas
        print("top level ran")
        results = wxocr_pandas.batch.recognize_results({images!r}, cache=False, max_workers=2)
        print([r.to_json() for r in results])
        """))
    command, stdin = RUNS[how](script, tmp_path)
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "top level ran" and len(lines) == 2
    assert eval(lines[1]) == [r.to_json() for r in reference[:10]]  # noqa: S307 (our output)


def test_ctrl_c_mid_batch_leaves_no_process_behind(text_crops, tmp_path):
    images = [str(path) for path in text_crops]
    script = tmp_path / "long.py"
    script.write_text(textwrap.dedent(f"""\
        import wxocr_pandas
        for round in range(50):
            wxocr_pandas.batch.recognize_results({images!r}, cache=False, max_workers=2)
        """))
    process = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path,
                               stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(process.pid)
    workers: list[psutil.Process] = []
    while len(workers) < 2:
        time.sleep(0.1)
        workers = [child for child in parent.children(recursive=True) if is_worker(child)]
    time.sleep(1.0)
    everything = parent.children(recursive=True)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert "KeyboardInterrupt" in stderr
    gone, alive = psutil.wait_procs(everything, timeout=10)
    assert alive == []


def test_shutdown_workers_stops_them_and_the_next_batch_starts_new_ones(text_crops, reference):
    recognize_results([str(p) for p in text_crops[:2]], cache=False, max_workers=2)
    old = worker_pids()
    shutdown_workers()
    assert not old & {p.pid for p in psutil.process_iter()}
    assert recognize_results([str(p) for p in text_crops[:2]], cache=False,
                             max_workers=2) == reference[:2]


class PidBackend(LocalBackend):
    """A local backend that answers with the id of the process that read the image (in
    ``errmsg``), so a test can tell in-process reading from worker reading."""

    def recognize(self, source: ImageSource) -> OcrResult:
        return dataclasses.replace(super().recognize(source), errmsg=str(os.getpid()))


def test_a_small_batch_runs_in_process_until_workers_are_warm(text_crops):
    images = [str(path) for path in text_crops[:3]]  # fewer than MIN_PROCESS_BATCH
    shutdown_workers()
    cold = recognize_results(images, PidBackend(), cache=False)
    assert {result.errmsg for result in cold} == {str(os.getpid())}
    recognize_results(images, cache=False, max_workers=2)  # a notebook's first, larger batch
    warm = recognize_results(images, PidBackend(), cache=False)
    assert {int(result.errmsg) for result in warm} <= worker_pids()
    assert [result.items for result in warm] == [result.items for result in cold]


_HELD: list[bytes] = []


class LeakyBackend(PidBackend):
    """A local backend whose worker keeps 150 MB more after every image (a real leak: the
    bytes are written, so they are resident)."""

    def recognize(self, source: ImageSource) -> OcrResult:
        _HELD.append(b"\x01" * 150_000_000)
        time.sleep(0.6)  # loky looks at a worker's memory at most once a second
        return super().recognize(source)


def test_a_worker_whose_memory_grows_is_recycled_without_losing_its_image(
        text_crops, reference, monkeypatch):
    monkeypatch.setenv("LOKY_MAX_MEMORY_LEAK_SIZE", str(200_000_000))
    shutdown_workers()  # the next pool starts with this limit
    images = [str(path) for path in text_crops[:8]]
    try:
        with pytest.warns(UserWarning, match="restarted"):
            leaky = recognize_results(images, LeakyBackend(), cache=False, max_workers=2)
    finally:
        shutdown_workers()
    assert [result.items for result in leaky] == [result.items for result in reference[:8]]
    # More processes answered than the pool has: the leaking workers were replaced.
    assert len({result.errmsg for result in leaky}) > 2
    assert not _HELD  # and nothing leaked here, in the parent


def test_a_first_batch_goes_to_workers_sooner_when_this_process_has_no_engine_loaded(
        text_crops, tmp_path):
    images = []  # MIN_PROCESS_BATCH_UNLOADED distinct images (some crops repeat a text)
    for number, path in enumerate(text_crops[:16]):
        images.append(str(tmp_path / f"{number}.png"))
        ImageOps.expand(Image.open(path), border=number, fill="white").save(images[-1])
    backend = PidBackend(params={"Det.box_thresh": 0.31})  # an engine no test has loaded
    shutdown_workers()
    assert not backend.loaded()
    fresh = recognize_results(images, backend, cache=False)
    assert {int(result.errmsg) for result in fresh} <= worker_pids()  # read by workers
    backend.recognize(as_source(images[0]))  # now this process has the engine: a notebook
    shutdown_workers()
    loaded = recognize_results(images, backend, cache=False)
    assert {result.errmsg for result in loaded} == {str(os.getpid())}  # under 48: in-process
    assert [r.items for r in loaded] == [r.items for r in fresh]


class PidSizeBackend:
    """A backend of the tests' own (not the local engine) that declares it runs in worker
    processes: it answers the image size, with the id of the process that read it and the
    copy's thread count in ``errmsg``."""

    name = "pid-size"
    identity = "pid-size:1"
    parallelism = "process"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads

    def for_worker(self) -> PidSizeBackend:
        return PidSizeBackend(threads=1)

    def loaded(self) -> bool:
        return False

    def recognize(self, source: ImageSource) -> OcrResult:
        width, height = decode(source).size
        return OcrResult(errmsg=f"{os.getpid()}:{self.threads}", img_size=ImgSize(width, height))


def test_any_backend_that_declares_processes_gets_worker_processes(text_crops):
    images = [str(path) for path in text_crops[:6]]
    backend = PidSizeBackend()
    assert isinstance(backend, ProcessBackend)
    answers = recognize_results(images, backend, cache=False, max_workers=2)
    pids = {int(result.errmsg.split(":")[0]) for result in answers}
    assert pids <= worker_pids() and os.getpid() not in pids
    assert {result.errmsg.split(":")[1] for result in answers} == {"1"}  # the worker copy
    assert [(r.img_size.w, r.img_size.h) for r in answers] == \
        [Image.open(path).size for path in images]
    # The same backend declaring threads is read by threads of this process.
    backend.parallelism = "thread"
    threaded = recognize_results(images, backend, cache=False, max_workers=2)
    assert {result.errmsg for result in threaded} == {f"{os.getpid()}:None"}


def test_workers_exit_soon_after_their_parent_is_killed(text_crops, tmp_path):
    """``wxocr recognize`` SIGKILLed (as the OOM killer does) with its workers alive: they
    and every other process it started (loky's resource tracker) are gone within 10 s,
    not after the 5-minute idle timeout."""
    wxocr = Path(sys.executable).with_name("wxocr")
    images = [str(path) for path in text_crops]
    process = subprocess.Popen([str(wxocr), "recognize", *images, *images, "-o",
                                str(tmp_path / "out.csv"), "--workers", "2", "--no-cache",
                                "--no-progress"], stderr=subprocess.DEVNULL)
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 120
    while len([child for child in parent.children(recursive=True) if is_worker(child)]) < 2:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    started = parent.children(recursive=True)
    process.kill()
    process.wait()
    killed = time.monotonic()

    def exited(child: psutil.Process) -> bool:
        try:
            return child.status() == psutil.STATUS_ZOMBIE  # gone, not yet reaped
        except psutil.NoSuchProcess:
            return True

    while not all(map(exited, started)) and time.monotonic() - killed < 10:
        time.sleep(0.2)
    assert [child.pid for child in started if not exited(child)] == []


class HogBackend(LocalBackend):
    """A local backend that dies on the image of ``deadly`` bytes the first time (SIGKILL,
    as the OOM killer does) and, when the image is retried in a fresh worker, reserves
    ``hog`` bytes of address space (never touched: no real memory is used)."""

    def __init__(self, deadly: int, marker: Path, hog: int) -> None:
        super().__init__()
        self.deadly, self.marker, self.hog = deadly, marker, hog

    def recognize(self, source: ImageSource) -> OcrResult:
        if source.kind == "bytes" and len(source.value) == self.deadly:
            if not self.marker.exists():
                self.marker.touch()
                os.kill(os.getpid(), signal.SIGKILL)
            import numpy as np

            np.empty(self.hog, dtype=np.uint8)
        return super().recognize(source)


def test_an_image_whose_worker_died_is_retried_once_under_a_memory_bound(text_crops,
                                                                          reference, tmp_path):
    from wxocr_pandas.workers import RETRY_MEMORY

    deadly = b"\x89PNG" + bytes(40)
    backend = HogBackend(len(deadly), tmp_path / "died-once", hog=2 * RETRY_MEMORY)
    sources = [as_source(str(path)) for path in text_crops[:3]] + [as_source(deadly)]
    outcomes = dict(recognize_many(backend, sources, 2))
    assert [outcomes[i] for i in range(3)] == reference[:3]
    retried = outcomes[3]
    assert retried.errcode == Errcode.ENGINE_FAILED and "MemoryError" in retried.errmsg
    (tmp_path / "died-once").unlink()  # the server's path: one image, one retry, bounded
    alone = recognize_in_worker(backend, as_source(deadly), 2).result()
    assert alone.errcode == Errcode.ENGINE_FAILED and "MemoryError" in alone.errmsg


def test_shutdown_kills_workers_that_do_not_finish_within_the_drain_time():
    from wxocr_pandas.workers import submit

    shutdown_workers()
    stuck = submit(time.sleep, 120, max_workers=1)
    while not stuck.running():
        time.sleep(0.05)
    time.sleep(0.5)  # the worker has taken the call
    workers = worker_pids()
    assert len(workers) == 1
    started = time.monotonic()
    shutdown_workers(timeout=1)
    assert time.monotonic() - started < 30
    assert not workers & {process.pid for process in psutil.process_iter()}
    assert stuck.done()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_workers_give_large_blocks_back_where_a_plain_process_keeps_them():
    """A worker fixes glibc's mmap threshold (wxocr_pandas.heap): image-sized buffers of
    ever new sizes are mapped and returned, not kept in a growing heap."""
    from tests.helpers.heap import block_mapped_after_a_larger_free
    from wxocr_pandas.workers import submit

    # Without the malloc settings of the environment: Dask's LocalCluster (tests/test_dask.py)
    # leaves MALLOC_TRIM_THRESHOLD_ in it, which fixes the threshold too.
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    plain = subprocess.run(
        [sys.executable, "-c", "from tests.helpers.heap import block_mapped_after_a_larger_free"
         " as probe; print(probe())"], cwd=ROOT, env=clean, capture_output=True, text=True,
        check=True)
    assert plain.stdout.strip() == "False"
    assert submit(block_mapped_after_a_larger_free, max_workers=1).result(timeout=120) is True
