"""Keep a long-lived worker's heap from growing with every new image size.

glibc's ``malloc`` serves a block of :data:`MMAP_THRESHOLD` bytes or more with its own
``mmap`` and gives it back to the system when freed. By default that threshold moves: each
time such a block is freed, it rises to the block's size (up to 32 MB), so after the first
page the engine's image-sized buffers (tens of MB) come from the heap instead, and buffers of
ever new sizes fragment it: a worker reading pages of many sizes kept growing. With the
threshold fixed, it grows by about half as much, for a few percent more CPU time (measured:
see docs/performance.md#observations). Workers (:mod:`.workers`) fix it when they start; the
user's own process is left as it is. (Dask's nanny does the like for its workers: its
``MALLOC_TRIM_THRESHOLD_`` fixes the threshold too.)
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["MMAP_THRESHOLD", "return_large_blocks"]

#: Blocks of this many bytes or more get their own mapping, returned when freed.
MMAP_THRESHOLD = 4 * 2**20
#: ``mallopt``'s parameter number for the threshold (glibc's ``malloc.h``).
_M_MMAP_THRESHOLD = -3


def return_large_blocks() -> bool:
    """Fix this process's ``mmap`` threshold at :data:`MMAP_THRESHOLD` (glibc only); True
    when the C library took it.

    Examples
    --------
    >>> return_large_blocks()  # Linux with glibc
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without mallopt
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
