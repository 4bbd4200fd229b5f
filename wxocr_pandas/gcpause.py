"""Python's cyclic garbage collector paused while many acyclic objects are made.

Building a hundred thousand cached answers, or the frame of two million rows from them,
allocates objects none of which is in a reference cycle; the collector, set off again and
again by the allocations, only walks them; pausing it roughly halved parsing and building the
frame (measured: see docs/performance.md#bench_cache). Objects are still freed by reference counting meanwhile; only cycle detection waits.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (if it was running); it resumes after.

    Examples
    --------
    >>> import gc
    >>> with cyclic_gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
