"""Peak memory of a block of code: resident-set samples taken by a background thread.

tracemalloc would miss what compiled libraries (``implicit``'s C++) allocate and slows Python
loops, which would distort the training times measured alongside. Sampling the process's resident
set every few milliseconds sees every allocation and costs nothing measurable. The figure is the
peak *growth* over the resident set before the block, so it is approximate: memory freed to the
allocator but not to the OS, or a peak shorter than one sampling period, can skew it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_STATM = Path("/proc/self/statm")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int:
    """The process's resident set size now (0 where /proc is not available)."""
    try:
        return int(_STATM.read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class PeakMemory:
    """Filled in when the ``measure_peak_memory`` block ends."""

    baseline_bytes: int = 0
    peak_bytes: int = 0

    @property
    def growth_mib(self) -> float:
        return max(self.peak_bytes - self.baseline_bytes, 0) / 2**20


@contextmanager
def measure_peak_memory(interval_s: float = 0.005) -> Iterator[PeakMemory]:
    """Sample the resident set size while the block runs."""
    result = PeakMemory(baseline_bytes=resident_bytes())
    result.peak_bytes = result.baseline_bytes
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(interval_s):
            result.peak_bytes = max(result.peak_bytes, resident_bytes())

    sampler = threading.Thread(target=sample, name="peak-memory", daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        stop.set()
        sampler.join()
        result.peak_bytes = max(result.peak_bytes, resident_bytes())
