"""``nextbuy data seed | verify | replay``: datasets into, and checked against, running services.

Registered on the ``data`` group by :mod:`nextbuy.cli.data_commands`; heavy imports happen
inside the commands so ``nextbuy --help`` stays fast.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from nextbuy.data.format import Dataset
    from nextbuy.data.seeding import ServiceUrls

console = Console()
Directory = Annotated[Path, typer.Argument(help="A dataset folder")]
ProfilesUrl = Annotated[str | None, typer.Option(help="User Profile base URL")]
CatalogUrl = Annotated[str | None, typer.Option(help="Product Catalog base URL")]
OrdersUrl = Annotated[str | None, typer.Option(help="Order History base URL")]
InventoryUrl = Annotated[str | None, typer.Option(help="Inventory base URL")]
EngineUrl = Annotated[str | None, typer.Option(help="Recommendation Engine base URL")]
Views = Annotated[bool, typer.Option(help="Each user's latest views to profiles")]
STATUSES = ("created", "updated", "unchanged", "rejected", "skipped")


def seed(
    directory: Directory,
    profiles_url: ProfilesUrl = None,
    catalog_url: CatalogUrl = None,
    orders_url: OrdersUrl = None,
    inventory_url: InventoryUrl = None,
    engine_url: EngineUrl = None,
    views: Views = True,
    events: Annotated[bool, typer.Option(help="Every event to the engine")] = True,
) -> None:
    """Load a dataset into running services through their bulk APIs (idempotent, resumable)."""
    import hashlib

    from nextbuy.core.settings import nextbuy_home
    from nextbuy.data.seed_checkpoint import Checkpoint
    from nextbuy.data.seed_dataset import LAYOUT, seed_dataset
    from nextbuy.data.seed_events import engine_events

    dataset = _read(directory)
    urls = _urls(profiles_url, catalog_url, orders_url, inventory_url, engine_url)
    sendable = engine_events(dataset) if events else None
    key = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:12]
    log = nextbuy_home() / "seed" / f"{dataset.manifest.name}-{key}.log"
    checkpoint = Checkpoint.open(log, layout=LAYOUT)
    counts = dataset.counts()
    totals = counts | {"stock": counts.get("inventory", 0)}
    if sendable is not None:
        totals["events"] = sendable.count
        for reason, count in sendable.excluded.items():
            console.print(f"  not sent to the engine: {count:,} events ({reason})")
    started = time.monotonic()
    with _progress() as progress:
        tasks: dict[str, object] = {}
        finished: dict[str, float] = {}  # when each kind's last batch was answered

        def notify(kind: str, n: int) -> None:
            if kind not in tasks:
                tasks[kind] = progress.add_task(f"seeding {kind}", total=totals.get(kind))
            progress.advance(tasks[kind], n)  # type: ignore[arg-type]
            finished[kind] = time.monotonic() - started

        try:
            report = asyncio.run(
                seed_dataset(dataset, urls, checkpoint, notify, views=views, events=sendable)
            )
        except _service_errors() as error:
            checkpoint.close()
            console.print("interrupted: run the same command again to resume")
            raise _fail(f"{type(error).__name__}: {error}") from None
    elapsed = time.monotonic() - started
    table = Table("records", *STATUSES[:-1], "skipped (resumed)", "done after")
    sent = 0
    for kind, by_status in report.counts.items():
        sent += sum(by_status.values())
        done = f"{finished.get(kind, 0.0):.1f} s"
        table.add_row(kind, *(f"{by_status[k]:,}" for k in STATUSES), done)
    console.print(table)
    console.print(
        f"{sent:,} records in {elapsed:.1f} s ({sent / max(elapsed, 1e-9):,.0f} records/s)"
    )


def verify(
    directory: Directory,
    profiles_url: ProfilesUrl = None,
    catalog_url: CatalogUrl = None,
    orders_url: OrdersUrl = None,
    inventory_url: InventoryUrl = None,
    engine_url: EngineUrl = None,
    views: Views = True,
    events: Annotated[
        bool, typer.Option(help="Resend every event: the engine must call each a duplicate")
    ] = False,
) -> None:
    """Read every service back through its API and compare the counts with the dataset."""
    from nextbuy.data.seed_events import engine_events
    from nextbuy.data.verify import verify_dataset

    dataset = _read(directory)
    urls = _urls(profiles_url, catalog_url, orders_url, inventory_url, engine_url)
    sendable = engine_events(dataset) if events else None
    started = time.monotonic()
    try:
        with console.status("reading the services back"):
            checks = asyncio.run(verify_dataset(dataset, urls, views=views, events=sendable))
    except _service_errors() as error:
        raise _fail(f"{type(error).__name__}: {error}") from None
    table = Table("records", "in dataset", "found", "missing or different", "extra", "")
    for check in checks:
        missing = check.expected - check.found
        mark = "[green]ok[/green]" if check.ok else "[red]MISMATCH[/red]"
        table.add_row(
            check.kind, f"{check.expected:,}", f"{check.found:,}", f"{missing:,}",
            f"{check.extra:,}", mark,
        )  # fmt: skip
    console.print(table)
    console.print(f"read back in {time.monotonic() - started:.1f} s")
    if not all(check.ok for check in checks):
        raise typer.Exit(1)


def replay(
    directory: Directory,
    rate: Annotated[float, typer.Option(min=0.001, help="Events per second")],
    engine_url: EngineUrl = None,
    speedup: Annotated[
        bool, typer.Option(help="Keep the dataset's own gaps (bursts, nights), scaled to --rate")
    ] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N events")] = None,
    run_id: Annotated[
        str | None, typer.Option(help="Event id prefix; the same id again is deduplicated")
    ] = None,
) -> None:
    """Stream the dataset's events to the engine in time order at a given rate (open loop)."""
    from nextbuy.data.replay import replay_events
    from nextbuy.data.seed_events import engine_events

    dataset = _read(directory)
    run = run_id or f"r{int(time.time())}"
    sendable = engine_events(dataset, id_prefix=f"{run}-", time_order=True)
    if limit is not None:
        sendable = type(sendable)(sendable.table.slice(0, limit), sendable.id_prefix)
    url = engine_url or _default_url("engine")
    with _progress() as progress:
        task = progress.add_task(f"replaying at {rate:,.0f}/s", total=sendable.count)
        report = asyncio.run(
            replay_events(
                sendable,
                url,
                rate=rate,
                follow_timing=speedup,
                notify=lambda n: progress.advance(task, n),
            )
        )
    if report.speedup is not None:
        console.print(f"dataset time ran {report.speedup:,.0f}× faster than real time")
    console.print(
        f"sent {report.sent:,} events in {report.elapsed_s:.1f} s: {report.achieved_rate:,.1f}"
        f" events/s (planned {rate:,.1f}); worst lag {report.lag_s * 1000:,.0f} ms; "
        f"accepted {report.accepted:,}, duplicates {report.duplicates:,}, "
        f"rejected {report.rejected:,}, failed {report.failed:,}; run id {run}"
    )
    for error in report.errors:
        console.print(f"  [red]error:[/red] {error}")
    if report.failed:
        raise typer.Exit(1)


def _read(directory: Path) -> Dataset:
    from nextbuy.data.format import DatasetError, read_dataset

    try:
        return read_dataset(directory)
    except DatasetError as error:
        raise _fail(str(error)) from None


def _urls(
    profiles: str | None,
    catalog: str | None,
    orders: str | None,
    inventory: str | None,
    engine: str | None,
) -> ServiceUrls:
    from nextbuy.data.seeding import ServiceUrls

    return ServiceUrls(
        profiles=profiles or _default_url("profiles"),
        catalog=catalog or _default_url("catalog"),
        orders=orders or _default_url("orders"),
        inventory=inventory or _default_url("inventory"),
        engine=engine or _default_url("engine"),
    )


def _default_url(service: str) -> str:
    from nextbuy.cli.registry import spec_of

    return f"http://127.0.0.1:{spec_of(service).port}"


def _service_errors() -> tuple[type[Exception], ...]:
    """What a call to a service that is down, slow or refusing raises (SeedError included)."""
    import aiohttp

    return (aiohttp.ClientError, OSError, TimeoutError, RuntimeError, ValueError)


def _progress() -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeElapsedColumn(), console=console)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)
