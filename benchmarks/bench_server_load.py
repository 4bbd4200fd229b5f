"""Benchmark: ``wxocr serve`` under load, the bounded queue with its deadline.

Distinct images (margin variants of the samples, so neither deduplication nor the cache can
help), each request one multipart upload, no retry; every server a real ``wxocr serve``
subprocess on 127.0.0.1 with the default number of workers (one per usable core).

- **Held, not refused**: a default server (cache on, default queue), 200 requests with 16 in
  flight: the share answered 0 (target >= 99 %), none lost, p50 and p99 latency, and the
  throughput against the baseline measured in the same run: the workers' count times the
  rate of the engine called directly (``LocalBackend(threads=1)``, as a worker runs it).
- **Overload refused at once**: ``--queue 16 --no-cache``, 64 requests at once: the excess is
  answered -1 at once (its latency against the served answers'), none lost, and ``/healthz``,
  polled every 50 ms throughout by a process of its own, answers within 100 ms (its latency
  against an idle server's, measured first).

Run: ``python benchmarks/bench_server_load.py`` (numbers under other load are noisy; the ratios
are measured in the same run).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from _images import sample_variants
from bench_server import Server

from wxocr_pandas import LocalBackend
from wxocr_pandas.images import as_source
from wxocr_pandas.workers import usable_cpus

REQUESTS, IN_FLIGHT = 200, 16
OVERLOAD, QUEUE = 64, 16


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def send(server: Server, images: list[bytes], in_flight: int) -> list[tuple[int | None, float]]:
    """(errcode, seconds) per image, ``in_flight`` requests at a time, all starting together;
    errcode None when no JSON answer came (a lost request)."""
    start = threading.Barrier(min(in_flight, len(images)))
    local = threading.local()

    def call(image: bytes) -> tuple[int | None, float]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            start.wait()
        began = time.perf_counter()
        try:
            errcode = server.post(local.session, image)["errcode"]
        except (requests.RequestException, ValueError):
            errcode = None
        return errcode, time.perf_counter() - began

    with ThreadPoolExecutor(in_flight) as pool:
        return list(pool.map(call, images))


#: The /healthz poller, a process of its own: a thread of this process would wait for the GIL
#: behind the 64 client threads, and measure them instead of the server.
POLLER = """
import json, select, sys, time, urllib.request
latencies = []
while not select.select([sys.stdin], [], [], 0)[0]:
    began = time.perf_counter()
    with urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=30) as answer:
        json.load(answer)
    latencies.append(time.perf_counter() - began)
    time.sleep(0.05)
print(json.dumps(latencies))
"""


class HealthzPoller:
    """``/healthz`` polled every 50 ms by a separate process, from start to :meth:`stop`."""

    def __init__(self, server: Server) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", POLLER, server.url],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def stop(self) -> list[float]:
        """The latencies, in seconds."""
        out, _ = self.process.communicate("stop\n", timeout=60)
        return json.loads(out)


def main() -> None:
    workers = usable_cpus()
    with tempfile.TemporaryDirectory() as folder:
        paths = sample_variants(Path(folder), per_sample=-(-(REQUESTS + OVERLOAD) // 6))
        images = [path.read_bytes() for path in paths]
    held, overload = images[:REQUESTS], images[REQUESTS:REQUESTS + OVERLOAD]

    backend = LocalBackend(threads=1)
    backend.recognize(as_source(held[0]))  # the engine loaded outside the timing
    began = time.perf_counter()
    for image in held[::10]:
        backend.recognize(as_source(image))
    per_image = (time.perf_counter() - began) / len(held[::10])

    with tempfile.TemporaryDirectory() as cache:
        server = Server(None, options=("--cache-dir", cache))
        try:
            began = time.perf_counter()
            outcomes = send(server, held, IN_FLIGHT)
            seconds = time.perf_counter() - began
        finally:
            server.stop()
    errcodes = [errcode for errcode, _ in outcomes]
    latencies = [latency for _, latency in outcomes]
    served = errcodes.count(0)
    rate, baseline = REQUESTS / seconds, workers / per_image
    print(f"default server, {workers} workers, {REQUESTS} requests, {IN_FLIGHT} in flight: "
          f"{served} answered 0 ({served / REQUESTS:.1%}, target >= 99 %), "
          f"{errcodes.count(-1)} busy, {errcodes.count(None)} lost; "
          f"p50 {statistics.median(latencies):.2f} s, p99 {percentile(latencies, 0.99):.2f} s")
    print(f"  throughput {rate:.2f} images/s against {workers} x the engine directly "
          f"({per_image:.2f} s per image) = {baseline:.2f} images/s -> {rate / baseline:.2f}x")

    server = Server(None, options=("--queue", str(QUEUE), "--no-cache"))
    try:
        poller = HealthzPoller(server)
        time.sleep(1)
        idle = poller.stop()
        poller = HealthzPoller(server)
        outcomes = send(server, overload, OVERLOAD)
        busy_healthz = poller.stop()
    finally:
        server.stop()
    refused = [latency for errcode, latency in outcomes if errcode == -1]
    answered = [latency for errcode, latency in outcomes if errcode == 0]
    lost = sum(errcode is None for errcode, _ in outcomes)
    print(f"--queue {QUEUE}, {OVERLOAD} requests at once: {len(answered)} answered 0 (room: "
          f"{workers} running + {QUEUE} waiting), {len(refused)} answered -1, {lost} lost")
    if refused and answered:
        print(f"  -1 came in p50 {statistics.median(refused) * 1000:.0f} ms, max "
              f"{max(refused) * 1000:.0f} ms, against p50 {statistics.median(answered):.2f} s "
              f"for the served ones")
    print(f"  /healthz during the load: p50 {statistics.median(busy_healthz) * 1000:.0f} ms, "
          f"max {max(busy_healthz) * 1000:.0f} ms over {len(busy_healthz)} polls (target "
          f"<= 100 ms), against {statistics.median(idle) * 1000:.1f} ms idle")


if __name__ == "__main__":
    from _record import run

    run(main)
