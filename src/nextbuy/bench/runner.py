"""Runs the benchmark: build the stack, then every scenario for every client, one at a time.

The load generator runs in a worker process of its own, so the proxies' event loop (this
process) and the client's clock never share a core's attention; the two agree on the start of
each run by wall-clock time, which is how the fault timeline here lines up with the latencies
recorded there.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TypeVar

import aiohttp

from nextbuy.bench.engine_watch import EngineWatch
from nextbuy.bench.fault_proxy import Faults
from nextbuy.bench.loadgen import (
    Arrivals,
    LoadPlan,
    LoadResult,
    arrival_offsets,
    closed_loop_in_process,
    open_loops_in_process,
)
from nextbuy.bench.phases import FaultDriver, PhaseResult
from nextbuy.bench.probe import UpstreamProbe, probe_upstreams
from nextbuy.bench.redis_server import redis_server_binary
from nextbuy.bench.scenarios import (
    SCENARIOS,
    TAIL_EXTRA_MS,
    TAIL_FRACTION,
    Client,
    Scenario,
)
from nextbuy.bench.shop import ShopSize, bench_user_id, generate_bench_shop
from nextbuy.bench.stack import ENGINES, BenchStack, engine_spec

R = TypeVar("R")
START_LEAD_S = 0.2
"""How far ahead each run's start is fixed, so the worker process is ready to send on time."""
PREWARM_CONCURRENCY, PREWARM_ROUNDS = 4, 3
SETTLE_QUIET_S, SETTLE_MAX_S = 0.3, 20.0
SETTLE_BUSY_CORES = 0.25
"""Every process the bench started, together, uses less than this while the platform is idle
(feed polls, precomputing); an engine working off a backlog uses a whole core."""


@dataclass(frozen=True)
class BenchOptions:
    rate_per_s: float = 30.0
    duration_s: float = 40.0
    capacity_s: float = 10.0
    capacity_concurrency: int = 32
    scenarios: tuple[Scenario, ...] = SCENARIOS
    shop: ShopSize = field(default_factory=ShopSize)
    warm_users: int = 200
    arrivals: Arrivals = "poisson"
    latency: Faults = field(default_factory=Faults)
    timeout_s: float = 5.0
    probe_users: int = 300
    """Calls timed per kind for the cold target's reference. The median of 60 draws of the
    20 ± 10 ms latency moves by ~1 ms from run to run (22.8–26.2 ms over five runs), as much as
    the cold target's margin; 300 draws halve that, for ~16 s more set-up."""
    seed: int = 1
    clients: tuple[Client, ...] = ("naive", "optimized")
    """Which clients run (``--client``): the naive plane's rows take as long as the rest."""
    quick_mode: bool = False
    """Set by ``quick()``: targets its short runs cannot show are "not judged", not failed."""

    def quick(self) -> BenchOptions:
        """Every scenario, briefly, on a small shop: a smoke check, not a measurement."""
        return replace(
            self,
            rate_per_s=min(self.rate_per_s, 20.0),
            duration_s=1.0,
            capacity_s=1.0,
            # 300 users: enough cold users for every phase without restarting an engine.
            shop=ShopSize(users=300, products=300, median_orders=2.0, views_per_user=5),
            warm_users=40,
            timeout_s=1.0,
            probe_users=10,
            quick_mode=True,
        )


class Progress(Protocol):
    """What the runner tells the user while it works (the CLI draws it with rich)."""

    def step(self, text: str) -> None:
        """A setup step started."""

    def seeded(self, kind: str, count: int) -> None:
        """``count`` more records of ``kind`` were loaded."""

    def phase(self, name: str, duration_s: float) -> Callable[[float], None]:
        """A phase started; the returned callback is told the seconds elapsed."""


class SilentProgress:
    """Progress that shows nothing (tests, scripts)."""

    def step(self, text: str) -> None:
        pass

    def seeded(self, kind: str, count: int) -> None:
        pass

    def phase(self, name: str, duration_s: float) -> Callable[[float], None]:
        return lambda _elapsed: None


@dataclass
class BenchReport:
    phases: list[PhaseResult]
    probes: list[UpstreamProbe]
    home: Path
    options: BenchOptions
    skipped: list[str] = field(default_factory=list)


class ColdUsers:
    """Hands out users an engine has not seen since it last started with empty caches."""

    def __init__(self, first: int, total: int) -> None:
        self.first, self.total = first, total
        self.next: dict[str, int] = {}

    def take(self, engine: str, n: int) -> tuple[list[str], bool]:
        """``n`` fresh users, and whether the engine must first be restarted to make them so."""
        start = self.next.get(engine, self.first)
        restart = start + n > self.total and start > self.first
        if restart:
            start = self.first
        self.next[engine] = min(self.total, start + n)
        # A run longer than the pool reuses users: the report says so through calls/request.
        return [
            bench_user_id(self.first + (start - self.first + i) % (self.total - self.first))
            for i in range(n)
        ], restart


class BenchRunner:
    def __init__(self, options: BenchOptions, home: Path, progress: Progress) -> None:
        self.options = options
        self.progress = progress
        self.stack = BenchStack(home, options.latency, redis_server_binary())
        self.cold = ColdUsers(options.warm_users, options.shop.users)
        self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self.random = random.Random(options.seed)
        self.warmed_pct: dict[str, float] = {}

    async def run(self) -> BenchReport:
        """Set up, run every scenario, and always stop what was started."""
        try:
            probes = await self._setup()
            phases: list[PhaseResult] = []
            skipped: list[str] = []
            for scenario in self.options.scenarios:
                if scenario.needs_redis and not self.stack.has_redis:
                    skipped.append(f"{scenario.name}: redis-server is not installed")
                    continue
                phases.extend(await self._scenario(scenario))
            return BenchReport(phases, probes, self.stack.home, self.options, skipped)
        finally:
            self.progress.step("stopping every process the bench started")
            await self.stack.close()
            self.pool.shutdown(wait=True)

    async def _setup(self) -> list[UpstreamProbe]:
        loop = asyncio.get_running_loop()
        self.progress.step("starting the load generator process")
        warm_child = loop.run_in_executor(self.pool, arrival_offsets, 1.0, 1.0, "uniform", 0)
        self.progress.step("generating the bench shop")
        shop = asyncio.create_task(asyncio.to_thread(generate_bench_shop, self.options.shop))
        # Nothing below needs the others until seeding: start them side by side.
        self.progress.step("migrating and starting the services, redis-server and the ceiling")
        await asyncio.gather(
            self.stack.start_upstreams(), self.stack.start_redis(), self.stack.start_ceiling()
        )
        self.progress.step("seeding the bench shop through the bulk APIs")
        await self.stack.seed(await shop, self.progress.seeded)
        await self.stack.start_proxies()
        # Engines start only now: their first model is built from the seeded orders.
        self.progress.step("starting the engines")
        await self.stack.start_engines()
        self.stack.ceiling_body_file.write_bytes(await self._typical_answer())
        await warm_child
        self.progress.step("timing single upstream calls")
        users, wanted = self.options.shop.users, self.options.probe_users
        sample = [bench_user_id(i) for i in range(0, users, max(1, users // wanted))][:wanted]
        products = self.options.shop.products
        return await probe_upstreams(self.stack, sample, products, self.options.latency)

    def _engine_url(self, engine: str, user: str) -> str:
        return f"{self.stack.engine_url(engine)}/v1/recommendations?user_id={user}&k=10"

    async def _scenario(self, scenario: Scenario) -> list[PhaseResult]:
        results = []
        clients = [c for c in scenario.clients if c in self.options.clients]
        for client in clients:
            results.append(await self._phase(scenario, client))
        if scenario.capacity:
            for client in clients:
                results.append(await self._capacity(scenario, client))
        return results

    async def _plan(self, scenario: Scenario, client: Client, n: int) -> LoadPlan:
        engine = scenario.engine_for(client)
        template, expect_json, users = self._engine_url(engine, "{user}"), True, ["-"]
        if scenario.target != "engine":
            path = "/static" if scenario.target == "static" else "/hello"
            template, expect_json = self.stack.url("ceiling") + path, scenario.target == "static"
        elif scenario.users == "warm":
            hot = [bench_user_id(i) for i in range(self.options.warm_users)]
            if engine_spec(engine).caches:
                await self._prewarm(engine, hot)
            users = [self.random.choice(hot) for _ in range(n)]
        elif scenario.users == "cold":
            users, restart = self.cold.take(engine, n)
            if restart and engine_spec(engine).caches:
                self.progress.step(f"restarting engine {engine} to empty its caches")
                await self.stack.restart_engine(engine)
        return LoadPlan(
            url_template=template,
            users=users,
            rate_per_s=self.options.rate_per_s,
            duration_s=self.options.duration_s,
            arrivals=self.options.arrivals,
            timeout_s=self.options.timeout_s,
            expect_json=expect_json,
            seed=self.random.randrange(1 << 30),
        )

    async def _prewarm(self, engine: str, users: Sequence[str]) -> None:
        """Ask for every hot user until the engine answers undegraded (at most a few rounds).

        Records the share it managed: an engine that cannot load a user inside its deadline
        never caches it, and the warm figures then describe a partly cold engine.
        """
        semaphore = asyncio.Semaphore(PREWARM_CONCURRENCY)
        remaining = list(users)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:

            async def undegraded(user: str) -> bool:
                async with semaphore, session.get(self._engine_url(engine, user)) as response:
                    body = await response.read()
                return response.status == 200 and b'"degraded":false' in body.replace(b" ", b"")

            for _ in range(PREWARM_ROUNDS):
                answers = await asyncio.gather(*(undegraded(u) for u in remaining))
                remaining = [u for u, ok in zip(remaining, answers, strict=True) if not ok]
                if not remaining:
                    break
        self.warmed_pct[engine] = round(100 * (1 - len(remaining) / max(1, len(users))), 1)

    async def _settle(self) -> None:
        """Wait until no engine is still working off an earlier phase's backlog.

        A server keeps working on requests whose client gave up (the naive plane, overloaded,
        can take seconds to drain); the next phase must not share the CPU with that. Quiet is
        both: (almost) no upstream calls, and the processes' CPU near idle — a backlog can be
        all ranking, or calls queued inside a service, with no call reaching a proxy.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        while loop.time() < started + SETTLE_MAX_S:
            calls_before = self._all_upstream_calls()
            cpu_before = self.stack.processes.cpu_seconds()
            await asyncio.sleep(SETTLE_QUIET_S)
            calls = self._all_upstream_calls() - calls_before
            cpu = self.stack.processes.cpu_seconds()
            busy = None if cpu is None or cpu_before is None else cpu - cpu_before
            if calls <= 2 and (busy is None or busy < SETTLE_BUSY_CORES * SETTLE_QUIET_S):
                break
        waited = loop.time() - started
        if waited > 1.0:
            self.progress.step(f"waited {waited:.1f} s for the last phase's backlog to drain")

    def _all_upstream_calls(self) -> int:
        return sum(self.stack.upstream_calls(e.name) for e in ENGINES)

    async def _phase(self, scenario: Scenario, client: Client) -> PhaseResult:
        """Run one client's engine through the scenario's fault timeline."""
        engine = scenario.engine_for(client)
        await self._settle()
        # Enough users for a Poisson count well above its mean (sd = sqrt(mean)).
        mean = self.options.rate_per_s * self.options.duration_s
        expected = int(mean + 5 * mean**0.5) + 5
        plan = await self._plan(scenario, client, expected)
        if scenario.tail_slow:
            self.stack.set_latency_faults(
                engine, slow_fraction=TAIL_FRACTION, slow_extra_ms=TAIL_EXTRA_MS
            )
        driver = FaultDriver(self.stack, [engine])
        before = self._calls(engine, scenario)
        loop = asyncio.get_running_loop()
        start_at = time.time() + START_LEAD_S
        t0 = loop.time() + START_LEAD_S
        load = loop.run_in_executor(self.pool, open_loops_in_process, [plan], start_at)
        events: dict[str, float] = {}
        # Scraped whenever the engine does real work (not the ceilings): S3 needs the in-flight
        # calls and descriptors, and every tail needs the collector's pauses and the loop's lag
        # to be told apart from an upstream's. A scrape costs the engine ~1 ms every 0.5 s.
        watch = EngineWatch(self.stack, [engine], t0, count_clients=bool(scenario.steps))
        watching = asyncio.create_task(watch.run()) if scenario.users != "none" else None
        try:
            tick = self.progress.phase(f"{scenario.name} [{client}]", self.options.duration_s)
            timeline = asyncio.create_task(self._timeline(scenario, driver, t0, events))
            (result,) = await self._await_with_progress(load, t0, tick)
            await timeline
        finally:
            if watching is not None:
                watching.cancel()
                await asyncio.gather(watching, return_exceptions=True)
            await driver.undo_all(scenario)
        after = self._calls(engine, scenario)
        phase = self._phase_result(scenario.name, scenario, client, result, before, after, events)
        phase.engine_samples = watch.samples[engine]
        return phase

    async def _timeline(
        self, scenario: Scenario, driver: FaultDriver, t0: float, events: dict[str, float]
    ) -> None:
        loop = asyncio.get_running_loop()
        for step in scenario.steps:
            await asyncio.sleep(max(0.0, t0 + step.at * self.options.duration_s - loop.time()))
            events["recovery_started" if step.recovers else "fault"] = loop.time() - t0
            await driver.apply(step)
            if step.recovers:
                events["recovered"] = loop.time() - t0

    async def _await_with_progress(
        self, load: asyncio.Future[R], t0: float, tick: Callable[[float], None]
    ) -> R:
        loop = asyncio.get_running_loop()
        while not load.done():
            tick(max(0.0, loop.time() - t0))
            await asyncio.wait([load], timeout=0.25)
        tick(self.options.duration_s)
        return load.result()

    async def _capacity(self, scenario: Scenario, client: Client) -> PhaseResult:
        engine = scenario.engine_for(client)
        await self._settle()
        plan = await self._plan(scenario, client, 200_000)
        plan = replace(plan, duration_s=self.options.capacity_s)
        before = self._calls(engine, scenario)
        loop = asyncio.get_running_loop()
        tick = self.progress.phase(f"{scenario.name} capacity [{client}]", plan.duration_s)
        t0 = loop.time()
        load = loop.run_in_executor(
            self.pool, closed_loop_in_process, plan, self.options.capacity_concurrency
        )
        result = await self._await_with_progress(load, t0, tick)
        after = self._calls(engine, scenario)
        name = f"{scenario.name}_capacity"
        return self._phase_result(name, scenario, client, result, before, after, {})

    def _calls(self, engine: str, scenario: Scenario) -> dict[str, int]:
        if scenario.target != "engine":
            return {}
        return {name: proxy.requests for name, proxy in self.stack.proxies[engine].items()}

    def _phase_result(
        self,
        name: str,
        scenario: Scenario,
        client: Client,
        result: LoadResult,
        before: dict[str, int],
        after: dict[str, int],
        events: dict[str, float],
    ) -> PhaseResult:
        by_upstream = {u: after[u] - before[u] for u in after}
        notes = {}
        engine = scenario.engine_for(client)
        if scenario.users == "warm" and engine in self.warmed_pct:
            notes["warm_users_answered_undegraded_before_run_pct"] = self.warmed_pct[engine]
        return PhaseResult(
            name=name,
            scenario=scenario,
            client=client,
            result=result,
            upstream_calls=sum(by_upstream.values()),
            events={k: round(v, 3) for k, v in events.items()},
            calls_by_upstream=by_upstream,
            notes=notes,
        )

    async def _typical_answer(self) -> bytes:
        """An undegraded optimised answer (k=10), the size the static ceiling returns."""
        body = b""
        for index in range(1, 30):  # user 0 has a 500-order history: not typical
            body = await _fetch(self._engine_url("optimized", bench_user_id(index)))
            if b'"degraded":false' in body.replace(b" ", b""):
                break
        return body


async def _fetch(url: str) -> bytes:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
        session.get(url) as response,
    ):
        return await response.read()
