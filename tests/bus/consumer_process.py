"""A consumer process for the consumer-kill test (S17), run as ``python -m``.

It consumes one group with the real :class:`RabbitConsumer`, and its handler commits each
event into a SQLite table whose primary key is ``event_id`` before returning (so before the
ack). A redelivered event that was already committed hits the key and is counted as a
duplicate instead of a second row. With ``--idle-exit-s`` it stops once the queue stays quiet
that long, and writes what it saw to ``--stats``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import time
from pathlib import Path

from nextbuy.bus.rabbitmq_consumer import RabbitConsumer
from nextbuy.contracts.events import AnyEvent

SCHEMA = "CREATE TABLE IF NOT EXISTS processed (event_id TEXT PRIMARY KEY, pid INTEGER)"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    for name in ("--url", "--exchange", "--group", "--database", "--stats"):
        parser.add_argument(name, required=True)
    parser.add_argument("--prefetch", type=int, default=50)
    parser.add_argument("--idle-exit-s", type=float, default=0.0)
    return parser.parse_args(argv)


async def consume(args: argparse.Namespace) -> dict[str, int]:
    database = sqlite3.connect(args.database, isolation_level=None)
    database.execute("PRAGMA journal_mode=WAL")
    # A committed row survives the process being killed (the WAL is in the OS already);
    # only a power cut could lose it, which this test does not simulate.
    database.execute("PRAGMA synchronous=NORMAL")
    database.execute(SCHEMA)
    pid = os.getpid()
    duplicates = 0
    last_message = time.monotonic()

    async def handler(event: AnyEvent) -> None:
        nonlocal duplicates, last_message
        last_message = time.monotonic()
        cursor = database.execute(
            "INSERT INTO processed VALUES (?, ?) ON CONFLICT DO NOTHING", (str(event.event_id), pid)
        )
        duplicates += cursor.rowcount == 0  # autocommit: the row is durable before the ack

    consumer = RabbitConsumer(
        args.url, group=args.group, exchange=args.exchange, prefetch=args.prefetch
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(handler, stop=stop))
    while not task.done():
        await asyncio.sleep(0.1)
        if args.idle_exit_s and time.monotonic() - last_message > args.idle_exit_s:
            stop.set()
    await task
    database.close()
    stats = consumer.stats
    return {
        "acked": stats.acked,
        "redelivered": stats.redelivered,
        "duplicates": duplicates,
        "reconnects": stats.reconnects,
    }


def main() -> None:
    args = parse()
    Path(args.stats).write_text(json.dumps(asyncio.run(consume(args))))


if __name__ == "__main__":
    main()
