"""The bulkhead caps concurrent calls and turns away callers who cannot wait."""

from __future__ import annotations

import asyncio

import pytest

from nextbuy.core.resilience.bulkhead import Bulkhead, BulkheadFullError


def test_never_more_than_the_limit_in_flight() -> None:
    async def run() -> tuple[int, int]:
        bulkhead = Bulkhead("catalog", limit=10)
        peak = 0

        async def call() -> None:
            nonlocal peak
            async with bulkhead.slot(timeout_s=5.0):
                peak = max(peak, bulkhead.in_flight)
                await asyncio.sleep(0.005)

        await asyncio.gather(*(call() for _ in range(100)))
        return peak, bulkhead.in_flight

    assert asyncio.run(run()) == (10, 0)


def test_a_caller_who_cannot_get_a_slot_in_time_is_refused() -> None:
    async def run() -> None:
        bulkhead = Bulkhead("catalog", limit=1)
        async with bulkhead.slot(timeout_s=1.0):
            with pytest.raises(BulkheadFullError, match="catalog"):
                async with bulkhead.slot(timeout_s=0.01):
                    pass
            with pytest.raises(BulkheadFullError):
                async with bulkhead.slot(timeout_s=0.0):
                    pass
        async with bulkhead.slot(timeout_s=0.0):
            assert bulkhead.in_flight == 1

    asyncio.run(run())


def test_a_slot_is_released_when_the_call_fails() -> None:
    async def run() -> int:
        bulkhead = Bulkhead("catalog", limit=2)
        for _ in range(5):
            with pytest.raises(RuntimeError):
                async with bulkhead.slot(timeout_s=0.0):
                    raise RuntimeError("upstream broke")
        return bulkhead.in_flight

    assert asyncio.run(run()) == 0


def test_a_waiter_gets_the_slot_that_frees() -> None:
    async def run() -> None:
        bulkhead = Bulkhead("catalog", limit=1)

        async def hold() -> None:
            async with bulkhead.slot(timeout_s=0.0):
                await asyncio.sleep(0.02)

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        async with bulkhead.slot(timeout_s=2.0):
            assert bulkhead.in_flight == 1
        await holder

    asyncio.run(run())
