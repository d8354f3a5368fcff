"""Keep full garbage collections of a long-lived server's settled state off the request path.

A full (generation 2) collection walks every container object the process holds. In the
engine that is the read model, the serving model's id maps and the caches, and on the bench
each such collection took 200–370 ms of wall time (measured with ``gc.callbacks``), one every
few seconds while cold users were loaded — a stall that every request in flight waits out,
and what put 1–2% of answers past the 200 ms budget (docs/benchmarks.md, "Data plane").

Objects that live as long as the process are taken out of the collector's sight with
``gc.freeze()`` once they exist: after start-up and after each model swap. Reference counting
still frees a frozen object when it is dropped (an old model goes as soon as nothing uses
it); only reference *cycles* among frozen objects are never collected, so a young collection
runs first and freezing happens only when the settled state changes, not on a timer.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable


def freeze_settled_state() -> int:
    """Collect the young generations, then freeze everything alive; returns objects frozen."""
    gc.collect(1)
    gc.freeze()
    return gc.get_freeze_count()


async def freeze_whenever_changed(
    current: Callable[[], object | None], *, interval_s: float = 1.0
) -> None:
    """Freeze once now and again whenever ``current()`` returns a different object.

    ``current`` names the state that settles in steps (the serving model): a new one means a
    new batch of long-lived objects to take out of the collector's sight.
    """
    seen: object | None = object()
    while True:
        now = current()
        if now is not seen:
            freeze_settled_state()
            seen = now
        await asyncio.sleep(interval_s)
