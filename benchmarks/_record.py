"""``--record``: keep what a benchmark prints as the figures of the documentation.

Every benchmark ends with ``run(main)``. Run plainly, it is ``main()``. With ``--record``
anywhere on its command line, what it prints still goes to the terminal, and is also written
to ``docs/measurements/<script>.md``: when, on what machine and with which command it was
measured, then the printed text. The Performance page (``docs/performance.md``) renders those
files when the site is built, so a measured figure is written in that one place.

A recorded file may be edited afterwards to add the conditions the script cannot see (other
jobs on the machine) or to lay its figures out as a table: keep its front matter.
"""

from __future__ import annotations

import datetime
import io
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

MEASUREMENTS = Path(__file__).resolve().parents[1] / "docs" / "measurements"


class _Tee(io.TextIOBase):
    def __init__(self, stream):
        self.stream, self.text = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.text.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def machine() -> str:
    """The machine a figure was measured on, in the words of the front matter."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", load average %.1f" % os.getloadavg()[0] if hasattr(os, "getloadavg") else ""
    return (f"{platform.system()} {platform.machine()}, {cores} usable cores{load}, "
            f"Python {platform.python_version()}")


def write(script: str, command: str, body: str) -> Path:
    """Write ``docs/measurements/<script>.md``: front matter, then ``body`` as printed."""
    MEASUREMENTS.mkdir(parents=True, exist_ok=True)
    path = MEASUREMENTS / f"{Path(script).stem}.md"
    path.write_text(
        "---\n"
        f"script: benchmarks/{Path(script).name}\n"
        f"command: {command}\n"
        f"measured: {datetime.date.today().isoformat()}\n"
        f"machine: {machine()}\n"
        "---\n\n"
        "```text\n" + body.rstrip("\n") + "\n```\n", encoding="utf-8")
    return path


def run(main: Callable[[], object]) -> None:
    """Run a benchmark's ``main``; with ``--record``, also keep what it printed."""
    if "--record" not in sys.argv:
        main()
        return
    sys.argv.remove("--record")
    command = " ".join(["python", *sys.argv])
    tee = _Tee(sys.stdout)
    sys.stdout = tee
    try:
        main()
    finally:
        sys.stdout = tee.stream
    print(f"recorded: {write(sys.argv[0], command, tee.text.getvalue())}")
