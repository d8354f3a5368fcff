"""``nextbuy data replay``: a dataset's events to the engine in time order, at a set rate.

The pacing is open loop: every event has a due time fixed before the run starts (``i / rate``,
or with ``follow_timing`` the dataset's own gaps, scaled so the mean is ``rate``), and a batch
leaves when its events are due, whether or not earlier requests have answered. A slow engine
then shows as lag and a lower achieved rate rather than silently slowing the generator down
(coordinated omission). Events due within one tick go together, at most 1,000 per request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import numpy as np
import pyarrow.compute as pc

from nextbuy.contracts.engine import MAX_EVENTS
from nextbuy.core.http_client import create_session, read_json
from nextbuy.data.seed_events import EngineEvents

TICK_S = 0.05  # events due within 50 ms share a request
MAX_IN_FLIGHT = 64  # beyond this the engine is not keeping up: wait, and it shows as lag


@dataclass
class ReplayReport:
    """What was sent and what the engine said.

    ``elapsed_s`` ends when the last batch left (the achieved rate is over it), ``drained_s``
    when its answer came; ``lag_s`` is the worst delay of a batch past its due time.
    """

    planned_rate: float
    speedup: float | None = None
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed: int = 0
    elapsed_s: float = 0.0
    drained_s: float = 0.0
    lag_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def achieved_rate(self) -> float:
        return self.sent / self.elapsed_s if self.elapsed_s > 0 else 0.0


def due_times(events: EngineEvents, rate: float, *, follow_timing: bool) -> np.ndarray:
    """Seconds after the start at which each event is due (non-decreasing)."""
    count = events.count
    if not follow_timing or count < 2:
        return np.arange(count, dtype=np.float64) / rate
    stamps = pc.cast(events.table["timestamp"], "int64").to_numpy().astype(np.float64) / 1e6
    span = stamps[-1] - stamps[0]
    offsets = stamps - stamps[0]
    duration = (count - 1) / rate
    return offsets * (duration / span) if span > 0 else np.arange(count) / rate


async def replay_events(
    events: EngineEvents,
    engine_url: str,
    *,
    rate: float,
    follow_timing: bool = False,
    notify: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Send ``events`` (already in time order) to ``POST {engine_url}/v1/events``."""
    due = due_times(events, rate, follow_timing=follow_timing)
    report = ReplayReport(planned_rate=rate)
    if follow_timing and events.count > 1 and due[-1] > 0:
        stamps = pc.cast(events.table["timestamp"], "int64").to_numpy()
        report.speedup = float((stamps[-1] - stamps[0]) / 1e6 / due[-1])
    url = f"{engine_url.rstrip('/')}/v1/events"
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
    async with create_session(total_timeout_s=30) as session, asyncio.TaskGroup() as group:
        started = time.monotonic()
        position = 0
        while position < events.count:
            now = time.monotonic() - started
            if due[position] > now:
                await asyncio.sleep(min(due[position] - now, TICK_S))
                continue
            # Everything due by the end of this tick, in one request of at most 1,000.
            end = int(np.searchsorted(due, now + TICK_S, side="right"))
            end = max(position + 1, min(end, position + MAX_EVENTS))
            batch = events.records(position, end - position)
            report.lag_s = max(report.lag_s, now - float(due[position]))
            await in_flight.acquire()
            group.create_task(_send(session, url, batch, report, in_flight, notify))
            report.sent += len(batch)
            position = end
        report.elapsed_s = time.monotonic() - started
    report.drained_s = time.monotonic() - started
    return report


async def _send(
    session: aiohttp.ClientSession,
    url: str,
    batch: list[dict[str, object]],
    report: ReplayReport,
    in_flight: asyncio.Semaphore,
    notify: Callable[[int], None] | None,
) -> None:
    try:
        async with session.post(url, json={"events": batch}) as response:
            body = await read_json(response, max_bytes=16 * 1024 * 1024)
        if response.status == 202 and isinstance(body, dict):
            report.accepted += int(body.get("accepted", 0))
            report.duplicates += int(body.get("duplicates", 0))
            report.rejected += len(body.get("rejected", []))
        elif response.status == 422:  # every event of the batch was refused
            report.rejected += len(batch)
        else:
            _failed(report, len(batch), f"HTTP {response.status}: {str(body)[:200]}")
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        # A load test goes on through errors: they are counted and shown, not fatal.
        _failed(report, len(batch), f"{type(error).__name__}: {error}")
    finally:
        in_flight.release()
        if notify is not None:
            notify(len(batch))


def _failed(report: ReplayReport, count: int, message: str) -> None:
    report.failed += count
    if len(report.errors) < 5:
        report.errors.append(message)
