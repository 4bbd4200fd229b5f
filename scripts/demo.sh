#!/usr/bin/env bash
# Install the package alone into $VENV (default .venv) and recognize the bundled samples into
# results.csv: only what the main job needs. scripts/test.sh installs what the tests need too.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e .
"$VENV/bin/wxocr" recognize samples/*.png -o results.csv
