"""Benchmark: how long Ctrl-C takes to stop a run, and what it leaves behind.

Two real runs, each a fresh ``python -c`` process interrupted with SIGINT:

1. mid-batch: 60 small images on 2 worker processes, interrupted 1 s after both workers
   have started (each then holds an image);
2. mid-download: one URL served by a local server that trickles a byte every 0.1 s, with
   a 120 s download deadline, interrupted once the request arrived.

Prints the seconds from SIGINT to the process's exit (target <= 2 s) and how many of its
child processes were still alive 2 s after it exited (target 0).
Run: ``python benchmarks/bench_interrupt.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from _images import sample_variants


def interrupt(code: str, ready, env: dict[str, str]) -> tuple[float, int]:
    """Start ``python -c code``, wait for ``ready(process)``, SIGINT it; (seconds to exit,
    descendants still alive 2 s later)."""
    process = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL,
                               env={**os.environ, **env})
    parent = psutil.Process(process.pid)
    while not ready(parent):
        time.sleep(0.05)
    children = parent.children(recursive=True)
    start = time.perf_counter()
    process.send_signal(signal.SIGINT)
    process.wait()
    stopped = time.perf_counter() - start
    _, alive = psutil.wait_procs(children, timeout=2)
    return stopped, len(alive)


def mid_batch(folder: Path) -> tuple[float, int]:
    paths = [str(p) for p in sample_variants(folder, per_sample=10)]
    code = (f"import wxocr_pandas; wxocr_pandas.batch.recognize_results({paths!r}, "
            "cache=False, max_workers=2)")
    started: list[float] = []

    def ready(parent: psutil.Process) -> bool:
        workers = [c for c in parent.children(recursive=True)
                   if "popen_loky" in " ".join(c.cmdline())]
        if len(workers) >= 2 and not started:
            started.append(time.perf_counter())
        return bool(started) and time.perf_counter() - started[0] > 1.0

    return interrupt(code, ready, {})


def mid_download(folder: Path) -> tuple[float, int]:
    server = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{server.getsockname()[1]}/slow.png"
    requested = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            requested.set()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            try:
                while True:
                    conn.sendall(b"x")
                    time.sleep(0.1)
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    code = f"import wxocr_pandas; wxocr_pandas.batch.recognize_results([{url!r}])"
    try:
        return interrupt(code, lambda parent: requested.is_set(),
                         {"WXOCR_TIMEOUT": "120", "WXOCR_CACHE_DIR": str(folder)})
    finally:
        server.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, run in (("mid-batch (2 worker processes)", mid_batch),
                          ("mid-download (trickling server)", mid_download)):
            seconds, alive = run(Path(folder))
            print(f"Ctrl-C {name}: stopped {seconds:.2f} s after SIGINT (target <= 2 s), "
                  f"{alive} child processes left (target 0)")


if __name__ == "__main__":
    from _record import run

    run(main)
