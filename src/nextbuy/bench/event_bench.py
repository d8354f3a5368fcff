"""``nextbuy bench events``: how fast events get in, and how fast they show.

Against the real platform (``nextbuy up`` in a temporary home, demo shop loaded):
- batch ingestion: ``POST /v1/events`` with 1,000-event batches, a few in flight;
- the broker: ``stock.changed.v1`` events published with confirms to RabbitMQ and applied by the
  engine's consumer group (skipped, and said so, when RabbitMQ is not reachable);
- visibility: a view from a new session, then polling its recommendations until they are
  personalised — publish to visible, per trial;
- loss and duplicates: what the engine counted (its ``/metrics``) against what was sent, with a
  share of the batches sent twice on purpose.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import numpy as np
import orjson

from nextbuy.bench.event_platform import RunningPlatform

BATCH = 1000
IN_FLIGHT = 4
ENGINE_CPU = "process_cpu_seconds_total"
"""The engine's user+sys CPU: per event it depends far less on the machine's load than rate."""
APPLIED = 'nextbuy_engine_service_events_total{outcome="applied"}'
"""Service events the engine applied (what the broker path is counted by)."""
IDLE_CPU_S = 0.05
"""CPU seconds in one second below which the engine counts as idle (its background loops)."""


@dataclass
class EventBenchReport:
    ingest_events_per_s: float
    ingest_cpu_us_per_event: float
    broker_events_per_s: float | None
    broker_cpu_us_per_event: float | None
    visible_p50_ms: float
    visible_p99_ms: float
    trending_p50_ms: float
    """From a purchase being accepted to its product leading ``GET /v1/trending``."""
    trending_p99_ms: float
    stock_out_p50_ms: float
    """From a stock level set to 0 (inventory API) to the product leaving recommendations."""
    stock_out_p99_ms: float
    new_product_p50_ms: float
    """From a product created (catalog API) to the engine answering similar items for it."""
    new_product_p99_ms: float
    lost: int
    duplicates_after_dedupe: int
    events_sent: int
    resent: int
    broker_events: int
    visibility_trials: int
    load_average: tuple[float, float, float]
    """1, 5 and 15 minutes, at the end of the run: the 2-core machine is shared."""
    notes: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def visitor_events(count: int, products: list[str], run: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC).isoformat()
    kinds = ("view", "view", "view", "add_to_cart", "purchase")
    return [
        {
            "event_id": f"{run}-{i}",
            "type": kinds[i % len(kinds)],
            "user_id": f"bench-u{i % 5000}" if i % 3 else None,
            "session_id": f"bench-s{i % 7000}",
            "product_id": products[(i * 7919) % len(products)],
            "timestamp": now,
        }
        for i in range(count)
    ]


async def engine_counter(
    session: aiohttp.ClientSession, platform: RunningPlatform, name: str
) -> float:
    """Sum of a counter's samples matching ``name`` (with labels) in the engine's /metrics."""
    async with session.get(f"{platform.url('engine')}/metrics") as response:
        text = await response.text()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


async def ingest(
    session: aiohttp.ClientSession,
    platform: RunningPlatform,
    events: list[dict[str, Any]],
    resend_every: int,
) -> tuple[float, int]:
    """POST every batch (every ``resend_every``-th twice); returns (events/s, batches resent)."""
    batches = [
        orjson.dumps({"events": events[i : i + BATCH]}) for i in range(0, len(events), BATCH)
    ]
    sends = batches + batches[::resend_every]
    gate = asyncio.Semaphore(IN_FLIGHT)
    url = f"{platform.url('engine')}/v1/events"

    async def send(body: bytes) -> None:
        async with (
            gate,
            session.post(url, data=body, headers={"content-type": "application/json"}) as reply,
        ):
            if reply.status != 202:
                raise RuntimeError(f"ingestion answered {reply.status}: {await reply.text()}")
            await reply.read()

    started = time.perf_counter()
    await asyncio.gather(*(send(body) for body in sends))
    elapsed = time.perf_counter() - started
    return len(events) / elapsed, len(batches[::resend_every])


async def visibility(
    session: aiohttp.ClientSession, platform: RunningPlatform, products: list[str], trials: int
) -> list[float]:
    """Milliseconds from a session's first view being accepted to personalised answers."""
    latencies = []
    for trial in range(trials):
        session_id = f"visible-{uuid.uuid4().hex[:10]}"
        event = {
            "event_id": f"{session_id}-view",
            "type": "view",
            "session_id": session_id,
            "product_id": products[trial % len(products)],
            "timestamp": datetime.now(UTC).isoformat(),
        }
        started = time.perf_counter()
        async with session.post(
            f"{platform.url('engine')}/v1/events", json={"events": [event]}
        ) as reply:
            await reply.read()
        url = f"{platform.url('engine')}/v1/recommendations"
        while time.perf_counter() - started < 5.0:
            async with session.get(url, params={"session_id": session_id, "k": "10"}) as reply:
                if (await reply.json()).get("personalized"):
                    latencies.append((time.perf_counter() - started) * 1000)
                    break
    return latencies


async def trending_visibility(
    session: aiohttp.ClientSession, platform: RunningPlatform, products: list[str], trials: int
) -> list[float]:
    """Milliseconds from a large purchase being accepted to its product leading the trend.

    Each trial buys a different product in a quantity no visitor event of the run comes near,
    in increasing order of how much it trended before, so it leads once it is counted.
    """
    latencies = []
    url = f"{platform.url('engine')}/v1/trending"
    # Only products the trend may show (listed, in stock): the ones it shows now.
    async with session.get(url, params={"k": "100"}) as reply:
        shown = [item["product_id"] for item in (await reply.json()).get("items", [])]
    # Least trending first: each next product already counts at least as much as the last one
    # bought, so the newest purchase leads once it is counted.
    candidates = list(reversed(shown[:trials])) or products
    for trial in range(trials):
        product = candidates[trial % len(candidates)]
        tag = uuid.uuid4().hex[:10]
        event = {
            "event_id": f"trend-{tag}",
            "type": "purchase",
            "session_id": f"trend-{tag}",
            "product_id": product,
            "timestamp": datetime.now(UTC).isoformat(),
            "quantity": 10_000,
        }
        started = time.perf_counter()
        async with session.post(
            f"{platform.url('engine')}/v1/events", json={"events": [event]}
        ) as reply:
            await reply.read()
        while time.perf_counter() - started < 5.0:
            async with session.get(url, params={"k": "1"}) as reply:
                items = (await reply.json()).get("items") or [{}]
                if items[0].get("product_id") == product:
                    latencies.append((time.perf_counter() - started) * 1000)
                    break
    return latencies


SERVICE_TRIALS = 5
"""Stock-out and new-product trials: each changes the shop, so a few, put back afterwards."""


async def _until(check: Callable[[], Awaitable[bool]], started: float) -> float | None:
    while time.perf_counter() - started < 5.0:
        if await check():
            return (time.perf_counter() - started) * 1000
        await asyncio.sleep(0.005)
    return None


async def stock_out_visibility(
    session: aiohttp.ClientSession, platform: RunningPlatform, trials: int
) -> list[float]:
    """Milliseconds from a recommended product's stock set to 0 to its leaving the answers."""
    engine, inventory = platform.url("engine"), platform.url("inventory")
    params = {"user_id": platform.demo_user, "k": "10"}

    async def recommended() -> list[str]:
        async with session.get(f"{engine}/v1/recommendations", params=params) as reply:
            return [item["product_id"] for item in (await reply.json())["items"]]

    async def set_stock(product_id: str, available: int, reserved: int) -> None:
        change = {"product_id": product_id, "set_available": available, "set_reserved": reserved}
        async with session.post(
            f"{inventory}/v1/stock:adjust", json={"adjustments": [change]}
        ) as reply:
            if reply.status != 200:
                raise RuntimeError(f"stock:adjust answered {reply.status}: {await reply.text()}")

    latencies = []
    for _ in range(trials):
        victim = (await recommended())[0]
        async with session.post(f"{inventory}/v1/stock:lookup", json={"ids": [victim]}) as reply:
            level = (await reply.json())["items"][0]
        started = time.perf_counter()
        await set_stock(victim, 0, 0)

        async def gone(victim: str = victim) -> bool:
            return victim not in await recommended()

        if (elapsed := await _until(gone, started)) is not None:
            latencies.append(elapsed)
        await set_stock(victim, level["available"], level["reserved"])
    return latencies


async def new_product_visibility(
    session: aiohttp.ClientSession, platform: RunningPlatform, trials: int
) -> list[float]:
    """Milliseconds from ``POST /v1/products`` at the catalog to the engine knowing the product."""
    latencies = []
    for _ in range(trials):
        product_id = f"bench-new-{uuid.uuid4().hex[:10]}"
        product = {
            "id": product_id,
            "sku": product_id.upper(),
            "title": "A product the bench just created",
            "category_path": ["Bench", "New"],
            "price": "9.90",
        }
        started = time.perf_counter()
        async with session.post(f"{platform.url('catalog')}/v1/products", json=product) as reply:
            if reply.status != 201:
                raise RuntimeError(f"catalog answered {reply.status}: {await reply.text()}")
        similar = f"{platform.url('engine')}/v1/products/{product_id}/similar"

        async def known(similar: str = similar) -> bool:
            async with session.get(similar) as reply:
                await reply.read()
                return reply.status == 200

        if (elapsed := await _until(known, started)) is not None:
            latencies.append(elapsed)
    return latencies


def percentiles(values: list[float]) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    array = np.asarray(values)
    return float(np.percentile(array, 50)), float(np.percentile(array, 99))


async def seeded_products(
    session: aiohttp.ClientSession, platform: RunningPlatform
) -> tuple[list[str], list[str]]:
    """(every product id, products with co-purchase neighbours) of the running demo shop."""
    everything: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "1000", **({"cursor": cursor} if cursor else {})}
        async with session.get(
            f"{platform.url('catalog')}/v1/products:export", params=params
        ) as reply:
            page = await reply.json()
        everything += [product["id"] for product in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    params = {"user_id": platform.demo_user, "k": "50"}
    async with session.get(f"{platform.url('engine')}/v1/recommendations", params=params) as reply:
        linked = [item["product_id"] for item in (await reply.json())["items"]]
    return everything, linked or everything


async def settle(session: aiohttp.ClientSession, platform: RunningPlatform, name: str) -> float:
    """Wait until a counter stops moving (the seeding backlog drained); return its value."""
    previous = -1.0
    while True:
        value = await engine_counter(session, platform, name)
        if value == previous:
            return value
        previous = value
        await asyncio.sleep(2.0)


async def quiet(session: aiohttp.ClientSession, platform: RunningPlatform) -> float:
    """Wait (up to 2 minutes) until the engine idles, so start-up work is not counted; its CPU."""
    previous = await engine_counter(session, platform, ENGINE_CPU)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        current = await engine_counter(session, platform, ENGINE_CPU)
        if current - previous < IDLE_CPU_S:
            return current
        previous = current
    return previous


async def through_broker(
    session: aiohttp.ClientSession,
    platform: RunningPlatform,
    bus_url: str,
    products: list[str],
    count: int,
    baseline: float,
) -> float:
    """stock.changed.v1 events published with confirms, until the engine applied them all: /s.

    ``baseline`` is the settled count of applied service events before they are published.
    """
    from nextbuy.bus.rabbitmq import RabbitPublisher
    from nextbuy.contracts.events import StockChangedV1
    from nextbuy.contracts.inventory import StockLevelPublic

    now = datetime.now(UTC)
    events = [
        StockChangedV1(
            occurred_at=now,
            source="bench",
            stock=StockLevelPublic(
                product_id=products[i % len(products)],
                available=50 + i % 7,
                reserved=0,
                updated_at=now,
            ),
        )
        for i in range(count)
    ]
    publisher = RabbitPublisher(bus_url)
    started = time.perf_counter()
    try:
        for start in range(0, count, 500):
            await publisher.publish(events[start : start + 500])
    finally:
        await publisher.close()
    while await engine_counter(session, platform, APPLIED) < baseline + count:
        if time.perf_counter() - started > 300:
            raise RuntimeError("the engine did not apply every broker event within 300 s")
        await asyncio.sleep(0.05)
    return count / (time.perf_counter() - started)


async def run_event_bench(
    platform: RunningPlatform,
    *,
    events: int,
    trials: int,
    broker_events: int,
    bus_url: str | None,
    resend_every: int = 10,
) -> EventBenchReport:
    notes: list[str] = []
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        everything, linked = await seeded_products(session, platform)
        accepted = 'nextbuy_engine_events_total{outcome="accepted"}'
        before = await engine_counter(session, platform, accepted)
        sent = visitor_events(events, everything, run=uuid.uuid4().hex[:8])
        cpu_before = await quiet(session, platform)
        rate, resent = await ingest(session, platform, sent, resend_every)
        ingest_cpu = await engine_counter(session, platform, ENGINE_CPU) - cpu_before
        stored = int(await engine_counter(session, platform, accepted) - before)
        broker_rate: float | None = None
        broker_cpu: float | None = None
        if bus_url:
            # Settle first so the CPU spent on the seeding backlog is not counted.
            baseline = await settle(session, platform, APPLIED)
            cpu_before = await engine_counter(session, platform, ENGINE_CPU)
            broker_rate = await through_broker(
                session, platform, bus_url, everything, broker_events, baseline
            )
            broker_cpu = await engine_counter(session, platform, ENGINE_CPU) - cpu_before
        else:
            notes.append("RabbitMQ not reachable: the broker path was not measured")
        latencies = await visibility(session, platform, linked, trials)
        trend_latencies = await trending_visibility(session, platform, everything, trials)
        stock_latencies = await stock_out_visibility(session, platform, SERVICE_TRIALS)
        new_latencies = await new_product_visibility(session, platform, SERVICE_TRIALS)
    if len(latencies) < trials:
        notes.append(
            f"{trials - len(latencies)} of {trials} sessions never became personalised in 5 s"
        )
    if len(trend_latencies) < trials:
        notes.append(
            f"{trials - len(trend_latencies)} of {trials} purchases never led the trend in 5 s"
        )
    for what, seen in (("stock-outs", stock_latencies), ("new products", new_latencies)):
        if len(seen) < SERVICE_TRIALS:
            notes.append(f"{SERVICE_TRIALS - len(seen)} of {SERVICE_TRIALS} {what} not seen in 5 s")
    p50, p99 = percentiles(latencies)
    trend_p50, trend_p99 = percentiles(trend_latencies)
    stock_p50, stock_p99 = percentiles(stock_latencies)
    new_p50, new_p99 = percentiles(new_latencies)
    return EventBenchReport(
        ingest_events_per_s=round(rate, 1),
        # Resent batches cost CPU too: divide by every event the engine received.
        ingest_cpu_us_per_event=round(ingest_cpu * 1e6 / (events + resent * BATCH), 1),
        broker_events_per_s=None if broker_rate is None else round(broker_rate, 1),
        broker_cpu_us_per_event=(
            None if broker_cpu is None else round(broker_cpu * 1e6 / broker_events, 1)
        ),
        visible_p50_ms=round(p50, 1),
        visible_p99_ms=round(p99, 1),
        trending_p50_ms=round(trend_p50, 1),
        trending_p99_ms=round(trend_p99, 1),
        stock_out_p50_ms=round(stock_p50, 1),
        stock_out_p99_ms=round(stock_p99, 1),
        new_product_p50_ms=round(new_p50, 1),
        new_product_p99_ms=round(new_p99, 1),
        lost=max(0, events - stored),
        duplicates_after_dedupe=max(0, stored - events),
        events_sent=events,
        resent=resent * BATCH,
        broker_events=broker_events if bus_url else 0,
        visibility_trials=trials,
        load_average=os.getloadavg(),
        notes=notes,
    )
