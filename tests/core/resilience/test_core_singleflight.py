"""Single-flight: 500 concurrent callers for one key make one call (S12)."""

from __future__ import annotations

import asyncio
import functools

import pytest

from nextbuy.core.resilience.singleflight import SingleFlight


def test_five_hundred_concurrent_callers_share_one_call() -> None:
    async def run() -> tuple[int, set[bytes], int]:
        flight: SingleFlight[str, bytes] = SingleFlight()
        calls = 0

        async def load() -> bytes:
            nonlocal calls
            calls += 1
            await asyncio.sleep(0.02)
            return b"product-42"

        results = await asyncio.gather(*(flight.do("p42", load) for _ in range(500)))
        return calls, set(results), len(flight)

    assert asyncio.run(run()) == (1, {b"product-42"}, 0)


def test_the_error_reaches_every_caller_and_the_key_is_released() -> None:
    async def run() -> int:
        flight: SingleFlight[str, int] = SingleFlight()
        calls = 0

        async def fail() -> int:
            nonlocal calls
            calls += 1
            await asyncio.sleep(0.01)
            raise ConnectionError("catalog down")

        outcomes = await asyncio.gather(
            *(flight.do("p1", fail) for _ in range(20)), return_exceptions=True
        )
        assert all(isinstance(o, ConnectionError) for o in outcomes)
        assert "p1" not in flight
        with pytest.raises(ConnectionError):
            await flight.do("p1", fail)  # a new call, not the finished one
        return calls

    assert asyncio.run(run()) == 2


def test_different_keys_do_not_share_a_call() -> None:
    async def run() -> list[str]:
        flight: SingleFlight[str, str] = SingleFlight()

        async def echo(key: str) -> str:
            await asyncio.sleep(0.001)
            return key

        # partial binds each key now, as the default-argument lambda did, and mypy can type it.
        return await asyncio.gather(*(flight.do(k, functools.partial(echo, k)) for k in "abc"))

    assert asyncio.run(run()) == ["a", "b", "c"]


def test_a_cancelled_caller_does_not_cancel_the_shared_call() -> None:
    async def run() -> bytes:
        flight: SingleFlight[str, bytes] = SingleFlight()

        async def load() -> bytes:
            await asyncio.sleep(0.02)
            return b"ok"

        first = asyncio.create_task(flight.do("k", load))
        second = asyncio.create_task(flight.do("k", load))
        await asyncio.sleep(0.005)
        first.cancel()
        return await second

    assert asyncio.run(run()) == b"ok"
