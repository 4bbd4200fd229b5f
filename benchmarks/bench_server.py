"""Benchmark: ``wxocr serve`` throughput with N workers against 1, and the server's overhead
against calling the engine directly.

12 distinct images (2 margin variants of each sample), cache off, each server a real
``wxocr serve`` subprocess on 127.0.0.1, clients posting multipart ``img`` as WeChat clients do.

- **Throughput**: requests per second with ``--workers 1`` (2 clients in flight) and
  ``--workers N`` (N = usable cores, 2N clients in flight), every image sent 2 times.
- **Overhead**: one client sending the images one after another to ``--workers 1``, against
  the same images recognized directly in one process by the engine configuration a worker
  runs (``LocalBackend(threads=1)``). Interleaved image by image, best of 5 rounds (target <= 10 %). A
  third timing sends them to one of the package's worker processes without the server, to
  tell the server's own cost from the cost of reading in another process.

Run: ``python benchmarks/bench_server.py`` (numbers under other load are noisy; the ratios
are measured in the same run).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from _images import sample_variants

from wxocr_pandas import LocalBackend
from wxocr_pandas.images import as_source

ROUNDS = 5
APPID, SECRET = "wxbench000000000001", "bench-secret"


class Server:
    """``wxocr serve --workers N`` (the default number when None) with ``options`` (by default
    ``--no-cache``) in a subprocess; its daily quota is never the limit."""

    def __init__(self, workers: int | None, options: Sequence[str] = ("--no-cache",)) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "WXOCR_SERVER_APPS": f"{APPID}:{SECRET}"}
        sized = ["--workers", str(workers)] if workers is not None else []
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("wxocr")), "serve", "--port", str(port),
             *sized, *options, "--daily-quota", "1000000"],
            env=env, stderr=subprocess.DEVNULL)
        while True:
            try:
                requests.get(f"{self.url}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        self.token = requests.get(f"{self.url}/cgi-bin/token", timeout=30, params={
            "grant_type": "client_credential", "appid": APPID, "secret": SECRET}).json()[
            "access_token"]

    def post(self, session: requests.Session, image: bytes) -> dict:
        return session.post(f"{self.url}/cv/ocr/comm", params={"access_token": self.token},
                            files={"img": ("image.png", image, "image/png")}, timeout=600).json()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=300)


def send_all(server: Server, images: list[bytes], in_flight: int) -> float:
    """Seconds to get an answer for every image, ``in_flight`` clients at a time (a busy
    answer is retried at once: none occurs while ``in_flight`` is within capacity)."""
    sessions = [requests.Session() for _ in range(in_flight)]

    def client(index: int) -> None:
        for image in images[index::in_flight]:
            while server.post(sessions[index], image)["errcode"] == -1:
                time.sleep(0.05)

    start = time.perf_counter()
    with ThreadPoolExecutor(in_flight) as pool:
        list(pool.map(client, range(in_flight)))
    return time.perf_counter() - start


def direct(images: list[bytes], backend: LocalBackend) -> float:
    start = time.perf_counter()
    for image in images:
        backend.recognize(as_source(image))
    return time.perf_counter() - start


def in_worker(images: list[bytes], backend: LocalBackend) -> float:
    """The same images through one of the package's worker processes, without the server."""
    from wxocr_pandas.workers import get_executor, recognize_in_worker

    get_executor(1)
    start = time.perf_counter()
    for image in images:
        recognize_in_worker(backend, as_source(image), 1).result()
    return time.perf_counter() - start


def main() -> None:
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory() as folder:
        images = [path.read_bytes() for path in sample_variants(Path(folder), per_sample=2)]

    backend = LocalBackend(threads=1)
    direct(images[:1], backend)  # load the engine outside the timing
    one = Server(1)
    try:
        send_all(one, images[:2], 1)  # warm the connection and the worker
        in_worker(images, backend)  # this process's own worker: engine and shapes warm
        # Interleaved image by image, so that the machine's drift (seen here: +-15 % between
        # minutes) weighs on the three ways alike.
        served, plain, worker = [], [], []
        for _ in range(ROUNDS):
            times = [(send_all(one, [image], 1), direct([image], backend),
                      in_worker([image], backend)) for image in images]
            for total, column in zip((served, plain, worker), zip(*times)):
                total.append(sum(column))
        rps_one = 2 * len(images) / send_all(one, images * 2, 2)
    finally:
        one.stop()
    many = Server(workers)
    try:
        send_all(many, images[:workers], workers)
        rps_many = 2 * len(images) / send_all(many, images * 2, 2 * workers)
    finally:
        many.stop()

    overhead = min(served) / min(plain) - 1
    print(f"{len(images)} images, one client: engine directly {min(plain):.2f} s, "
          f"through the server {min(served):.2f} s -> overhead {overhead * 100:+.1f} % "
          "(target <= 10 %)")
    print(f"  of which the worker process: the same images through one package worker without "
          f"the server {min(worker):.2f} s ({(min(worker) / min(plain) - 1) * 100:+.1f} % against the "
          f"engine directly); the server itself {(min(served) / min(worker) - 1) * 100:+.1f} %")
    print(f"throughput: --workers 1 {rps_one:.2f} req/s, --workers {workers} {rps_many:.2f} "
          f"req/s -> {rps_many / rps_one:.2f}x")


if __name__ == "__main__":
    from _record import run

    run(main)
