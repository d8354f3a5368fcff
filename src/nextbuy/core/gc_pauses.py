"""Times every garbage collection, so a stall on the request path can be told apart from a
slow upstream.

A collection stops the whole process: every request in flight waits it out. The bench's
latency plots showed streaks of requests all late at once; without the collector's own timing
those look like an upstream's fault. ``gc.callbacks`` is called at the start and the end of
each collection with its generation, which is all it takes to time it.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

__all__ = ["GcPauseTimer"]

Observe = Callable[[int, float], None]
"""Receives (generation, seconds) once per finished collection."""


class GcPauseTimer:
    """Installs a ``gc.callbacks`` hook that reports each collection's generation and duration."""

    def __init__(self, observe: Observe, clock: Callable[[], float] = time.perf_counter) -> None:
        self._observe = observe
        self._clock = clock
        self._started = 0.0

    def install(self) -> GcPauseTimer:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)
        return self

    def uninstall(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        # Runs inside the collector: no allocation-heavy work, and never raise.
        if phase == "start":
            self._started = self._clock()
        elif phase == "stop":
            self._observe(int(info.get("generation", -1)), self._clock() - self._started)
