#!/usr/bin/env bash
# Set up $VENV (default .venv) and run the whole test suite (doctests and notebooks included).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
VENV="$VENV" bash scripts/setup.sh
"$VENV/bin/python" -m pytest "$@"
