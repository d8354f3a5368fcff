"""``nextbuy bench events``: ingestion, broker throughput and publish-to-visible latency."""

from __future__ import annotations

import asyncio
import json
import socket
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nextbuy.cli.root import console

RABBITMQ = ("127.0.0.1", 5672)
DEFAULT_BUS = "amqp://guest:guest@127.0.0.1:5672/"


def bench_events(
    events: Annotated[int, typer.Option(min=1000, help="Visitor events to ingest")] = 200_000,
    trials: Annotated[int, typer.Option(min=1, help="Publish-to-visible trials")] = 200,
    broker_events: Annotated[int, typer.Option(min=0, help="Events through RabbitMQ")] = 20_000,
    bus_url: Annotated[str, typer.Option(help="RabbitMQ for the broker path")] = DEFAULT_BUS,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the figures here")] = None,
) -> None:
    """Measure event ingestion and visibility on a real platform started for the run."""
    from nextbuy.bench.event_bench import run_event_bench
    from nextbuy.bench.event_platform import start_platform

    broker = bus_url if broker_events and _reachable(*RABBITMQ) else ""
    with tempfile.TemporaryDirectory(prefix="nextbuy-bench-events-") as home:
        with console.status("Starting the platform with the demo shop…"):
            platform = start_platform(Path(home), engine_bus_url=broker)
        try:
            with console.status("Measuring…"):
                report = asyncio.run(
                    run_event_bench(
                        platform,
                        events=events,
                        trials=trials,
                        broker_events=broker_events,
                        bus_url=broker or None,
                    )
                )
        finally:
            platform.stop()
    table = Table("figure", "value")
    for key, value in report.to_json().items():
        table.add_row(key, str(value))
    console.print(table)
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_json(), indent=2))


def _reachable(host: str, port: int) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0
