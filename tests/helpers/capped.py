"""Run Python in a subprocess under a memory cap, so a regression that blows memory up fails
its test (MemoryError, or the child killed) instead of taking the machine down.

The cap is ``RLIMIT_AS`` (address space), inherited by every process the child starts (worker
processes, ``wxocr serve``'s workers). OpenVINO reserves about 2 GB of address space once its
engines are loaded and peaks near 4.2 GB on the strips of ``test_engine_input``, while
an unguarded 1000 x 1 strip needs more than 8 GB: :data:`CAP` lies between.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from typing import Any

#: Address space allowed to each capped process.
CAP = 6 * 2**30


def limit_memory(cap: int = CAP) -> None:
    """``preexec_fn`` for :mod:`subprocess`: cap the child's address space."""
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_capped(code: str, *, cap: int = CAP, timeout: float = 240, cwd: Any = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -c code`` under the cap; its output is captured as text."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, env={**os.environ, **(env or {})},
                          preexec_fn=lambda: limit_memory(cap))
