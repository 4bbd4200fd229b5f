#!/usr/bin/env bash
# Set up $VENV (default .venv) and recognize the bundled samples into results.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
VENV="$VENV" bash scripts/setup.sh
"$VENV/bin/wxocr" recognize samples/*.png -o results.csv
