"""One measured phase: a scenario run against one client, with its faults on a timeline."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

from nextbuy.bench.loadgen import SOURCE_BITS, LoadResult
from nextbuy.bench.scenarios import SLOW_UPSTREAM_MS, Client, FaultStep, Scenario
from nextbuy.bench.stack import BenchStack
from nextbuy.bench.stats import (
    Summary,
    degraded_after_recovery_s,
    degraded_share_between,
    status_counts,
    summarise,
)

DEGRADED_GRACE_S = 1.0
"""A fault needs a moment to be noticed (S2: every response from kill + 1 s is degraded)."""


@dataclass
class PhaseResult:
    """The figures of one row of the report, and what happened during it."""

    name: str
    scenario: Scenario
    client: Client
    result: LoadResult
    upstream_calls: int
    events: dict[str, float] = field(default_factory=dict)
    """Fault steps by name, in seconds from the start of the load."""
    calls_by_upstream: dict[str, int] = field(default_factory=dict)
    notes: dict[str, float] = field(default_factory=dict)
    """Facts about the run's preparation (how much of the warm set was really warm)."""

    @property
    def summary(self) -> Summary:
        return summarise(self.result)

    @property
    def calls_per_request(self) -> float:
        n = len(self.result)
        return round(self.upstream_calls / n, 3) if n else 0.0

    @property
    def fault_source(self) -> str | None:
        """The ``degraded_sources`` name the fault should show up as (None: any source)."""
        targets = {step.target for step in self.scenario.steps}
        return next(iter(targets)) if len(targets) == 1 and targets <= set(SOURCE_BITS) else None

    @property
    def degraded_after_recovery_s(self) -> float | None:
        recovered = self.events.get("recovered")
        if recovered is None:
            return None
        return degraded_after_recovery_s(self.result, recovered, self.fault_source)

    @property
    def degraded_during_fault_pct(self) -> float | None:
        start, end = self.events.get("fault"), self.events.get("recovery_started")
        if start is None or end is None:
            return None
        return degraded_share_between(self.result, start + DEGRADED_GRACE_S, end, self.fault_source)

    @property
    def degraded_before_fault_pct(self) -> float | None:
        """The same share before the fault: what the engine's baseline already was."""
        start = self.events.get("fault")
        if start is None:
            return None
        return degraded_share_between(self.result, 0.0, start, self.fault_source)

    def row(self) -> dict[str, Any]:
        """Exactly the keys of ``--json``."""
        return {
            "name": self.name,
            "client": self.client,
            **self.summary.as_dict(),
            "upstream_calls_per_request": self.calls_per_request,
        }

    def details(self) -> dict[str, Any]:
        """What ``--json`` leaves out: fault timeline, recovery, statuses, sources."""
        return {
            "name": self.name,
            "client": self.client,
            "events_s": self.events,
            "fault_source": self.fault_source,
            "degraded_before_fault_pct": self.degraded_before_fault_pct,
            "degraded_during_fault_pct": self.degraded_during_fault_pct,
            "degraded_after_recovery_s": self.degraded_after_recovery_s,
            "status_counts": status_counts(self.result),
            "degraded_sources": self.result.degraded_sources,
            "upstream_calls": self.calls_by_upstream,
            "notes": self.notes,
        }


class FaultDriver:
    """Carries out the fault steps of a scenario against the stack, for one engine."""

    def __init__(self, stack: BenchStack, engine: str) -> None:
        self.stack = stack
        self.engine = engine

    async def apply(self, step: FaultStep) -> None:
        processes = self.stack.processes
        action, target = step.action, step.target
        if action == "kill":
            processes.kill(target)
        elif action == "restart":
            processes.restart(target)
            await processes.wait_ready(target)
        elif action == "stop":
            processes.send_signal(target, signal.SIGSTOP)
        elif action == "resume":
            processes.send_signal(target, signal.SIGCONT)
        elif action in {"slow", "unslow"}:
            added = SLOW_UPSTREAM_MS if action == "slow" else 0.0
            self.stack.proxies[self.engine][target].configure(added_ms=added)
        elif action == "redis_kill":
            processes.kill(target)
        elif action == "redis_restart":
            await self.stack.restart_redis()

    async def undo_all(self, scenario: Scenario) -> None:
        """After a phase (or a failed one): every process running, no fault left switched on."""
        processes = self.stack.processes
        self.stack.reset_faults()
        for step in scenario.steps:
            if step.action in {"stop", "resume"}:
                processes.send_signal(step.target, signal.SIGCONT)
            if (
                step.action == "kill"
                and processes.children[step.target].managed.exited() is not None
            ):
                processes.restart(step.target)
                await processes.wait_ready(step.target)
            if (
                step.action == "redis_kill"
                and processes.children[step.target].managed.exited() is not None
            ):
                await self.stack.restart_redis()
