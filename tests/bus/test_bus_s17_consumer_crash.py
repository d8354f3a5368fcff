"""S17: a consumer is SIGKILLed mid-stream and restarted; every event lands exactly once.

10,000 events wait in a quorum queue on the shared broker. A consumer process (prefetch 50,
ack after its SQLite commit, unique ``event_id``) is killed with SIGKILL, by its pid, after
about 5,000 rows; a second one finishes the queue. The table must hold exactly 10,000 rows,
the redeliveries be at most prefetch + the one in flight, and nothing stay unacked.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from nextbuy.bus.rabbitmq import RabbitPublisher
from nextbuy.bus.rabbitmq_consumer import RabbitConsumer
from tests.bus.broker_helpers import queue_depth
from tests.bus.builders import make_events
from tests.bus.conftest import BrokerNames

N = 10_000
PREFETCH = 50
REPO = Path(__file__).resolve().parents[2]


def test_s17_consumer_killed_mid_stream_processes_every_event_once(
    broker: BrokerNames, tmp_path: Path, record_property: object
) -> None:
    group = broker.group()
    started = time.monotonic()
    asyncio.run(_fill_queue(broker, group))
    filled = time.monotonic()
    database = tmp_path / "processed.sqlite3"

    first = _start_consumer(broker, group, database, tmp_path / "first.json", idle_exit_s=0)
    try:
        rows_at_kill = _wait_for_rows(database, N // 2, first)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    second = _start_consumer(broker, group, database, tmp_path / "second.json", idle_exit_s=1.5)
    assert second.wait(timeout=90) == 0
    stats = json.loads((tmp_path / "second.json").read_text())

    figures = {"rows_at_kill": rows_at_kill, "rows": _count(database), **stats}
    figures |= {"fill_s": filled - started, "consume_s": time.monotonic() - filled}
    figures["unacked_or_ready"] = sum(
        asyncio.run(queue_depth(broker.url, broker.topology.queue(group)))
    )
    print(f"\nS17 figures: {figures}")
    record_property("s17", figures)  # type: ignore[operator]
    assert N // 2 <= rows_at_kill < N
    assert figures["rows"] == N
    assert stats["redelivered"] <= PREFETCH + 1
    assert stats["duplicates"] <= stats["redelivered"]
    assert figures["unacked_or_ready"] == 0


async def _fill_queue(broker: BrokerNames, group: str) -> None:
    await RabbitConsumer(broker.url, group=group, exchange=broker.exchange).declare()
    publisher = RabbitPublisher(broker.url, exchange=broker.exchange)
    events = make_events(N)
    for start in range(0, N, 500):
        await publisher.publish(events[start : start + 500])
    await publisher.close()


def _start_consumer(
    broker: BrokerNames, group: str, database: Path, stats: Path, *, idle_exit_s: float
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "tests.bus.consumer_process",
        "--url", broker.url, "--exchange", broker.exchange, "--group", group,
        "--database", str(database), "--stats", str(stats),
        "--prefetch", str(PREFETCH), "--idle-exit-s", str(idle_exit_s),
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})


def _wait_for_rows(database: Path, rows: int, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the consumer exited before it was killed"
        count = _count(database) if database.exists() else 0
        if count >= rows:
            return count
        time.sleep(0.01)
    raise AssertionError(f"the consumer did not reach {rows} rows in time")


def _count(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        try:
            return int(connection.execute("SELECT count(*) FROM processed").fetchone()[0])
        except sqlite3.OperationalError:  # the consumer has not created its table yet
            return 0
