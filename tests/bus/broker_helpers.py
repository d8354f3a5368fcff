"""Driving a consumer in a test, and looking inside queues, on a real broker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aio_pika

from nextbuy.bus.ports import EventHandler
from nextbuy.bus.rabbitmq_consumer import RabbitConsumer


async def consume_until(
    consumer: RabbitConsumer,
    handler: EventHandler,
    done: Callable[[], bool],
    *,
    timeout_s: float = 20.0,
) -> None:
    """Run ``consumer`` until ``done()`` holds, then stop it cleanly."""
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(handler, stop=stop))
    try:
        async with asyncio.timeout(timeout_s):
            while not done():
                if task.done():
                    task.result()  # surfaces the consumer's exception
                await asyncio.sleep(0.01)
    finally:
        stop.set()
        await task


async def queue_depth(url: str, queue: str) -> tuple[int, int]:
    """``(ready messages, consumers)`` of ``queue``, by a passive declare."""
    async with await aio_pika.connect(url, timeout=10) as connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        result = declared.declaration_result
        return result.message_count or 0, result.consumer_count or 0


async def take_all(url: str, queue: str) -> list[tuple[bytes, dict[str, Any]]]:
    """Every ready message of ``queue`` (body, headers), acked away."""
    taken: list[tuple[bytes, dict[str, Any]]] = []
    async with await aio_pika.connect(url, timeout=10) as connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        while (message := await declared.get(fail=False, no_ack=True)) is not None:
            taken.append((message.body, dict(message.headers or {})))
    return taken


async def publish_raw(url: str, exchange: str, routing_key: str, body: bytes) -> None:
    """Publish bytes no publisher of ours would send (a foreign or broken producer)."""
    async with await aio_pika.connect(url, timeout=10) as connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange)
        await target.publish(aio_pika.Message(body, message_id="raw"), routing_key=routing_key)
