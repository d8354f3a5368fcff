"""One measured phase: a scenario run against one client, with its faults on a timeline."""

from __future__ import annotations

import signal
from dataclasses import asdict, dataclass, field
from typing import Any

from nextbuy.bench.engine_watch import EngineSample
from nextbuy.bench.loadgen import SOURCE_BITS, LoadResult
from nextbuy.bench.scenarios import SLOW_UPSTREAM_MS, Client, FaultStep, Scenario
from nextbuy.bench.stack import BenchStack
from nextbuy.bench.stats import (
    Clearing,
    Summary,
    degraded_clearing,
    degraded_share_between,
    status_counts,
    summarise,
)

DEGRADED_GRACE_S = 1.0
"""A fault needs a moment to be noticed (S2: every response from kill + 1 s is degraded)."""
SLOW_TRIP_GRACE_S = 10.0
"""A slow upstream is noticed by the breaker's slow-call rule, which S4 gives 10 s to trip."""
MIN_JUDGED_ANSWERS = 5
"""Fewer answers than this in the fault window (a --quick run) cannot show "degraded while down"."""
FD_TOLERANCE, FD_RETURN_S, FD_BASELINE_S = 0.10, 10.0, 3.0
"""S3: open file descriptors back to the baseline ±10% within 10 s of SIGCONT."""


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
    engine_samples: list[EngineSample] = field(default_factory=list)
    """The engine's own metrics, scraped during fault scenarios (S3)."""

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
    def degraded_grace_s(self) -> float:
        slow = any(step.action == "slow" for step in self.scenario.steps)
        return SLOW_TRIP_GRACE_S if slow else DEGRADED_GRACE_S

    @property
    def clearing(self) -> Clearing | None:
        """How long answers stayed degraded by the faulted source after it was back."""
        recovered = self.events.get("recovered")
        if recovered is None or len(self.result) == 0:
            return None
        end = float(self.result.scheduled_s.max())
        return degraded_clearing(
            self.result,
            recovered,
            end,
            self.fault_source,
            baseline_pct=self.degraded_before_fault_pct,
        )

    @property
    def degraded_after_recovery_s(self) -> float | None:
        clearing = self.clearing
        return None if clearing is None else clearing.after_s

    @property
    def degraded_during_fault_pct(self) -> float | None:
        """Share degraded by the faulted source from the fault (plus its grace) to recovery."""
        start, end = self.events.get("fault"), self.events.get("recovery_started")
        if start is None or end is None:
            return None
        return degraded_share_between(
            self.result,
            start + self.degraded_grace_s,
            end,
            self.fault_source,
            min_answers=MIN_JUDGED_ANSWERS,
        )

    @property
    def degraded_before_fault_pct(self) -> float | None:
        """The same share before the fault: what the engine's baseline already was."""
        start = self.events.get("fault")
        if start is None:
            return None
        return degraded_share_between(self.result, 0.0, start, self.fault_source)

    @property
    def in_flight_peak(self) -> int | None:
        """The most calls to the faulted source the engine ever had in flight (its own metric)."""
        source = self.fault_source
        peaks = [s.in_flight_peak.get(source, 0) for s in self.engine_samples if source]
        live = [s.in_flight.get(source, 0) for s in self.engine_samples if source]
        return max(peaks + live) if peaks or live else None

    @property
    def breaker_opened_after_s(self) -> float | None:
        """Seconds from the fault to the first scrape showing the faulted source's breaker (or
        its feed's) not closed; None if no scrape did."""
        source, start = self.fault_source, self.events.get("fault")
        if source is None or start is None:
            return None
        for sample in self.engine_samples:
            opened = sample.breaker_open.get(source) or sample.breaker_open.get(f"{source}_feed")
            if sample.at_s >= start and opened:
                return round(sample.at_s - start, 2)
        return None

    @property
    def open_fds_baseline(self) -> float | None:
        """Median of the engine's own descriptors over the last seconds before the fault.

        Not the whole pre-fault period: an engine restarted just before the phase (to empty its
        caches) is still filling its connection pools then, and its early count is no baseline.
        """
        return _fds_baseline(self.engine_samples, self.events.get("fault"), own=True)

    @property
    def open_fds_back_after_s(self) -> float | None:
        """Seconds from recovery to the first scrape within ±10% of the baseline.

        Judged on the engine's own descriptors (ADR 0025). None when no scrape was, or when
        none came at all (a --quick run ends first); ``open_fds_judged`` tells the two apart.
        """
        return _fds_back_after_s(self.engine_samples, self.events, own=True)

    @property
    def raw_fds(self) -> tuple[float | None, float | None]:
        """Baseline and return time counting the clients' connections too, for the record."""
        samples, events = self.engine_samples, self.events
        return (
            _fds_baseline(samples, events.get("fault"), own=False),
            _fds_back_after_s(samples, events, own=False),
        )

    @property
    def open_fds_judged(self) -> bool:
        """Whether the scrapes went on long enough after recovery to judge the FD return."""
        recovered = self.events.get("recovered")
        if recovered is None or self.open_fds_baseline is None:
            return False
        if self.open_fds_back_after_s is not None:
            return True
        return any(s.at_s >= recovered + FD_RETURN_S for s in self.engine_samples)

    @property
    def engine_gc(self) -> dict[str, dict[str, float]]:
        """Collections during the phase by generation: how many, seconds, and how many > 50 ms."""
        if len(self.engine_samples) < 2:
            return {}
        first, last = self.engine_samples[0], self.engine_samples[-1]
        return {
            generation: {
                "collections": count - first.gc_collections.get(generation, 0),
                "seconds": round(
                    last.gc_seconds.get(generation, 0.0) - first.gc_seconds.get(generation, 0.0), 4
                ),
                "over_50ms": last.gc_over_50ms.get(generation, 0)
                - first.gc_over_50ms.get(generation, 0),
            }
            for generation, count in sorted(last.gc_collections.items())
        }

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
        raw_baseline, raw_back = self.raw_fds
        return {
            "name": self.name,
            "client": self.client,
            "events_s": self.events,
            "fault_source": self.fault_source,
            "degraded_before_fault_pct": self.degraded_before_fault_pct,
            "degraded_during_fault_pct": self.degraded_during_fault_pct,
            "degraded_after_recovery_s": self.degraded_after_recovery_s,
            "observed_after_recovery_s": None
            if self.clearing is None
            else self.clearing.observed_s,
            "in_flight_peak": self.in_flight_peak,
            "breaker_opened_after_s": self.breaker_opened_after_s,
            "open_fds_baseline": self.open_fds_baseline,
            "open_fds_back_after_s": self.open_fds_back_after_s,
            "open_fds_with_clients_baseline": raw_baseline,
            "open_fds_with_clients_back_after_s": raw_back,
            "engine_gc": self.engine_gc,
            "loop_lag_max_s": max(
                (s.loop_lag_s for s in self.engine_samples if s.loop_lag_s is not None),
                default=None,
            ),
            "engine_samples": [asdict(sample) for sample in self.engine_samples],
            "status_counts": status_counts(self.result),
            "degraded_sources": self.result.degraded_sources,
            "upstream_calls": self.calls_by_upstream,
            "notes": self.notes,
        }


class FaultDriver:
    """Carries out the fault steps of a scenario against the stack, for the given engines."""

    def __init__(self, stack: BenchStack, engines: list[str]) -> None:
        self.stack = stack
        self.engines = engines

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
            for engine in self.engines:
                self.stack.proxies[engine][target].configure(added_ms=added)
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


def _fds(sample: EngineSample, own: bool) -> int | None:
    return sample.own_fds if own else sample.open_fds


def _fds_baseline(samples: list[EngineSample], fault: float | None, own: bool) -> float | None:
    before = [
        _fds(s, own)
        for s in samples
        if fault is not None and fault - FD_BASELINE_S <= s.at_s < fault
    ]
    counts = sorted(n for n in before if n is not None)
    return float(counts[len(counts) // 2]) if counts else None


def _fds_back_after_s(
    samples: list[EngineSample], events: dict[str, float], own: bool
) -> float | None:
    baseline = _fds_baseline(samples, events.get("fault"), own)
    recovered = events.get("recovered")
    if baseline is None or recovered is None:
        return None
    for sample in samples:
        fds = _fds(sample, own)
        back = fds is not None and abs(fds - baseline) <= FD_TOLERANCE * baseline
        if sample.at_s >= recovered and back:
            return round(sample.at_s - recovered, 2)
    return None
