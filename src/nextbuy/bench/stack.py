"""The system under test: four upstream services, a fault proxy per engine and upstream, the
engines (naive and optimised), a redis-server and the ceiling app — all on free ports, in a
throwaway ``NEXTBUY_HOME``, all stopped by pid when the bench ends.

Each engine gets its own four proxies, so the calls counted at a proxy are that engine's calls
(its request path and its background feed polling alike) and faults can be aimed at one engine.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nextbuy.bench.fault_proxy import FaultProxy, Faults
from nextbuy.bench.processes import ProcessSet, free_port
from nextbuy.bench.redis_server import NAME as REDIS
from nextbuy.bench.redis_server import redis_command, start_redis, wait_redis
from nextbuy.cli.supervisor import nextbuy_command
from nextbuy.data.demo_shop import DemoShop
from nextbuy.data.seeding import ServiceUrls, seed_shop

UPSTREAMS = ("profiles", "catalog", "orders", "inventory")
ENGINE_BULKHEAD_LIMIT = 10
"""Set explicitly on every engine, so the S3 check compares with the limit really in force."""
SEED_BODY_LIMIT = str(64 * 1024 * 1024)
"""Bulk upserts of 20 KB profiles exceed the services' default 1 MiB body cap."""


@dataclass(frozen=True, slots=True)
class EngineSpec:
    """One engine process and the settings that make it what it is."""

    name: str
    data_plane: str
    hedging: bool
    redis_db: int | None

    @property
    def caches(self) -> bool:
        """The naive plane keeps nothing between requests: no warming, no emptying."""
        return self.data_plane != "naive"


ENGINES: tuple[EngineSpec, ...] = (
    EngineSpec("naive", "naive", hedging=False, redis_db=None),
    EngineSpec("optimized", "optimized", hedging=True, redis_db=0),
    EngineSpec("optimized_no_hedging", "optimized", hedging=False, redis_db=1),
)


def engine_spec(name: str) -> EngineSpec:
    return next(engine for engine in ENGINES if engine.name == name)


@dataclass
class BenchStack:
    home: Path
    latency: Faults
    redis_binary: str | None
    processes: ProcessSet = field(init=False)
    ports: dict[str, int] = field(init=False)
    proxies: dict[str, dict[str, FaultProxy]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.processes = ProcessSet(self.home / "logs")
        names = [*UPSTREAMS, *(f"engine_{e.name}" for e in ENGINES), REDIS, "ceiling"]
        self.ports = {name: free_port() for name in names}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def engine_url(self, engine: str) -> str:
        return self.url(f"engine_{engine}")

    @property
    def has_redis(self) -> bool:
        return self.redis_binary is not None

    def _base_env(self) -> dict[str, str]:
        env = dict(os.environ, NEXTBUY_HOME=str(self.home))
        for name in UPSTREAMS:
            prefix = f"NEXTBUY_{name.upper()}__"
            env[f"{prefix}PORT"] = str(self.ports[name])
            env[f"{prefix}MAX_BODY_BYTES"] = SEED_BODY_LIMIT
            env[f"{prefix}LOG_LEVEL"] = "WARNING"
        return env

    async def start_upstreams(self) -> None:
        env = self._base_env()
        # One process migrates all four: an interpreter start and the CLI's imports cost more
        # CPU than the migrations themselves (measured 4.3 s of CPU for one, 10 s for four).
        migrate = {"migrate": nextbuy_command("migrate", *UPSTREAMS)}
        await asyncio.to_thread(self.processes.run_all_once, migrate, env)
        for name in UPSTREAMS:
            ready = f"{self.url(name)}/readyz"
            self.processes.start(name, nextbuy_command("serve", name), env, ready_url=ready)
        await self.processes.wait_ready(*UPSTREAMS)

    async def seed(self, shop: DemoShop, progress: Callable[[str, int], None]) -> None:
        urls = ServiceUrls(*(self.url(name) for name in UPSTREAMS))
        await seed_shop(shop, urls, progress)

    async def start_proxies(self) -> None:
        for index, engine in enumerate(ENGINES):
            proxies = {
                name: FaultProxy(
                    f"{engine.name}->{name}",
                    self.ports[name],
                    faults=self.latency,
                    seed=index * 10 + i,
                )
                for i, name in enumerate(UPSTREAMS)
            }
            for proxy in proxies.values():
                await proxy.start()
            self.proxies[engine.name] = proxies

    async def start_redis(self) -> None:
        if self.redis_binary is None:
            return
        start_redis(self.processes, self.redis_binary, self.ports[REDIS], self.home / "redis")
        await wait_redis(self.ports[REDIS])

    async def restart_redis(self) -> None:
        self.processes.restart(REDIS)
        await wait_redis(self.ports[REDIS])

    async def flush_redis(self) -> None:
        if self.redis_binary is not None:
            await redis_command(self.ports[REDIS], "FLUSHALL")

    def _engine_env(self, engine: EngineSpec) -> dict[str, str]:
        env = self._base_env()
        prefix = "NEXTBUY_ENGINE__"
        env[f"{prefix}PORT"] = str(self.ports[f"engine_{engine.name}"])
        env[f"{prefix}LOG_LEVEL"] = "WARNING"
        env[f"{prefix}DATA_PLANE"] = engine.data_plane
        env[f"{prefix}HEDGING"] = "true" if engine.hedging else "false"
        env[f"{prefix}BULKHEAD_LIMIT"] = str(ENGINE_BULKHEAD_LIMIT)
        redis = ""
        if engine.redis_db is not None and self.has_redis:
            redis = f"redis://127.0.0.1:{self.ports[REDIS]}/{engine.redis_db}"
        env[f"{prefix}REDIS_URL"] = redis
        for name, proxy in self.proxies[engine.name].items():
            env[f"{prefix}{name.upper()}_URL"] = proxy.url
        return env

    async def start_engines(self) -> None:
        for engine in ENGINES:
            name = f"engine_{engine.name}"
            argv = nextbuy_command("serve", "engine")
            ready = f"{self.url(name)}/readyz"
            self.processes.start(name, argv, self._engine_env(engine), ready_url=ready)
        await self.processes.wait_ready(*(f"engine_{e.name}" for e in ENGINES))

    async def restart_engine(self, engine: str) -> None:
        """A fresh engine process: empty in-process caches (and its Redis database flushed)."""
        self.processes.restart(f"engine_{engine}")
        await self.flush_redis()
        await self.processes.wait_ready(f"engine_{engine}")

    @property
    def ceiling_body_file(self) -> Path:
        """The body ``/static`` returns; written once an engine has answered (read lazily)."""
        return self.home / "ceiling-body.json"

    async def start_ceiling(self) -> None:
        body_file = self.ceiling_body_file
        argv = [
            sys.executable,
            "-m",
            "nextbuy.bench.ceiling",
            "--port",
            str(self.ports["ceiling"]),
            "--body",
            str(body_file),
        ]
        env = dict(os.environ)
        self.processes.start("ceiling", argv, env, ready_url=f"{self.url('ceiling')}/healthz")
        await self.processes.wait_ready("ceiling")

    def upstream_calls(self, engine: str) -> int:
        """Requests that reached any upstream on behalf of ``engine``, counted at its proxies."""
        return sum(proxy.requests for proxy in self.proxies[engine].values())

    def set_latency_faults(self, engine: str, **changes: float | bool) -> None:
        for proxy in self.proxies[engine].values():
            proxy.configure(**changes)

    def reset_faults(self) -> None:
        for proxies in self.proxies.values():
            for proxy in proxies.values():
                proxy.reset_faults()

    async def close(self) -> None:
        # Proxies first: their open keep-alive connections would hold up the servers' graceful
        # shutdown, which waits for connections to go.
        for proxies in self.proxies.values():
            for proxy in proxies.values():
                await proxy.stop()
        await asyncio.to_thread(self.processes.stop_all)
