"""An open-loop load generator: requests leave on a fixed schedule whatever the server does.

A closed-loop client (wrk, ab, a pool of workers) sends the next request only when one comes
back, so a slow server slows the client and the queueing delay never shows up in its numbers
(coordinated omission). Here every request is a new task started at its scheduled time, and its
latency is measured from that scheduled time, not from when the event loop got round to it.
Every body is read; JSON bodies are checked for the ``degraded`` flag.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import aiohttp
import numpy as np
import numpy.typing as npt
import orjson

from nextbuy.bench._loop import run_fast

Arrivals = Literal["poisson", "uniform"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]
CONNECTION_ERROR, TIMEOUT, BAD_BODY = 0, -1, -2
"""Pseudo status codes for requests that got no usable HTTP answer."""
SOURCE_BITS = {"profiles": 1, "catalog": 2, "orders": 4, "inventory": 8}
OTHER_SOURCE_BIT = 16
"""Each request's ``degraded_sources`` as a bit mask, so a fault can be traced to its source."""


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """What to send: ``url_template`` with ``{user}`` filled from ``users`` in turn."""

    url_template: str
    users: Sequence[str]
    rate_per_s: float
    duration_s: float
    arrivals: Arrivals = "poisson"
    timeout_s: float = 10.0
    expect_json: bool = True
    seed: int = 0
    max_connections: int = 1000

    def url(self, index: int) -> str:
        return self.url_template.format(user=self.users[index % len(self.users)])


@dataclass
class LoadResult:
    """One row per request, in schedule order; times are seconds from the run's start."""

    scheduled_s: FloatArray
    latency_s: FloatArray
    status: IntArray
    degraded: BoolArray
    sources: IntArray
    """Bit mask of the degraded sources of each answer (``SOURCE_BITS``)."""
    degraded_sources: dict[str, int] = field(default_factory=dict)

    @classmethod
    def empty(cls, n: int) -> LoadResult:
        return cls(
            scheduled_s=np.zeros(n),
            latency_s=np.full(n, np.nan),
            status=np.zeros(n, dtype=np.int32),
            degraded=np.zeros(n, dtype=bool),
            sources=np.zeros(n, dtype=np.int32),
        )

    def __len__(self) -> int:
        return int(self.scheduled_s.size)

    def grown(self, n: int) -> LoadResult:
        """A copy with room for ``n`` rows (the closed loop cannot know its count ahead)."""
        bigger = LoadResult.empty(n)
        size = len(self)
        for name in ("scheduled_s", "latency_s", "status", "degraded", "sources"):
            getattr(bigger, name)[:size] = getattr(self, name)
        bigger.degraded_sources = self.degraded_sources
        return bigger

    def truncated(self, n: int) -> LoadResult:
        return LoadResult(
            self.scheduled_s[:n].copy(),
            self.latency_s[:n].copy(),
            self.status[:n].copy(),
            self.degraded[:n].copy(),
            self.sources[:n].copy(),
            dict(self.degraded_sources),
        )


def arrival_offsets(
    rate_per_s: float, duration_s: float, arrivals: Arrivals, seed: int
) -> FloatArray:
    """Scheduled send times in ``[0, duration_s)``: evenly spaced, or a Poisson process."""
    if arrivals == "uniform":
        return np.arange(int(rate_per_s * duration_s), dtype=np.float64) / rate_per_s
    rng = np.random.default_rng(seed)
    # Draw comfortably more gaps than needed, then cut at the duration.
    gaps = rng.exponential(1.0 / rate_per_s, size=int(rate_per_s * duration_s * 1.5) + 100)
    times: FloatArray = np.cumsum(gaps) - gaps[0]
    return times[times < duration_s]


def _session(max_connections: int, timeout_s: float) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=max_connections, limit_per_host=max_connections)
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=timeout_s)
    )


class _Recorder:
    def __init__(self, result: LoadResult, expect_json: bool) -> None:
        self.result = result
        self.expect_json = expect_json

    async def send(self, session: aiohttp.ClientSession, index: int, url: str, due: float) -> None:
        """Send one request and record it; ``due`` is its scheduled (loop) time."""
        loop = asyncio.get_running_loop()
        status, body = CONNECTION_ERROR, b""
        try:
            async with session.get(url) as response:
                body = await response.read()
                status = response.status
        except TimeoutError:
            status = TIMEOUT
        except (aiohttp.ClientError, OSError):
            status = CONNECTION_ERROR
        self.result.latency_s[index] = loop.time() - due
        if status == 200 and self.expect_json:
            status = self._check_body(index, body)
        self.result.status[index] = status

    def _check_body(self, index: int, body: bytes) -> int:
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return BAD_BODY
        if isinstance(payload, dict) and payload.get("degraded"):
            self.result.degraded[index] = True
            for source in map(str, payload.get("degraded_sources") or ()):
                counts = self.result.degraded_sources
                counts[source] = counts.get(source, 0) + 1
                self.result.sources[index] |= SOURCE_BITS.get(source, OTHER_SOURCE_BIT)
        return 200


async def run_open_loop(plan: LoadPlan, *, start_at: float | None = None) -> LoadResult:
    """Send ``plan`` at its fixed arrival rate; ``start_at`` is a wall-clock (time.time) start."""
    offsets = arrival_offsets(plan.rate_per_s, plan.duration_s, plan.arrivals, plan.seed)
    result = LoadResult.empty(len(offsets))
    result.scheduled_s[:] = offsets
    recorder = _Recorder(result, plan.expect_json)
    loop = asyncio.get_running_loop()
    async with _session(plan.max_connections, plan.timeout_s) as session:
        t0 = loop.time() + (max(0.0, start_at - time.time()) if start_at is not None else 0.0)
        tasks: list[asyncio.Task[None]] = []
        for index, offset in enumerate(offsets.tolist()):
            due = t0 + offset
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            while loop.time() < due:
                # uvloop's timers have millisecond resolution and may fire up to 1 ms early;
                # a request sent before its time would report less latency than it had.
                await asyncio.sleep(0)
            # A new task per request: a slow answer never delays the next send.
            tasks.append(asyncio.create_task(recorder.send(session, index, plan.url(index), due)))
        await asyncio.gather(*tasks)
    return result


async def run_closed_loop(plan: LoadPlan, *, concurrency: int) -> LoadResult:
    """Capacity only: ``concurrency`` workers send back to back for ``plan.duration_s``."""
    loop = asyncio.get_running_loop()
    recorder = _Recorder(LoadResult.empty(4096), plan.expect_json)
    sent = 0
    async with _session(concurrency, plan.timeout_s) as session:
        t0 = loop.time()

        async def worker() -> None:
            nonlocal sent
            while loop.time() < t0 + plan.duration_s:
                index, sent = sent, sent + 1
                if index >= len(recorder.result):
                    recorder.result = recorder.result.grown(2 * index)
                start = loop.time()
                recorder.result.scheduled_s[index] = start - t0
                await recorder.send(session, index, plan.url(index), start)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return recorder.result.truncated(sent)


def open_loop_in_process(plan: LoadPlan, start_at: float) -> LoadResult:
    """Entry point for a worker process: the load runs on its own core and event loop."""
    return run_fast(run_open_loop(plan, start_at=start_at))


def open_loops_in_process(plans: Sequence[LoadPlan], start_at: float) -> list[LoadResult]:
    """Several plans at once from one worker process, each with its own session and schedule."""

    async def run_all() -> list[LoadResult]:
        return list(await asyncio.gather(*(run_open_loop(p, start_at=start_at) for p in plans)))

    return run_fast(run_all())


def closed_loop_in_process(plan: LoadPlan, concurrency: int) -> LoadResult:
    """Entry point for a worker process (capacity measurement)."""
    return run_fast(run_closed_loop(plan, concurrency=concurrency))
