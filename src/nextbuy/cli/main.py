"""The ``nextbuy`` command line."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import aiohttp
import orjson
import typer
from rich.table import Table

# Importing a command module registers its commands on the root app.
from nextbuy.cli import bench_command, evaluate_command, model_commands  # noqa: F401
from nextbuy.cli.data_commands import data_app
from nextbuy.cli.registry import GATEWAY_PORT, SERVICE_NAMES, SERVICES, spec_of
from nextbuy.cli.root import app, console

__all__ = ["app"]
from nextbuy.core.http_client import create_session

app.add_typer(data_app, name="data")
ServiceName = Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICE_NAMES)}")]


def _check_service(name: str) -> None:
    if name not in SERVICE_NAMES:
        raise typer.BadParameter(
            f"unknown service {name!r}; choose from {', '.join(SERVICE_NAMES)}"
        )


@app.command()
def up(
    gateway_port: Annotated[
        int, typer.Option(envvar="NEXTBUY_GATEWAY_PORT", help="nginx port")
    ] = GATEWAY_PORT,
    gateway: Annotated[
        bool, typer.Option(help="Start the nginx gateway if nginx is installed")
    ] = True,
    demo: Annotated[bool, typer.Option(help="Load the generated demo shop")] = True,
    reseed: Annotated[
        bool, typer.Option(help="Load the demo shop even if the catalogue has products")
    ] = False,
    rate_limit: Annotated[
        int,
        typer.Option(
            envvar="NEXTBUY_GATEWAY_RATE_LIMIT", min=1, help="Gateway requests/s per client"
        ),
    ] = 100,
    burst: Annotated[
        int,
        typer.Option(envvar="NEXTBUY_GATEWAY_BURST", min=0, help="Gateway burst above the rate"),
    ] = 200,
    train_every: Annotated[
        float,
        typer.Option(
            envvar="NEXTBUY_TRAIN_EVERY", min=0, help="Seconds between trainings (0: never)"
        ),
    ] = 600.0,
) -> None:
    """Run every service on this machine with embedded defaults, load a demo shop, and wait."""
    from nextbuy.cli.platform import UpOptions, run_up
    from nextbuy.core.settings import nextbuy_home

    options = UpOptions(
        nextbuy_home(), gateway_port, gateway, demo, reseed, rate_limit, burst, train_every
    )
    raise typer.Exit(run_up(options, console))


@app.command()
def serve(service: ServiceName) -> None:
    """Run one service in the foreground (what a container runs)."""
    _check_service(service)
    spec = spec_of(service)
    spec.entrypoint("serve")(spec.settings())


@app.command()
def migrate(
    services: Annotated[
        list[str] | None, typer.Argument(help="Services to migrate (default: all)")
    ] = None,
) -> None:
    """Create or upgrade every service's database schema (idempotent)."""
    for name in services or SERVICE_NAMES:
        _check_service(name)
        spec = spec_of(name)
        spec.entrypoint("migrate")(spec.settings())
        console.print(f"migrated {name}")


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Show whether each service is live and ready."""
    rows = asyncio.run(_probe_all())
    if as_json:
        typer.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
    else:
        table = Table("service", "url", "live", "ready", "detail")
        for row in rows:
            table.add_row(row["service"], row["url"], row["live"], row["ready"], row["detail"])
        console.print(table)
    if not all(row["ready"] == "yes" for row in rows):
        raise typer.Exit(1)


async def _probe_all() -> list[dict[str, str]]:
    async with create_session(total_timeout_s=2) as session:
        return list(await asyncio.gather(*(_probe(session, spec.name) for spec in SERVICES)))


async def _probe(session: aiohttp.ClientSession, name: str) -> dict[str, str]:
    url = f"http://127.0.0.1:{spec_of(name).settings().port}"
    row = {"service": name, "url": url, "live": "no", "ready": "no", "detail": ""}
    try:
        async with session.get(f"{url}/healthz") as live:
            row["live"] = "yes" if live.status == 200 else f"HTTP {live.status}"
        async with session.get(f"{url}/readyz") as ready:
            row["ready"] = "yes" if ready.status == 200 else f"HTTP {ready.status}"
            row["detail"] = (await ready.text())[:120]
    except (aiohttp.ClientError, TimeoutError) as error:
        row["detail"] = type(error).__name__
    return row


@app.command()
def config(
    service: Annotated[str | None, typer.Argument(help="One service (default: all)")] = None,
) -> None:
    """Print the effective settings of each service, secrets masked."""
    names = [service] if service else list(SERVICE_NAMES)
    table = Table("service", "setting", "value", "environment variable")
    for name in names:
        _check_service(name)
        for key, value in spec_of(name).settings().public_dict().items():
            table.add_row(name, key, str(value), f"NEXTBUY_{name.upper()}__{key.upper()}")
    table.add_row(
        "all",
        "home",
        str(Path(os.environ.get("NEXTBUY_HOME", ".nextbuy")).resolve()),
        "NEXTBUY_HOME",
    )
    console.print(table)
