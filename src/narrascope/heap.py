"""Giving freed memory back to the operating system after the steps of a long analysis.

A long article's steps build and free millions of small objects and large arrays; glibc keeps the freed pages in
its heap, so a process's resident memory after one step carries into the peak of the next. ``malloc_trim``
returns them. Elsewhere (macOS, musl, Windows) this is a no-op: their allocators release or account memory
differently, and the bound on memory is measured here, on Linux (``benchmarks/bench_memory.py``).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache

#: Batches holding more characters than this give their freed memory back after every step (trimming the heap
#: takes milliseconds, which only a long text's steps dwarf).
LONG_BATCH_CHARS = 100_000


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (from the symbols the process has loaded), or None where the C library has none."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # TypeError: Windows has no "the process itself" library
        return None


def release_free_memory() -> None:
    """Return the heap's free pages to the operating system (where the C library can)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
