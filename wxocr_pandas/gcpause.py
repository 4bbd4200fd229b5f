"""Python's cyclic garbage collector paused while many acyclic objects are made.

Building a hundred thousand cached answers, or the frame of two million rows from them,
allocates objects none of which is in a reference cycle; the collector, set off again and
again by the allocations, only walks them. Measured on 100,000 answers of 20 items
(``benchmarks/bench_cache.py``): parsing 2.1 s -> 0.95 s, the frame 2.2-2.7 s -> 1.3 s
(and for the previous cache format's ten million objects, 15.8 s -> 4.0 s). Objects are
still freed by reference counting meanwhile; only cycle detection waits.
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
