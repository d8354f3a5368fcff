"""``nextbuy up``: migrate, start every service, seed the demo shop, start the gateway, wait."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from nextbuy.cli.gateway import INSTALL_HINT, GatewayPlan, find_nginx, render_gateway
from nextbuy.cli.registry import SERVICES, ServiceSpec
from nextbuy.cli.supervisor import (
    StopRequestedError,
    Supervisor,
    nextbuy_command,
    raise_on_sigterm,
)
from nextbuy.core.http_client import create_session
from nextbuy.data import demo_dataset as demo
from nextbuy.data.format import Dataset
from nextbuy.data.seeding import ServiceUrls

UPSTREAMS = tuple(s for s in SERVICES if s.name != "engine")
ENGINE = next(s for s in SERVICES if s.name == "engine")
READY_TIMEOUT_S = 60.0


class PlatformError(RuntimeError):
    """Start-up failed; the message says which service and where its log is."""


@dataclass(frozen=True)
class UpOptions:
    home: Path
    gateway_port: int
    gateway: bool
    demo: bool
    reseed: bool
    rate_limit_per_s: int = 100
    burst: int = 200
    train_every_s: float = 600.0


@dataclass(frozen=True)
class Platform:
    """Where every service listens, resolved from each service's settings (env overrides)."""

    home: Path
    ports: dict[str, int]

    @classmethod
    def resolve(cls, home: Path) -> Platform:
        return cls(home, {spec.name: spec.settings().port for spec in SERVICES})

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEXTBUY_HOME"] = str(self.home)
        for name, port in self.ports.items():
            env[f"NEXTBUY_{name.upper()}__PORT"] = str(port)
        webhook = f"{self.url('engine')}/v1/internal/events"
        for upstream in UPSTREAMS:
            env.setdefault(f"NEXTBUY_ENGINE__{upstream.name.upper()}_URL", self.url(upstream.name))
            # The embedded bus: each service's outbox relay pushes its events to the engine.
            env.setdefault(f"NEXTBUY_{upstream.name.upper()}__BUS_URL", webhook)
        env.setdefault("NEXTBUY_ENGINE__REFRESH_INTERVAL_S", "2")
        return env

    def readiness_urls(self, specs: tuple[ServiceSpec, ...]) -> dict[str, str]:
        return {spec.name: f"{self.url(spec.name)}/readyz" for spec in specs}

    def upstream_urls(self) -> ServiceUrls:
        return ServiceUrls(*(self.url(n) for n in ("profiles", "catalog", "orders", "inventory")))


def run_up(options: UpOptions, console: Console) -> int:
    """Run the platform until Ctrl-C or SIGTERM; returns the process exit code."""
    os.environ["NEXTBUY_HOME"] = str(options.home)
    platform = Platform.resolve(options.home)
    supervisor = Supervisor(options.home / "logs")
    raise_on_sigterm()
    try:
        return _run(options, platform, supervisor, console)
    except (KeyboardInterrupt, StopRequestedError):
        console.print("\n[bold]Stopping Nextbuy…[/bold]")
        return 0
    except PlatformError as error:
        console.print(f"[red]Start-up failed:[/red] {error}")
        return 1
    finally:
        supervisor.stop_all()
        console.print("All Nextbuy processes stopped.")


def _run(options: UpOptions, platform: Platform, supervisor: Supervisor, console: Console) -> int:
    started = time.monotonic()
    env = platform.child_env()
    console.print(f"Data directory: {options.home}   logs: {supervisor.log_dir}")
    with console.status("Migrating databases…"):
        migrated = supervisor.run_to_completion("migrate", nextbuy_command("migrate"), env)
        if migrated.exited() != 0:
            raise PlatformError(
                f"nextbuy migrate failed; see {migrated.log_path}:\n{migrated.log_tail()}"
            )
    for spec in UPSTREAMS:
        supervisor.start(spec.name, nextbuy_command("serve", spec.name), env)
    asyncio.run(_wait_ready(platform.readiness_urls(UPSTREAMS), supervisor))
    shop = demo.demo_dataset(options.home) if options.demo else None
    seeded = shop is not None and asyncio.run(
        _seed_if_needed(platform, shop, options.reseed, console)
    )
    supervisor.start("engine", nextbuy_command("serve", "engine"), env)
    asyncio.run(_wait_ready(platform.readiness_urls((ENGINE,)), supervisor))
    if shop is not None and seeded:
        with console.status("Sending the demo shop's events to the engine…"):
            asyncio.run(demo.send_demo_events(shop, platform.url("engine"), lambda _kind, _n: None))
    demo_user = demo.busiest_user(shop) if shop else "u0001"
    if shop is not None:
        asyncio.run(_wait_personalised(platform, demo_user))
    gateway_url = _start_gateway(options, platform, supervisor, env, console)
    _print_banner(console, platform, gateway_url, demo_user, time.monotonic() - started)
    trainer = ScheduledTraining(supervisor, env, options.train_every_s)
    while (dead := supervisor.first_exited()) is None:
        trainer.tick()
        time.sleep(0.5)
    raise PlatformError(
        f"{dead.name} exited with {dead.exited()}; see {dead.log_path}:\n{dead.log_tail()}"
    )


class ScheduledTraining:
    """Runs ``nextbuy train`` every ``interval_s`` in the background; engines pick up the result.

    A run that fails is logged (``logs/train.log``) and retried at the next interval: the engine
    keeps serving the model it has.
    """

    def __init__(self, supervisor: Supervisor, env: dict[str, str], interval_s: float) -> None:
        self.supervisor, self.env, self.interval_s = supervisor, env, interval_s
        self.next_run = time.monotonic() + interval_s
        self.running: subprocess.Popen[bytes] | None = None

    def tick(self) -> None:
        if self.interval_s <= 0:
            return
        if self.running is not None and self.running.poll() is None:
            return
        if time.monotonic() >= self.next_run:
            self.running = self.supervisor.start_step("train", nextbuy_command("train"), self.env)
            self.next_run = time.monotonic() + self.interval_s


async def _wait_ready(probes: dict[str, str], supervisor: Supervisor) -> None:
    """Poll each ``name -> readiness URL`` until it answers 200, failing fast if a child died."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    async with create_session(total_timeout_s=2) as session:
        for name, url in probes.items():
            while not await _is_ready(session, url):
                dead = supervisor.first_exited()
                if dead is not None:
                    raise PlatformError(
                        f"{dead.name} exited; see {dead.log_path}:\n{dead.log_tail()}"
                    )
                if time.monotonic() > deadline:
                    raise PlatformError(f"{name} not ready after {READY_TIMEOUT_S:.0f} s")
                await asyncio.sleep(0.2)


async def _is_ready(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(url) as response:
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


async def _seed_if_needed(
    platform: Platform, shop: Dataset, reseed: bool, console: Console
) -> bool:
    if not reseed and await _catalogue_has_products(platform):
        console.print("Demo shop already loaded (use --reseed to load it again).")
        return False
    totals = demo.demo_totals(shop)
    columns = (TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as progress:
        tasks = {kind: progress.add_task(kind, total=n) for kind, n in totals.items()}
        await demo.seed_demo(
            shop,
            platform.upstream_urls(),
            platform.home,
            lambda kind, n: progress.advance(tasks[kind], n),
        )
    return True


async def _catalogue_has_products(platform: Platform) -> bool:
    async with (
        create_session(total_timeout_s=5) as session,
        session.get(
            f"{platform.url('catalog')}/v1/products:export", params={"limit": "1"}
        ) as response,
    ):
        body: dict[str, Any] = await response.json()
        return bool(body.get("items"))


async def _wait_personalised(platform: Platform, user_id: str, timeout_s: float = 30.0) -> None:
    """The engine learns from the orders feed; wait until it has learnt the demo shop."""
    url = f"{platform.url('engine')}/v1/recommendations"
    deadline = time.monotonic() + timeout_s
    async with create_session(total_timeout_s=2) as session:
        while time.monotonic() < deadline:
            async with session.get(url, params={"user_id": user_id, "k": "10"}) as response:
                if response.status == 200 and (await response.json()).get("personalized"):
                    return
            await asyncio.sleep(0.5)
    raise PlatformError("the engine did not learn the demo shop's orders within 30 s")


def _start_gateway(
    options: UpOptions,
    platform: Platform,
    supervisor: Supervisor,
    env: dict[str, str],
    console: Console,
) -> str | None:
    if not options.gateway:
        return None
    nginx = find_nginx()
    if nginx is None:
        console.print(f"[yellow]{INSTALL_HINT}[/yellow]")
        return None
    config = render_gateway(
        options.home,
        gateway_port=options.gateway_port,
        service_ports=platform.ports,
        rate_limit_per_s=options.rate_limit_per_s,
        burst=options.burst,
    )
    supervisor.start("gateway", GatewayPlan(nginx, config, config.parent).command(), env)
    gateway_url = f"http://127.0.0.1:{options.gateway_port}"
    asyncio.run(_wait_ready({"gateway": f"{gateway_url}/healthz"}, supervisor))
    return gateway_url


def _print_banner(
    console: Console, platform: Platform, gateway_url: str | None, user: str, seconds: float
) -> None:
    lines = [f"[bold green]Nextbuy is up[/bold green] in {seconds:.0f} s", ""]
    if gateway_url:
        lines.append(f"Gateway:   {gateway_url}   (/api/<service>/…)")
    for spec in SERVICES:
        lines.append(f"{spec.title:<22} {platform.url(spec.name)}/openapi.json")
    console.print(Panel("\n".join(lines), expand=False))
    base = f"{gateway_url}/api/engine" if gateway_url else platform.url("engine")
    # Outside the panel and unwrapped, so the command can be copied whole.
    console.print("Try:")
    console.print(f"  curl '{base}/v1/recommendations?user_id={user}&k=10'", soft_wrap=True)
    console.print("Ctrl-C stops everything.")
