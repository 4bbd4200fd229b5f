"""Benchmark 3: the WeChat backend with 8 worker threads against sequential calls.

A local server speaks ``POST /cv/ocr/comm`` and answers the documented JSON after 100 ms,
like a distant API. 200 distinct tiny images, cache off, once with ``max_workers=1`` and
once with ``max_workers=8``. Run: ``python benchmarks/bench_wechat_threads.py``.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _images import tiny_png

from wxocr_pandas.backends.wechat import WeChatBackend
from wxocr_pandas.batch import recognize_results

DELAY = 0.1
ANSWER = json.dumps({
    "errcode": 0, "errmsg": "ok", "img_size": {"w": 16, "h": 16},
    "items": [{"text": "腾讯", "pos": {"left_top": {"x": 1, "y": 1}, "right_top": {"x": 9, "y": 1},
                                       "right_bottom": {"x": 9, "y": 5},
                                       "left_bottom": {"x": 1, "y": 5}}}],
}).encode()


class SlowOcrHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(DELAY)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


def run(images: list[bytes], base_url: str, workers: int) -> float:
    with tempfile.TemporaryDirectory() as ledger:  # the real daily-call ledger stays untouched
        backend = WeChatBackend(access_token="bench-token", base_url=base_url,
                                daily_budget=10_000, quota_dir=ledger)
        return timed(images, backend, workers)


def timed(images: list[bytes], backend: WeChatBackend, workers: int) -> float:
    start = time.perf_counter()
    results = recognize_results(images, backend, cache=False, max_workers=workers,
                                progress=False)
    elapsed = time.perf_counter() - start
    failed = [r.errmsg for r in results if not r.ok]
    assert not failed, failed[:3]
    return elapsed


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowOcrHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    images = [tiny_png(number) for number in range(200)]
    try:
        sequential = run(images, base_url, 1)
        parallel = run(images, base_url, 8)
    finally:
        server.shutdown()
    print(f"200 images, server answers after {DELAY * 1000:.0f} ms: sequential {sequential:.1f} s, "
          f"8 workers {parallel:.1f} s")
    print(f"8 workers {sequential / parallel:.1f}x sequential (target >= 6x)")


if __name__ == "__main__":
    from _record import run

    run(main)
