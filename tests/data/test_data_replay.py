"""``nextbuy data replay``: paced, open loop, in time order, against a real HTTP receiver."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pyarrow as pa
import pytest
from aiohttp import web

from nextbuy.data.replay import ReplayReport, due_times, replay_events
from nextbuy.data.seed_events import EngineEvents, engine_events
from tests.data.data_builders import T0, make_dataset, make_events
from tests.support.servers import free_port


def _events(count: int, gaps_s: list[float] | None = None) -> EngineEvents:
    offsets = gaps_s if gaps_s is not None else [float(i) for i in range(count)]
    # Written newest first, so replay has to sort them.
    stamps = [T0 + timedelta(seconds=s) for s in reversed(offsets)]
    table = make_events(
        user_id=[f"u{i % 7}" for i in range(count)],
        session_id=[None] * count,
        product_id=["p1"] * count,
        event_type=["view"] * count,
        timestamp=pa.array(stamps, pa.timestamp("us", tz="UTC")),
        quantity=pa.array([1] * count, pa.int32()),
        value=pa.nulls(count, pa.float32()),
        price=pa.nulls(count, pa.float64()),
    )
    return engine_events(make_dataset(events=table), id_prefix="t-", time_order=True)


class Receiver:
    """A stand-in engine: records when each batch arrived; may answer slowly or reject."""

    def __init__(self, *, delay_s: float = 0.0, reject_first: bool = False) -> None:
        self.delay_s, self.reject_first = delay_s, reject_first
        self.batches: list[tuple[float, list[dict[str, Any]]]] = []

    async def handle(self, request: web.Request) -> web.Response:
        events = (await request.json())["events"]
        self.batches.append((time.monotonic(), events))
        await asyncio.sleep(self.delay_s)
        rejected = [{"index": 0, "errors": []}] if self.reject_first else []
        body = {"accepted": len(events) - len(rejected), "duplicates": 0, "rejected": rejected}
        return web.json_response(body, status=202)


def _replay(receiver: Receiver, events: EngineEvents, **options: Any) -> ReplayReport:
    async def run() -> ReplayReport:
        app = web.Application()
        app.router.add_post("/v1/events", receiver.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            return await replay_events(events, f"http://127.0.0.1:{port}", **options)
        finally:
            await runner.cleanup()

    return asyncio.run(run())


def test_events_arrive_in_time_order_at_the_planned_rate() -> None:
    receiver = Receiver()
    report = _replay(receiver, _events(120), rate=200.0)
    sent = [event for _, batch in receiver.batches for event in batch]
    assert [e["timestamp"] for e in sent] == sorted(e["timestamp"] for e in sent)
    assert len({e["event_id"] for e in sent}) == report.sent == report.accepted == 120
    # Paced, not dumped: many small requests spread over ~0.6 s, none early.
    assert len(receiver.batches) >= 8
    assert receiver.batches[-1][0] - receiver.batches[0][0] >= 0.5
    assert report.achieved_rate == pytest.approx(200, rel=0.25)


def test_a_slow_engine_does_not_slow_the_sender_down() -> None:
    receiver = Receiver(delay_s=0.4, reject_first=True)
    report = _replay(receiver, _events(60), rate=100.0)
    # Open loop: sending takes the planned ~0.6 s although every answer takes 0.4 s.
    assert report.elapsed_s < 0.9
    assert report.drained_s >= report.elapsed_s + 0.3
    assert report.rejected == len(receiver.batches)
    assert report.accepted + report.rejected == 60
    assert report.failed == 0


def test_speedup_keeps_the_datasets_gaps_scaled_to_the_rate() -> None:
    events = _events(3, gaps_s=[0.0, 10.0, 30.0])
    due = due_times(events, 1.0, follow_timing=True)
    assert due.tolist() == pytest.approx([0.0, 2 / 3, 2.0])
    assert due_times(events, 1.0, follow_timing=False).tolist() == [0.0, 1.0, 2.0]


def test_an_engine_that_is_down_counts_failures_and_goes_on() -> None:
    events = _events(20)
    report = asyncio.run(replay_events(events, f"http://127.0.0.1:{free_port()}", rate=400.0))
    assert report.sent == report.failed == 20
    assert report.errors
