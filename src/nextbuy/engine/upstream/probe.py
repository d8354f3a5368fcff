"""Closes breakers when their upstream is back, even if every request is served from cache.

A breaker half-opens only when a call tries it; with warm caches no call may come for a
long time, so responses would keep saying ``degraded``. This task sends the half-open probe
itself: a cheap ``/healthz`` through the same breaker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from nextbuy.core.resilience.breaker import CircuitBreaker
from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.upstream.http import UpstreamHttp

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProbeTarget:
    http: UpstreamHttp
    breaker: CircuitBreaker


async def probe_open_breakers(
    targets: Sequence[ProbeTarget], *, interval_s: float = 1.0, timeout_s: float = 0.2
) -> None:
    """Every ``interval_s``: for each breaker that lets a probe through, call ``/healthz``."""
    while True:
        for target in targets:
            if target.breaker.state == "closed" or not target.breaker.allow():
                continue
            started = time.monotonic()
            try:
                await target.http.get("/healthz", timeout_s=timeout_s)
            except UpstreamError:
                target.breaker.record_failure()
            else:
                target.breaker.record_success(time.monotonic() - started)
                logger.info("upstream back", extra={"source": target.http.source})
        await asyncio.sleep(interval_s)
