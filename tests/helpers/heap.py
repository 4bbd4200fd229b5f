"""A probe of glibc's ``mmap`` threshold, run in worker processes and plain ones."""

from __future__ import annotations

import ctypes

MB = 2**20


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def block_mapped_after_a_larger_free() -> bool:
    """Whether an 8 MB block gets its own mapping after a 20 MB one was freed.

    glibc's moving threshold rises to 20 MB on that free, so by default the 8 MB block comes
    from the heap (False); with the threshold fixed at 4 MB it is mapped (True).
    """
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.mallinfo2.restype = _Mallinfo2
    libc.free(libc.malloc(20 * MB))
    before = libc.mallinfo2().hblkhd
    block = libc.malloc(8 * MB)
    mapped = libc.mallinfo2().hblkhd - before >= 8 * MB
    libc.free(block)
    return mapped
