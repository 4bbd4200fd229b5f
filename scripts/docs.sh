#!/usr/bin/env bash
# Build the documentation site into site/ in strict mode: a broken link or anchor, a public name
# without an API entry or an Examples section, a notebook saved unexecuted, or a measurement
# shown nowhere fails the build. Uses $VENV (default .venv) when it exists, else installs the
# docs extra into it first. The examples themselves run in the test suite (--doctest-modules).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if ! "$VENV/bin/python" -c "import mkdocs, mkdocstrings_handlers.python, mkdocs_jupyter" 2>/dev/null; then
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q -e ".[docs]"
fi
NO_MKDOCS_2_WARNING=1 "$VENV/bin/python" -m mkdocs build --strict --clean "$@"
